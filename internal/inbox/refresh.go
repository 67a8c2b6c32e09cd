package inbox

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/intake"
	"github.com/whatpro/hub/internal/secret"
)

// refreshEvery is how often one inbox's secret may be read again from
// Chatwoot: a forged callback must not turn into a Chatwoot call each.
const refreshEvery = 30 * time.Second

type refreshLimiter struct {
	mu   sync.Mutex
	last map[string]time.Time
}

func (l *refreshLimiter) allow(id string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		l.last = map[string]time.Time{}
	}
	if t, ok := l.last[id]; ok && now.Sub(t) < refreshEvery {
		return false
	}
	if len(l.last) > 10000 {
		l.last = map[string]time.Time{}
	}
	l.last[id] = now
	return true
}

var errRefreshLimited = errors.New("the inbox's secret was read from Chatwoot less than 30 s ago")

// RefreshChatwootInboxLink reads the inbox's secret again from Chatwoot
// (the inbox list, an admin GET; never reset_secret, which would rotate
// it) after a signed callback did not verify: an admin rotated the secret
// in Chatwoot, or Chatwoot was upgraded to 4.13 and signs now. A new
// secret is stored and the link returned with it (intake.Refresher).
func (m *Managed) RefreshChatwootInboxLink(ctx context.Context, id string) (intake.Link, error) {
	var accountID string
	var chatwootID *int
	err := m.DB.R.QueryRowContext(ctx, `SELECT account_id, chatwoot_inbox_id FROM inboxes WHERE id = $1 AND managed AND state = 'active'`, id).
		Scan(&accountID, &chatwootID)
	if err != nil {
		return intake.Link{}, db.Translate(err)
	}
	if chatwootID == nil {
		return intake.Link{}, db.ErrNotFound
	}
	if !m.refresh.allow(id, time.Now()) {
		return intake.Link{}, errRefreshLimited
	}
	list, err := m.Chatwoot.LinkedInboxes(ctx, accountID)
	if err != nil {
		return intake.Link{}, err
	}
	for _, in := range list {
		if in.ID != *chatwootID {
			continue
		}
		if in.Secret == "" {
			return intake.Link{}, errors.New("Chatwoot shows no secret for the inbox")
		}
		enc, err := m.Keys.EncryptString(in.Secret, string(secret.AAD("inboxes", "secret", id)))
		if err != nil {
			return intake.Link{}, err
		}
		if _, err := m.DB.W.ExecContext(ctx, `UPDATE inboxes SET secret = $1 WHERE account_id = $2 AND id = $3`, enc, accountID, id); err != nil {
			return intake.Link{}, db.Translate(err)
		}
		return m.ChatwootInboxLink(ctx, id)
	}
	return intake.Link{}, errors.New("the inbox is no longer in Chatwoot")
}
