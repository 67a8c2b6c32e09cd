package cwsim

import (
	"errors"
	"slices"
	"strconv"
)

// InboxSpec describes an inbox for AddInbox.
type InboxSpec struct {
	Name                     string
	ChannelType              string // "api" (default) or "web_widget"
	WebhookURL               string // API inboxes
	WebsiteURL               string // web widgets
	LockToSingleConversation bool
	MemberIDs                []int
}

// AddInbox creates an inbox as an administrator would through the API
// (inbox_created fires) and adds the members.
func (s *Sim) AddInbox(accountID int, spec InboxSpec) (Inbox, error) {
	if spec.ChannelType == "" {
		spec.ChannelType = "api"
	}
	var out Inbox
	err := s.op(func(ob *outbox) error {
		if s.account(accountID) == nil {
			return errNotFound()
		}
		ib, err := s.createInbox(ob, accountID, map[string]any{"name": spec.Name,
			"lock_to_single_conversation": spec.LockToSingleConversation,
			"channel":                     map[string]any{"type": spec.ChannelType, "webhook_url": spec.WebhookURL, "website_url": spec.WebsiteURL}})
		if err != nil {
			return err
		}
		if err := s.addMembers(ib, spec.MemberIDs); err != nil {
			return err
		}
		out = snapInbox(ib)
		return nil
	})
	return out, err
}

// AddInboxMembers adds account users to an inbox.
func (s *Sim) AddInboxMembers(accountID, inboxID int, userIDs ...int) error {
	return s.op(func(*outbox) error {
		ib := s.inboxIn(accountID, inboxID)
		if ib == nil {
			return errNotFound()
		}
		return s.addMembers(ib, userIDs)
	})
}

// RemoveInboxMembers takes users out of an inbox (DELETE …/inbox_members).
func (s *Sim) RemoveInboxMembers(accountID, inboxID int, userIDs ...int) error {
	return s.op(func(*outbox) error {
		ib := s.inboxIn(accountID, inboxID)
		if ib == nil {
			return errNotFound()
		}
		ib.MemberIDs = slices.DeleteFunc(ib.MemberIDs, func(m int) bool { return slices.Contains(userIDs, m) })
		return nil
	})
}

func (s *Sim) addMembers(ib *inbox, ids []int) error {
	for _, id := range ids {
		if u := s.userByID(id); u == nil || u.member(ib.AccountID) == nil {
			return errRecordInvalid("User must exist", "user")
		}
		if !slices.Contains(ib.MemberIDs, id) {
			ib.MemberIDs = append(ib.MemberIDs, id)
		}
	}
	return nil
}

// ContactSpec describes a contact for AddContact; with InboxID the
// contact_inbox is created too (SourceID, or a random UUID).
type ContactSpec struct {
	Name, Email, PhoneNumber, Identifier string
	InboxID                              int
	SourceID                             string
}

// AddContact creates a contact like POST /contacts (contact_created fires).
func (s *Sim) AddContact(accountID int, spec ContactSpec) (Contact, error) {
	var out Contact
	err := s.op(func(ob *outbox) error {
		p := map[string]any{"name": spec.Name, "email": spec.Email, "phone_number": spec.PhoneNumber, "identifier": spec.Identifier}
		if spec.InboxID != 0 {
			p["inbox_id"], p["source_id"] = strconv.Itoa(spec.InboxID), spec.SourceID
		}
		ct, _, err := s.createContact(ob, accountID, p)
		if err != nil {
			return err
		}
		out = snapContact(ct)
		return nil
	})
	return out, err
}

// ConversationSpec describes a conversation for AddConversation.
type ConversationSpec struct {
	InboxID, ContactID int
	SourceID           string // contact_inbox source id; random when empty
	Status             string // open (default), pending, resolved, snoozed
	AssigneeID         int
}

// AddConversation creates a conversation like POST /conversations
// (conversation_created fires; a locked inbox reuses the last one).
func (s *Sim) AddConversation(accountID int, spec ConversationSpec) (Conversation, error) {
	var out Conversation
	err := s.op(func(ob *outbox) error {
		acct := s.account(accountID)
		if acct == nil {
			return errNotFound()
		}
		in := conversationInput{inboxID: spec.InboxID, contactID: spec.ContactID, sourceID: spec.SourceID, status: spec.Status}
		if spec.AssigneeID != 0 {
			in.assigneeID = &spec.AssigneeID
		}
		cv, err := s.createConversation(ob, acct, nil, true, in)
		if err != nil {
			return err
		}
		out = s.snapConversation(cv)
		return nil
	})
	return out, err
}

// MessageSpec describes a message for AddMessage.
type MessageSpec struct {
	MessageType  string // outgoing (default), incoming, template, activity
	SenderUserID int    // the agent who writes it (0: no sender, as automations and greetings)
	AgentBotID   int    // an agent bot as the sender of an outgoing message (see AddAgentBot)
	Content      string
	ContentType  string         // text (default), input_csat, input_select, …
	Attributes   map[string]any // content_attributes, e.g. in_reply_to
	Private      bool           // a private note
	SourceID     string
	Attachments  []Attachment
	VoiceNote    bool // the audio attachments are voice notes (is_voice_message)
}

// AddMessage creates a message as if it happened inside Chatwoot, with the
// same callbacks and webhooks as the API: use it to simulate an agent
// replying in the dashboard (an outgoing message with no source_id), an
// automation or greeting (no sender), an agent bot, a CSAT survey
// (template, input_csat) or a private note.
func (s *Sim) AddMessage(accountID, displayID int, spec MessageSpec) (Message, error) {
	var out Message
	err := s.op(func(ob *outbox) error {
		cv := s.conversationByDisplay(accountID, displayID)
		if cv == nil {
			return errNotFound()
		}
		actor := s.userByID(spec.SenderUserID)
		if spec.SenderUserID != 0 && (actor == nil || actor.member(accountID) == nil) {
			return errors.New("cwsim: sender is not a member of the account")
		}
		p := map[string]any{"private": spec.Private, "source_id": spec.SourceID, "content_type": spec.ContentType,
			"is_voice_message": spec.VoiceNote}
		if spec.Content != "" {
			p["content"] = spec.Content
		}
		if spec.MessageType != "" {
			p["message_type"] = spec.MessageType
		}
		if spec.Attributes != nil {
			p["content_attributes"] = spec.Attributes
		}
		var files []upload
		for _, a := range spec.Attachments {
			files = append(files, upload{Filename: a.Filename, ContentType: a.ContentType, Data: a.Data})
		}
		in, err := parseMessageInput(p, files)
		if err != nil {
			return err
		}
		in.internal, in.botID = true, spec.AgentBotID
		if spec.AgentBotID != 0 && s.agentBotFor(accountID, spec.AgentBotID) == nil {
			return errors.New("cwsim: no such agent bot for the account")
		}
		m, err := s.createMessage(ob, cv, actor, in)
		if err != nil {
			return err
		}
		out = s.snapMessage(m)
		return nil
	})
	return out, err
}

// SetConversationStatus changes a conversation's status as the given agent
// would in the dashboard (status events and an activity message follow).
func (s *Sim) SetConversationStatus(accountID, displayID int, status string, actorUserID int) error {
	return s.op(func(ob *outbox) error {
		if cv := s.conversationByDisplay(accountID, displayID); cv != nil {
			return s.toggleStatus(ob, cv, s.userByID(actorUserID), map[string]any{"status": status})
		}
		return errNotFound()
	})
}

// AddWebhook registers an account webhook (all default events when none given).
func (s *Sim) AddWebhook(accountID int, url string, subscriptions ...string) (Webhook, error) {
	var out Webhook
	err := s.op(func(*outbox) error {
		if s.account(accountID) == nil {
			return errNotFound()
		}
		wh := &webhook{AccountID: accountID, Subscriptions: slices.Clone(defaultWebhookSubscriptions), Secret: s.newWebhookSecret()}
		p := map[string]any{"url": url}
		if len(subscriptions) > 0 {
			list := make([]any, len(subscriptions))
			for i, e := range subscriptions {
				list[i] = e
			}
			p["subscriptions"] = list
		}
		if err := s.applyWebhook(wh, p); err != nil {
			return err
		}
		wh.ID = s.next("webhook")
		s.webhooks = append(s.webhooks, wh)
		out = snapWebhook(wh)
		return nil
	})
	return out, err
}

// AddDashboardApp registers a dashboard app with one frame URL.
func (s *Sim) AddDashboardApp(accountID int, title, url string) (DashboardApp, error) {
	var out DashboardApp
	err := s.op(func(*outbox) error {
		if s.account(accountID) == nil {
			return errNotFound()
		}
		now := s.now()
		a := &dashboardApp{AccountID: accountID, CreatedAt: now, UpdatedAt: now}
		if err := applyDashboardApp(a, map[string]any{"title": title,
			"content": []any{map[string]any{"type": "frame", "url": url}}}); err != nil {
			return err
		}
		a.ID = s.next("dashboard_app")
		s.dashboardApps = append(s.dashboardApps, a)
		out = snapDashboardApp(a)
		return nil
	})
	return out, err
}
