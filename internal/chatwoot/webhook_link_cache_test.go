package chatwoot_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/intake"
)

// A link's webhook credentials are served from memory, yet a secret set
// through the API, changed in the database by another process, or a
// link removed fails the very next delivery signed the old way.
func TestWebhookLinkCacheSeesSecretChanges(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		f.link(t, 1, f.user("ana@acme.test").APIAccessToken).Expect(t, 200)
		base := "/api/v1/accounts/" + f.tenant.ID + "/chatwoot"
		setSecret := func(s string) {
			t.Helper()
			f.h.Do(apptest.Req{Method: "PUT", Path: base + "/webhook-secret", Token: f.tenant.Admin.Token,
				Body: map[string]string{"secret": s}}).Expect(t, 200)
		}
		var link struct {
			WebhookURL string `json:"webhook_url"`
		}
		f.h.Do(apptest.Req{Method: "GET", Path: base, Token: f.tenant.Admin.Token}).Expect(t, 200).Decode(t, &link)
		path := link.WebhookURL[strings.Index(link.WebhookURL, "/webhooks/"):]
		n := 0
		post := func(secret string) int {
			t.Helper()
			n++
			body := []byte(`{"event":"message_created","id":` + strconv.Itoa(n) + `,"content":"oi","message_type":"incoming",` +
				`"account":{"id":1},"inbox":{"id":1},"conversation":{"id":1}}`)
			ts := strconv.FormatInt(f.clock.Now().Unix(), 10)
			return f.h.Do(apptest.Req{Method: "POST", Path: path, Body: body, Header: map[string]string{
				"X-Chatwoot-Timestamp": ts, "X-Chatwoot-Signature": intake.Sign(secret, ts, body)}}).Status
		}
		const a, b, c = "secret-number-one", "secret-number-two", "secret-number-three"

		setSecret(a)
		// Served from memory once filled (on PostgreSQL the notification of
		// the secret just set may still arrive and empty the cache once).
		apptest.Eventually(t, "a delivery whose link is read from the cache", func() bool {
			hits, _ := f.h.App.AuthCache.Stats()
			if st := post(a); st != 200 {
				t.Fatalf("signed with the link's secret: %d", st)
			}
			after, _ := f.h.App.AuthCache.Stats()
			return after > hits
		})

		// Set through the API: this process forgets at once.
		setSecret(b)
		if st := post(a); st != 401 {
			t.Fatalf("signed with the replaced secret: %d, want 401", st)
		}
		if st := post(b); st != 200 {
			t.Fatalf("signed with the new secret: %d", st)
		}

		// Changed by another process (the CLI, another instance): the
		// trigger tells. SQLite sees it on the next request (data_version);
		// PostgreSQL as soon as the notification arrives.
		f.h.Exec(`UPDATE chatwoot_links SET webhook_secret = NULL WHERE account_id = $1`, f.tenant.ID)
		if dialect == "sqlite" {
			if st := post(b); st != 401 {
				t.Fatalf("signed with a secret removed in the database: %d, want 401", st)
			}
		} else {
			apptest.Eventually(t, "a secret removed in the database refuses deliveries", func() bool { return post(b) == 401 })
		}

		setSecret(c)
		if st := post(c); st != 200 {
			t.Fatalf("signed with the secret set again: %d", st)
		}
		f.h.Do(apptest.Req{Method: "DELETE", Path: base, Token: f.tenant.Admin.Token}).Expect(t, 200)
		if st := post(c); st != 401 {
			t.Fatalf("delivery to a removed link: %d, want 401", st)
		}
	})
}
