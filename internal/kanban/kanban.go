// Package kanban owns the deal Kanban: boards with entry rules,
// visibility and typed custom fields; stages (open, won, lost); cards,
// which are deals tied to a Chatwoot contact with an optional linked
// conversation, placed by fractional positions and guarded by versions;
// the append-only card history and notes; the HTTP API with filters,
// per-column totals and CSV export; the consumers of Chatwoot events and
// the reconciliation that keep cards in step with Chatwoot; and the
// realtime topics "board:<id>" and "boards".
package kanban

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/plan"
	"github.com/whatpro/hub/internal/realtime"
)

// Stage kinds.
const (
	KindOpen = "open"
	KindWon  = "won"
	KindLost = "lost"
)

// Priorities in rising order.
var priorities = []string{"none", "low", "medium", "high", "urgent"}

// Board is a pipeline.
type Board struct {
	ID             string        `json:"id"`
	Name           string        `json:"name"`
	Description    string        `json:"description"`
	IsDefault      bool          `json:"is_default"`
	Currency       string        `json:"currency"`
	Visibility     string        `json:"visibility"` // all | selected
	VisibleUserIDs []string      `json:"visible_user_ids"`
	VisibleTeamIDs []int         `json:"visible_team_ids"` // Chatwoot teams whose members see a "selected" board
	EntryRule      EntryRule     `json:"entry_rule"`
	StageAttribute string        `json:"stage_attribute"`
	CustomFields   []CustomField `json:"custom_fields"`
	Version        int64         `json:"version"`
	Stages         []*Stage      `json:"stages,omitempty"`
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
	// Seq is the account's event sequence read before the board, for the
	// client's subscribe (last_seq): nothing after it is missed.
	Seq *int64 `json:"seq,omitempty"`
}

// EntryRule says which inboxes' new conversations create cards.
type EntryRule struct {
	AllInboxes bool  `json:"all_inboxes"`
	InboxIDs   []int `json:"inbox_ids"`
}

// Matches reports whether a conversation of inbox enters the board.
func (r EntryRule) Matches(inbox int) bool {
	if r.AllInboxes {
		return true
	}
	for _, id := range r.InboxIDs {
		if id == inbox {
			return true
		}
	}
	return false
}

// CustomField is one typed field of a board's cards.
type CustomField struct {
	Key     string   `json:"key"`
	Label   string   `json:"label"`
	Type    string   `json:"type"` // text | number | date | boolean | select
	Options []string `json:"options,omitempty"`
}

// Stage is a column.
type Stage struct {
	ID              string   `json:"id"`
	BoardID         string   `json:"board_id"`
	Name            string   `json:"name"`
	Color           string   `json:"color"`
	Position        float64  `json:"position"`
	Kind            string   `json:"kind"`
	StaleAfterHours *int     `json:"stale_after_hours"`
	WinProbability  int      `json:"win_probability"`
	WIPLimit        *int     `json:"wip_limit"`
	RequiredFields  []string `json:"required_fields"`
}

// Contact is the snapshot of the Chatwoot contact a card is tied to.
type Contact struct {
	ID    int    `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// Card is a deal.
type Card struct {
	ID                 string         `json:"id"`
	BoardID            string         `json:"board_id"`
	StageID            string         `json:"stage_id"`
	Status             string         `json:"status"`
	Title              string         `json:"title"`
	ValueCents         int64          `json:"value_cents"`
	Currency           string         `json:"currency"`
	Priority           string         `json:"priority"`
	DueAt              *time.Time     `json:"due_at"`
	Labels             []string       `json:"labels"`
	AssigneeIDs        []string       `json:"assignee_ids"`
	Contact            *Contact       `json:"contact"`
	ConversationID     *int           `json:"conversation_id"`
	InboxID            *int           `json:"inbox_id"`
	ConversationStatus string         `json:"conversation_status"`
	CustomFields       map[string]any `json:"custom_fields"`
	Position           float64        `json:"position"`
	Version            int64          `json:"version"`
	StageEnteredAt     time.Time      `json:"stage_entered_at"`
	ClosedReason       string         `json:"closed_reason"`
	ClosedAt           *time.Time     `json:"closed_at"`
	LastActivityAt     *time.Time     `json:"last_activity_at"`
	LastMessagePreview string         `json:"last_message_preview"`
	Origin             string         `json:"origin"`
	CreatedBy          string         `json:"created_by"`
	CreatedAt          time.Time      `json:"created_at"`
	UpdatedAt          time.Time      `json:"updated_at"`
	// Stale is set in lists: the card sat in its stage longer than the
	// stage's stale_after_hours.
	Stale  bool    `json:"stale"`
	synced float64 // conversation_synced_at: Chatwoot's updated_at of the last status applied
}

// Note is a note on a card.
type Note struct {
	ID        string    `json:"id"`
	CardID    string    `json:"card_id"`
	AuthorID  string    `json:"author_id"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// History is one entry of a card's append-only history.
type History struct {
	ID        string          `json:"id"`
	CardID    string          `json:"card_id"`
	Action    string          `json:"action"`
	ActorType string          `json:"actor_type"`
	ActorID   string          `json:"actor_id"`
	Data      json.RawMessage `json:"data"`
	CreatedAt time.Time       `json:"created_at"`
}

// Chatwoot is what the Kanban asks of the linked Chatwoot account;
// *chatwoot.Service implements it.
type Chatwoot interface {
	Conversation(ctx context.Context, accountID string, displayID int) (*chatwoot.Conversation, error)
	Conversations(ctx context.Context, accountID string, page int) ([]chatwoot.Conversation, error)
	Contact(ctx context.Context, accountID string, contactID int) (*chatwoot.Contact, error)
	SendMessage(ctx context.Context, accountID string, displayID int, content string) (*chatwoot.Message, error)
	SetConversationAttribute(ctx context.Context, accountID string, displayID int, key, value string) error
}

// Enqueuer inserts a job inside the caller's transaction.
type Enqueuer interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Service serves the Kanban.
type Service struct {
	DB       *db.DB
	Events   *realtime.Log
	Plans    *plan.Catalog
	IAM      *iam.Service
	Chatwoot Chatwoot
	Jobs     Enqueuer
	Log      *slog.Logger
	Now      func() time.Time

	answers answerCache
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return db.Now()
	}
	return s.Now().UTC().Truncate(time.Microsecond)
}
