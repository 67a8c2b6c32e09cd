package chatwoot_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
	"github.com/whatpro/hub/internal/outbound"
)

func accountOn(t *testing.T) (*chatwoot.Account, *cwsim.Sim) {
	t.Helper()
	sim := cwsim.New(cwsim.DefaultSeed(), cwsim.Options{})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(sim.Close)
	c := &chatwoot.Client{HTTP: outbound.New(outbound.Options{AllowPrivate: true, Timeout: 2 * time.Second})}
	return chatwoot.NewAccount(c, srv.URL, 1, sim.Seed().Users[0].APIAccessToken), sim
}

// The account-bound client does what the gateway needs against the
// simulator: find or create a contact, open its conversation, post
// messages (JSON and multipart voice notes), follow their status.
func TestAccountClient(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, sim := accountOn(t)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	t.Cleanup(cb.Close)
	ib, err := sim.AddInbox(1, cwsim.InboxSpec{Name: "WhatsApp", WebhookURL: cb.URL + "/cb"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.FindContactInbox(ctx, ib.ID, "5531999990000"); !chatwoot.IsNotFound(err) {
		t.Fatalf("filter before create: %v", err)
	}
	ct, src, err := a.CreateContact(ctx, chatwoot.ContactFields{Name: "Maria", PhoneNumber: "+5531999990000",
		Identifier: "5531999990000@s.whatsapp.net", InboxID: ib.ID, SourceID: "5531999990000"})
	if err != nil || ct.ID == 0 || src != "5531999990000" || ct.Phone() != "+5531999990000" {
		t.Fatalf("create: %+v %q %v", ct, src, err)
	}
	found, err := a.FindContactInbox(ctx, ib.ID, "5531999990000")
	if err != nil || found.ID != ct.ID {
		t.Fatalf("filter: %+v %v", found, err)
	}
	byPhone, err := a.FilterContacts(ctx, "phone_number", "+553199990000", "+5531999990000")
	if err != nil || len(byPhone) != 1 || byPhone[0].ID != ct.ID {
		t.Fatalf("filter by phone: %+v %v", byPhone, err)
	}
	if s, err := a.SearchContacts(ctx, "5531999990000@s.whatsapp.net"); err != nil || len(s) != 1 {
		t.Fatalf("search: %+v %v", s, err)
	}
	up, err := a.UpdateContact(ctx, ct.ID, chatwoot.ContactFields{Name: "Maria Silva"})
	if err != nil || up.Name != "Maria Silva" || up.Phone() != "+5531999990000" {
		t.Fatalf("update: %+v %v", up, err)
	}
	conv, err := a.CreateConversation(ctx, chatwoot.ConversationFields{InboxID: ib.ID, ContactID: ct.ID, SourceID: src})
	if err != nil || conv.ID == 0 || conv.InboxID != ib.ID {
		t.Fatalf("conversation: %+v %v", conv, err)
	}
	msg, err := a.CreateMessage(ctx, conv.ID, chatwoot.NewMessage{Content: "oi", MessageType: "incoming", SourceID: "WAID:1"})
	if err != nil || msg.ID == 0 {
		t.Fatalf("message: %+v %v", msg, err)
	}
	voice, err := a.CreateMessage(ctx, conv.ID, chatwoot.NewMessage{MessageType: "incoming", SourceID: "WAID:2",
		ContentAttributes: map[string]any{"in_reply_to_external_id": "WAID:1"}, IsVoiceMessage: true,
		Files: []chatwoot.File{{Name: "voice.ogg", ContentType: "audio/ogg", Data: []byte("OggS\x00voice")}}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := a.CreateMessage(ctx, conv.ID, chatwoot.NewMessage{Content: "olá", MessageType: "outgoing"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.UpdateMessageStatus(ctx, conv.ID, out.ID, "failed", "not on WhatsApp"); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteMessage(ctx, conv.ID, msg.ID); err != nil {
		t.Fatal(err)
	}
	if st, err := a.ToggleStatus(ctx, conv.ID, "resolved"); err != nil || st != "resolved" {
		t.Fatalf("toggle: %q %v", st, err)
	}
	got, err := a.GetConversation(ctx, conv.ID)
	if err != nil || got.Status != "resolved" {
		t.Fatalf("get: %+v %v", got, err)
	}
	full, err := a.GetInbox(ctx, ib.ID)
	if err != nil || full.InboxIdentifier == "" {
		t.Fatalf("inbox: %+v %v", full, err)
	}
	if err := a.UpdateLastSeen(ctx, full.InboxIdentifier, src, conv.ID); err != nil {
		t.Fatal(err)
	}
	msgs := map[int]cwsim.Message{}
	for _, m := range sim.Messages(1, conv.ID) {
		msgs[m.ID] = m
	}
	if m := msgs[voice.ID]; len(m.Attachments) != 1 || !m.Attachments[0].VoiceNote || m.Attributes["in_reply_to_external_id"] != "WAID:1" {
		t.Fatalf("voice note: %+v", m)
	}
	if m := msgs[out.ID]; m.Status != "failed" || m.ExternalError != "not on WhatsApp" {
		t.Fatalf("status: %+v", m)
	}
	if m := msgs[msg.ID]; m.Attributes["deleted"] != true {
		t.Fatalf("delete: %+v", m)
	}
}

// Retry classification lives in one place: timeouts, 429 and 5xx retry;
// other 4xx are final; a missing record is recognisable.
func TestAccountClientClassifies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, sim := accountOn(t)
	cases := []struct {
		status int
		want   chatwoot.Class
	}{{500, chatwoot.Retryable}, {502, chatwoot.Retryable}, {429, chatwoot.Retryable}, {422, chatwoot.Final}, {401, chatwoot.Final}, {400, chatwoot.Final}}
	for _, c := range cases {
		sim.FailNext("/api/v1/accounts/1/contacts", c.status)
		_, err := a.SearchContacts(ctx, "x")
		if err == nil || chatwoot.Classify(err) != c.want {
			t.Fatalf("HTTP %d: %v class %v", c.status, err, chatwoot.Classify(err))
		}
	}
	sim.HangNext("/api/v1/accounts/1/contacts")
	tctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := a.SearchContacts(tctx, "x"); err == nil || chatwoot.Classify(err) != chatwoot.Retryable {
		t.Fatalf("timeout: %v", err)
	}
	if _, err := a.GetContact(ctx, 424242); !chatwoot.IsNotFound(err) || chatwoot.Classify(err) != chatwoot.Final {
		t.Fatalf("404: %v", err)
	}
}

// Service.Account binds the linked account on both databases.
func TestServiceAccount(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		if _, err := f.h.App.Chatwoot.Account(context.Background(), f.tenant.ID); err == nil {
			t.Fatal("an unlinked account has no handle")
		}
		f.link(t, 1, f.user("ana@acme.test").APIAccessToken).Expect(t, 200)
		a, err := f.h.App.Chatwoot.Account(context.Background(), f.tenant.ID)
		if err != nil || a.ChatwootAccountID() != 1 {
			t.Fatalf("account: %v", err)
		}
		if _, _, err := a.CreateContact(context.Background(), chatwoot.ContactFields{Name: "Via link"}); err != nil {
			t.Fatal(err)
		}
		if len(f.sim.Contacts(1)) != 1 {
			t.Fatal("the contact was not created in the linked account")
		}
	})
}
