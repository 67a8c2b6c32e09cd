package iam_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
)

// Every identity event the issue lists lands in the audit log, readable
// through the API with its filters, and no secret ever reaches the log
// rows or the hub's own logs.
func TestAuditTrail(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		super := h.LoginSuper()
		start := time.Now().UTC().Add(-time.Second)
		acme, globex := h.NewTenant(super, "Acme"), h.NewTenant(super, "Globex")
		admin := acme.Admin
		base := "/api/v1/accounts/" + acme.ID

		// A user of two accounts: their own events reach both logs.
		// (made by the hub's operator: a user a tenant admin made stays in that tenant)
		u := h.NewMember(super.Token, acme.ID, "admin")
		h.AddUser(globex.Admin.Token, globex.ID, u.Email, "agent")
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/me/invitations/" + globex.ID + "/accept", Token: u.Token}).Expect(t, 204)

		secrets := []string{apptest.Password, apptest.SuperPassword, super.Token, super.Refresh, admin.Token, admin.Refresh, u.Token, u.Refresh}
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/login", Body: login(u.Email, "wrong-Password-9")}).Expect(t, 401)
		s2 := h.Login(u.Email, apptest.Password)
		first := *s2
		h.Refresh(s2).Expect(t, 200)
		h.Refresh(&first).Expect(t, 401) // reuse
		s3 := h.Login(u.Email, apptest.Password)
		h.Do(apptest.Req{Method: "DELETE", Path: "/api/v1/sessions/" + s3.SessionID, Token: u.Token}).Expect(t, 204)
		const newPassword = "u-changed-passphrase-7"
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/me/password", Token: u.Token,
			Body: map[string]string{"current_password": apptest.Password, "new_password": newPassword}}).Expect(t, 204)
		s4 := h.Login(u.Email, newPassword)
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/logout", Token: s4.Token}).Expect(t, 204)
		k := h.CreateAPIKey(admin.Token, acme.ID, "ci", "users:read")
		h.Do(apptest.Req{Method: "DELETE", Path: base + "/api-keys/" + k.ID, Token: admin.Token}).Expect(t, 204)
		gone := h.NewMember(admin.Token, acme.ID, "agent")
		h.Do(apptest.Req{Method: "PATCH", Path: base + "/users/" + gone.UserID, Token: admin.Token, Body: map[string]string{"role": "supervisor"}}).Expect(t, 200)
		h.Do(apptest.Req{Method: "DELETE", Path: base + "/users/" + gone.UserID, Token: admin.Token}).Expect(t, 204)
		h.Do(apptest.Req{Method: "PATCH", Path: base, Token: admin.Token, Body: map[string]string{"name": "Acme 2"}}).Expect(t, 200)
		secrets = append(secrets, newPassword, first.Refresh, s2.Token, s2.Refresh, s3.Token, s4.Token, s4.Refresh, k.Key, gone.Token, gone.Refresh)

		// A failed login is audited by a job (so it costs the request the same whoever the
		// email is): wait for it to reach both accounts' logs.
		apptest.Eventually(t, "the failed login in both logs", func() bool {
			return len(h.AuditLog(admin.Token, acme.ID, url.Values{"action": {"auth.login.failed"}})) > 0 &&
				len(h.AuditLog(globex.Admin.Token, globex.ID, url.Values{"action": {"auth.login.failed"}})) > 0
		})
		all := h.AuditLog(admin.Token, acme.ID, url.Values{"limit": {"200"}})
		for _, want := range []string{
			"account.created", "account.updated", "user.invited", "user.activated", "user.updated", "user.removed",
			"auth.login.succeeded", "auth.login.failed", "auth.logout", "auth.refresh.reused",
			"session.revoked", "user.password.changed", "api_key.created", "api_key.revoked",
		} {
			if !slices.Contains(actions(all), want) {
				t.Errorf("audit log lacks %s: %v", want, actions(all))
			}
		}
		for i, r := range all {
			if r.AccountID != acme.ID || (i > 0 && r.Seq >= all[i-1].Seq) {
				t.Fatalf("row %d: %+v: wrong account or not newest first", i, r)
			}
		}

		// The user's own events reach Globex's log too; Acme's business does not.
		theirs := h.AuditLog(globex.Admin.Token, globex.ID, url.Values{"actor_id": {u.UserID}, "limit": {"200"}})
		for _, want := range []string{"auth.login.succeeded", "auth.login.failed", "auth.refresh.reused", "session.revoked", "user.password.changed", "auth.logout"} {
			if !slices.Contains(actions(theirs), want) {
				t.Errorf("globex's log lacks the member's %s: %v", want, actions(theirs))
			}
		}
		for _, r := range h.AuditLog(globex.Admin.Token, globex.ID, url.Values{"limit": {"200"}}) {
			if strings.HasPrefix(r.Action, "api_key.") || r.Action == "account.updated" || r.ResourceID == gone.UserID {
				t.Errorf("acme's event in globex's log: %+v", r)
			}
		}

		// Filters: action prefix, exact action, resource, actor, time range.
		for _, r := range h.AuditLog(admin.Token, acme.ID, url.Values{"action": {"auth.*"}}) {
			if !strings.HasPrefix(r.Action, "auth.") {
				t.Errorf("action=auth.* returned %s", r.Action)
			}
		}
		if r := h.AuditLog(admin.Token, acme.ID, url.Values{"action": {"user.removed"}}); len(r) != 1 || r[0].ResourceID != gone.UserID || r[0].ActorID != admin.UserID {
			t.Errorf("action=user.removed: %+v", r)
		}
		if r := h.AuditLog(admin.Token, acme.ID, url.Values{"resource_type": {"api_key"}, "resource_id": {k.ID}}); len(r) != 2 {
			t.Errorf("resource filter: %+v", r)
		}
		if r := h.AuditLog(admin.Token, acme.ID, url.Values{"from": {time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}}); len(r) != 0 {
			t.Errorf("from in the future returned %d rows", len(r))
		}
		if r := h.AuditLog(admin.Token, acme.ID, url.Values{"to": {start.Format(time.RFC3339Nano)}}); len(r) != 0 {
			t.Errorf("to before the test returned %d rows", len(r))
		}
		h.Do(apptest.Req{Method: "GET", Path: base + "/audit-logs?actor_type=robot", Token: admin.Token}).ExpectError(t, 400, "VALIDATION_ERROR")
		h.Do(apptest.Req{Method: "GET", Path: base + "/audit-logs?from=yesterday", Token: admin.Token}).ExpectError(t, 400, "VALIDATION_ERROR")

		// Cursor pagination walks every row once.
		var walked []int64
		cursor := ""
		for range 100 {
			q := url.Values{"limit": {"7"}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			var page struct {
				Data       []apptest.AuditRow `json:"data"`
				Pagination struct {
					HasMore    bool   `json:"has_more"`
					NextCursor string `json:"next_cursor"`
				} `json:"pagination"`
			}
			h.Do(apptest.Req{Method: "GET", Path: base + "/audit-logs?" + q.Encode(), Token: admin.Token}).Expect(t, 200).Decode(t, &page)
			for _, r := range page.Data {
				walked = append(walked, r.Seq)
			}
			if !page.Pagination.HasMore {
				break
			}
			cursor = page.Pagination.NextCursor
		}
		var want []int64
		for _, r := range all {
			want = append(want, r.Seq)
		}
		if !slices.Equal(walked, want) {
			t.Errorf("paged seqs %v, want %v", walked, want)
		}

		// No secret in any audit row of any chain, nor in the hub's logs.
		rows, err := h.App.DB.R.QueryContext(context.Background(), `SELECT COALESCE(before, ''), COALESCE(after, ''), actor_id, resource_id, user_agent FROM audit_logs`)
		must(t, err)
		defer rows.Close()
		var dump strings.Builder
		for rows.Next() {
			var cols [5]string
			must(t, rows.Scan(&cols[0], &cols[1], &cols[2], &cols[3], &cols[4]))
			dump.WriteString(strings.Join(cols[:], "|") + "\n")
		}
		must(t, rows.Err())
		for _, s := range secrets {
			if strings.Contains(dump.String(), s) {
				t.Errorf("an audit row holds a secret (%.12s…)", s)
			}
		}
		if !strings.Contains(dump.String(), u.Email) {
			t.Error("the audit dump is empty or lacks the failed login's email: the secret check proves nothing")
		}
		h.AssertLogsFree(t, secrets...)
		if !strings.Contains(h.Logs.String(), "/api/v1/auth/login") {
			t.Error("the hub logged no requests: the log check proves nothing")
		}
	})
}

// Actions a super admin takes in an account they do not belong to are
// audited in that account under the super admin's id.
func TestSuperAdminActionsAreAudited(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		super := h.LoginSuper()
		acme := h.NewTenant(super, "Acme")
		h.Do(apptest.Req{Method: "PATCH", Path: "/api/v1/accounts/" + acme.ID, Token: super.Token, Body: map[string]string{"name": "By Root"}}).Expect(t, 200)
		rows := h.AuditLog(acme.Admin.Token, acme.ID, url.Values{"actor_id": {super.UserID}})
		got := actions(rows)
		if !slices.Contains(got, "account.created") || !slices.Contains(got, "user.invited") || !slices.Contains(got, "account.updated") {
			t.Fatalf("super admin's actions in the account: %v", got)
		}
		var after map[string]any
		for _, r := range rows {
			if r.Action == "user.invited" {
				must(t, json.Unmarshal(r.After, &after))
			}
		}
		if after["email"] != acme.Admin.Email || after["role"] != "admin" {
			t.Errorf("user.invited after = %v", after)
		}
	})
}
