package provider_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
	"github.com/whatpro/hub/internal/provider/providersim"
)

// What Chatwoot changed shows as it is: a number whose inbox was deleted in
// Chatwoot, or whose link was removed, no longer has an active inbox and
// may get a new one; install badges are re-checked against Chatwoot; the
// conversation tab learns the inbox's name and the number serving it.
func TestStaleChatwootStateShowsAsItIs(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		sim := cwsim.New(cwsim.DefaultSeed(), cwsim.Options{})
		t.Cleanup(sim.Close)
		simURL := serve(t, sim.Handler())
		var token string
		for _, u := range sim.Seed().Users {
			if u.Email == "ana@acme.test" {
				token = u.APIAccessToken
			}
		}
		simDelete := func(path string) {
			t.Helper()
			req, _ := http.NewRequest("DELETE", simURL+"/api/v1/accounts/1"+path, nil)
			req.Header.Set("api_access_token", token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode/100 != 2 {
				t.Fatalf("DELETE %s in Chatwoot: %d", path, res.StatusCode)
			}
		}
		f.do(t, "PUT", "/chatwoot", map[string]any{"base_url": simURL, "chatwoot_account_id": 1, "api_access_token": token}).Expect(t, 200)
		installed := f.do(t, "POST", "/chatwoot/install", nil).Expect(t, 200).JSON(t)
		if installed["webhook_installed"] != true || installed["dashboard_app_installed"] != true {
			t.Fatalf("install: %v", installed)
		}
		evo := providersim.NewEvolution(providersim.Options{})
		pid := f.do(t, "POST", "/providers", map[string]any{"name": "Evo", "type": "evolution", "base_url": serve(t, evo.Handler()),
			"credentials": map[string]string{"api_key": evo.APIKey()}}).Expect(t, 201).JSON(t)["id"].(string)
		iid := f.do(t, "POST", "/provider-instances", map[string]any{"provider_id": pid, "name": "vendas"}).Expect(t, 201).JSON(t)["id"].(string)
		number := func() map[string]any { return f.do(t, "GET", "/provider-instances/"+iid, nil).Expect(t, 200).JSON(t) }
		if n := number(); n["inbox_state"] != "" || n["inbox_id"] != nil {
			t.Fatalf("a number without an inbox: %v", n)
		}
		first := f.do(t, "POST", "/provider-instances/"+iid+"/inbox", map[string]any{"name": "WhatsApp Vendas"}).Expect(t, 201).JSON(t)
		if n := number(); n["inbox_state"] != "active" || n["inbox_id"] != first["id"] {
			t.Fatalf("after creating its inbox: %v", n)
		}
		cwInbox := int(first["chatwoot_inbox_id"].(float64))

		// The conversation tab: the inbox by name, the number serving it.
		contact, err := sim.AddContact(1, cwsim.ContactSpec{Name: "Rita", PhoneNumber: "+5511987650000", InboxID: cwInbox})
		if err != nil {
			t.Fatal(err)
		}
		conv, err := sim.AddConversation(1, cwsim.ConversationSpec{InboxID: cwInbox, ContactID: contact.ID})
		if err != nil {
			t.Fatal(err)
		}
		ctxAnswer := f.do(t, "GET", "/chatwoot/conversations/"+strconv.Itoa(conv.DisplayID), nil).Expect(t, 200).JSON(t)
		ib, _ := ctxAnswer["inbox"].(map[string]any)
		served, _ := ib["number"].(map[string]any)
		if ib["inbox_name"] != "WhatsApp Vendas" || served["id"] != iid || served["name"] != "vendas" || served["status"] != "disconnected" {
			t.Fatalf("conversation context: %v", ctxAnswer)
		}

		// Webhook and Dashboard App deleted in Chatwoot: the check says so.
		for _, h := range sim.Webhooks(1) {
			simDelete("/webhooks/" + strconv.Itoa(h.ID))
		}
		for _, a := range sim.DashboardApps(1) {
			simDelete("/dashboard_apps/" + strconv.Itoa(a.ID))
		}
		if still := f.do(t, "GET", "/chatwoot", nil).Expect(t, 200).JSON(t); still["webhook_installed"] != true {
			t.Fatalf("before the check the stored state stands: %v", still)
		}
		checked := f.do(t, "POST", "/chatwoot/test", nil).Expect(t, 200).JSON(t)
		if checked["webhook_installed"] != false || checked["dashboard_app_installed"] != false {
			t.Fatalf("after the check: %v", checked)
		}
		if again := f.do(t, "GET", "/chatwoot", nil).Expect(t, 200).JSON(t); again["webhook_installed"] != false || again["dashboard_app_installed"] != false {
			t.Fatalf("the check was not recorded: %v", again)
		}
		f.do(t, "POST", "/chatwoot/install", nil).Expect(t, 200)
		if back := f.do(t, "POST", "/chatwoot/test", nil).Expect(t, 200).JSON(t); back["webhook_installed"] != true || back["dashboard_app_installed"] != true {
			t.Fatalf("installed again: %v", back)
		}

		// The inbox deleted in Chatwoot: once the hub looked (a sync), the
		// number's inbox is removed and a new one can be made.
		simDelete("/inboxes/" + strconv.Itoa(cwInbox))
		syncID := f.do(t, "POST", "/inboxes/sync", nil).Expect(t, 202).JSON(t)["sync_id"].(string)
		pollUntil(t, "the sync", func() bool {
			return f.do(t, "GET", "/inboxes/syncs/"+syncID, nil).Expect(t, 200).JSON(t)["status"] == "done"
		})
		if n := number(); n["inbox_state"] != "removed" || n["inbox_id"] != first["id"] {
			t.Fatalf("after the inbox was deleted in Chatwoot: %v", n)
		}
		page := f.do(t, "GET", "/provider-instances", nil).Expect(t, 200).JSON(t)
		if rows := page["data"].([]any); len(rows) != 1 || rows[0].(map[string]any)["inbox_state"] != "removed" {
			t.Fatalf("the list: %v", page)
		}
		second := f.do(t, "POST", "/provider-instances/"+iid+"/inbox", nil).Expect(t, 201).JSON(t)
		if second["id"] == first["id"] || len(sim.Inboxes(1)) != 1 {
			t.Fatalf("a new inbox: %v (Chatwoot has %d)", second, len(sim.Inboxes(1)))
		}
		if n := number(); n["inbox_state"] != "active" || n["inbox_id"] != second["id"] {
			t.Fatalf("with its new inbox: %v", n)
		}
		if f.h.Count(`SELECT count(*) FROM audit_logs WHERE action = 'provider_instance.inbox_linked' AND after LIKE '%replaced_inbox_id%'`) != 1 {
			t.Error("the replacement is not in the audit log")
		}

		// The link removed: the inbox is no longer shown as Chatwoot's.
		f.do(t, "DELETE", "/chatwoot", nil).Expect(t, 200)
		if n := number(); n["inbox_state"] != "unlinked" {
			t.Fatalf("after unlinking: %v", n)
		}
		f.do(t, "POST", "/provider-instances/"+iid+"/inbox", nil).ExpectError(t, 422, "UNPROCESSABLE")
	})
}
