package cwsim

import "slices"

// tables indexes the simulator's rows so that every per-message path is
// O(1) or O(messages in the conversation): the gateway's benchmarks push
// thousands of messages a second through one Sim. The slices keep
// creation order for listings; the maps answer lookups. Touched only with
// Sim.mu held.
type tables struct {
	inboxByID     map[int]*inbox
	contactByID   map[int]*contact
	ciByID        map[int]*contactInbox
	ciBySource    map[ciKey]*contactInbox
	ciByContact   map[int][]*contactInbox
	convByID      map[int]*conversation
	convByDisplay map[dispKey]*conversation
	convByCI      map[int][]*conversation // by contact_inbox id, oldest first
	msgByID       map[int]*message
	blobByKey     map[string]*attachment
}

type ciKey struct {
	inboxID  int
	sourceID string
}

type dispKey struct{ accountID, displayID int }

func newTables() tables {
	return tables{
		inboxByID: map[int]*inbox{}, contactByID: map[int]*contact{}, ciByID: map[int]*contactInbox{},
		ciBySource: map[ciKey]*contactInbox{}, ciByContact: map[int][]*contactInbox{},
		convByID: map[int]*conversation{}, convByDisplay: map[dispKey]*conversation{}, convByCI: map[int][]*conversation{},
		msgByID: map[int]*message{}, blobByKey: map[string]*attachment{},
	}
}

func (s *Sim) addInboxRow(ib *inbox) {
	s.inboxes = append(s.inboxes, ib)
	s.idx.inboxByID[ib.ID] = ib
}

func (s *Sim) addContactRow(ct *contact) {
	s.contacts = append(s.contacts, ct)
	s.idx.contactByID[ct.ID] = ct
}

func (s *Sim) addContactInboxRow(ci *contactInbox) {
	if s.idx.ciByID[ci.ID] != nil {
		return
	}
	s.contactInboxes = append(s.contactInboxes, ci)
	s.idx.ciByID[ci.ID] = ci
	s.idx.ciBySource[ciKey{ci.InboxID, ci.SourceID}] = ci
	s.idx.ciByContact[ci.ContactID] = append(s.idx.ciByContact[ci.ContactID], ci)
}

func (s *Sim) addConversationRow(cv *conversation) {
	s.conversations = append(s.conversations, cv)
	s.idx.convByID[cv.ID] = cv
	s.idx.convByDisplay[dispKey{cv.AccountID, cv.DisplayID}] = cv
	s.idx.convByCI[cv.ContactInboxID] = append(s.idx.convByCI[cv.ContactInboxID], cv)
}

func (s *Sim) removeConversationRow(cv *conversation) {
	s.conversations = slices.DeleteFunc(s.conversations, func(x *conversation) bool { return x == cv })
	delete(s.idx.convByID, cv.ID)
	delete(s.idx.convByDisplay, dispKey{cv.AccountID, cv.DisplayID})
	s.idx.convByCI[cv.ContactInboxID] = slices.DeleteFunc(s.idx.convByCI[cv.ContactInboxID], func(x *conversation) bool { return x == cv })
	for _, m := range cv.msgs {
		s.removeMessageFiles(m)
		delete(s.idx.msgByID, m.ID)
	}
	cv.msgs = nil
}

func (s *Sim) addMessageRow(cv *conversation, m *message) {
	cv.msgs = append(cv.msgs, m)
	s.idx.msgByID[m.ID] = m
	for _, a := range m.Attachments {
		s.idx.blobByKey[a.Key] = a
	}
}

func (s *Sim) removeMessageFiles(m *message) {
	for _, a := range m.Attachments {
		delete(s.idx.blobByKey, a.Key)
	}
	m.Attachments = nil
}

// removeInboxRow deletes an inbox with its contact inboxes, conversations
// and messages, as the DeleteObjectJob eventually does.
func (s *Sim) removeInboxRow(ib *inbox) {
	s.inboxes = slices.DeleteFunc(s.inboxes, func(x *inbox) bool { return x == ib })
	delete(s.idx.inboxByID, ib.ID)
	for _, cv := range slices.Clone(s.conversations) {
		if cv.InboxID == ib.ID {
			s.removeConversationRow(cv)
		}
	}
	s.contactInboxes = slices.DeleteFunc(s.contactInboxes, func(ci *contactInbox) bool {
		if ci.InboxID != ib.ID {
			return false
		}
		s.dropContactInboxIndex(ci)
		return true
	})
}

func (s *Sim) dropContactInboxIndex(ci *contactInbox) {
	delete(s.idx.ciByID, ci.ID)
	if s.idx.ciBySource[ciKey{ci.InboxID, ci.SourceID}] == ci {
		delete(s.idx.ciBySource, ciKey{ci.InboxID, ci.SourceID})
	}
	s.idx.ciByContact[ci.ContactID] = slices.DeleteFunc(s.idx.ciByContact[ci.ContactID], func(x *contactInbox) bool { return x == ci })
}

func (s *Sim) inboxByID(id int) *inbox { return s.idx.inboxByID[id] }

func (s *Sim) inboxIn(accountID, id int) *inbox {
	if ib := s.idx.inboxByID[id]; ib != nil && ib.AccountID == accountID {
		return ib
	}
	return nil
}

func (s *Sim) contactByID(id int) *contact { return s.idx.contactByID[id] }

func (s *Sim) contactIn(accountID, id int) *contact {
	if ct := s.idx.contactByID[id]; ct != nil && ct.AccountID == accountID {
		return ct
	}
	return nil
}

func (s *Sim) contactInboxByID(id int) *contactInbox { return s.idx.ciByID[id] }

func (s *Sim) conversationByID(id int) *conversation { return s.idx.convByID[id] }

func (s *Sim) conversationByDisplay(accountID, displayID int) *conversation {
	return s.idx.convByDisplay[dispKey{accountID, displayID}]
}

// conversationMessages returns a conversation's messages in id order.
func (s *Sim) conversationMessages(cv *conversation) []*message { return cv.msgs }
