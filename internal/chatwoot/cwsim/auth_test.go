package cwsim

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
)

func signIn(t *testing.T, s *Sim, userID int) result {
	t.Helper()
	u := userOf(s, userID)
	r := do(t, s, "POST", "/auth/sign_in", nil, map[string]string{"email": u.Email, "password": u.Password})
	want(t, r, http.StatusOK)
	return r
}

func sessionHeader(r result) http.Header {
	h := http.Header{}
	for _, k := range []string{"access-token", "client", "uid", "token-type"} {
		h.Set(k, r.header.Get(k))
	}
	return h
}

func TestSignInProfileRoundTrip(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	r := signIn(t, s, multiUser)
	for _, k := range []string{"access-token", "client", "uid", "expiry", "authorization"} {
		if r.header.Get(k) == "" {
			t.Errorf("sign-in response lacks header %q", k)
		}
	}
	if got := r.header.Get("token-type"); got != "Bearer" {
		t.Errorf("token-type = %q, want Bearer", got)
	}
	if got, wantExp := r.header.Get("expiry"), strconv.FormatInt(testNow.Add(tokenLifespan).Unix(), 10); got != wantExp {
		t.Errorf("expiry = %s, want %s (2 months)", got, wantExp)
	}
	// DTA 1.2 also sends Authorization: Bearer base64(JSON of the five headers).
	raw, err := base64.StdEncoding.DecodeString(r.header.Get("authorization")[len("Bearer "):])
	var bearer map[string]string
	if err != nil || json.Unmarshal(raw, &bearer) != nil || bearer["access-token"] != r.header.Get("access-token") {
		t.Errorf("authorization header does not wrap the token: %s", raw)
	}
	data := r.json(t)["data"].(map[string]any)
	if num(data["id"]) != multiUser || len(data["accounts"].([]any)) != 2 {
		t.Errorf("sign-in data = %v", data)
	}

	p := do(t, s, "GET", "/api/v1/profile", sessionHeader(r), nil)
	want(t, p, http.StatusOK)
	prof := p.json(t)
	if _, wrapped := prof["data"]; wrapped {
		t.Fatal("profile must be the bare user, not wrapped in data")
	}
	if num(prof["id"]) != multiUser || prof["confirmed"] != true || prof["access_token"] != userOf(s, multiUser).APIAccessToken {
		t.Errorf("profile = %v", prof)
	}
	roles := map[int]string{}
	for _, a := range prof["accounts"].([]any) {
		roles[num(dig(t, a, "id"))] = dig(t, a, "role").(string)
	}
	if roles[1] != RoleAdministrator || roles[2] != RoleAgent {
		t.Errorf("profile account roles = %v", roles)
	}
}

func TestSignInWrongPassword(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	for _, body := range []any{
		map[string]string{"email": userOf(s, adminAcme).Email, "password": "nope"},
		map[string]string{"email": "nobody@example.test", "password": "Password1!"},
		map[string]string{},
	} {
		r := do(t, s, "POST", "/auth/sign_in", nil, body)
		want(t, r, http.StatusUnauthorized)
		if string(r.raw) != `{"errors":["Invalid login credentials. Please try again."],"success":false}` {
			t.Errorf("body = %s", r.raw)
		}
		if r.header.Get("access-token") != "" {
			t.Error("failed sign-in must not issue a token")
		}
	}
}

func TestProfileAuthentication(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	sess := sessionHeader(signIn(t, s, agentAcme))
	badClient := sess.Clone()
	badClient.Set("client", "other")
	wrongUID := sess.Clone()
	wrongUID.Set("uid", userOf(s, adminAcme).Email)
	hyphen := http.Header{"Api-Access-Token": {userOf(s, agentAcme).APIAccessToken}}
	cases := []struct {
		name   string
		hdr    http.Header
		status int
		body   string
	}{
		{"session headers", sess, 200, ""},
		{"api_access_token", tokenHeader(s, agentAcme), 200, ""},
		{"api-access-token spelling", hyphen, 200, ""},
		{"unknown api token", http.Header{"Api_access_token": {"nope"}}, 401, `{"error":"Invalid Access Token"}`},
		{"no credentials", nil, 401, `{"errors":["You need to sign in or sign up before continuing."]}`},
		{"wrong client", badClient, 401, ""},
		{"uid of someone else", wrongUID, 401, ""},
	}
	for _, tc := range cases {
		r := do(t, s, "GET", "/api/v1/profile", tc.hdr, nil)
		if r.status != tc.status || (tc.body != "" && string(r.raw) != tc.body) {
			t.Errorf("%s: %d %s, want %d %s", tc.name, r.status, r.raw, tc.status, tc.body)
		}
		if r.status == 200 && num(r.json(t)["id"]) != agentAcme {
			t.Errorf("%s: wrong user %s", tc.name, r.raw)
		}
	}
}

func TestExpiredAndSignedOutSessions(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	a, b := signIn(t, s, adminAcme), signIn(t, s, adminAcme)
	if !s.ExpireSession(a.header.Get("access-token")) {
		t.Fatal("ExpireSession did not find the token")
	}
	want(t, do(t, s, "GET", "/api/v1/profile", sessionHeader(a), nil), 401)
	want(t, do(t, s, "GET", "/auth/validate_token", sessionHeader(a), nil), 401)
	// Other devices keep working.
	v := do(t, s, "GET", "/auth/validate_token", sessionHeader(b), nil)
	want(t, v, 200)
	if dig(t, v.json(t), "payload", "success") != true {
		t.Errorf("validate_token = %s", v.raw)
	}
	want(t, do(t, s, "DELETE", "/auth/sign_out", sessionHeader(b), nil), 200)
	want(t, do(t, s, "GET", "/api/v1/profile", sessionHeader(b), nil), 401)
	want(t, do(t, s, "DELETE", "/auth/sign_out", sessionHeader(b), nil), 404)
}

func TestUnconfirmedUser(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	sess := sessionHeader(signIn(t, s, agentAcme))
	s.SetConfirmed(agentAcme, false)
	p := do(t, s, "GET", "/api/v1/profile", sess, nil)
	want(t, p, 200)
	if p.json(t)["confirmed"] != false {
		t.Errorf("profile confirmed = %v", p.json(t)["confirmed"])
	}
	u := userOf(s, agentAcme)
	r := do(t, s, "POST", "/auth/sign_in", nil, map[string]string{"email": u.Email, "password": u.Password})
	want(t, r, 401)
	if r.json(t)["error_code"] != "user_not_confirmed" {
		t.Errorf("body = %s", r.raw)
	}
}

func TestSignInAcceptsFormAndHeaders(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	u := userOf(s, adminBeta)
	form := do(t, s, "POST", "/auth/sign_in", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		"email="+u.Email+"&password="+u.Password)
	// call sets JSON content type for non-nil bodies; the explicit header wins.
	if form.status != 200 {
		t.Errorf("form sign-in = %d %s", form.status, form.raw)
	}
	hdr := do(t, s, "POST", "/auth/sign_in", http.Header{"Email": {u.Email}, "Password": {u.Password}}, nil)
	want(t, hdr, 200)
}

func TestVersionProbe(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	r := do(t, s, "GET", "/api", nil, nil)
	want(t, r, 200)
	m := r.json(t)
	if m["version"] != "4.15.0" || m["timestamp"] != "2026-06-17 10:00:00" || m["queue_services"] != "ok" || m["data_services"] != "ok" {
		t.Errorf("GET /api = %s", r.raw)
	}
}
