package gateway

import (
	"context"
	"errors"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/provider"
)

// Features says whether a feature is on for an account (feature.Flags);
// an error means "not known now": the work is retried, never dropped on
// a fail-closed "off".
type Features interface {
	AccountEnabled(ctx context.Context, accountID, name string) (bool, error)
}

// featureGateway is the flag's name in the feature catalogue.
const featureGateway = "gateway"

// featureOff is the outcome of an event the gateway did not bridge
// because the account's gateway feature is off. The event stays stored
// and replayable: once the flag is on again, a replay bridges it.
const featureOff = "gateway feature off for this account"

// errCodeFeatureOff marks a reply refused because the flag is off.
const errCodeFeatureOff = "feature_off"

// bridging reports whether the account's gateway feature is on (no
// Features wired: always).
func (s *Service) bridging(ctx context.Context, accountID string) (bool, error) {
	if s.Features == nil {
		return true, nil
	}
	return s.Features.AccountEnabled(ctx, accountID, featureGateway)
}

// featureOffError is the refusal of a send while the flag is off.
func featureOffError() *provider.SendError {
	return &provider.SendError{Code: errCodeFeatureOff, Final: true, Msg: "the WhatsApp gateway is disabled for this account"}
}

// refuseOff tells the agent at once that their reply (or Retry) was not
// sent: the message is marked failed with a private note. It has no map
// row, so once the flag is on again Chatwoot's Retry sends it as new (as
// would a replay of the ignored event).
func (s *Service) refuseOff(ctx context.Context, accountID string, m *cwMessage) error {
	acct, err := s.Chatwoot.Account(ctx, accountID)
	if errors.Is(err, db.ErrNotFound) {
		return nil // unlinked: there is no Chatwoot to tell
	} else if err != nil {
		return err
	}
	return s.reportFailure(ctx, acct, m.Conversation.ID, m.ID, featureOffError())
}

// deletedHereOnly tells the agent that a delete did not reach WhatsApp.
func (s *Service) deletedHereOnly(ctx context.Context, accountID string, conversationID int, why string) error {
	acct, err := s.Chatwoot.Account(ctx, accountID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	_, err = acct.CreateMessage(ctx, conversationID, chatwoot.NewMessage{MessageType: "outgoing", Private: true,
		Content: "This message was deleted here only: " + why + "."})
	return classify(err)
}
