package httpx

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Auth says which principals may call a route.
type Auth int

const (
	// Public routes take no credentials (health, login, signed webhooks).
	Public Auth = iota
	// Authenticated routes need a user session, API key or instance token.
	Authenticated
)

// AccountFrom says where a route finds the account it acts on, so the
// tenant check and the cross-tenant test know where to look.
type AccountFrom int

const (
	AccountNone  AccountFrom = iota
	AccountPath              // {accountID} path segment
	AccountQuery             // ?account_id=
	AccountBody              // "account_id" in the JSON body
)

// Route is one entry of the route table: every route of the hub is listed
// once, with what it requires, and tests enumerate the table.
type Route struct {
	Method      string
	Pattern     string // ServeMux path pattern, without the method
	Handler     http.Handler
	Auth        Auth
	Permission  string // required permission or API scope; "" = none beyond Auth
	Feature     string // feature flag that must be on for the account; "" = none
	AccountFrom AccountFrom
	// RateLimit overrides the per-minute limit of public routes (signed
	// webhooks come in bursts from one sender that never retries); -1
	// exempts probes.
	RateLimit int
	// SameOrigin refuses browser requests that another origin made (the
	// console's session routes): a page of another site, or of the same
	// site, cannot drive the session.
	SameOrigin bool
	// MaxBody raises the body limit for this route (uploads); 0 keeps
	// the hub's WHATPRO_MAX_BODY_BYTES.
	MaxBody int64
}

// Key is the ServeMux pattern "METHOD /path".
func (r Route) Key() string { return r.Method + " " + r.Pattern }

// Scoped reports whether the route acts inside one account.
func (r Route) Scoped() bool { return r.AccountFrom != AccountNone }

// Validate catches table mistakes at start-up instead of at request time.
func (r Route) Validate() error {
	inPath := strings.Contains(r.Pattern, "{accountID}")
	switch {
	case r.Handler == nil:
		return fmt.Errorf("route %s has no handler", r.Key())
	case inPath != (r.AccountFrom == AccountPath):
		return fmt.Errorf("route %s: {accountID} in the path must match AccountFrom=AccountPath", r.Key())
	case r.Scoped() && r.Auth != Authenticated:
		return fmt.Errorf("route %s is account-scoped but not authenticated", r.Key())
	}
	return nil
}

// NewRouter mounts the table on a ServeMux, each route wrapped by wrap (the
// auth, tenant, permission and feature checks), plus the SPA fallback as
// GET / only. Unknown routes and wrong methods answer with the envelope.
func NewRouter(routes []Route, wrap func(Route) http.Handler, spa http.Handler) (http.Handler, error) {
	mux := http.NewServeMux()
	for _, rt := range routes {
		if err := rt.Validate(); err != nil {
			return nil, err
		}
		mux.Handle(rt.Key(), wrap(rt))
	}
	rt := &router{mux: mux}
	// The SPA answers GET on any path that is not the API's; "/" (any
	// method) catches what no route matched, so a routed request is
	// matched once, by the mux itself.
	mux.Handle("GET /", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isAPIPath(r.URL.Path) {
			rt.unrouted(w, r)
			return
		}
		spa.ServeHTTP(w, r)
	}))
	mux.Handle("/", http.HandlerFunc(rt.unrouted))
	return rt, nil
}

type router struct{ mux *http.ServeMux }

var probeMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) { rt.mux.ServeHTTP(w, r) }

// unrouted answers a request no route took: 405 with Allow when another
// method has a route there, else 404; never the SPA for an API path.
func (rt *router) unrouted(w http.ResponseWriter, r *http.Request) {
	r.Pattern = "" // the catch-all matched, no route: metrics say "unmatched"
	var allow []string
	for _, m := range probeMethods {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := rt.mux.Handler(probe); p != "" && p != "/" && !(p == "GET /" && isAPIPath(r.URL.Path)) {
			allow = append(allow, m)
			if m == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
	}
	if len(allow) == 0 || slices.Contains(allow, r.Method) {
		WriteError(w, r, E(CodeNotFound, "no route for "+r.Method+" "+r.URL.Path))
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	WriteError(w, r, E(CodeMethodNotAllowed, r.Method+" is not allowed here; use "+strings.Join(allow, ", ")))
}

func isAPIPath(p string) bool {
	return strings.HasPrefix(p, "/api/") || p == "/api" || strings.HasPrefix(p, "/webhooks/")
}

// BodyLimits answers, per request, the body limit of the route it goes
// to: the route's MaxBody, else def. LimitBodyBy applies it before routing.
func BodyLimits(routes []Route, def int64) func(*http.Request) int64 {
	mux := http.NewServeMux()
	limits := map[string]int64{}
	for _, rt := range routes {
		if rt.MaxBody > 0 {
			mux.Handle(rt.Key(), http.NotFoundHandler())
			limits[rt.Key()] = rt.MaxBody
		}
	}
	return func(r *http.Request) int64 {
		if r.ContentLength == 0 && (r.Body == nil || r.Body == http.NoBody) {
			return def // nothing to limit; skip the route lookup
		}
		if _, p := mux.Handler(r); p != "" {
			if n, ok := limits[p]; ok {
				return n
			}
		}
		return def
	}
}
