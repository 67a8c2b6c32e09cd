package chatwoot_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
)

// The simulator's signed webhooks reach the hub once installed: each
// delivery is stored once; an event with no handler (inbox_created) ends
// visibly ignored, one with a consumer (message_created, the Kanban's)
// done.
func TestChatwootWebhooksReachTheHub(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		f.link(t, 1, f.user("ana@acme.test").APIAccessToken).Expect(t, 200)
		f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/accounts/" + f.tenant.ID + "/chatwoot/install", Token: f.tenant.Admin.Token}).Expect(t, 200)

		inbox, err := f.sim.AddInbox(1, cwsim.InboxSpec{Name: "WA"})
		must(t, err)
		contact, err := f.sim.AddContact(1, cwsim.ContactSpec{Name: "Cliente", PhoneNumber: "+5511999990000", InboxID: inbox.ID})
		must(t, err)
		conv, err := f.sim.AddConversation(1, cwsim.ConversationSpec{InboxID: inbox.ID, ContactID: contact.ID})
		must(t, err)
		_, err = f.sim.AddMessage(1, conv.ID, cwsim.MessageSpec{Content: "olá", SenderUserID: 1})
		must(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		must(t, f.sim.Flush(ctx))

		deadline := time.Now().Add(15 * time.Second)
		for {
			n := f.h.Count(`SELECT count(*) FROM event_executions WHERE account_id = $1 AND event = 'inbox_created' AND status = 'ignored'`, f.tenant.ID)
			done := f.h.Count(`SELECT count(*) FROM event_executions WHERE account_id = $1 AND event = 'message_created' AND status = 'done'`, f.tenant.ID)
			if n == 1 && done == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("inbox_created not stored and ignored (count %d) or message_created not done (%d); %d deliveries", n, done, len(f.sim.Deliveries()))
			}
			time.Sleep(50 * time.Millisecond)
		}
		var page struct {
			Data []struct {
				Event     string `json:"event"`
				Status    string `json:"status"`
				LastError string `json:"last_error"`
			} `json:"data"`
		}
		f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + f.tenant.ID + "/webhook-events?" + url.Values{"event": {"inbox_created"}}.Encode(),
			Token: f.tenant.Admin.Token}).Expect(t, 200).Decode(t, &page)
		if len(page.Data) != 1 || page.Data[0].Status != "ignored" || page.Data[0].LastError == "" {
			t.Fatalf("webhook-events: %+v", page.Data)
		}
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
