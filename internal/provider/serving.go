package provider

import (
	"context"
	"errors"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/inbox"
)

// ServingNumber is what the conversation tab shows about a Chatwoot inbox:
// its name (from the hub's mirror) and the hub number that serves it.
type ServingNumber struct {
	InboxName string        `json:"inbox_name"`
	Number    *ServingState `json:"number"`
}

// ServingState is a number's name and state, without its credentials.
type ServingState struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	DisplayName      string `json:"display_name"`
	PhoneNumber      string `json:"phone_number"`
	ProfileName      string `json:"profile_name"`
	Status           string `json:"status"`
	DisconnectReason string `json:"disconnect_reason"`
}

// InboxContext answers, for a Chatwoot inbox of the account, its name and
// the number serving it (nil when none does, or the inbox is not mirrored).
func (s *Service) InboxContext(ctx context.Context, accountID string, chatwootInboxID int) (*ServingNumber, error) {
	out := &ServingNumber{}
	ib, err := inbox.ByChatwootID(ctx, s.DB.R, accountID, chatwootInboxID)
	if errors.Is(err, db.ErrNotFound) {
		return out, nil
	} else if err != nil {
		return nil, err
	}
	out.InboxName = ib.Name
	inst, err := scanInstance(s.DB.R.QueryRowContext(ctx, `SELECT `+instanceCols+` FROM provider_instances
		WHERE account_id = $1 AND inbox_id = $2`, accountID, ib.ID))
	if errors.Is(err, db.ErrNotFound) {
		return out, nil
	} else if err != nil {
		return nil, err
	}
	out.Number = &ServingState{ID: inst.ID, Name: inst.Name, DisplayName: inst.DisplayName, PhoneNumber: inst.PhoneNumber,
		ProfileName: inst.ProfileName, Status: inst.Status, DisconnectReason: inst.DisconnectReason}
	return out, nil
}
