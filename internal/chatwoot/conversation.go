package chatwoot

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strconv"

	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/outbound"
)

// ConversationContext answers what the conversation tab may show about a
// Chatwoot conversation. The tab's appContext is only a hint: the hub reads
// the conversation itself and lets agents see it only when it is in one of
// their own Chatwoot inboxes (recorded at SSO); admins see all. Anything
// else is a 404, like another tenant's row.
func (s *Service) ConversationContext(w http.ResponseWriter, r *http.Request) error {
	ctx, acc := r.Context(), iam.AccessFrom(r.Context())
	id, err := strconv.Atoi(r.PathValue("conversationID"))
	if err != nil || id <= 0 {
		return httpx.NotFound()
	}
	l, token, err := s.linkToken(ctx, acc.AccountID)
	if err != nil {
		return err
	}
	conv, err := s.Client.Conversation(ctx, l.BaseURL, l.ChatwootAccountID, token, id)
	var se *outbound.StatusError
	if errors.As(err, &se) && se.Status == http.StatusNotFound {
		return httpx.NotFound()
	} else if err != nil {
		return upstream(err)
	}
	if acc.Role != iam.RoleAdmin {
		ok, err := s.InInbox(ctx, acc.AccountID, iam.PrincipalFrom(ctx).UserID, conv.InboxID)
		if err != nil {
			return err
		}
		if !ok {
			return httpx.NotFound()
		}
	}
	answer := map[string]any{
		"account_id": acc.AccountID, "chatwoot_account_id": l.ChatwootAccountID, "conversation_id": conv.ID,
		"inbox_id": conv.InboxID, "status": conv.Status,
		"contact": map[string]any{"id": conv.Meta.Sender.ID, "name": conv.Meta.Sender.Name, "phone_number": conv.Meta.Sender.PhoneNumber},
	}
	// The inbox's name and the hub number serving it, from their owners.
	if s.InboxContext != nil {
		info, err := s.InboxContext(ctx, acc.AccountID, conv.InboxID)
		if err != nil {
			return err
		}
		answer["inbox"] = info
	}
	httpx.WriteJSON(w, http.StatusOK, answer)
	return nil
}

// InInbox reports whether the user is a member of the Chatwoot inbox (as
// recorded at SSO): the rule by which agents see a conversation's data.
// Admins see every conversation; callers check the role first.
func (s *Service) InInbox(ctx context.Context, accountID, userID string, inboxID int) (bool, error) {
	var one int
	err := s.DB.R.QueryRowContext(ctx, `SELECT 1 FROM chatwoot_inbox_members WHERE account_id = $1 AND user_id = $2 AND inbox_id = $3`,
		accountID, userID, inboxID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
