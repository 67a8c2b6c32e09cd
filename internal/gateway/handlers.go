package gateway

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

// Members tells whether a user belongs to a Chatwoot inbox (recorded at
// SSO): agents see a conversation's bridge log only for their inboxes.
type Members interface {
	InInbox(ctx context.Context, accountID, userID string, inboxID int) (bool, error)
}

// DeadLetter is a dead work item as admins see it.
type DeadLetter struct {
	ID         string          `json:"id"`
	InstanceID string          `json:"instance_id"`
	Lane       string          `json:"lane"`
	Kind       string          `json:"kind"`
	Attempts   int             `json:"attempts"`
	LastError  string          `json:"last_error"`
	Payload    json.RawMessage `json:"payload"`
	CreatedAt  time.Time       `json:"created_at"`
	DiedAt     time.Time       `json:"died_at"`
}

// ListDeadLetters lists the account's dead work, newest id last, with
// the error and the payload; ?instance_id= narrows it to one number.
func (s *Service) ListDeadLetters(w http.ResponseWriter, r *http.Request) error {
	pp, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	accountID := iam.AccessFrom(r.Context()).AccountID
	inst := r.URL.Query().Get("instance_id")
	rows, err := s.DB.R.QueryContext(r.Context(), `SELECT `+workCols+` FROM gateway_work WHERE account_id = $1 AND status = 'dead'
		AND ($2 = '' OR instance_id = $2) AND id > $3 ORDER BY id LIMIT $4`, accountID, inst, pp.After, pp.Limit+1)
	list, err := db.Collect(rows, err, scanWork)
	if err != nil {
		return err
	}
	out := make([]DeadLetter, 0, len(list))
	for _, it := range list {
		out = append(out, DeadLetter{ID: it.ID, InstanceID: it.InstanceID, Lane: it.Lane, Kind: it.Kind, Attempts: it.Attempts,
			LastError: it.LastError, Payload: json.RawMessage(it.Payload), CreatedAt: it.CreatedAt, DiedAt: it.UpdatedAt})
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewPage(out, pp, func(d DeadLetter) string { return d.ID }))
	return nil
}

// ReplayDeadLetter puts one dead item back at its lane (in its original
// place in the order) with fresh attempts.
func (s *Service) ReplayDeadLetter(w http.ResponseWriter, r *http.Request) error {
	accountID := iam.AccessFrom(r.Context()).AccountID
	n, err := s.replay(r.Context(), accountID, r.PathValue("workID"), "")
	if err != nil {
		return err
	}
	if n == 0 {
		return httpx.NotFound()
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]int{"replayed": n})
	return nil
}

// ReplayDeadLetters replays every dead item of the account, or of one
// number ({"instance_id": …}).
func (s *Service) ReplayDeadLetters(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		InstanceID string `json:"instance_id"`
	}
	if r.ContentLength != 0 {
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return err
		}
	}
	n, err := s.replay(r.Context(), iam.AccessFrom(r.Context()).AccountID, "", in.InstanceID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]int{"replayed": n})
	return nil
}

func (s *Service) replay(ctx context.Context, accountID, workID, instanceID string) (int, error) {
	n := 0
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+workCols+` FROM gateway_work WHERE account_id = $1 AND status = 'dead'
			AND ($2 = '' OR id = $2) AND ($3 = '' OR instance_id = $3) ORDER BY seq LIMIT 1000`, accountID, workID, instanceID)
		list, err := db.Collect(rows, err, scanWork)
		if err != nil {
			return err
		}
		now := s.now()
		armed := map[string]bool{}
		for _, it := range list {
			if _, err := tx.ExecContext(ctx, `UPDATE gateway_work SET status = 'queued', attempts = 0, next_at = $1, updated_at = $1
				WHERE account_id = $2 AND id = $3`, now, accountID, it.ID); err != nil {
				return err
			}
			n++
			if !armed[it.Lane] {
				armed[it.Lane] = true
				if _, err := s.Jobs.InsertTx(ctx, tx, LaneArgs{AccountID: accountID, Lane: it.Lane}, nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return n, err
}

// NumberStats are one number's counters.
type NumberStats struct {
	InstanceID  string `json:"instance_id"`
	InToday     int    `json:"messages_in_today"`
	OutToday    int    `json:"messages_out_today"`
	InMonth     int    `json:"messages_in_month"`
	OutMonth    int    `json:"messages_out_month"`
	Failed      int    `json:"failed_month"`
	DeadLetters int    `json:"dead_letters"`
	Queued      int    `json:"queued"`
	LastError   string `json:"last_error"`
}

// Numbers lists per-number counters of the account (UTC days and months).
func (s *Service) NumberStats(w http.ResponseWriter, r *http.Request) error {
	ctx, accountID := r.Context(), iam.AccessFrom(r.Context()).AccountID
	now := s.now()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	stats := map[string]*NumberStats{}
	get := func(id string) *NumberStats {
		if stats[id] == nil {
			stats[id] = &NumberStats{InstanceID: id}
		}
		return stats[id]
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT instance_id, direction, status, created_at >= $2 FROM gateway_messages
		WHERE account_id = $1 AND created_at >= $3 AND status <> 'creating'`, accountID, day, month)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, dir, st string
		var today bool
		if err := rows.Scan(&id, &dir, &st, &today); err != nil {
			rows.Close()
			return err
		}
		n := get(id)
		switch {
		case st == "failed":
			n.Failed++
		case dir == "in":
			n.InMonth++
			if today {
				n.InToday++
			}
		default:
			n.OutMonth++
			if today {
				n.OutToday++
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	wrows, err := s.DB.R.QueryContext(ctx, `SELECT instance_id, status, last_error FROM gateway_work
		WHERE account_id = $1 AND status IN ('dead', 'queued') ORDER BY updated_at`, accountID)
	if err != nil {
		return err
	}
	defer wrows.Close()
	for wrows.Next() {
		var id, st, e string
		if err := wrows.Scan(&id, &st, &e); err != nil {
			return err
		}
		n := get(id)
		if st == "dead" {
			n.DeadLetters++
		} else {
			n.Queued++
		}
		if e != "" {
			n.LastError = e
		}
	}
	if err := wrows.Err(); err != nil {
		return err
	}
	out := make([]*NumberStats, 0, len(stats))
	for _, n := range stats {
		out = append(out, n)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out})
	return nil
}

// LogEntry is one WhatsApp message of a conversation's bridge log.
type LogEntry struct {
	Direction  string    `json:"direction"`
	ProviderID *string   `json:"provider_message_id"`
	ChatwootID *int      `json:"chatwoot_message_id"`
	Part       int       `json:"part"`
	Parts      int       `json:"parts"`
	Kind       string    `json:"kind"`
	Status     string    `json:"status"`
	Attempts   int       `json:"attempts"`
	LastError  string    `json:"last_error"`
	InstanceID string    `json:"instance_id"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// ConversationLog is the bridge log of a Chatwoot conversation, for
// support in the conversation tab: each message with its ids on both
// sides, status and attempts. Agents see it for their own inboxes only.
func (s *Service) ConversationLog(w http.ResponseWriter, r *http.Request) error {
	ctx, acc := r.Context(), iam.AccessFrom(r.Context())
	conv, err := strconv.Atoi(r.PathValue("conversationID"))
	if err != nil || conv <= 0 {
		return httpx.NotFound()
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+mappedCols+` FROM gateway_messages WHERE account_id = $1
		AND cw_conversation_id = $2 ORDER BY created_at, part LIMIT 500`, acc.AccountID, conv)
	list, err := db.Collect(rows, err, scanMapped)
	if err != nil {
		return err
	}
	if len(list) > 0 && acc.Role != iam.RoleAdmin {
		ok, err := s.seesInstance(ctx, acc.AccountID, iam.PrincipalFrom(ctx).UserID, list[0].InstanceID)
		if err != nil {
			return err
		}
		if !ok {
			return httpx.NotFound()
		}
	}
	out := make([]LogEntry, 0, len(list))
	for _, m := range list {
		out = append(out, LogEntry{Direction: m.Direction, ProviderID: m.ProviderID, ChatwootID: m.CWMessageID, Part: m.Part,
			Parts: m.Parts, Kind: m.Kind, Status: m.Status, Attempts: m.Attempts, LastError: m.LastError, InstanceID: m.InstanceID,
			CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"conversation_id": conv, "data": out})
	return nil
}

func (s *Service) seesInstance(ctx context.Context, accountID, userID, instanceID string) (bool, error) {
	if s.Members == nil {
		return false, nil
	}
	num, err := s.Numbers.NumberByID(ctx, accountID, instanceID)
	if errors.Is(err, db.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return s.Members.InInbox(ctx, accountID, userID, num.ChatwootInboxID)
}
