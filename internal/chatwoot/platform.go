package chatwoot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/idempotency"
	"github.com/whatpro/hub/internal/intake"
	"github.com/whatpro/hub/internal/outbound"
	"github.com/whatpro/hub/internal/version"
)

// PlatformConfig tells an embedding client where the hub's pages are and
// what the caller may do in the account.
func (s *Service) PlatformConfig(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	acc := iam.AccessFrom(ctx)
	origins := []string{}
	if l, err := linkByAccount(ctx, s.DB.R, acc.AccountID); err == nil {
		origins = append(append(origins, l.Origin), l.ExtraOrigins...)
	} else if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	q := "?account=" + acc.AccountID
	httpx.WriteJSON(w, http.StatusOK, map[string]any{
		"account_id": acc.AccountID,
		"embed_urls": map[string]string{
			"kanban":           s.hubURL("/embed/app/kanban" + q),
			"chat":             s.hubURL("/embed/app/internal_chat" + q),
			"admin":            s.hubURL("/embed/app/hub_admin" + q),
			"conversation_tab": s.ConversationTabURL(acc.AccountID),
			"dashboard_script": s.hubURL("/embed/dashboard-script.js"),
		},
		"allowed_origins": origins,
		"hub_origin":      s.HubOrigin(),
		"version":         version.Get().Version,
		"scopes":          acc.Permissions,
	})
	return nil
}

// PlatformEvents applies provisioning events from the operator's systems,
// signed with a secret of WHATPRO_PLATFORM_EVENTS_SECRET.
type PlatformEvents struct {
	Svc     *Service
	Secrets []string
	// Intake records each applied event in the event spine (webhook-events
	// of its account), in the transaction that applied it.
	Intake interface {
		PutTx(ctx context.Context, tx *sql.Tx, in intake.Incoming) (intake.Stored, error)
	}
}

type platformEvent struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// Handle verifies, deduplicates and applies one event synchronously. A
// signature counts once within its window, whatever X-WhatPro-Delivery
// says (the header is not signed); an event signed earlier than the last
// one applied to the same subject (an account, or an account's e-mail)
// changes nothing, so a replayed user.provisioned cannot undo a removal.
func (p *PlatformEvents) Handle(w http.ResponseWriter, r *http.Request) error {
	if !httpx.IsJSON(r) {
		return httpx.E(httpx.CodeUnsupportedMedia, "the body must be sent with Content-Type: application/json")
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return httpx.E(httpx.CodeTooLarge, "the body is too large")
	}
	if err := p.verify(r.Header, raw, p.Svc.now()); err != nil {
		return err
	}
	var ev platformEvent
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil || ev.Type == "" {
		return httpx.E(httpx.CodeBadRequest, "the body must be {\"type\", \"data\"}")
	}
	delivery := r.Header.Get("X-WhatPro-Delivery")
	if len(delivery) > 128 {
		return httpx.Invalid(httpx.FieldError{Field: "X-WhatPro-Delivery", Message: "must be at most 128 characters"})
	}
	signedAt, _ := strconv.ParseInt(r.Header.Get("X-WhatPro-Timestamp"), 10, 64)
	sum := sha256.Sum256([]byte(r.Header.Get("X-WhatPro-Timestamp") + "." + string(raw)))
	dedupe := "sig:" + hex.EncodeToString(sum[:])
	subject := subjectOf(ev)
	ctx := r.Context()
	var status int
	var out any
	err = p.Svc.IAM.WriteTx(ctx, func(tx *sql.Tx) error {
		fresh, err := idempotency.Claim(ctx, tx, "platform_event", dedupe, 30*24*time.Hour)
		if err != nil {
			return err
		}
		if !fresh {
			status, out = http.StatusOK, map[string]bool{"duplicate": true}
			return nil
		}
		if subject != "" {
			newer, err := advanceSubject(ctx, tx, subject, signedAt)
			if err != nil {
				return err
			}
			if !newer {
				status, out = http.StatusOK, map[string]any{"stale": true,
					"reason": "a later event for the same subject was applied already"}
				return nil
			}
		}
		if status, out, err = p.apply(r, tx, ev); err != nil {
			return err
		}
		return p.record(ctx, tx, ev, out, dedupe, delivery, raw)
	})
	var refused *confinedRefusal
	if errors.As(err, &refused) {
		// The event changed nothing; its refusal is recorded on its own.
		if aerr := p.Svc.IAM.WriteTx(ctx, func(tx *sql.Tx) error {
			return p.Svc.IAM.RecordConfinedRefusal(r, tx, refused.accountID, refused.userID, refused.email)
		}); aerr != nil {
			return aerr
		}
		return iam.ErrConfined
	}
	if err != nil {
		return err
	}
	p.Svc.linkChanged()
	httpx.WriteJSON(w, status, out)
	return nil
}

// subjectOf is what an event changes: an account (suspended,
// reactivated) or a person in an account (provisioned, removed).
func subjectOf(ev platformEvent) string {
	var d struct {
		AccountID string `json:"account_id"`
		Email     string `json:"email"`
	}
	if json.Unmarshal(ev.Data, &d) != nil || d.AccountID == "" {
		return ""
	}
	switch ev.Type {
	case "account.suspended", "account.reactivated":
		return "account:" + d.AccountID
	case "user.provisioned", "user.removed":
		return "member:" + d.AccountID + ":" + iam.NormalizeEmail(d.Email)
	}
	return ""
}

// advanceSubject records signedAt as the subject's latest event unless a
// later one was applied already (then it reports false). Equal times
// pass: the operator may send two events for one subject in a second.
func advanceSubject(ctx context.Context, tx *sql.Tx, subject string, signedAt int64) (bool, error) {
	var last int64
	err := tx.QueryRowContext(ctx, `SELECT last_at FROM platform_event_subjects WHERE subject = $1`, subject).Scan(&last)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return false, err
	case signedAt < last:
		return false, nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO platform_event_subjects (subject, last_at) VALUES ($1, $2)
		ON CONFLICT (subject) DO UPDATE SET last_at = excluded.last_at`, subject, signedAt)
	return err == nil, err
}

// record stores the applied event in its account's event history.
func (p *PlatformEvents) record(ctx context.Context, tx *sql.Tx, ev platformEvent, out any, dedupe, delivery string, raw []byte) error {
	if p.Intake == nil {
		return nil
	}
	accountID, _ := out.(map[string]any)["account_id"].(string)
	if accountID == "" {
		return nil
	}
	_, err := p.Intake.PutTx(ctx, tx, intake.Incoming{AccountID: accountID, Source: intake.SourcePlatform, SourceID: "platform",
		Event: ev.Type, DedupeKey: dedupe, DeliveryID: delivery, Payload: raw, Applied: true})
	return err
}

// confinedRefusal carries a refused provisioning out of the transaction
// that rolls back, to be audited after it.
type confinedRefusal struct{ accountID, userID, email string }

func (c *confinedRefusal) Error() string { return "provisioning refused: " + iam.ErrConfined.Message }

// verify checks X-WhatPro-Signature over "{timestamp}.{body}" against every
// configured secret (so secrets rotate) and a 5-minute timestamp window.
func (p *PlatformEvents) verify(h http.Header, body []byte, now time.Time) error {
	unauth := httpx.E(httpx.CodeUnauthorized, "the event signature is missing, wrong or stale")
	if len(p.Secrets) == 0 {
		return httpx.E(httpx.CodeUnauthorized, "platform events are not configured (WHATPRO_PLATFORM_EVENTS_SECRET)")
	}
	ts, sig := h.Get("X-WhatPro-Timestamp"), h.Get("X-WhatPro-Signature")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || !strings.HasPrefix(sig, "sha256=") {
		return unauth
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return unauth
	}
	got, err := hex.DecodeString(strings.TrimPrefix(sig, "sha256="))
	if err != nil {
		return unauth
	}
	for _, s := range p.Secrets {
		m := hmac.New(sha256.New, []byte(s))
		m.Write([]byte(ts + "."))
		m.Write(body)
		if hmac.Equal(m.Sum(nil), got) {
			return nil
		}
	}
	return unauth
}

func decodeData(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return httpx.E(httpx.CodeBadRequest, "data does not match the event type: "+clientSafe(err))
	}
	return nil
}

func (p *PlatformEvents) apply(r *http.Request, tx *sql.Tx, ev platformEvent) (int, any, error) {
	ctx, s := r.Context(), p.Svc
	entry := func(accountID, action, resID string, after any) error {
		e := s.IAM.Entry(r, accountID, action, "account", resID)
		e.ActorType, e.ActorID, e.After = "platform", "platform", after
		return s.IAM.Audit.Record(ctx, tx, e)
	}
	switch ev.Type {
	case "account.provisioned":
		var d struct {
			Name              string `json:"name"`
			BaseURL           string `json:"chatwoot_base_url"`
			ChatwootAccountID int    `json:"chatwoot_account_id"`
			Token             string `json:"chatwoot_api_access_token"`
		}
		if err := decodeData(ev.Data, &d); err != nil {
			return 0, nil, err
		}
		base, err := outbound.ValidateBaseURL(d.BaseURL)
		if err != nil || strings.TrimSpace(d.Name) == "" || d.ChatwootAccountID <= 0 || d.Token == "" {
			return 0, nil, httpx.Invalid(httpx.FieldError{Field: "data", Message: "name, chatwoot_base_url, chatwoot_account_id and chatwoot_api_access_token are required"})
		}
		baseURL := strings.TrimSuffix(base.String(), "/")
		origin, _ := Origin(baseURL)
		if l, err := linkByInstallation(ctx, tx, origin, d.ChatwootAccountID); err == nil {
			return http.StatusOK, map[string]any{"account_id": l.AccountID, "existing": true}, nil
		}
		if _, err := s.Client.Inboxes(ctx, baseURL, d.ChatwootAccountID, tokenHeader(d.Token)); err != nil {
			return 0, nil, upstream(err)
		}
		version, _ := s.Client.Version(ctx, baseURL)
		a, err := s.IAM.CreateAccountTx(ctx, tx, strings.TrimSpace(d.Name))
		if err != nil {
			return 0, nil, err
		}
		now := s.now()
		l := &Link{ID: db.NewID(), AccountID: a.ID, Origin: origin, BaseURL: baseURL, ChatwootAccountID: d.ChatwootAccountID,
			ExtraOrigins: []string{}, Status: "ok", ChatwootVersion: version, LastCheckedAt: &now, CreatedAt: now, UpdatedAt: now}
		if l.apiToken, err = s.encrypt(l, "api_token", d.Token); err != nil {
			return 0, nil, err
		}
		if err := saveLink(ctx, tx, l); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, map[string]any{"account_id": a.ID}, entry(a.ID, "account.provisioned", a.ID,
			map[string]any{"name": a.Name, "chatwoot_base_url": baseURL, "chatwoot_account_id": d.ChatwootAccountID})
	case "account.suspended", "account.reactivated":
		var d struct {
			AccountID string `json:"account_id"`
		}
		if err := decodeData(ev.Data, &d); err != nil {
			return 0, nil, err
		}
		status, action := "suspended", "account.suspended"
		if ev.Type == "account.reactivated" {
			status, action = "active", "account.reactivated"
		}
		if err := s.IAM.SetAccountStatus(ctx, tx, d.AccountID, status); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, map[string]any{"account_id": d.AccountID, "status": status}, entry(d.AccountID, action, d.AccountID, nil)
	case "user.provisioned":
		var d struct {
			AccountID string `json:"account_id"`
			Email     string `json:"email"`
			Name      string `json:"name"`
			Role      string `json:"role"`
		}
		if err := decodeData(ev.Data, &d); err != nil {
			return 0, nil, err
		}
		if strings.TrimSpace(d.Name) == "" || !strings.Contains(d.Email, "@") || !iam.ValidRole(d.Role) {
			return 0, nil, httpx.Invalid(httpx.FieldError{Field: "data", Message: "account_id, email, name and a role (admin, supervisor, agent) are required"})
		}
		if _, err := s.IAM.GetAccountTx(ctx, tx, d.AccountID); err != nil {
			return 0, nil, err
		}
		uid, link, err := s.IAM.ProvisionUser(ctx, tx, d.AccountID, d.Email, strings.TrimSpace(d.Name), d.Role)
		if errors.Is(err, iam.ErrConfined) {
			return 0, nil, &confinedRefusal{accountID: d.AccountID, userID: uid, email: iam.NormalizeEmail(d.Email)}
		} else if err != nil {
			return 0, nil, err
		}
		out := map[string]any{"account_id": d.AccountID, "user_id": uid}
		if link != "" {
			out["activation_url"] = link // no mail configured: the operator hands it over
		}
		return http.StatusOK, out, entry(d.AccountID, "user.provisioned", uid, map[string]string{"role": d.Role})
	case "user.removed":
		var d struct {
			AccountID string `json:"account_id"`
			Email     string `json:"email"`
		}
		if err := decodeData(ev.Data, &d); err != nil {
			return 0, nil, err
		}
		uid, err := s.IAM.RemoveUserByEmail(r, tx, d.AccountID, d.Email)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, map[string]any{"account_id": d.AccountID, "user_id": uid}, entry(d.AccountID, "user.removed", uid, nil)
	}
	return 0, nil, httpx.Invalid(httpx.FieldError{Field: "type", Message: "unknown event type " + truncate(ev.Type, 40)})
}
