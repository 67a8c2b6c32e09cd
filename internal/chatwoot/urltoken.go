package chatwoot

import (
	"database/sql"
	"net/http"

	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

// SetURLToken switches the webhook URL token on (a fresh, unguessable one
// each time, so it also rotates) or off. Chatwoot before 4.12 does not sign
// its webhooks; the token in the URL is then what authenticates them. The
// full URL is answered once.
func (s *Service) SetURLToken(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Enabled bool `json:"enabled"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx, now, accountID := r.Context(), s.now(), iam.AccessFrom(r.Context()).AccountID
	var out map[string]any
	err := s.linkTx(ctx, func(tx *sql.Tx) error {
		l, err := linkByAccount(ctx, tx, accountID)
		if err != nil {
			return err
		}
		out = map[string]any{"url_token_enabled": in.Enabled}
		if in.Enabled {
			tok := iam.RandomToken("")
			enc, err := s.encrypt(l, "url_token", tok)
			if err != nil {
				return err
			}
			if err := setLinkField(ctx, tx, accountID, "url_token", enc, now); err != nil {
				return err
			}
			out["webhook_url"] = s.hubURL("/webhooks/chatwoot/" + l.ID + "?token=" + tok)
		}
		if err := setLinkField(ctx, tx, accountID, "url_token_enabled", in.Enabled, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, r, accountID, "chatwoot.url_token.set", l.ID, map[string]bool{"enabled": in.Enabled})
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
