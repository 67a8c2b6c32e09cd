package kanban_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
)

// linked is a tenant linked to a simulated Chatwoot account 1 whose
// webhook is installed.
type linked struct {
	*env
	sim    *cwsim.Sim
	simURL string
	admin  cwsim.SeedUser
	linkID string
}

func setupLinked(t *testing.T, dialect string) *linked {
	t.Helper()
	sim := cwsim.New(cwsim.DefaultSeed(), cwsim.Options{})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(sim.Close)
	e := setup(t, dialect)
	var ana cwsim.SeedUser
	for _, u := range sim.Seed().Users {
		if u.Email == "ana@acme.test" {
			ana = u
		}
	}
	tok := e.tenant.Admin.Token
	var l struct {
		ID string `json:"id"`
	}
	e.do(t, tok, "PUT", e.path("/chatwoot"), map[string]any{"base_url": srv.URL, "chatwoot_account_id": 1, "api_access_token": ana.APIAccessToken}).
		Expect(t, 200).Decode(t, &l)
	e.do(t, tok, "POST", e.path("/chatwoot/install"), nil).Expect(t, 200)
	return &linked{env: e, sim: sim, simURL: srv.URL, admin: ana, linkID: l.ID}
}

func (l *linked) flush(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.sim.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// settled waits until every stored event of the account reached a final
// state.
func (l *linked) settled(t testing.TB) {
	t.Helper()
	l.flush(t)
	apptest.Eventually(t, "every webhook event processed", func() bool {
		return l.h.Count(`SELECT count(*) FROM event_executions WHERE account_id = $1 AND status NOT IN ('done', 'ignored', 'dead')`,
			l.tenant.ID) == 0
	})
	if n := l.h.Count(`SELECT count(*) FROM event_executions WHERE account_id = $1 AND status = 'dead'`, l.tenant.ID); n > 0 {
		var last string
		_ = l.h.App.DB.R.QueryRow(`SELECT last_error FROM event_executions WHERE account_id = $1 AND status = 'dead'`, l.tenant.ID).Scan(&last)
		t.Fatalf("%d events dead: %s", n, last)
	}
}

func (l *linked) cardsOfContact(t testing.TB, contactID int) []card {
	t.Helper()
	var out struct {
		Data []card `json:"data"`
	}
	l.do(t, l.tenant.Admin.Token, "GET", l.path("/deals?contact_id="+strconv.Itoa(contactID)), nil).Expect(t, 200).Decode(t, &out)
	return out.Data
}

// Chatwoot's events drive cards: a new conversation opens one, messages
// move its activity forward only, contact and status changes follow, and
// a reply from the card goes through Chatwoot.
func TestChatwootSync(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		l := setupLinked(t, dialect)
		tok := l.tenant.Admin.Token
		b := l.defaultBoard(t, tok)
		l.do(t, tok, "PATCH", l.path("/boards/"+b.ID), map[string]any{"stage_attribute": "kanban_stage"}).Expect(t, 200)
		inbox, err := l.sim.AddInbox(1, cwsim.InboxSpec{Name: "WA"})
		must(t, err)
		ct, err := l.sim.AddContact(1, cwsim.ContactSpec{Name: "Maria", PhoneNumber: "+5511988887777", InboxID: inbox.ID})
		must(t, err)
		conv, err := l.sim.AddConversation(1, cwsim.ConversationSpec{InboxID: inbox.ID, ContactID: ct.ID})
		must(t, err)
		l.settled(t)
		cards := l.cardsOfContact(t, ct.ID)
		if len(cards) != 1 || cards[0].Title != "Maria" || cards[0].ConversationID == nil || *cards[0].ConversationID != conv.ID ||
			cards[0].StageID != b.Stages[0].ID || cards[0].Contact.Phone != "+5511988887777" {
			t.Fatalf("cards after conversation_created: %+v", cards)
		}
		c := cards[0]
		// The stage is mirrored to the conversation's custom attribute.
		apptest.Eventually(t, "stage mirrored", func() bool {
			for _, cv := range l.sim.Conversations(1) {
				if cv.DisplayID == conv.ID {
					return cv.CustomAttributes["kanban_stage"] == b.Stages[0].Name
				}
			}
			return false
		})
		l.move(t, tok, b.ID, c, map[string]any{"stage_id": b.Stages[2].ID}).Expect(t, 200)
		apptest.Eventually(t, "moved stage mirrored", func() bool {
			for _, cv := range l.sim.Conversations(1) {
				if cv.DisplayID == conv.ID {
					return cv.CustomAttributes["kanban_stage"] == b.Stages[2].Name
				}
			}
			return false
		})

		_, err = l.sim.AddMessage(1, conv.ID, cwsim.MessageSpec{MessageType: "incoming", Content: "Quero   o plano\nanual"})
		must(t, err)
		l.settled(t)
		c = l.cardsOfContact(t, ct.ID)[0]
		if c.LastPreview != "Quero o plano anual" {
			t.Fatalf("preview: %q", c.LastPreview)
		}
		// A late message_created (older than what was applied) changes nothing.
		var payload string
		must(t, l.h.App.DB.R.QueryRow(`SELECT payload FROM event_executions WHERE account_id = $1 AND event = 'message_created'`, l.tenant.ID).Scan(&payload))
		var msgBody map[string]any
		must(t, json.Unmarshal([]byte(payload), &msgBody))
		msgBody["created_at"], msgBody["content"] = "2001-01-01T00:00:00.000Z", "old"
		raw, _ := json.Marshal(msgBody)
		old := string(raw)
		l.post(t, old, "late-1")
		l.settled(t)
		if got := l.cardsOfContact(t, ct.ID)[0]; got.LastPreview != "Quero o plano anual" {
			t.Fatalf("a late message moved the preview back: %q", got.LastPreview)
		}

		// The contact is renamed: contact_updated refreshes the snapshot.
		l.simCall(t, "PUT", "/api/v1/accounts/1/contacts/"+strconv.Itoa(ct.ID), map[string]any{"name": "Maria Souza"})
		l.settled(t)
		if got := l.cardsOfContact(t, ct.ID)[0]; got.Contact.Name != "Maria Souza" {
			t.Fatalf("contact not refreshed: %+v", got.Contact)
		}
		// A resolved conversation goes into the history.
		must(t, l.sim.SetConversationStatus(1, conv.ID, "resolved", 1))
		l.settled(t)
		if got := l.cardsOfContact(t, ct.ID)[0]; got.ConvStatus != "resolved" {
			t.Fatalf("status: %q", got.ConvStatus)
		}
		if n := l.h.Count(`SELECT count(*) FROM kanban_card_history WHERE card_id = $1 AND action = 'conversation_status'`, c.ID); n != 1 {
			t.Fatalf("%d status history entries", n)
		}

		// A reply from the card is posted to the conversation.
		l.do(t, tok, "POST", l.path("/boards/"+b.ID+"/cards/"+c.ID+"/messages"), map[string]any{"content": "Olá Maria!"}).Expect(t, 201)
		found := false
		for _, m := range l.sim.Messages(1, conv.ID) {
			found = found || m.Content == "Olá Maria!" && m.MessageType == "outgoing"
		}
		if !found {
			t.Fatal("the reply did not reach Chatwoot")
		}
		manual := l.createCard(t, tok, b.ID, map[string]any{"title": "Sem conversa"})
		l.do(t, tok, "POST", l.path("/boards/"+b.ID+"/cards/"+manual.ID+"/messages"), map[string]any{"content": "x"}).
			ExpectError(t, 422, "UNPROCESSABLE")
		// A manual deal is linked to the contact later; the contact's next
		// conversation then attaches to it instead of opening a second deal.
		other, err := l.sim.AddContact(1, cwsim.ContactSpec{Name: "João", InboxID: inbox.ID})
		must(t, err)
		var linkedCard card
		l.do(t, tok, "PATCH", l.path("/boards/"+b.ID+"/cards/"+manual.ID), map[string]any{"contact_id": other.ID}).Expect(t, 200).Decode(t, &linkedCard)
		if linkedCard.Contact == nil || linkedCard.Contact.Name != "João" {
			t.Fatalf("linked contact: %+v", linkedCard)
		}
		conv2, err := l.sim.AddConversation(1, cwsim.ConversationSpec{InboxID: inbox.ID, ContactID: other.ID})
		must(t, err)
		l.settled(t)
		got := l.cardsOfContact(t, other.ID)
		if len(got) != 1 || got[0].ID != manual.ID || got[0].ConversationID == nil || *got[0].ConversationID != conv2.ID {
			t.Fatalf("second contact's deals: %+v", got)
		}

		// Reconciliation opens the card of a conversation whose webhook
		// never came (the webhook is removed first).
		l.h.Exec(`DELETE FROM kanban_cards WHERE account_id = $1 AND id = $2`, l.tenant.ID, c.ID)
		must(t, l.h.App.Kanban.Reconcile(context.Background(), l.tenant.ID))
		if got := l.cardsOfContact(t, ct.ID); len(got) != 1 || got[0].Contact.Name != "Maria Souza" || got[0].ConvStatus != "resolved" {
			t.Fatalf("after reconcile: %+v", got)
		}
	})
}

// Concurrent duplicate deliveries of one conversation_created (Chatwoot
// sends duplicates with new delivery ids) are one event and open exactly
// one card.
func TestConcurrentDuplicateWebhooks(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		l := setupLinked(t, dialect)
		l.defaultBoard(t, l.tenant.Admin.Token)
		inbox, err := l.sim.AddInbox(1, cwsim.InboxSpec{Name: "WA"})
		must(t, err)
		ct, err := l.sim.AddContact(1, cwsim.ContactSpec{Name: "Dup", InboxID: inbox.ID})
		must(t, err)
		l.h.Exec(`DELETE FROM event_executions WHERE account_id = $1`, l.tenant.ID)
		_, err = l.sim.AddConversation(1, cwsim.ConversationSpec{InboxID: inbox.ID, ContactID: ct.ID})
		must(t, err)
		l.flush(t)
		var body []byte
		for _, d := range l.sim.Deliveries() {
			if d.Event == "conversation_created" {
				body = d.Body
			}
		}
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l.post(t, string(body), "dup-"+strconv.Itoa(i))
			}()
		}
		wg.Wait()
		l.settled(t)
		if n := l.h.Count(`SELECT count(*) FROM event_executions WHERE account_id = $1 AND event = 'conversation_created' AND status = 'done'`,
			l.tenant.ID); n != 1 {
			t.Fatalf("%d conversation_created events done, want 1 (the duplicates count once)", n)
		}
		if got := l.cardsOfContact(t, ct.ID); len(got) != 1 {
			t.Fatalf("%d cards for one contact", len(got))
		}
		if n := l.h.Count(`SELECT count(*) FROM events WHERE account_id = $1 AND type = 'card.created'`, l.tenant.ID); n != 1 {
			t.Fatalf("%d card.created events", n)
		}
	})
}

// post delivers a signed webhook body to the hub as Chatwoot would.
func (l *linked) post(t testing.TB, body, delivery string) {
	t.Helper()
	secret := l.sim.Webhooks(1)[0].Secret
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	r := l.h.Do(apptest.Req{Method: "POST", Path: "/webhooks/chatwoot/" + l.linkID, Body: body, Header: map[string]string{
		"X-Chatwoot-Timestamp": ts, "X-Chatwoot-Signature": cwsim.Sign(secret, ts, []byte(body)), "X-Chatwoot-Delivery": delivery}})
	if r.Status != 200 && r.Status != 202 {
		t.Errorf("webhook answered %d %s", r.Status, r.Body)
	}
}

func (l *linked) simCall(t testing.TB, method, path string, body any) {
	t.Helper()
	c := &apptest.Hub{T: l.h.T, URL: l.simURL}
	r := c.Do(apptest.Req{Method: method, Path: path, Body: body, Header: map[string]string{"api_access_token": l.admin.APIAccessToken}})
	if r.Status != http.StatusOK {
		t.Fatalf("sim %s %s: %d %s", method, path, r.Status, r.Body)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
