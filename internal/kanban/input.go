package kanban

import (
	"bytes"
	"encoding/json"
)

// opt is a JSON field that may be absent, null or a value, so a PATCH can
// tell "leave it" from "clear it".
type opt[T any] struct {
	Set   bool
	Null  bool
	Value T
}

func (o *opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// cardInput is the body of card create and update.
type cardInput struct {
	StageID        opt[string]         `json:"stage_id"`
	Title          opt[string]         `json:"title"`
	ValueCents     opt[int64]          `json:"value_cents"`
	Currency       opt[string]         `json:"currency"`
	Priority       opt[string]         `json:"priority"`
	DueAt          opt[string]         `json:"due_at"`
	Labels         opt[[]string]       `json:"labels"`
	AssigneeIDs    opt[[]string]       `json:"assignee_ids"`
	ContactID      opt[int]            `json:"contact_id"`
	ConversationID opt[int]            `json:"conversation_id"`
	CustomFields   opt[map[string]any] `json:"custom_fields"`
	Version        opt[int64]          `json:"version"`
	BeforeID       opt[string]         `json:"before_id"`
	AfterID        opt[string]         `json:"after_id"`
}

// moveInput is the body of a move.
type moveInput struct {
	StageID  string `json:"stage_id"`
	BeforeID string `json:"before_id"`
	AfterID  string `json:"after_id"`
	Version  *int64 `json:"version"`
	Reason   string `json:"reason"`
}

// closeInput is the body of won and lost.
type closeInput struct {
	Version *int64 `json:"version"`
	Reason  string `json:"reason"`
	StageID string `json:"stage_id"`
}

// bulkMoveInput is the body of a bulk move.
type bulkMoveInput struct {
	CardIDs []string `json:"card_ids"`
	StageID string   `json:"stage_id"`
	Reason  string   `json:"reason"`
}
