// Package inbox owns the mirror of each linked account's Chatwoot inboxes:
// listing, the sync job that pages through Chatwoot (coalesced, periodic,
// never deleting), and the record of each sync.
package inbox

import (
	"context"
	"database/sql"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// Inbox is a mirrored Chatwoot inbox.
type Inbox struct {
	ID                 string     `json:"id"`
	ChatwootInboxID    *int       `json:"chatwoot_inbox_id"`
	Name               string     `json:"name"`
	ChannelType        string     `json:"channel_type"`
	WebhookURL         string     `json:"webhook_url"`
	AvatarURL          string     `json:"avatar_url"`
	Managed            bool       `json:"managed"`
	State              string     `json:"state"`
	ProviderInstanceID *string    `json:"provider_instance_id"`
	FirstSeenAt        time.Time  `json:"first_seen_at"`
	LastSeenAt         time.Time  `json:"last_seen_at"`
	RemovedAt          *time.Time `json:"removed_at"`
}

// Filter narrows a list.
type Filter struct {
	ChannelType string
	Managed     *bool
	Removed     *bool
}

// List returns the account's inboxes by id (cursor), newest mirror last.
func List(ctx context.Context, q db.Querier, accountID string, f Filter, p httpx.PageParams) ([]*Inbox, error) {
	query := `SELECT ` + inboxCols + ` FROM inboxes i WHERE i.account_id = $1 AND i.id > $2
		AND ($3 = '' OR i.channel_type = $3)
		AND ($4 = -1 OR i.managed = ($4 = 1))
		AND ($5 = -1 OR (i.removed_at IS NOT NULL) = ($5 = 1))
		ORDER BY i.id LIMIT $6`
	rows, err := q.QueryContext(ctx, query, accountID, p.After, f.ChannelType, tri(f.Managed), tri(f.Removed), p.Limit+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Inbox
	for rows.Next() {
		in, err := scanInbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

const inboxCols = `i.id, i.chatwoot_inbox_id, i.name, i.channel_type, i.webhook_url, i.avatar_url, i.managed, i.state,
	(SELECT pi.id FROM provider_instances pi WHERE pi.account_id = i.account_id AND pi.inbox_id = i.id),
	i.first_seen_at, i.last_seen_at, i.removed_at`

func scanInbox(row interface{ Scan(...any) error }) (*Inbox, error) {
	in := &Inbox{}
	err := row.Scan(&in.ID, &in.ChatwootInboxID, &in.Name, &in.ChannelType, &in.WebhookURL, &in.AvatarURL, &in.Managed,
		&in.State, &in.ProviderInstanceID, &in.FirstSeenAt, &in.LastSeenAt, &in.RemovedAt)
	return in, err
}

func tri(b *bool) int {
	switch {
	case b == nil:
		return -1
	case *b:
		return 1
	}
	return 0
}

// Sync is the record of one sync run.
type Sync struct {
	ID         string     `json:"id"`
	Status     string     `json:"status"`
	Trigger    string     `json:"trigger"`
	Total      int        `json:"total"`
	Created    int        `json:"created"`
	Updated    int        `json:"updated"`
	Removed    int        `json:"removed"`
	Error      string     `json:"error"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

func getSync(ctx context.Context, q db.Querier, accountID, syncID string) (*Sync, error) {
	s := &Sync{}
	err := q.QueryRowContext(ctx, `SELECT id, status, trigger, total, created, updated, removed, error, created_at, started_at, finished_at
		FROM inbox_syncs WHERE account_id = $1 AND id = $2`, accountID, syncID).
		Scan(&s.ID, &s.Status, &s.Trigger, &s.Total, &s.Created, &s.Updated, &s.Removed, &s.Error, &s.CreatedAt, &s.StartedAt, &s.FinishedAt)
	if err != nil {
		return nil, db.Translate(err)
	}
	return s, nil
}

// pendingSync returns a queued or running sync of the account, if any.
func pendingSync(ctx context.Context, tx *sql.Tx, accountID string) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM inbox_syncs WHERE account_id = $1 AND status IN ('queued', 'running')
		ORDER BY created_at LIMIT 1`, accountID).Scan(&id)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return id, err
}
