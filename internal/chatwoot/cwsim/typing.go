package cwsim

// routeToggleTyping is ConversationsController#toggle_typing_status with
// Conversations::TypingStatusManager: "on" and "off" dispatch
// conversation_typing_on/off, which go to the account webhooks and the API
// inbox's webhook_url like conversation events; "recording" and anything
// else reach no webhook. The answer is an empty 200.
func (s *Sim) routeToggleTyping(c *call) reply {
	cv, err := c.findConversation()
	if err != nil {
		return fromErr(err)
	}
	status, _ := pString(c.body, "typing_status")
	private, _ := pBool(c.body, "is_private")
	s.typing(c.out, cv, c.user, status, private)
	return reply{status: 200}
}

// typing emits the typing event of user in cv. Called with mu held.
func (s *Sim) typing(ob *outbox, cv *conversation, u *user, status string, private bool) {
	event := map[string]string{"on": "conversation_typing_on", "off": "conversation_typing_off"}[status]
	if event == "" || u == nil {
		return
	}
	s.emit(ob, cv.AccountID, s.inboxByID(cv.InboxID), event, map[string]any{
		"user": userWebhookJSON(u), "conversation": s.conversationEventJSON(cv), "is_private": private})
}

// SetTyping plays an agent starting (on) or stopping (off) to type in the
// dashboard, as POST …/toggle_typing_status would.
func (s *Sim) SetTyping(accountID, displayID, userID int, on, private bool) error {
	status := "off"
	if on {
		status = "on"
	}
	return s.op(func(ob *outbox) error {
		cv := s.conversationByDisplay(accountID, displayID)
		u := s.userByID(userID)
		if cv == nil || u == nil || u.member(accountID) == nil {
			return errNotFound()
		}
		s.typing(ob, cv, u, status, private)
		return nil
	})
}
