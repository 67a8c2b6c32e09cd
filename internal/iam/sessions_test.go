package iam_test

import (
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/secret"
)

func cookie(v string) map[string]string {
	return map[string]string{"Cookie": apptest.RefreshCookie + "=" + v}
}

func TestRefreshRotatesAndDetectsReuse(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		acme := h.NewTenant(h.LoginSuper(), "Acme")
		s := h.Login(acme.Admin.Email, apptest.Password)
		first := *s

		// Each refresh answers a new refresh token and a working access token.
		seen := []string{s.Refresh}
		for range 2 {
			h.Refresh(s).Expect(t, 200)
			if slices.Contains(seen, s.Refresh) {
				t.Fatalf("refresh did not rotate the cookie: %s reused", s.Refresh)
			}
			seen = append(seen, s.Refresh)
			h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: s.Token}).Expect(t, 200)
		}
		if s.SessionID != first.SessionID {
			t.Fatalf("refresh changed the session: %s → %s", first.SessionID, s.SessionID)
		}

		apptest.Run(t, h, []apptest.Scenario{
			{Name: "refresh token as bearer", Method: "GET", Path: "/api/v1/me", Header: apptest.Bearer(s.Refresh), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "refresh token as API key", Method: "GET", Path: "/api/v1/me", Header: apptest.KeyHeader(s.Refresh), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "access token as refresh cookie", Method: "POST", Path: "/api/v1/auth/refresh", Header: cookie(s.Token), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "no cookie: nobody signed in", Method: "POST", Path: "/api/v1/auth/refresh", Status: 204},
			{Name: "unknown cookie", Method: "POST", Path: "/api/v1/auth/refresh", Header: cookie("wpr_forged"), Status: 401, Code: "TOKEN_INVALID"},
			// The first, already used, token comes back: someone copied it.
			{Name: "reuse", Method: "POST", Path: "/api/v1/auth/refresh", Header: cookie(first.Refresh), Status: 401, Code: "SESSION_REVOKED"},
			{Name: "latest access token after reuse", Method: "GET", Path: "/api/v1/me", Header: apptest.Bearer(s.Token), Status: 401, Code: "SESSION_REVOKED"},
			{Name: "latest refresh token after reuse", Method: "POST", Path: "/api/v1/auth/refresh", Header: cookie(s.Refresh), Status: 401, Code: "SESSION_REVOKED"},
		})

		// The reuse is audited in the user's account, once.
		rows := h.AuditLog(acme.Admin.Token, acme.ID, url.Values{"action": {"auth.refresh.reused"}})
		if len(rows) != 1 || rows[0].ResourceID != s.SessionID || rows[0].ActorID != s.UserID {
			t.Fatalf("audit rows for the reuse: %+v", rows)
		}
		h.AssertLogsFree(t, append(seen, s.Token, first.Token, apptest.Password)...)
	})
}

// forge signs claims the way an attacker might try to.
func forge(t *testing.T, m jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	must(t, err)
	return s
}

func TestAccessTokenFailures(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		clk := apptest.NewClock()
		h := newHub(t, dialect, apptest.Options{AppOpts: app.Options{Now: clk.Now}})
		acme := h.NewTenant(h.LoginSuper(), "Acme")
		s, other := h.Login(acme.Admin.Email, apptest.Password), h.NewMember(acme.Admin.Token, acme.ID, "agent")

		ring, err := secret.Parse(apptest.TestKeys)
		must(t, err)
		jwtKey := ring.Derive(secret.PurposeJWT, 32)
		otherRing, err := secret.Parse("t1:" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")))
		must(t, err)
		now := clk.Now()
		claims := func(sid, sub string) jwt.MapClaims {
			return jwt.MapClaims{"sid": sid, "sub": sub, "typ": "access", "iss": "whatpro",
				"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
		}
		good := claims(s.SessionID, s.UserID)
		noExp := claims(s.SessionID, s.UserID)
		delete(noExp, "exp")
		refreshTyp := claims(s.SessionID, s.UserID)
		refreshTyp["typ"] = "refresh"
		parts := strings.Split(s.Token, ".")

		apptest.Run(t, h, []apptest.Scenario{
			{Name: "control: a token we forge right works", Method: "GET", Path: "/api/v1/me",
				Header: apptest.Bearer(forge(t, jwt.SigningMethodHS256, jwtKey, "t1", good)), Status: 200},
			{Name: "malformed", Method: "GET", Path: "/api/v1/me", Header: apptest.Bearer("not-a-token"), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "three garbage parts", Method: "GET", Path: "/api/v1/me", Header: apptest.Bearer("a.b.c"), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "signature cut", Method: "GET", Path: "/api/v1/me", Header: apptest.Bearer(parts[0] + "." + parts[1] + "."), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "payload swapped", Method: "GET", Path: "/api/v1/me", Header: apptest.Bearer(parts[0] + "." + strings.Split(other.Token, ".")[1] + "." + parts[2]), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "signed with another key", Method: "GET", Path: "/api/v1/me",
				Header: apptest.Bearer(forge(t, jwt.SigningMethodHS256, otherRing.Derive(secret.PurposeJWT, 32), "t1", good)), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "signed with the ring key of another purpose", Method: "GET", Path: "/api/v1/me",
				Header: apptest.Bearer(forge(t, jwt.SigningMethodHS256, ring.Derive(secret.PurposeAuditMAC, 32), "t1", good)), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "alg none", Method: "GET", Path: "/api/v1/me",
				Header: apptest.Bearer(forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "t1", good)), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "HS512 with the right key", Method: "GET", Path: "/api/v1/me",
				Header: apptest.Bearer(forge(t, jwt.SigningMethodHS512, jwtKey, "t1", good)), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "unknown kid", Method: "GET", Path: "/api/v1/me",
				Header: apptest.Bearer(forge(t, jwt.SigningMethodHS256, jwtKey, "t9", good)), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "no exp", Method: "GET", Path: "/api/v1/me",
				Header: apptest.Bearer(forge(t, jwt.SigningMethodHS256, jwtKey, "t1", noExp)), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "typ refresh", Method: "GET", Path: "/api/v1/me",
				Header: apptest.Bearer(forge(t, jwt.SigningMethodHS256, jwtKey, "t1", refreshTyp)), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "session of another user", Method: "GET", Path: "/api/v1/me",
				Header: apptest.Bearer(forge(t, jwt.SigningMethodHS256, jwtKey, "t1", claims(other.SessionID, s.UserID))), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "session that never existed", Method: "GET", Path: "/api/v1/me",
				Header: apptest.Bearer(forge(t, jwt.SigningMethodHS256, jwtKey, "t1", claims(db.NewID(), s.UserID))), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "basic auth is no credential", Method: "GET", Path: "/api/v1/me",
				Header: map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("a:b"))}, Status: 401, Code: "UNAUTHORIZED"},
		})

		// A token whose session row is gone is invalid, not revoked.
		h.Exec(`DELETE FROM refresh_tokens WHERE session_id = $1`, other.SessionID)
		h.Exec(`DELETE FROM sessions WHERE id = $1`, other.SessionID)
		soon(t, dialect, "the deleted session", func() *apptest.Resp {
			return h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: other.Token})
		}).ExpectError(t, 401, "TOKEN_INVALID")

		// Expiry follows the clock; refreshing gets a working token again.
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: s.Token}).Expect(t, 200)
		clk.Advance(15*time.Minute + time.Second)
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: s.Token}).ExpectError(t, 401, "TOKEN_EXPIRED")
		h.Refresh(s).Expect(t, 200)
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: s.Token}).Expect(t, 200)

		// A session unused for longer than its life cannot be refreshed.
		clk.Advance(iam.RefreshTTL + time.Minute)
		h.Refresh(s).ExpectError(t, 401, "SESSION_REVOKED")
	})
}

func TestSessionsListRevokeLogout(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		acme := h.NewTenant(h.LoginSuper(), "Acme")
		laptop := h.Login(acme.Admin.Email, apptest.Password)
		phone := h.Login(acme.Admin.Email, apptest.Password)
		stranger := h.NewMember(acme.Admin.Token, acme.ID, "agent")

		var list struct {
			Data []struct {
				ID        string    `json:"id"`
				IP        string    `json:"ip"`
				UserAgent string    `json:"user_agent"`
				CreatedAt time.Time `json:"created_at"`
				LastSeen  time.Time `json:"last_seen_at"`
				Current   bool      `json:"current"`
			} `json:"data"`
		}
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/sessions", Token: laptop.Token}).Expect(t, 200).Decode(t, &list)
		current := map[string]bool{}
		for _, s := range list.Data {
			current[s.ID] = s.Current
			if s.IP == "" || s.UserAgent == "" || s.CreatedAt.IsZero() || s.LastSeen.IsZero() {
				t.Errorf("session %+v lacks ip, user_agent or times", s)
			}
		}
		if len(list.Data) != 3 || !current[laptop.SessionID] || current[phone.SessionID] || current[acme.Admin.SessionID] {
			t.Fatalf("sessions %+v: want 3 with only the laptop's current", list.Data)
		}
		if _, ok := current[stranger.SessionID]; ok {
			t.Fatal("another user's session is listed")
		}

		apptest.Run(t, h, []apptest.Scenario{
			{Name: "revoke another user's session", Method: "DELETE", Path: "/api/v1/sessions/" + laptop.SessionID, Header: apptest.Bearer(stranger.Token), Status: 404, Code: "NOT_FOUND"},
			{Name: "it still works", Method: "GET", Path: "/api/v1/me", Header: apptest.Bearer(laptop.Token), Status: 200},
			{Name: "revoke an unknown session", Method: "DELETE", Path: "/api/v1/sessions/" + db.NewID(), Header: apptest.Bearer(laptop.Token), Status: 404, Code: "NOT_FOUND"},
			{Name: "revoke the phone from the laptop", Method: "DELETE", Path: "/api/v1/sessions/" + phone.SessionID, Header: apptest.Bearer(laptop.Token), Status: 204},
			{Name: "the phone's very next request", Method: "GET", Path: "/api/v1/me", Header: apptest.Bearer(phone.Token), Status: 401, Code: "SESSION_REVOKED"},
			{Name: "the phone cannot refresh", Method: "POST", Path: "/api/v1/auth/refresh", Header: cookie(phone.Refresh), Status: 401, Code: "SESSION_REVOKED"},
			{Name: "revoking twice", Method: "DELETE", Path: "/api/v1/sessions/" + phone.SessionID, Header: apptest.Bearer(laptop.Token), Status: 404, Code: "NOT_FOUND"},
			{Name: "the laptop goes on", Method: "GET", Path: "/api/v1/sessions", Header: apptest.Bearer(laptop.Token), Status: 200, Lacks: []string{phone.SessionID}},
			{Name: "logout", Method: "POST", Path: "/api/v1/auth/logout", Header: apptest.Bearer(laptop.Token), Status: 204},
			{Name: "after logout", Method: "GET", Path: "/api/v1/me", Header: apptest.Bearer(laptop.Token), Status: 401, Code: "SESSION_REVOKED"},
			{Name: "refresh after logout", Method: "POST", Path: "/api/v1/auth/refresh", Header: cookie(laptop.Refresh), Status: 401, Code: "SESSION_REVOKED"},
			{Name: "the first session is untouched", Method: "GET", Path: "/api/v1/me", Header: apptest.Bearer(acme.Admin.Token), Status: 200},
		})
		rows := h.AuditLog(acme.Admin.Token, acme.ID, url.Values{"resource_type": {"session"}})
		got := map[string]string{}
		for _, r := range rows {
			got[r.Action] = r.ResourceID
		}
		if got["session.revoked"] != phone.SessionID || got["auth.logout"] != laptop.SessionID {
			t.Fatalf("audit of revoke and logout: %+v", rows)
		}
	})
}

func TestChangePassword(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		acme := h.NewTenant(h.LoginSuper(), "Acme")
		u := h.NewMember(acme.Admin.Token, acme.ID, "agent")
		other := h.Login(u.Email, apptest.Password)
		const next = "a-brand-new-passphrase-3"
		pw := func(cur, nw string) map[string]string {
			return map[string]string{"current_password": cur, "new_password": nw}
		}
		rule := "passwords need at least 10 characters, must not be your email and must not be a common password"
		apptest.Run(t, h, []apptest.Scenario{
			{Name: "wrong current", Method: "POST", Path: "/api/v1/me/password", Header: apptest.Bearer(u.Token), Body: pw("wrong-password-1", next),
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"current_password","code":"mismatch"`}},
			{Name: "short", Method: "POST", Path: "/api/v1/me/password", Header: apptest.Bearer(u.Token), Body: pw(apptest.Password, "Sh0rt!"),
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"new_password","code":"too_short","params":{"min":10}`, rule}},
			{Name: "the email", Method: "POST", Path: "/api/v1/me/password", Header: apptest.Bearer(u.Token), Body: pw(apptest.Password, strings.ToUpper(u.Email)),
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"new_password"`, rule}},
			{Name: "common", Method: "POST", Path: "/api/v1/me/password", Header: apptest.Bearer(u.Token), Body: pw(apptest.Password, "password123"),
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"new_password","code":"weak_password","params":{"min":10}`, rule}},
			{Name: "unknown field", Method: "POST", Path: "/api/v1/me/password", Header: apptest.Bearer(u.Token), Body: `{"password":"x"}`,
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"password","code":"unknown"`}},
			{Name: "nothing changed yet", Method: "GET", Path: "/api/v1/me", Header: apptest.Bearer(other.Token), Status: 200},
			{Name: "success", Method: "POST", Path: "/api/v1/me/password", Header: apptest.Bearer(u.Token), Body: pw(apptest.Password, next), Status: 204},
			{Name: "the current session stays", Method: "GET", Path: "/api/v1/me", Header: apptest.Bearer(u.Token), Status: 200},
			{Name: "the other session ends", Method: "GET", Path: "/api/v1/me", Header: apptest.Bearer(other.Token), Status: 401, Code: "SESSION_REVOKED"},
			{Name: "the old password fails", Method: "POST", Path: "/api/v1/auth/login", Body: login(u.Email, apptest.Password), Status: 401, Code: "UNAUTHORIZED"},
			{Name: "the new one works", Method: "POST", Path: "/api/v1/auth/login", Body: login(u.Email, next), Status: 200},
		})
		rows := h.AuditLog(acme.Admin.Token, acme.ID, url.Values{"action": {"user.password.changed"}})
		if len(rows) != 1 || rows[0].ResourceID != u.UserID || !strings.Contains(string(rows[0].After), `"other_sessions_revoked":1`) {
			t.Fatalf("password change audit: %+v", rows)
		}
		h.AssertLogsFree(t, apptest.Password, next, u.Token, other.Token, u.Refresh)
	})
}
