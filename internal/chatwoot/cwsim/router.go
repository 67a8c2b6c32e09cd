package cwsim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// authKind says how a route authenticates, mirroring Chatwoot's controller
// hierarchy.
type authKind int

const (
	authNone authKind = iota // ApiController#index and devise's own endpoints
	authUser                 // Api::BaseController: api_access_token or devise headers
)

// route is one entry of the route table. Patterns use {name} segments; the
// names match swagger.json so the contract test can map routes to it.
type route struct {
	method  string
	pattern string
	auth    authKind
	account bool // resolves {account_id} and checks membership
	handle  func(*call) reply
	segs    []string
}

// call carries one request through a handler. Handlers run with Sim.mu held
// and must not block.
type call struct {
	s      *Sim
	r      *http.Request
	params map[string]string
	body   map[string]any
	user   *user
	acct   *account
	role   string
	out    *outbox
}

// reply is what a handler produces; ServeHTTP writes it after releasing the
// lock and starting webhook deliveries.
type reply struct {
	status int
	body   any
	header http.Header
}

func ok(body any) reply { return reply{status: http.StatusOK, body: body} }

func fromErr(err error) reply {
	if e, isAPI := err.(*apiError); isAPI {
		return reply{status: e.status, body: e.body}
	}
	return fromErr(errRails(http.StatusInternalServerError))
}

// Handler returns the simulator's HTTP handler.
func (s *Sim) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Sim) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if f := s.takeFailure(r); f != nil {
		s.applyFailure(w, r, f)
		return
	}
	if s.serveAsset(w, r) {
		return
	}
	rt, params := s.match(r.Method, r.URL.Path)
	if rt == nil {
		if strings.HasPrefix(r.URL.Path, "/app") || r.URL.Path == "/" {
			s.serveApp(w, r)
			return
		}
		writeReply(w, fromErr(errRails(http.StatusNotFound)))
		return
	}
	body, err := readParams(r)
	if err != nil {
		writeReply(w, fromErr(err))
		return
	}
	c := &call{s: s, r: r, params: params, body: body, out: &outbox{base: s.frontendURL(r)}}
	s.mu.Lock()
	rep := s.run(c, rt)
	s.mu.Unlock()
	s.dispatch(c.out)
	writeReply(w, rep)
}

func (s *Sim) run(c *call, rt *route) reply {
	if rt.auth == authUser {
		if err := c.authenticate(); err != nil {
			return fromErr(err)
		}
	}
	if rt.account {
		if err := c.resolveAccount(); err != nil {
			return fromErr(err)
		}
	}
	return rt.handle(c)
}

func (s *Sim) match(method, path string) (*route, map[string]string) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := range s.routes {
		rt := &s.routes[i]
		if rt.method != method || len(rt.segs) != len(segs) {
			continue
		}
		params := map[string]string{}
		matched := true
		for j, p := range rt.segs {
			if strings.HasPrefix(p, "{") {
				params[strings.Trim(p, "{}")] = segs[j]
			} else if p != segs[j] {
				matched = false
				break
			}
		}
		if matched {
			return rt, params
		}
	}
	return nil, nil
}

func writeReply(w http.ResponseWriter, rep reply) {
	for k, vs := range rep.header {
		for _, v := range vs {
			// Canonical keys: header names are case-insensitive and Go
			// callers using httptest.ResponseRecorder read them with Get.
			w.Header().Add(k, v)
		}
	}
	if rep.body == nil {
		w.WriteHeader(rep.status)
		return
	}
	raw, err := json.Marshal(rep.body)
	if err != nil {
		raw, rep.status = []byte(`{"status":500,"error":"Internal Server Error"}`), http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "max-age=0, private, must-revalidate")
	w.WriteHeader(rep.status)
	_, _ = w.Write(raw)
}

// resolveAccount mirrors EnsureCurrentAccountHelper: an unknown account is a
// 404 (RecordNotFound), a non-member gets 401.
func (c *call) resolveAccount() error {
	id, err := strconv.Atoi(c.params["account_id"])
	if err != nil {
		return errNotFound()
	}
	c.acct = c.s.account(id)
	if c.acct == nil {
		return errNotFound()
	}
	m := c.user.member(id)
	if m == nil {
		return errNotMember()
	}
	c.role = m.Role
	return nil
}

func (c *call) admin() bool { return c.role == RoleAdministrator }

// pathID parses a numeric path parameter; garbage is "not found", as
// ActiveRecord's find would say.
func (c *call) pathID(name string) (int, error) {
	id, err := strconv.Atoi(c.params[name])
	if err != nil || id <= 0 {
		return 0, errNotFound()
	}
	return id, nil
}

func (u *user) member(accountID int) *membership {
	if u == nil {
		return nil
	}
	for i := range u.Members {
		if u.Members[i].AccountID == accountID {
			return &u.Members[i]
		}
	}
	return nil
}

func (s *Sim) account(id int) *account {
	for _, a := range s.accounts {
		if a.ID == id {
			return a
		}
	}
	return nil
}

func (s *Sim) userByID(id int) *user {
	for _, u := range s.users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

func (s *Sim) frontendURL(r *http.Request) string {
	if base, _ := s.frontend.Load().(string); base != "" {
		return base
	}
	if r == nil || r.Host == "" {
		if learned, _ := s.learned.Load().(string); learned != "" {
			return learned
		}
		return "http://chatwoot.sim"
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	base := scheme + "://" + r.Host
	s.learned.Store(base)
	return base
}
