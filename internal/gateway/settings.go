package gateway

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

// A number's gateway settings: how its group chats are handled and its
// outbound pacing. A pacing value left unset (null) is the hub's default
// from the environment, so changing the default moves every number that
// did not choose its own.

// Bounds of the pacing settings (those of the environment defaults).
const (
	maxSendGapMS     = 30000
	maxSendPerMinute = 6000
)

// PacingValues are pacing settings in the API's units.
type PacingValues struct {
	SendGapMS     int  `json:"send_gap_ms"`
	SendPerMinute int  `json:"send_per_minute"`
	SendTyping    bool `json:"send_typing"`
}

// NumberSettings are a number's gateway settings as the API shows them.
type NumberSettings struct {
	InstanceID string `json:"instance_id"`
	// Groups is "contact" (a group is one Chatwoot contact, each message
	// headed by the participant's name) or "ignore".
	Groups string `json:"groups"`
	// The number's own pacing; null: the hub's default.
	SendGapMS     *int  `json:"send_gap_ms"`
	SendPerMinute *int  `json:"send_per_minute"`
	SendTyping    *bool `json:"send_typing"`
	// Defaults are the hub's defaults, Effective what sends use now.
	Defaults  PacingValues `json:"defaults"`
	Effective PacingValues `json:"effective"`
	UpdatedAt *time.Time   `json:"updated_at"`
}

// SettingsInput replaces a number's settings: a field left out (or null)
// is its default.
type SettingsInput struct {
	Groups        *string `json:"groups"`
	SendGapMS     *int    `json:"send_gap_ms"`
	SendPerMinute *int    `json:"send_per_minute"`
	SendTyping    *bool   `json:"send_typing"`
}

func (in *SettingsInput) validate() error {
	var bad []httpx.FieldError
	if in.Groups != nil && *in.Groups != "contact" && *in.Groups != "ignore" {
		bad = append(bad, httpx.Field("groups", httpx.FieldInvalid, "must be contact or ignore", "allowed", []string{"contact", "ignore"}))
	}
	if in.SendGapMS != nil && (*in.SendGapMS < 0 || *in.SendGapMS > maxSendGapMS) {
		bad = append(bad, httpx.Field("send_gap_ms", httpx.FieldOutOfRange, "must be a whole number of milliseconds from 0 to 30000",
			"min", 0, "max", maxSendGapMS))
	}
	if in.SendPerMinute != nil && (*in.SendPerMinute < 0 || *in.SendPerMinute > maxSendPerMinute) {
		bad = append(bad, httpx.Field("send_per_minute", httpx.FieldOutOfRange, "must be a whole number from 0 (no limit) to 6000",
			"min", 0, "max", maxSendPerMinute))
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	return nil
}

// settingsOf reads a number's settings; a number that never saved any
// has the defaults.
func settingsOf(ctx context.Context, q db.Querier, accountID, instanceID string) (*NumberSettings, error) {
	st := &NumberSettings{InstanceID: instanceID, Groups: "contact"}
	var gap, rate sql.NullInt64
	var typing sql.NullBool
	var at time.Time
	err := q.QueryRowContext(ctx, `SELECT groups, send_gap_ms, send_per_minute, send_typing, updated_at FROM gateway_settings
		WHERE account_id = $1 AND instance_id = $2`, accountID, instanceID).Scan(&st.Groups, &gap, &rate, &typing, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	} else if err != nil {
		return nil, err
	}
	if gap.Valid {
		v := int(gap.Int64)
		st.SendGapMS = &v
	}
	if rate.Valid {
		v := int(rate.Int64)
		st.SendPerMinute = &v
	}
	if typing.Valid {
		st.SendTyping = &typing.Bool
	}
	at = at.UTC()
	st.UpdatedAt = &at
	return st, nil
}

// pacingFor is the pacing a number's sends use: its own values over the
// hub's defaults.
func (s *Service) pacingFor(st *NumberSettings) Pacing {
	p := s.Pacing
	if st.SendGapMS != nil {
		p.ChatGap = time.Duration(*st.SendGapMS) * time.Millisecond
	}
	if st.SendPerMinute != nil {
		p.PerMinute = *st.SendPerMinute
	}
	if st.SendTyping != nil {
		p.Typing = *st.SendTyping
	}
	return p
}

func values(p Pacing) PacingValues {
	return PacingValues{SendGapMS: int(p.ChatGap / time.Millisecond), SendPerMinute: p.PerMinute, SendTyping: p.Typing}
}

func (s *Service) shown(st *NumberSettings) *NumberSettings {
	st.Defaults, st.Effective = values(s.Pacing), values(s.pacingFor(st))
	return st
}

// GetNumberSettings answers a number's gateway settings.
func (s *Service) GetNumberSettings(w http.ResponseWriter, r *http.Request) error {
	ctx, accountID := r.Context(), iam.AccessFrom(r.Context()).AccountID
	num, err := s.Numbers.NumberByID(ctx, accountID, r.PathValue("numberID"))
	if err != nil {
		return err // not found: 404
	}
	st, err := settingsOf(ctx, s.DB.R, accountID, num.Instance.ID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, s.shown(st))
	return nil
}

// PutNumberSettings replaces a number's gateway settings, audited.
func (s *Service) PutNumberSettings(w http.ResponseWriter, r *http.Request) error {
	ctx, accountID := r.Context(), iam.AccessFrom(r.Context()).AccountID
	num, err := s.Numbers.NumberByID(ctx, accountID, r.PathValue("numberID"))
	if err != nil {
		return err
	}
	var in SettingsInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := in.validate(); err != nil {
		return err
	}
	groups := "contact"
	if in.Groups != nil {
		groups = *in.Groups
	}
	id := num.Instance.ID
	var after *NumberSettings
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := settingsOf(ctx, tx, accountID, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO gateway_settings (account_id, instance_id, groups, send_gap_ms, send_per_minute, send_typing, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (account_id, instance_id) DO UPDATE SET groups = excluded.groups, send_gap_ms = excluded.send_gap_ms,
				send_per_minute = excluded.send_per_minute, send_typing = excluded.send_typing, updated_at = excluded.updated_at`,
			accountID, id, groups, in.SendGapMS, in.SendPerMinute, in.SendTyping, s.now()); err != nil {
			return db.Translate(err)
		}
		if after, err = settingsOf(ctx, tx, accountID, id); err != nil {
			return err
		}
		e := s.IAM.Entry(r, accountID, "gateway_settings.updated", "provider_instance", id)
		e.Before, e.After = auditView(before), auditView(after)
		return s.IAM.Audit.Record(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, s.shown(after))
	return nil
}

func auditView(st *NumberSettings) map[string]any {
	return map[string]any{"groups": st.Groups, "send_gap_ms": st.SendGapMS, "send_per_minute": st.SendPerMinute, "send_typing": st.SendTyping}
}
