package chatwoot

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/outbound"
)

// LinkView is what admins see of a link: never a token or secret.
type LinkView struct {
	Linked                bool       `json:"linked"`
	ID                    string     `json:"id,omitempty"`
	BaseURL               string     `json:"base_url,omitempty"`
	ChatwootAccountID     int        `json:"chatwoot_account_id,omitempty"`
	AllowedOrigins        []string   `json:"allowed_origins"`
	Status                string     `json:"status,omitempty"`
	LastError             string     `json:"last_error,omitempty"`
	ChatwootVersion       string     `json:"chatwoot_version,omitempty"`
	WebhookURL            string     `json:"webhook_url,omitempty"`
	WebhookSecretSet      bool       `json:"webhook_secret_set"`
	URLTokenEnabled       bool       `json:"url_token_enabled"`
	WebhookInstalled      bool       `json:"webhook_installed"`
	DashboardAppInstalled bool       `json:"dashboard_app_installed"`
	DashboardScriptURL    string     `json:"dashboard_script_url"`
	LastCheckedAt         *time.Time `json:"last_checked_at,omitempty"`
	// MembersSyncedAt is when team and inbox memberships were last read
	// in full from Chatwoot; MembersSyncError why the last read failed.
	MembersSyncedAt  *time.Time `json:"members_synced_at,omitempty"`
	MembersSyncError string     `json:"members_sync_error,omitempty"`
}

func (s *Service) view(l *Link) LinkView {
	v := LinkView{AllowedOrigins: []string{}, DashboardScriptURL: s.hubURL("/embed/dashboard-script.js")}
	if l == nil {
		return v
	}
	v.Linked, v.ID, v.BaseURL, v.ChatwootAccountID = true, l.ID, l.BaseURL, l.ChatwootAccountID
	v.AllowedOrigins = append([]string{l.Origin}, l.ExtraOrigins...)
	v.Status, v.LastError, v.ChatwootVersion, v.LastCheckedAt = l.Status, l.LastError, l.ChatwootVersion, l.LastCheckedAt
	v.MembersSyncedAt, v.MembersSyncError = l.MembersSyncedAt, l.MembersSyncError
	v.WebhookURL = s.hubURL("/webhooks/chatwoot/" + l.ID)
	v.WebhookSecretSet, v.URLTokenEnabled = l.webhookSecret != "", l.URLTokenEnabled
	v.WebhookInstalled, v.DashboardAppInstalled = l.WebhookID != nil, l.DashboardAppID != nil
	return v
}

type putLinkReq struct {
	BaseURL           string   `json:"base_url"`
	ChatwootAccountID int      `json:"chatwoot_account_id"`
	APIAccessToken    string   `json:"api_access_token"`
	ExtraOrigins      []string `json:"extra_origins"`
}

// PutLink links the account to a Chatwoot account after proving that the
// token works for it; the token is stored encrypted.
func (s *Service) PutLink(w http.ResponseWriter, r *http.Request) error {
	var in putLinkReq
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	var bad []httpx.FieldError
	base, err := outbound.ValidateBaseURL(in.BaseURL)
	if err != nil {
		bad = append(bad, httpx.FieldError{Field: "base_url", Code: httpx.FieldBadURL, Message: err.Error()})
	}
	if in.ChatwootAccountID <= 0 {
		bad = append(bad, httpx.FieldError{Field: "chatwoot_account_id", Code: httpx.FieldOutOfRange, Message: "must be a positive Chatwoot account id"})
	}
	if t := strings.TrimSpace(in.APIAccessToken); t == "" || len(t) > 200 {
		bad = append(bad, httpx.FieldError{Field: "api_access_token", Code: httpx.FieldRequired, Message: "is required (a Chatwoot administrator's access token)"})
	}
	extra, extraErr := cleanOrigins(in.ExtraOrigins, s.IAM.Production)
	if extraErr != nil {
		bad = append(bad, httpx.FieldError{Field: "extra_origins", Message: extraErr.Error()})
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	ctx, now, accountID := r.Context(), s.now(), iam.AccessFrom(r.Context()).AccountID
	baseURL := strings.TrimSuffix(base.String(), "/")
	origin, err := Origin(baseURL)
	if err == nil && s.IAM.Production {
		_, err = httpx.ParseOrigin(origin, true)
	}
	if err != nil {
		return httpx.Invalid(httpx.FieldError{Field: "base_url", Code: httpx.FieldBadURL, Message: err.Error()})
	}
	version, _ := s.Client.Version(ctx, baseURL)
	if _, err := s.Client.Inboxes(ctx, baseURL, in.ChatwootAccountID, tokenHeader(strings.TrimSpace(in.APIAccessToken))); err != nil {
		return upstream(err)
	}
	var out *Link
	err = s.linkTx(ctx, func(tx *sql.Tx) error {
		if other, err := linkByInstallation(ctx, tx, origin, in.ChatwootAccountID); err == nil && other.AccountID != accountID {
			return chatwootAccountTaken(in.ChatwootAccountID)
		}
		l, err := linkByAccount(ctx, tx, accountID)
		if errors.Is(err, db.ErrNotFound) {
			l, err = &Link{ID: db.NewID(), AccountID: accountID, CreatedAt: now}, nil
		}
		if err != nil {
			return err
		}
		before := map[string]any{"base_url": l.BaseURL, "chatwoot_account_id": l.ChatwootAccountID, "extra_origins": l.ExtraOrigins}
		moved := l.Origin != "" && (l.Origin != origin || l.ChatwootAccountID != in.ChatwootAccountID)
		if moved {
			// Another installation or account: what the old one knew (its
			// webhook's secret and id, the URL token, the app tab) must not
			// authenticate anything for the new one.
			if err := forgetInstallation(ctx, tx, accountID, now); err != nil {
				return err
			}
			l.webhookSecret, l.urlToken, l.URLTokenEnabled, l.WebhookID, l.DashboardAppID = "", "", false, nil, nil
		}
		originsChanged := l.Origin != "" && (l.Origin != origin || !slices.Equal(l.ExtraOrigins, extra))
		l.Origin, l.BaseURL, l.ChatwootAccountID, l.ExtraOrigins = origin, baseURL, in.ChatwootAccountID, extra
		l.Status, l.LastError, l.ChatwootVersion, l.LastCheckedAt, l.UpdatedAt = "ok", "", version, &now, now
		if l.apiToken, err = s.encrypt(l, "api_token", strings.TrimSpace(in.APIAccessToken)); err != nil {
			return err
		}
		if err := saveLink(ctx, tx, l); errors.Is(err, db.ErrConflict) {
			// Another hub account linked it meanwhile (the unique index decided).
			return chatwootAccountTaken(in.ChatwootAccountID)
		} else if err != nil {
			return err
		}
		out = l
		after := map[string]any{"base_url": baseURL, "chatwoot_account_id": in.ChatwootAccountID, "extra_origins": extra}
		if originsChanged {
			// A sensitive change: where the link's token goes and which
			// pages may frame and call the hub. The token was entered again.
			e := s.IAM.Entry(r, accountID, "chatwoot.origin_changed", "chatwoot_link", l.ID)
			e.Before, e.After = before, map[string]any{"base_url": baseURL, "chatwoot_account_id": in.ChatwootAccountID,
				"extra_origins": extra, "sensitive": true, "credentials_reentered": true, "webhook_secret_dropped": moved}
			if err := s.IAM.Audit.Record(ctx, tx, e); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, r, accountID, "chatwoot.linked", l.ID, after)
	})
	if err != nil {
		return err
	}
	s.linkChanged()
	httpx.WriteJSON(w, http.StatusOK, s.view(out))
	return nil
}

// GetLink shows the link's status without any secret.
func (s *Service) GetLink(w http.ResponseWriter, r *http.Request) error {
	l, err := linkByAccount(r.Context(), s.DB.R, iam.AccessFrom(r.Context()).AccountID)
	if errors.Is(err, db.ErrNotFound) {
		httpx.WriteJSON(w, http.StatusOK, s.view(nil))
		return nil
	}
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, s.view(l))
	return nil
}

// TestLink re-checks the stored token against Chatwoot and records the result.
func (s *Service) TestLink(w http.ResponseWriter, r *http.Request) error {
	ctx, now, accountID := r.Context(), s.now(), iam.AccessFrom(r.Context()).AccountID
	l, err := linkByAccount(ctx, s.DB.R, accountID)
	if err != nil {
		return err
	}
	token, err := s.decrypt(l, "api_token", l.apiToken)
	if err != nil {
		return err
	}
	version, verr := s.Client.Version(ctx, l.BaseURL)
	_, cerr := s.Client.Inboxes(ctx, l.BaseURL, l.ChatwootAccountID, tokenHeader(token))
	l.Status, l.LastError, l.LastCheckedAt = "ok", "", &now
	if verr == nil {
		l.ChatwootVersion = version
	}
	if cerr != nil {
		l.Status, l.LastError = "needs_attention", clientSafe(upstream(cerr))
	}
	// The install badges say what Chatwoot has: a webhook or Dashboard App
	// deleted there is no longer counted as installed.
	if cerr == nil {
		if err := s.recheckInstall(ctx, l, token); err != nil {
			return err
		}
	}
	_, err = s.DB.W.ExecContext(ctx, `UPDATE chatwoot_links SET status = $1, last_error = $2, chatwoot_version = $3,
		last_checked_at = $4, updated_at = $4 WHERE account_id = $5`, l.Status, l.LastError, l.ChatwootVersion, now, accountID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, s.view(l))
	return nil
}

// recheckInstall forgets the webhook and Dashboard App ids that Chatwoot no
// longer lists (an admin deleted them there). A listing that fails keeps
// what was known: only an answer from Chatwoot changes a badge. Each id is
// cleared only if it is still the one checked (an install meanwhile wins).
func (s *Service) recheckInstall(ctx context.Context, l *Link, token string) error {
	if l.WebhookID != nil {
		hooks, err := s.Client.Webhooks(ctx, l.BaseURL, l.ChatwootAccountID, token)
		if err == nil && !slices.ContainsFunc(hooks, func(h Webhook) bool { return h.ID == *l.WebhookID }) {
			if _, err := s.DB.W.ExecContext(ctx, `UPDATE chatwoot_links SET webhook_id = NULL WHERE account_id = $1 AND webhook_id = $2`,
				l.AccountID, *l.WebhookID); err != nil {
				return err
			}
			l.WebhookID = nil
		}
	}
	if l.DashboardAppID != nil {
		apps, err := s.Client.DashboardApps(ctx, l.BaseURL, l.ChatwootAccountID, token)
		if err == nil && !slices.ContainsFunc(apps, func(a DashboardApp) bool { return a.ID == *l.DashboardAppID }) {
			if _, err := s.DB.W.ExecContext(ctx, `UPDATE chatwoot_links SET dashboard_app_id = NULL WHERE account_id = $1 AND dashboard_app_id = $2`,
				l.AccountID, *l.DashboardAppID); err != nil {
				return err
			}
			l.DashboardAppID = nil
		}
	}
	return nil
}

// MarkNeedsAttention records that Chatwoot refused the link's token (used
// by background jobs such as the inbox sync).
func (s *Service) MarkNeedsAttention(ctx context.Context, accountID, reason string) error {
	_, err := s.DB.W.ExecContext(ctx, `UPDATE chatwoot_links SET status = 'needs_attention', last_error = $1, updated_at = $2
		WHERE account_id = $3`, reason, s.now(), accountID)
	return err
}

// PutWebhookSecret stores a signing secret pasted from Chatwoot's settings.
func (s *Service) PutWebhookSecret(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Secret string `json:"secret"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if t := strings.TrimSpace(in.Secret); len(t) < 8 || len(t) > 200 {
		return httpx.Invalid(httpx.FieldError{Field: "secret", Message: "must be the webhook secret shown by Chatwoot (8 to 200 characters)"})
	}
	ctx, now, accountID := r.Context(), s.now(), iam.AccessFrom(r.Context()).AccountID
	var out *Link
	err := s.linkTx(ctx, func(tx *sql.Tx) error {
		l, err := linkByAccount(ctx, tx, accountID)
		if err != nil {
			return err
		}
		if l.webhookSecret, err = s.encrypt(l, "webhook_secret", strings.TrimSpace(in.Secret)); err != nil {
			return err
		}
		if err := setLinkField(ctx, tx, accountID, "webhook_secret", l.webhookSecret, now); err != nil {
			return err
		}
		out = l
		return s.audit(ctx, tx, r, accountID, "chatwoot.webhook_secret.set", l.ID, nil)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, s.view(out))
	return nil
}

// cleanOrigins parses and re-serialises each extra origin (they go into
// frame-ancestors and CORS answers), dropping duplicates.
func cleanOrigins(in []string, production bool) ([]string, error) {
	out := []string{}
	if len(in) > 10 {
		return nil, errors.New("at most 10 extra origins")
	}
	for _, o := range in {
		origin, err := httpx.ParseOrigin(strings.TrimSpace(o), production)
		if err != nil {
			return nil, errors.New("each " + err.Error())
		}
		if !slices.Contains(out, origin) {
			out = append(out, origin)
		}
	}
	return out, nil
}

// LinkedInboxes lists the Chatwoot inboxes of the account's link with the
// link's token (the inbox sync).
func (s *Service) LinkedInboxes(ctx context.Context, accountID string) ([]Inbox, error) {
	l, err := linkByAccount(ctx, s.DB.R, accountID)
	if err != nil {
		return nil, err
	}
	token, err := s.decrypt(l, "api_token", l.apiToken)
	if err != nil {
		return nil, err
	}
	return s.Client.Inboxes(ctx, l.BaseURL, l.ChatwootAccountID, tokenHeader(token))
}

// MarkOK clears a needs-attention state after Chatwoot accepted the token.
func (s *Service) MarkOK(ctx context.Context, accountID string) error {
	_, err := s.DB.W.ExecContext(ctx, `UPDATE chatwoot_links SET status = 'ok', last_error = '', last_checked_at = $1
		WHERE account_id = $2 AND status <> 'ok'`, s.now(), accountID)
	return err
}

// CreateAPIInbox creates an API inbox in the account's linked Chatwoot.
func (s *Service) CreateAPIInbox(ctx context.Context, accountID, name, webhookURL string) (*Inbox, error) {
	l, token, err := s.linkToken(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return s.Client.CreateAPIInbox(ctx, l.BaseURL, l.ChatwootAccountID, token, name, webhookURL)
}

// PointInbox re-points an existing inbox's callbacks to the hub (adoption).
func (s *Service) PointInbox(ctx context.Context, accountID string, inboxID int, webhookURL string) (*Inbox, error) {
	l, token, err := s.linkToken(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return s.Client.PointInbox(ctx, l.BaseURL, l.ChatwootAccountID, token, inboxID, webhookURL)
}

// DeleteInbox removes an inbox in the linked Chatwoot.
func (s *Service) DeleteInbox(ctx context.Context, accountID string, inboxID int) error {
	l, token, err := s.linkToken(ctx, accountID)
	if err != nil {
		return err
	}
	return s.Client.DeleteInbox(ctx, l.BaseURL, l.ChatwootAccountID, token, inboxID)
}

func (s *Service) linkToken(ctx context.Context, accountID string) (*Link, string, error) {
	l, err := linkByAccount(ctx, s.DB.R, accountID)
	if err != nil {
		return nil, "", err
	}
	token, err := s.decrypt(l, "api_token", l.apiToken)
	return l, token, err
}

// chatwootAccountTaken is the answer when the Chatwoot account is another
// hub account's already: a field error with its code and the id, which the
// console translates, never the database's words.
func chatwootAccountTaken(id int) error {
	return httpx.E(httpx.CodeConflict, "that Chatwoot account is already linked to another hub account",
		httpx.Field("chatwoot_account_id", httpx.FieldTaken, "is linked to another hub account", "chatwoot_account_id", id))
}
