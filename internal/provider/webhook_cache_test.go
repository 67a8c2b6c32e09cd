package provider_test

import (
	"fmt"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// What authenticates and routes a provider webhook (and the account's
// status the intake checks) is cached, and forgotten on the very next
// delivery after this hub changed it (a new app secret, a suspension, a
// removed number) and once the notification arrives when another process
// did (a provider deleted straight in the database).
func TestProviderWebhookCacheForgets(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		meta, p := f.cloudProvider(t)
		pid := p["id"].(string)
		iid := f.do(t, "POST", "/provider-instances", map[string]any{"provider_id": pid, "name": "sac", "phone_number_id": meta.PhoneNumberID()}).
			Expect(t, 201).JSON(t)["id"].(string)
		n := 0
		post := func(secret string) *apptest.Resp {
			n++
			body := []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":`+
				`{"messaging_product":"whatsapp","metadata":{"phone_number_id":"%s"},"messages":[{"from":"5511987650001","id":"wamid.C%d",`+
				`"timestamp":"1764590400","type":"text","text":{"body":"oi"}}]}}]}]}`, meta.PhoneNumberID(), n))
			return f.h.Do(apptest.Req{Method: "POST", Path: "/webhooks/providers/" + pid, Body: body,
				Header: map[string]string{"X-Hub-Signature-256": sign(secret, body)}})
		}
		ignored := func(r *apptest.Resp) any { return r.JSON(t)["events"].([]any)[0].(map[string]any)["ignored"] }
		for range 3 {
			if r := post(meta.AppSecret()).Expect(t, 200); ignored(r) != nil {
				t.Fatalf("routed nowhere: %s", r.Body)
			}
		}

		f.do(t, "PATCH", "/providers/"+pid, map[string]any{"credentials": map[string]string{"access_token": meta.AccessToken(), "app_secret": "a-new-app-secret"}}).
			Expect(t, 200)
		post(meta.AppSecret()).ExpectError(t, 401, "UNAUTHORIZED")
		post("a-new-app-secret").Expect(t, 200)

		// The account's status is cached for the intake too: suspended,
		// its next event is stored ignored; active again, worked again.
		super := f.h.LoginSuper()
		suspended := func() int {
			return f.h.Count(`SELECT count(*) FROM event_executions WHERE status = 'ignored' AND last_error = 'the account is suspended'`)
		}
		f.h.Do(apptest.Req{Method: "PATCH", Path: "/api/v1/accounts/" + f.ten.ID, Token: super.Token, Body: map[string]string{"status": "suspended"}}).Expect(t, 200)
		post("a-new-app-secret").Expect(t, 200)
		if n := suspended(); n != 1 {
			t.Fatalf("%d events stored ignored for the suspension, want 1", n)
		}
		f.h.Do(apptest.Req{Method: "PATCH", Path: "/api/v1/accounts/" + f.ten.ID, Token: super.Token, Body: map[string]string{"status": "active"}}).Expect(t, 200)
		post("a-new-app-secret").Expect(t, 200)
		if n := suspended(); n != 1 {
			t.Fatalf("%d events stored ignored after the account was active again, want 1", n)
		}

		f.do(t, "DELETE", "/provider-instances/"+iid, nil).Expect(t, 204)
		if r := post("a-new-app-secret").Expect(t, 200); ignored(r) != "no number of this provider is "+meta.PhoneNumberID() {
			t.Fatalf("a removed number still routes: %s", r.Body)
		}

		// Another process removes the provider: SQLite's next delivery sees
		// it; PostgreSQL's notification arrives a moment after the commit.
		if _, err := f.h.App.DB.W.Exec(`DELETE FROM providers WHERE id = $1`, pid); err != nil {
			t.Fatal(err)
		}
		if dialect == "sqlite" {
			post("a-new-app-secret").ExpectError(t, 401, "UNAUTHORIZED")
		}
		apptest.Eventually(t, "the removed provider refused", func() bool { return post("a-new-app-secret").Status == 401 })
	})
}
