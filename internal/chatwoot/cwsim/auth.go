package cwsim

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// tokenLifespan is devise_token_auth's token_lifespan in Chatwoot (2.months).
const tokenLifespan = 60 * 24 * time.Hour

// header reads a request header the way Rack sees it: "api_access_token"
// and "api-access-token" both become HTTP_API_ACCESS_TOKEN.
func header(r *http.Request, name string) string {
	if v := r.Header.Get(name); v != "" {
		return v
	}
	return r.Header.Get(strings.ReplaceAll(name, "_", "-"))
}

// authenticate follows Api::BaseController: a present api_access_token
// header decides the path (and an unknown one is final), otherwise devise
// token headers are checked.
func (c *call) authenticate() error {
	if tok := header(c.r, "api_access_token"); tok != "" {
		for _, u := range c.s.users {
			if subtle.ConstantTimeCompare([]byte(u.AccessToken), []byte(tok)) == 1 {
				c.user = u
				return nil
			}
		}
		return errInvalidToken()
	}
	u, _ := c.s.sessionUser(header(c.r, "access-token"), header(c.r, "client"), header(c.r, "uid"))
	if u == nil {
		return errUnauthenticated()
	}
	c.user = u
	return nil
}

// sessionUser validates devise_token_auth headers: uid names the user, the
// client selects the token, and it must match and not be expired. Called
// with mu held.
func (s *Sim) sessionUser(token, client, uid string) (*user, *session) {
	if token == "" || client == "" || uid == "" {
		return nil, nil
	}
	sess := s.sessions[client]
	if sess == nil || subtle.ConstantTimeCompare([]byte(sess.Token), []byte(token)) != 1 {
		return nil, nil
	}
	if !s.now().Before(sess.Expiry) {
		return nil, nil
	}
	u := s.userByID(sess.UserID)
	if u == nil || !strings.EqualFold(u.Email, strings.TrimSpace(uid)) {
		return nil, nil
	}
	return u, sess
}

// maxDevices is devise_token_auth's max_number_of_devices in Chatwoot.
const maxDevices = 25

// newSession creates a token the way DTA's create_token does; past 25 a
// user's token with the oldest expiry is evicted (clean_old_tokens), so a
// 26th sign-in logs out the oldest browser. Called with mu held.
func (s *Sim) newSession(u *user) *session {
	sess := &session{UserID: u.ID, Client: randomToken(22), Token: randomToken(22), Expiry: s.now().Add(tokenLifespan)}
	s.sessions[sess.Client] = sess
	clients := append(s.userSessions[u.ID], sess.Client)
	for len(clients) > maxDevices {
		oldest := 0
		for i, cl := range clients {
			if s.sessions[cl].Expiry.Before(s.sessions[clients[oldest]].Expiry) {
				oldest = i
			}
		}
		delete(s.sessions, clients[oldest])
		clients = append(clients[:oldest], clients[oldest+1:]...)
	}
	s.userSessions[u.ID] = clients
	return sess
}

// authHeaders are the headers DTA 1.2 puts on a successful sign-in,
// including the Authorization bearer (base64 of the other five as JSON).
func authHeaders(u *user, sess *session) http.Header {
	h := http.Header{}
	fields := map[string]string{
		"access-token": sess.Token,
		"token-type":   "Bearer",
		"client":       sess.Client,
		"expiry":       strconv.FormatInt(sess.Expiry.Unix(), 10),
		"uid":          u.Email,
	}
	for k, v := range fields {
		h[k] = []string{v} // lower-case keys, as the browser lists them
	}
	raw, _ := json.Marshal(fields)
	h["authorization"] = []string{"Bearer " + base64.StdEncoding.EncodeToString(raw)}
	return h
}

func (s *Sim) routeSignIn(c *call) reply {
	email := strings.ToLower(strings.TrimSpace(firstNonEmpty(c.body, "email")))
	password := firstNonEmpty(c.body, "password")
	if email == "" {
		email = strings.ToLower(strings.TrimSpace(c.r.Header.Get("email")))
	}
	if password == "" {
		password = c.r.Header.Get("password")
	}
	var u *user
	for _, cand := range s.users {
		if cand.Email == email {
			u = cand
		}
	}
	if u == nil || password == "" || subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
		return reply{status: http.StatusUnauthorized, body: map[string]any{
			"success": false, "errors": []string{"Invalid login credentials. Please try again."}}}
	}
	if !u.Confirmed {
		return reply{status: http.StatusUnauthorized, body: map[string]any{
			"success": false,
			"errors": []string{"A confirmation email was sent to your account at '" + u.Email +
				"'. You must follow the instructions in the email before your account can be activated"},
			"error_code": "user_not_confirmed"}}
	}
	sess := s.newSession(u)
	return reply{status: http.StatusOK, header: authHeaders(u, sess), body: map[string]any{"data": s.authUserJSON(u)}}
}

// routeValidateToken is GET /auth/validate_token
// (DeviseOverrides::TokenValidationsController).
func (s *Sim) routeValidateToken(c *call) reply {
	u, sess := s.sessionUser(header(c.r, "access-token"), header(c.r, "client"), header(c.r, "uid"))
	if u == nil {
		return reply{status: http.StatusUnauthorized, body: map[string]any{
			"success": false, "errors": []string{"Invalid login credentials"}}}
	}
	data := s.authUserJSON(u)
	data["created_at"] = rubyTime(s.now())
	return reply{status: http.StatusOK, header: authHeaders(u, sess),
		body: map[string]any{"payload": map[string]any{"success": true, "data": data}}}
}

// routeSignOut is DELETE /auth/sign_out: the token is destroyed; an unknown
// one gets devise_token_auth's 404.
func (s *Sim) routeSignOut(c *call) reply {
	u, sess := s.sessionUser(header(c.r, "access-token"), header(c.r, "client"), header(c.r, "uid"))
	if u == nil {
		return reply{status: http.StatusNotFound, body: map[string]any{
			"success": false, "errors": []string{"User was not found or was not logged in."}}}
	}
	delete(s.sessions, sess.Client)
	s.userSessions[u.ID] = slices.DeleteFunc(s.userSessions[u.ID], func(cl string) bool { return cl == sess.Client })
	return ok(map[string]any{"success": true})
}

func firstNonEmpty(m map[string]any, key string) string {
	v, _ := pString(m, key)
	if v == "" {
		if inner, isObj := m["user"].(map[string]any); isObj {
			v, _ = pString(inner, key)
		}
	}
	return v
}
