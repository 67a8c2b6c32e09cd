package app_test

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// tenant is an account with the data a walk must never see from outside.
type tenant struct {
	apptest.Tenant
	user    apptest.Member
	key     apptest.APIKey
	secrets []string // ids and names that must not appear in another tenant's answers
}

func newWalkTenant(t *testing.T, h *apptest.Hub, super *apptest.Session, label string) *tenant {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	tn := &tenant{Tenant: *h.NewTenant(super, label+"-"+hex.EncodeToString(b))}
	tn.user = h.AddUser(tn.Admin.Token, tn.ID, apptest.UniqueEmail(strings.ToLower(label)+"-agent"), "agent")
	tn.key = h.CreateAPIKey(tn.Admin.Token, tn.ID, label+"-key", "users:read", "account:read")
	tn.secrets = []string{tn.ID, tn.Name, tn.Admin.UserID, tn.Admin.Email, tn.Admin.SessionID,
		tn.user.ID, tn.user.Email, tn.user.Name, tn.key.ID, tn.key.Prefix, tn.key.Key}
	return tn
}

var wildcard = regexp.MustCompile(`\{\$\}|\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// fill puts known ids into a route pattern and a fresh UUIDv7 elsewhere.
func fill(pattern string, known map[string]string) string {
	return wildcard.ReplaceAllStringFunc(pattern, func(m string) string {
		if m == "{$}" {
			return ""
		}
		if v, ok := known[strings.TrimSuffix(strings.Trim(m, "{}"), "...")]; ok {
			return v
		}
		return db.NewID()
	})
}

func walkRequest(rt httpx.Route, path, accountID string, header map[string]string) apptest.Req {
	q := apptest.Req{Method: rt.Method, Path: path, Header: header}
	switch {
	case rt.AccountFrom == httpx.AccountBody:
		q.Body = map[string]string{"account_id": accountID}
	case rt.Method == http.MethodPost || rt.Method == http.MethodPut || rt.Method == http.MethodPatch:
		q.Body = `{}`
	}
	if rt.AccountFrom == httpx.AccountQuery {
		q.Path += "?account_id=" + accountID
	}
	return q
}

// principal is a way of calling the hub as someone of account B.
type principal struct {
	name   string
	header map[string]string
}

// bPrincipals are B's admin session, an API key with every scope B's admin
// holds, and, once the route table can mint them, an instance token with
// the same scopes.
func bPrincipals(t *testing.T, h *apptest.Hub, b *tenant) []principal {
	t.Helper()
	var me struct {
		Memberships []struct {
			AccountID   string   `json:"account_id"`
			Permissions []string `json:"permissions"`
		} `json:"memberships"`
	}
	h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: b.Admin.Token}).Expect(t, 200).Decode(t, &me)
	var perms []string
	for _, m := range me.Memberships {
		if m.AccountID == b.ID {
			perms = m.Permissions
		}
	}
	if len(perms) == 0 {
		t.Fatal("B's admin has no permissions in B")
	}
	all := h.CreateAPIKey(b.Admin.Token, b.ID, "all-scopes", perms...)
	out := []principal{
		{"B admin session", map[string]string{"Authorization": "Bearer " + b.Admin.Token}},
		{"B API key with every scope", map[string]string{"X-API-Key": all.Key}},
	}
	if !hasRoute(h, "POST", "/api/v1/instance-tokens") {
		t.Log("no POST /api/v1/instance-tokens route yet: the instance token principal is skipped")
		return out
	}
	var tok struct {
		Token string `json:"token"`
	}
	r := h.Do(apptest.Req{Method: "POST", Path: "/api/v1/instance-tokens", Token: b.Admin.Token,
		Body: map[string]any{"account_id": b.ID, "scopes": perms}})
	if r.Status != http.StatusCreated {
		t.Fatalf("cannot mint an instance token for the walk (teach bPrincipals the route's body): %d %s", r.Status, r.Body)
	}
	r.Decode(t, &tok)
	if tok.Token == "" {
		t.Fatalf("the instance token route answered no token: %s", r.Body)
	}
	// Prove the token works at home before proving it fails abroad.
	h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + b.ID, Token: tok.Token}).Expect(t, 200)
	return append(out, principal{"B instance token", map[string]string{"Authorization": "Bearer " + tok.Token}})
}

func hasRoute(h *apptest.Hub, method, pattern string) bool {
	return slices.ContainsFunc(h.App.Routes(), func(rt httpx.Route) bool { return rt.Method == method && rt.Pattern == pattern })
}

func leaks(body []byte, secrets []string) string {
	for _, s := range secrets {
		if s != "" && strings.Contains(string(body), s) {
			return s
		}
	}
	return ""
}

// TestCrossTenantWalk calls every account-scoped route of the route table
// (routes added later are walked without touching this test) as each
// principal of account B against account A: every answer is 404 and holds
// nothing of A's.
func TestCrossTenantWalk(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv(
			"WHATPRO_RATE_LIMIT_ANON=100000", "WHATPRO_RATE_LIMIT_AUTH=100000")})
		validateAnswers(t, h) // every answer of the walk is also checked against the API document
		super := h.LoginSuper()
		a, b := newWalkTenant(t, h, super, "Alpha"), newWalkTenant(t, h, super, "Beta")
		known := map[string]string{"accountID": a.ID, "userID": a.user.ID, "keyID": a.key.ID,
			"sessionID": a.Admin.SessionID, "invitedAccountID": a.ID}
		// A gateway dead letter of A's: its id and error must stay A's.
		workID, secretErr := db.NewID(), "alpha-dead-letter-"+a.ID
		h.Exec(`INSERT INTO gateway_work (id, account_id, instance_id, lane, seq, dedupe_key, kind, payload, status, last_error,
			next_at, created_at, updated_at) VALUES ($1, $2, 'inst', 'in:inst:1', '1', $1, 'inbound', '{}', 'dead', $3, $4, $4, $4)`,
			workID, a.ID, secretErr, db.Now())
		known["workID"], known["conversationID"] = workID, "424242"
		a.secrets = append(a.secrets, workID, secretErr)

		var scoped []httpx.Route
		for _, rt := range h.App.Routes() {
			if !rt.Scoped() {
				continue
			}
			scoped = append(scoped, rt)
			under := strings.HasPrefix(rt.Pattern, "/api/v1/accounts/{accountID}/") || rt.Pattern == "/api/v1/accounts/{accountID}"
			if rt.AccountFrom == httpx.AccountPath && !under {
				t.Errorf("%s is account-scoped but not under /api/v1/accounts/{accountID}/", rt.Key())
			}
		}
		if len(scoped) < 10 {
			t.Fatalf("only %d scoped routes in the table: is the walk looking at the right table?", len(scoped))
		}

		for _, p := range bPrincipals(t, h, b) {
			visited := 0
			for _, rt := range scoped {
				q := walkRequest(rt, fill(rt.Pattern, known), a.ID, p.header)
				r := h.Do(q)
				visited++
				if r.Status != http.StatusNotFound || r.ErrorCode() != httpx.CodeNotFound {
					t.Errorf("%s: %s %s = %d %s, want 404 NOT_FOUND", p.name, q.Method, q.Path, r.Status, r.Body)
				}
				if s := leaks(r.Body, a.secrets); s != "" {
					t.Errorf("%s: %s %s leaks %q of account A: %s", p.name, q.Method, q.Path, s, r.Body)
				}
				for _, hv := range r.Header {
					if s := leaks([]byte(strings.Join(hv, " ")), a.secrets); s != "" {
						t.Errorf("%s: %s %s leaks %q of account A in a header", p.name, q.Method, q.Path, s)
					}
				}
			}
			if visited < len(scoped) {
				t.Errorf("%s visited %d of %d scoped routes", p.name, visited, len(scoped))
			}
			t.Logf("%s: walked %d scoped routes", p.name, visited)
		}

		// A is untouched: its user, key, name and session are as before, and
		// nothing of B's acted in A's audit log.
		var acct apptest.Account
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + a.ID, Token: a.Admin.Token}).Expect(t, 200).Decode(t, &acct)
		if acct.Name != a.Name {
			t.Errorf("A was renamed to %q", acct.Name)
		}
		users := h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + a.ID + "/users", Header: map[string]string{"X-API-Key": a.key.Key}}).Expect(t, 200)
		if !strings.Contains(string(users.Body), `"id":"`+a.user.ID+`"`) || strings.Contains(string(users.Body), `"status":"disabled"`) {
			t.Errorf("A's users changed: %s", users.Body)
		}
		for _, row := range h.AuditLog(a.Admin.Token, a.ID, nil) {
			if row.ActorID == b.Admin.UserID {
				t.Errorf("B's admin acted in A: %+v", row)
			}
		}
	})
}

// Routes outside an account that take ids (sessions, invitations…) refuse
// B's principals A's ids too: 404, or 403 for principals the route does
// not serve, never A's data, and A's session survives.
func TestForeignIDsOnUnscopedRoutes(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv(
			"WHATPRO_RATE_LIMIT_ANON=100000", "WHATPRO_RATE_LIMIT_AUTH=100000")})
		super := h.LoginSuper()
		a, b := newWalkTenant(t, h, super, "Alpha"), newWalkTenant(t, h, super, "Beta")
		known := map[string]string{"accountID": a.ID, "userID": a.user.ID, "keyID": a.key.ID,
			"sessionID": a.Admin.SessionID, "invitedAccountID": a.ID}
		walked := 0
		for _, p := range bPrincipals(t, h, b) {
			for _, rt := range h.App.Routes() {
				if rt.Scoped() || rt.Auth == httpx.Public || !wildcard.MatchString(rt.Pattern) {
					continue
				}
				q := walkRequest(rt, fill(rt.Pattern, known), a.ID, p.header)
				r := h.Do(q)
				walked++
				if r.Status != http.StatusNotFound && r.Status != http.StatusForbidden {
					t.Errorf("%s: %s %s = %d %s, want 404 (or 403)", p.name, q.Method, q.Path, r.Status, r.Body)
				}
				if s := leaks(r.Body, a.secrets); s != "" {
					t.Errorf("%s: %s %s leaks %q: %s", p.name, q.Method, q.Path, s, r.Body)
				}
			}
		}
		if walked == 0 {
			t.Fatal("no unscoped route with an id: the walk proves nothing")
		}
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: a.Admin.Token}).Expect(t, 200)
	})
}

// Every route that is not public answers 401 without credentials, before
// anything else (no 404 that would tell which accounts exist).
func TestEveryProtectedRouteNeedsCredentials(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		h := apptest.New(t, dialect, apptest.Options{Env: []string{"WHATPRO_RATE_LIMIT_ANON=100000"}})
		n := 0
		for _, rt := range h.App.Routes() {
			if rt.Auth == httpx.Public {
				continue
			}
			n++
			for _, hdr := range []map[string]string{nil, {"Authorization": "Bearer "}, {"Authorization": "Basic YTpi"}} {
				q := walkRequest(rt, fill(rt.Pattern, nil), db.NewID(), hdr)
				if r := h.Do(q); r.Status != http.StatusUnauthorized || r.ErrorCode() != httpx.CodeUnauthorized {
					t.Errorf("%s %s with %v = %d %s, want 401 UNAUTHORIZED", q.Method, q.Path, hdr, r.Status, r.Body)
				}
			}
		}
		if n < 15 {
			t.Fatalf("only %d protected routes: is the walk looking at the right table?", n)
		}
	})
}
