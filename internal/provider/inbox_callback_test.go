package provider_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
	"github.com/whatpro/hub/internal/provider/providersim"
)

// API-inbox callbacks from every Chatwoot a customer runs: before 4.13
// they are unsigned and the inbox has no secret (the callback URL's token
// authenticates them); from 4.13 they are signed, and when an admin
// rotates the secret in Chatwoot the hub reads it again. Each callback is
// answered 200 and stored, so Chatwoot never marks the reply failed.
func TestInboxCallbacksAcrossChatwootVersions(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"4.10", "4.12", "4.13", "4.15"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			apptest.Each(t, func(t *testing.T, dialect string) {
				t.Parallel()
				inboxCallbacks(t, dialect, version)
			})
		})
	}
}

func inboxCallbacks(t *testing.T, dialect, version string) {
	f := setup(t, dialect)
	sim := cwsim.New(cwsim.DefaultSeed(), cwsim.Options{Version: version})
	t.Cleanup(sim.Close)
	simURL := serve(t, sim.Handler())
	var token string
	var agentID int
	for _, u := range sim.Seed().Users {
		if u.Email == "ana@acme.test" {
			token, agentID = u.APIAccessToken, u.ID
		}
	}
	f.do(t, "PUT", "/chatwoot", map[string]any{"base_url": simURL, "chatwoot_account_id": 1, "api_access_token": token}).Expect(t, 200)
	evo := providersim.NewEvolution(providersim.Options{})
	evoURL := serve(t, evo.Handler())
	pid := f.do(t, "POST", "/providers", map[string]any{"name": "Evo", "type": "evolution", "base_url": evoURL,
		"credentials": map[string]string{"api_key": evo.APIKey()}}).Expect(t, 201).JSON(t)["id"].(string)
	iid := f.do(t, "POST", "/provider-instances", map[string]any{"provider_id": pid, "name": "vendas"}).Expect(t, 201).JSON(t)["id"].(string)
	hubInbox := f.do(t, "POST", "/provider-instances/"+iid+"/inbox", map[string]any{"name": "WhatsApp"}).Expect(t, 201).JSON(t)["id"].(string)
	inboxes := sim.Inboxes(1)
	if len(inboxes) != 1 {
		t.Fatalf("inboxes in Chatwoot: %+v", inboxes)
	}
	// The callback URL must reach this hub's server.
	inbox := inboxes[0]
	ct, err := sim.AddContact(1, cwsim.ContactSpec{Name: "Bia", PhoneNumber: "+5511999990001", InboxID: inbox.ID})
	must(t, err)
	cv, err := sim.AddConversation(1, cwsim.ConversationSpec{InboxID: inbox.ID, ContactID: ct.ID})
	must(t, err)
	reply := func(content string) {
		t.Helper()
		_, err := sim.AddMessage(1, cv.DisplayID, cwsim.MessageSpec{SenderUserID: agentID, Content: content})
		must(t, err)
		must(t, sim.Flush(context.Background()))
	}
	answered := func(content string) {
		t.Helper()
		for _, d := range sim.Deliveries() {
			if d.Kind == cwsim.KindAPIInbox && d.Event == "message_created" && strings.Contains(string(d.Body), content) {
				if d.StatusCode != http.StatusOK {
					t.Fatalf("Chatwoot %s: the callback of %q was answered %d (%s)", version, content, d.StatusCode, d.Err)
				}
				return
			}
		}
		t.Fatalf("Chatwoot %s sent no inbox callback for %q", version, content)
	}
	stored := func(want int) {
		t.Helper()
		if n := f.h.Count(`SELECT count(*) FROM event_executions WHERE source = 'chatwoot_inbox' AND source_id = $1 AND event = 'message_created'`,
			hubInbox); n != want {
			t.Fatalf("Chatwoot %s: %d inbox message_created events stored, want %d", version, n, want)
		}
	}
	reply("first reply")
	answered("first reply")
	stored(1)
	for _, m := range sim.Messages(1, cv.DisplayID) {
		if m.Status == "failed" {
			t.Fatalf("Chatwoot %s marked a reply failed: %+v", version, m)
		}
	}
	signs := version >= "4.13"
	if !signs {
		return
	}
	// An admin rotates the inbox's secret in Chatwoot: the next signed
	// callback fails with the recorded secret, so the hub reads it again.
	req, err := http.NewRequest("POST", simURL+"/api/v1/accounts/1/inboxes/"+strconv.Itoa(inbox.ID)+"/reset_secret", nil)
	must(t, err)
	req.Header.Set("api_access_token", token)
	res, err := http.DefaultClient.Do(req)
	must(t, err)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("reset_secret: %d", res.StatusCode)
	}
	reply("after rotation")
	answered("after rotation")
	stored(2)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// An inbox adopted before callback tokens existed has neither a secret
// (Chatwoot before 4.13 makes none) nor a token, so its callbacks are
// refused. The next inbox sync gives it a token and points its callbacks
// in Chatwoot at the URL carrying it; later syncs leave it alone.
func TestSyncGivesOldInboxesACallbackToken(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		sim := cwsim.New(cwsim.DefaultSeed(), cwsim.Options{Version: "4.12"})
		t.Cleanup(sim.Close)
		simURL := serve(t, sim.Handler())
		var token string
		var agentID int
		for _, u := range sim.Seed().Users {
			if u.Email == "ana@acme.test" {
				token, agentID = u.APIAccessToken, u.ID
			}
		}
		f.do(t, "PUT", "/chatwoot", map[string]any{"base_url": simURL, "chatwoot_account_id": 1, "api_access_token": token}).Expect(t, 200)
		evo := providersim.NewEvolution(providersim.Options{})
		evoURL := serve(t, evo.Handler())
		pid := f.do(t, "POST", "/providers", map[string]any{"name": "Evo", "type": "evolution", "base_url": evoURL,
			"credentials": map[string]string{"api_key": evo.APIKey()}}).Expect(t, 201).JSON(t)["id"].(string)
		iid := f.do(t, "POST", "/provider-instances", map[string]any{"provider_id": pid, "name": "vendas"}).Expect(t, 201).JSON(t)["id"].(string)
		hubInbox := f.do(t, "POST", "/provider-instances/"+iid+"/inbox", map[string]any{"name": "WhatsApp"}).Expect(t, 201).JSON(t)["id"].(string)
		inbox := sim.Inboxes(1)[0]
		minted, _, _ := strings.Cut(inbox.WebhookURL, "?")

		// As it was before migration 0021: no token, and Chatwoot calls the bare URL.
		f.h.Exec(`UPDATE inboxes SET url_token = NULL WHERE id = $1`, hubInbox)
		patch, err := http.NewRequest("PATCH", simURL+"/api/v1/accounts/1/inboxes/"+strconv.Itoa(inbox.ID),
			strings.NewReader(`{"channel":{"webhook_url":"`+minted+`"}}`))
		must(t, err)
		patch.Header.Set("api_access_token", token)
		patch.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(patch)
		must(t, err)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || sim.Inboxes(1)[0].WebhookURL != minted {
			t.Fatalf("point the inbox at the bare URL: %d, %q", res.StatusCode, sim.Inboxes(1)[0].WebhookURL)
		}
		ct, err := sim.AddContact(1, cwsim.ContactSpec{Name: "Bia", PhoneNumber: "+5511999990001", InboxID: inbox.ID})
		must(t, err)
		cv, err := sim.AddConversation(1, cwsim.ConversationSpec{InboxID: inbox.ID, ContactID: ct.ID})
		must(t, err)
		reply := func(content string) int {
			t.Helper()
			_, err := sim.AddMessage(1, cv.DisplayID, cwsim.MessageSpec{SenderUserID: agentID, Content: content})
			must(t, err)
			must(t, sim.Flush(context.Background()))
			for _, d := range sim.Deliveries() {
				if d.Kind == cwsim.KindAPIInbox && d.Event == "message_created" && strings.Contains(string(d.Body), content) {
					return d.StatusCode
				}
			}
			t.Fatalf("no inbox callback for %q", content)
			return 0
		}
		if code := reply("before the sync"); code != http.StatusUnauthorized {
			t.Fatalf("a callback without secret or token was answered %d, want 401", code)
		}

		sync := func() {
			t.Helper()
			id := f.do(t, "POST", "/inboxes/sync", nil).Expect(t, 202).JSON(t)["sync_id"].(string)
			apptest.Eventually(t, "the inbox sync", func() bool {
				return f.do(t, "GET", "/inboxes/syncs/"+id, nil).Expect(t, 200).JSON(t)["status"] == "done"
			})
		}
		sync()
		pointed := sim.Inboxes(1)[0].WebhookURL
		base, query, _ := strings.Cut(pointed, "?")
		if base != minted || !strings.HasPrefix(query, "token=wpi_") {
			t.Fatalf("after the sync Chatwoot calls %q, want %s?token=wpi_…", pointed, minted)
		}
		if n := f.h.Count(`SELECT count(*) FROM inboxes WHERE id = $1 AND url_token IS NOT NULL AND url_token NOT LIKE '%wpi_%'`, hubInbox); n != 1 {
			t.Fatal("the token is not stored, or stored in clear")
		}
		if n := f.h.Count(`SELECT count(*) FROM inboxes WHERE id = $1 AND webhook_url = $2`, hubInbox, pointed); n != 1 {
			t.Error("the hub did not record the inbox's new callback URL")
		}
		if code := reply("after the sync"); code != http.StatusOK {
			t.Fatalf("the callback with the new token was answered %d, want 200", code)
		}
		if n := f.h.Count(`SELECT count(*) FROM event_executions WHERE source = 'chatwoot_inbox' AND source_id = $1 AND event = 'message_created'`,
			hubInbox); n != 1 {
			t.Fatalf("%d inbox callbacks stored, want the one after the sync", n)
		}
		// The inbox has its token now: the next sync points nothing.
		sync()
		if got := sim.Inboxes(1)[0].WebhookURL; got != pointed {
			t.Errorf("a second sync changed the callback URL to %q", got)
		}
	})
}
