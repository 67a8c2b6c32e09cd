// Package chat owns the internal team chat: rooms (public, private, group
// DMs and 1:1 DMs) and their members with read positions, unread and
// mention counts kept in the send transaction, mute and hide; messages in
// light markdown with mentions, replies, edits with history, tombstones,
// reactions, pins, attachments (data dir or an S3-compatible bucket) and
// references to Chatwoot conversations; search; the per-account retention
// job; presence; the HTTP API under …/chat and the realtime topic "chat",
// which carries the events of every room the viewer belongs to.
package chat

import (
	"context"
	"log/slog"
	"time"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/plan"
	"github.com/whatpro/hub/internal/realtime"
)

// Room types.
const (
	TypePublic  = "public"
	TypePrivate = "private"
	TypeGroupDM = "group_dm"
	TypeDM      = "dm"
)

// Member roles.
const (
	RoleOwner  = "owner"
	RoleMember = "member"
)

// Message kinds.
const (
	KindText   = "text"
	KindSystem = "system"
)

// Limits of the chat itself (the plan's limits are in internal/plan).
const (
	maxContent     = 10_000 // runes in a message
	maxName        = 80
	maxTopic       = 250
	maxGroupDM     = 9 // people in a group DM, the creator included
	maxRoomMembers = 1000
	maxPins        = 50 // pinned messages per room
	maxReactions   = 20 // distinct emoji on one message
	maxAttachments = 10 // per message
	maxMentionIDs  = 100
	maxEchoID      = 64
)

// Room is a room as one viewer sees it: member fields (counts, mute,
// hidden, role) are the viewer's. Events carry the shared fields only.
type Room struct {
	ID            string     `json:"id"`
	Type          string     `json:"type"`
	Name          string     `json:"name"`
	Topic         string     `json:"topic"`
	MemberIDs     []string   `json:"member_ids"`
	CreatedBy     string     `json:"created_by"`
	LastSeq       int64      `json:"last_seq"`
	LastMessageAt *time.Time `json:"last_message_at"`
	ArchivedAt    *time.Time `json:"archived_at"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`

	Member       bool       `json:"member"`
	Role         string     `json:"role,omitempty"`
	UnreadCount  int        `json:"unread_count"`
	MentionCount int        `json:"mention_count"`
	LastReadSeq  int64      `json:"last_read_seq"`
	Muted        bool       `json:"muted"`
	MutedUntil   *time.Time `json:"muted_until"`
	Hidden       bool       `json:"hidden"`
	LastMessage  *Message   `json:"last_message,omitempty"`
}

// shared strips the viewer's fields for an event every member receives.
func (r *Room) shared() map[string]any {
	return map[string]any{"id": r.ID, "type": r.Type, "name": r.Name, "topic": r.Topic, "member_ids": r.MemberIDs,
		"created_by": r.CreatedBy, "last_seq": r.LastSeq, "last_message_at": r.LastMessageAt, "archived_at": r.ArchivedAt,
		"created_at": r.CreatedAt, "updated_at": r.UpdatedAt}
}

// member is one row of chat_members.
type member struct {
	RoomID       string
	UserID       string
	Role         string
	LastReadSeq  int64
	UnreadCount  int
	MentionCount int
	Muted        bool
	MutedUntil   *time.Time
	Hidden       bool
	JoinedAt     time.Time
}

// mutedAt reports whether the mute holds at now.
func (m *member) mutedAt(now time.Time) bool {
	return m.Muted && (m.MutedUntil == nil || m.MutedUntil.After(now))
}

// Message is a message; deleted ones keep their place with no content.
type Message struct {
	ID           string         `json:"id"`
	RoomID       string         `json:"room_id"`
	Seq          int64          `json:"seq"`
	Kind         string         `json:"kind"`
	AuthorID     string         `json:"author_id"`
	Content      string         `json:"content"`
	EchoID       *string        `json:"echo_id"`
	ReplyToID    *string        `json:"reply_to_id"`
	ReplyTo      *ReplyPreview  `json:"reply_to,omitempty"`
	Mentions     []string       `json:"mentions"`
	MentionsRoom bool           `json:"mentions_room"`
	Reactions    []Reaction     `json:"reactions"`
	Attachments  []*Attachment  `json:"attachments"`
	Conversation *ConvRef       `json:"conversation"`
	System       map[string]any `json:"system,omitempty"`
	PinnedAt     *time.Time     `json:"pinned_at"`
	PinnedBy     *string        `json:"pinned_by"`
	EditedAt     *time.Time     `json:"edited_at"`
	DeletedAt    *time.Time     `json:"deleted_at"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`

	conversationID *int
}

// ConvRef says that a message references a Chatwoot conversation; what
// it is comes only from …/conversation, to those allowed to see it.
type ConvRef struct {
	Referenced bool   `json:"referenced"`
	CardURL    string `json:"card_url"`
}

// ReplyPreview is a short view of the message replied to.
type ReplyPreview struct {
	ID       string `json:"id"`
	AuthorID string `json:"author_id"`
	Excerpt  string `json:"excerpt"`
	Deleted  bool   `json:"deleted"`
}

// Reaction is one emoji on a message with who put it there.
type Reaction struct {
	Emoji   string   `json:"emoji"`
	Count   int      `json:"count"`
	UserIDs []string `json:"user_ids"`
}

// Attachment is a file on a message.
type Attachment struct {
	ID          string    `json:"id"`
	RoomID      string    `json:"room_id"`
	MessageID   *string   `json:"message_id"`
	UploaderID  string    `json:"uploader_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Image       bool      `json:"image"`
	URL         string    `json:"url"`
	CreatedAt   time.Time `json:"created_at"`

	storage, key string
}

// Chatwoot is what the chat asks of the linked Chatwoot; *chatwoot.Service
// implements it.
type Chatwoot interface {
	Conversation(ctx context.Context, accountID string, displayID int) (*chatwoot.Conversation, error)
	InInbox(ctx context.Context, accountID, userID string, inboxID int) (bool, error)
}

// Config tunes the chat.
type Config struct {
	MaxAttachmentBytes int64         // one file (25 MiB)
	LooseUploadTTL     time.Duration // an upload never sent is swept after it (24 h)
	PresenceTTL        time.Duration // presence lapses this long after the last heartbeat (75 s)
	CardCacheTTL       time.Duration // conversation cards are cached this long (30 s)
	TempDir            string        // where uploads are spooled ("" = the system's)
}

func (c *Config) defaults() {
	if c.MaxAttachmentBytes <= 0 {
		c.MaxAttachmentBytes = 25 << 20
	}
	if c.LooseUploadTTL <= 0 {
		c.LooseUploadTTL = 24 * time.Hour
	}
	if c.PresenceTTL <= 0 {
		c.PresenceTTL = 75 * time.Second
	}
	if c.CardCacheTTL <= 0 {
		c.CardCacheTTL = 30 * time.Second
	}
}

// Service serves the chat.
type Service struct {
	DB       *db.DB
	Events   *realtime.Log
	Hub      *realtime.Hub
	Plans    *plan.Catalog
	IAM      *iam.Service
	Chatwoot Chatwoot
	Blobs    Blobs
	Cfg      Config
	Log      *slog.Logger
	Now      func() time.Time

	cards cardCache
}

// New fills in the defaults.
func New(s *Service) *Service {
	s.Cfg.defaults()
	return s
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return db.Now()
	}
	return s.Now().UTC().Truncate(time.Microsecond)
}
