package gateway

import (
	"context"
	"errors"
	"strings"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/intake"
	"github.com/whatpro/hub/internal/provider"
)

// applyStatus moves one of our messages forward (sent → delivered →
// read; a read may skip delivered) and tells Chatwoot the message's
// status, the minimum over its parts. The customer reading it also
// updates the contact's last seen.
func (s *Service) applyStatus(ctx context.Context, ex *intake.Execution, num *provider.Number, st StatusUpdate) error {
	m, err := byProviderID(ctx, s.DB.R, num.Instance.AccountID, num.Instance.ID, st.ID)
	if errors.Is(err, db.ErrNotFound) {
		if ex.Attempts < 3 {
			// the ack can overtake the record of the send it acknowledges
			return errors.New("status for a message the hub has not recorded (yet): " + st.ID)
		}
		return nil // a message some other client sent
	} else if err != nil {
		return err
	}
	if m.Direction == "in" && m.Kind != "" && m.CWMessageID == nil {
		return nil
	}
	overall, err := advance(ctx, s.DB, m, st.Status, st.Error, s.now())
	if err != nil || overall == "" || m.CWMessageID == nil || m.ConversationID == nil {
		return err
	}
	acct, err := s.Chatwoot.Account(ctx, m.AccountID)
	if err != nil {
		return err
	}
	if overall == "failed" {
		code := provider.ErrCodeRejected
		switch {
		case strings.Contains(st.Error, "#131047"):
			code = provider.ErrCodeWindowClosed
		case strings.Contains(st.Error, "#131026"):
			code = provider.ErrCodeNotOnWhatsApp
		}
		return s.reportFailure(ctx, acct, *m.ConversationID, *m.CWMessageID, &provider.SendError{Code: code, Final: true,
			Msg: firstNonEmpty(st.Error, "WhatsApp did not deliver the message")})
	}
	if err := acct.UpdateMessageStatus(ctx, *m.ConversationID, *m.CWMessageID, overall, ""); err != nil && !chatwoot.IsNotFound(err) {
		return err
	}
	if overall == "read" {
		s.contactSeen(ctx, acct, num, m)
	}
	return nil
}

// contactSeen is update_last_seen through the inbox's public API. A
// failure only loses a tick, so it is not retried.
func (s *Service) contactSeen(ctx context.Context, acct *chatwoot.Account, num *provider.Number, m *mapped) {
	c, err := getChat(ctx, s.DB.R, m.AccountID, m.ChatID)
	if err != nil || c.ContactSourceID == "" {
		return
	}
	ident, err := s.inboxIdentifier(ctx, acct, num.ChatwootInboxID)
	if err != nil || ident == "" {
		return
	}
	if err := acct.UpdateLastSeen(ctx, ident, c.ContactSourceID, *m.ConversationID); err != nil && s.Log != nil {
		s.Log.Info("gateway: update_last_seen failed", "error", clip(err.Error(), 200))
	}
}

func (s *Service) inboxIdentifier(ctx context.Context, acct *chatwoot.Account, inboxID int) (string, error) {
	key := acct.Key() + ":" + itoa(inboxID)
	if v, ok := s.idents.Load(key); ok {
		return v.(string), nil
	}
	ib, err := acct.GetInbox(ctx, inboxID)
	if err != nil {
		return "", err
	}
	s.idents.Store(key, ib.InboxIdentifier)
	return ib.InboxIdentifier, nil
}
