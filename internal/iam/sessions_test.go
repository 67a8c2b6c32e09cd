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

		run(t, h, []scenario{
			{name: "refresh token as bearer", method: "GET", path: "/api/v1/me", header: bearer(s.Refresh), status: 401, code: "TOKEN_INVALID"},
			{name: "refresh token as API key", method: "GET", path: "/api/v1/me", header: apiKey(s.Refresh), status: 401, code: "TOKEN_INVALID"},
			{name: "access token as refresh cookie", method: "POST", path: "/api/v1/auth/refresh", header: cookie(s.Token), status: 401, code: "TOKEN_INVALID"},
			{name: "no cookie", method: "POST", path: "/api/v1/auth/refresh", status: 401, code: "UNAUTHORIZED"},
			{name: "unknown cookie", method: "POST", path: "/api/v1/auth/refresh", header: cookie("wpr_forged"), status: 401, code: "TOKEN_INVALID"},
			// The first, already used, token comes back: someone copied it.
			{name: "reuse", method: "POST", path: "/api/v1/auth/refresh", header: cookie(first.Refresh), status: 401, code: "SESSION_REVOKED"},
			{name: "latest access token after reuse", method: "GET", path: "/api/v1/me", header: bearer(s.Token), status: 401, code: "SESSION_REVOKED"},
			{name: "latest refresh token after reuse", method: "POST", path: "/api/v1/auth/refresh", header: cookie(s.Refresh), status: 401, code: "SESSION_REVOKED"},
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

		run(t, h, []scenario{
			{name: "control: a token we forge right works", method: "GET", path: "/api/v1/me",
				header: bearer(forge(t, jwt.SigningMethodHS256, jwtKey, "t1", good)), status: 200},
			{name: "malformed", method: "GET", path: "/api/v1/me", header: bearer("not-a-token"), status: 401, code: "TOKEN_INVALID"},
			{name: "three garbage parts", method: "GET", path: "/api/v1/me", header: bearer("a.b.c"), status: 401, code: "TOKEN_INVALID"},
			{name: "signature cut", method: "GET", path: "/api/v1/me", header: bearer(parts[0] + "." + parts[1] + "."), status: 401, code: "TOKEN_INVALID"},
			{name: "payload swapped", method: "GET", path: "/api/v1/me", header: bearer(parts[0] + "." + strings.Split(other.Token, ".")[1] + "." + parts[2]), status: 401, code: "TOKEN_INVALID"},
			{name: "signed with another key", method: "GET", path: "/api/v1/me",
				header: bearer(forge(t, jwt.SigningMethodHS256, otherRing.Derive(secret.PurposeJWT, 32), "t1", good)), status: 401, code: "TOKEN_INVALID"},
			{name: "signed with the ring key of another purpose", method: "GET", path: "/api/v1/me",
				header: bearer(forge(t, jwt.SigningMethodHS256, ring.Derive(secret.PurposeAuditMAC, 32), "t1", good)), status: 401, code: "TOKEN_INVALID"},
			{name: "alg none", method: "GET", path: "/api/v1/me",
				header: bearer(forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "t1", good)), status: 401, code: "TOKEN_INVALID"},
			{name: "HS512 with the right key", method: "GET", path: "/api/v1/me",
				header: bearer(forge(t, jwt.SigningMethodHS512, jwtKey, "t1", good)), status: 401, code: "TOKEN_INVALID"},
			{name: "unknown kid", method: "GET", path: "/api/v1/me",
				header: bearer(forge(t, jwt.SigningMethodHS256, jwtKey, "t9", good)), status: 401, code: "TOKEN_INVALID"},
			{name: "no exp", method: "GET", path: "/api/v1/me",
				header: bearer(forge(t, jwt.SigningMethodHS256, jwtKey, "t1", noExp)), status: 401, code: "TOKEN_INVALID"},
			{name: "typ refresh", method: "GET", path: "/api/v1/me",
				header: bearer(forge(t, jwt.SigningMethodHS256, jwtKey, "t1", refreshTyp)), status: 401, code: "TOKEN_INVALID"},
			{name: "session of another user", method: "GET", path: "/api/v1/me",
				header: bearer(forge(t, jwt.SigningMethodHS256, jwtKey, "t1", claims(other.SessionID, s.UserID))), status: 401, code: "TOKEN_INVALID"},
			{name: "session that never existed", method: "GET", path: "/api/v1/me",
				header: bearer(forge(t, jwt.SigningMethodHS256, jwtKey, "t1", claims(db.NewID(), s.UserID))), status: 401, code: "TOKEN_INVALID"},
			{name: "basic auth is no credential", method: "GET", path: "/api/v1/me",
				header: map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("a:b"))}, status: 401, code: "UNAUTHORIZED"},
		})

		// A token whose session row is gone is invalid, not revoked.
		h.Exec(`DELETE FROM refresh_tokens WHERE session_id = $1`, other.SessionID)
		h.Exec(`DELETE FROM sessions WHERE id = $1`, other.SessionID)
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: other.Token}).ExpectError(t, 401, "TOKEN_INVALID")

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

		run(t, h, []scenario{
			{name: "revoke another user's session", method: "DELETE", path: "/api/v1/sessions/" + laptop.SessionID, header: bearer(stranger.Token), status: 404, code: "NOT_FOUND"},
			{name: "it still works", method: "GET", path: "/api/v1/me", header: bearer(laptop.Token), status: 200},
			{name: "revoke an unknown session", method: "DELETE", path: "/api/v1/sessions/" + db.NewID(), header: bearer(laptop.Token), status: 404, code: "NOT_FOUND"},
			{name: "revoke the phone from the laptop", method: "DELETE", path: "/api/v1/sessions/" + phone.SessionID, header: bearer(laptop.Token), status: 204},
			{name: "the phone's very next request", method: "GET", path: "/api/v1/me", header: bearer(phone.Token), status: 401, code: "SESSION_REVOKED"},
			{name: "the phone cannot refresh", method: "POST", path: "/api/v1/auth/refresh", header: cookie(phone.Refresh), status: 401, code: "SESSION_REVOKED"},
			{name: "revoking twice", method: "DELETE", path: "/api/v1/sessions/" + phone.SessionID, header: bearer(laptop.Token), status: 404, code: "NOT_FOUND"},
			{name: "the laptop goes on", method: "GET", path: "/api/v1/sessions", header: bearer(laptop.Token), status: 200, lacks: []string{phone.SessionID}},
			{name: "logout", method: "POST", path: "/api/v1/auth/logout", header: bearer(laptop.Token), status: 204},
			{name: "after logout", method: "GET", path: "/api/v1/me", header: bearer(laptop.Token), status: 401, code: "SESSION_REVOKED"},
			{name: "refresh after logout", method: "POST", path: "/api/v1/auth/refresh", header: cookie(laptop.Refresh), status: 401, code: "SESSION_REVOKED"},
			{name: "the first session is untouched", method: "GET", path: "/api/v1/me", header: bearer(acme.Admin.Token), status: 200},
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
		run(t, h, []scenario{
			{name: "wrong current", method: "POST", path: "/api/v1/me/password", header: bearer(u.Token), body: pw("wrong-password-1", next),
				status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"current_password"`}},
			{name: "short", method: "POST", path: "/api/v1/me/password", header: bearer(u.Token), body: pw(apptest.Password, "Sh0rt!"),
				status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"new_password"`, rule}},
			{name: "the email", method: "POST", path: "/api/v1/me/password", header: bearer(u.Token), body: pw(apptest.Password, strings.ToUpper(u.Email)),
				status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"new_password"`, rule}},
			{name: "common", method: "POST", path: "/api/v1/me/password", header: bearer(u.Token), body: pw(apptest.Password, "password123"),
				status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"new_password"`, rule}},
			{name: "unknown field", method: "POST", path: "/api/v1/me/password", header: bearer(u.Token), body: `{"password":"x"}`,
				status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"password"`}},
			{name: "nothing changed yet", method: "GET", path: "/api/v1/me", header: bearer(other.Token), status: 200},
			{name: "success", method: "POST", path: "/api/v1/me/password", header: bearer(u.Token), body: pw(apptest.Password, next), status: 204},
			{name: "the current session stays", method: "GET", path: "/api/v1/me", header: bearer(u.Token), status: 200},
			{name: "the other session ends", method: "GET", path: "/api/v1/me", header: bearer(other.Token), status: 401, code: "SESSION_REVOKED"},
			{name: "the old password fails", method: "POST", path: "/api/v1/auth/login", body: login(u.Email, apptest.Password), status: 401, code: "UNAUTHORIZED"},
			{name: "the new one works", method: "POST", path: "/api/v1/auth/login", body: login(u.Email, next), status: 200},
		})
		rows := h.AuditLog(acme.Admin.Token, acme.ID, url.Values{"action": {"user.password.changed"}})
		if len(rows) != 1 || rows[0].ResourceID != u.UserID || !strings.Contains(string(rows[0].After), `"other_sessions_revoked":1`) {
			t.Fatalf("password change audit: %+v", rows)
		}
		h.AssertLogsFree(t, apptest.Password, next, u.Token, other.Token, u.Refresh)
	})
}
