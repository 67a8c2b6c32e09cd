package cwsim

import (
	"strings"
	"testing"
)

func TestHelpersDriveTheSameStateAsTheAPI(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	sess, err := s.SignIn(userOf(s, agentAcme).Email, userOf(s, agentAcme).Password)
	if err != nil {
		t.Fatal(err)
	}
	if r := do(t, s, "GET", "/api/v1/profile", sess.Header(), nil); r.status != 200 || num(r.json(t)["id"]) != agentAcme {
		t.Errorf("Session.Header profile = %d %s", r.status, r.raw)
	}
	if _, err := s.SignIn(userOf(s, agentAcme).Email, "wrong"); err == nil {
		t.Error("SignIn accepted a wrong password")
	}

	if !s.SetRole(agentAcme, 1, RoleAdministrator) || s.SetRole(agentAcme, 2, RoleAgent) {
		t.Error("SetRole must change existing memberships only")
	}
	if r := do(t, s, "GET", "/api/v1/accounts/1/webhooks", sess.Header(), nil); r.status != 200 {
		t.Errorf("promoted agent still refused: %d", r.status)
	}

	s.SetFrontendURL("http://cw.example/")
	ib, _ := s.AddInbox(1, InboxSpec{Name: "WA", LockToSingleConversation: true})
	ct, _ := s.AddContact(1, ContactSpec{Name: "Ana", InboxID: ib.ID, SourceID: "55"})
	cv, _ := s.AddConversation(1, ConversationSpec{InboxID: ib.ID, ContactID: ct.ID, SourceID: "55"})
	again, _ := s.AddConversation(1, ConversationSpec{InboxID: ib.ID, ContactID: ct.ID, SourceID: "55"})
	if again.DisplayID != cv.DisplayID || cv.SourceID != "55" || len(s.Conversations(1)) != 1 {
		t.Errorf("locked inbox: %+v then %+v", cv, again)
	}
	m, err := s.AddMessage(1, cv.DisplayID, MessageSpec{SenderUserID: agentAcme,
		Attachments: []Attachment{{Filename: "nota fiscal.pdf", ContentType: "application/pdf", Data: []byte("%PDF")}}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Attachments[0].DataURL, "http://cw.example/rails/active_storage/blobs/redirect/") ||
		!strings.HasSuffix(m.Attachments[0].DataURL, "/nota%20fiscal.pdf") || m.Content != "" {
		t.Errorf("attachment = %+v", m)
	}
	if _, err := s.AddMessage(1, cv.DisplayID, MessageSpec{SenderUserID: adminBeta, Content: "x"}); err == nil {
		t.Error("a sender from another account was accepted")
	}
	if err := s.SetConversationStatus(1, cv.DisplayID, "resolved", agentAcme); err != nil {
		t.Fatal(err)
	}
	if got := s.Conversations(1)[0].Status; got != "resolved" {
		t.Errorf("status = %s", got)
	}
	if err := s.SetConversationStatus(1, 999, "open", 0); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("missing conversation error = %v", err)
	}
	if c := s.Contacts(1); len(c) != 1 || c[0].Name != "Ana" {
		t.Errorf("Contacts = %+v", c)
	}
}
