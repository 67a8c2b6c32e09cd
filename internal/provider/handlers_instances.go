package provider

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/inbox"
	"github.com/whatpro/hub/internal/plan"
)

var instanceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
var phoneNumberID = regexp.MustCompile(`^[0-9]{5,32}$`)

type instanceReq struct {
	ProviderID    string `json:"provider_id"`
	Name          string `json:"name"`
	PhoneNumberID string `json:"phone_number_id"`
	DisplayName   string `json:"display_name"`
}

// CreateInstance adds a number to a provider within the plan's
// max_provider_instances.
func (s *Service) CreateInstance(w http.ResponseWriter, r *http.Request) error {
	var in instanceReq
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx, now, accountID := r.Context(), s.now(), iam.AccessFrom(r.Context()).AccountID
	p, err := getProvider(ctx, s.DB.R, accountID, in.ProviderID)
	if errors.Is(err, db.ErrNotFound) {
		return httpx.Invalid(httpx.FieldError{Field: "provider_id", Code: httpx.FieldNotFound, Message: "is not a provider of this account"})
	} else if err != nil {
		return err
	}
	var bad []httpx.FieldError
	if !instanceName.MatchString(in.Name) {
		bad = append(bad, httpx.FieldError{Field: "name", Message: "must be 1 to 64 letters, digits, '.', '_' or '-'"})
	}
	a, err := s.adapter(p)
	if err != nil {
		return unsupported
	}
	bad = append(bad, a.CheckInstance(in.PhoneNumberID)...)
	if len(in.DisplayName) > 120 {
		bad = append(bad, httpx.Field("display_name", httpx.FieldTooLong, "must be at most 120 characters", "max", 120))
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	inst := &Instance{ID: db.NewID(), AccountID: accountID, ProviderID: p.ID, Name: in.Name, PhoneNumberID: in.PhoneNumberID,
		DisplayName: strings.TrimSpace(in.DisplayName), Status: StatusDisconnected, StatusChangedAt: now, CreatedAt: now, UpdatedAt: now}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.Plans.Reserve(ctx, tx, accountID, plan.MaxProviderInstances); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO provider_instances (id, account_id, provider_id, name, phone_number_id, display_name,
			status, webhook_secret, status_changed_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9)`,
			inst.ID, accountID, p.ID, inst.Name, inst.PhoneNumberID, inst.DisplayName, inst.Status, iam.HashToken(iam.RandomToken("")), now)
		if errors.Is(db.Translate(err), db.ErrConflict) {
			return httpx.E(httpx.CodeConflict, "this provider already has a number with that name")
		} else if err != nil {
			return err
		}
		return s.audit(ctx, tx, r, accountID, "provider_instance.created", "provider_instance", inst.ID, map[string]string{"name": inst.Name, "provider_id": p.ID})
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, inst)
	return nil
}

// ListInstances lists the account's numbers.
func (s *Service) ListInstances(w http.ResponseWriter, r *http.Request) error {
	pp, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	rows, err := listInstances(r.Context(), s.DB.R, iam.AccessFrom(r.Context()).AccountID, pp)
	if err != nil {
		return err
	}
	if err := s.inboxStates(r.Context(), iam.AccessFrom(r.Context()).AccountID, rows...); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewPage(rows, pp, func(i *Instance) string { return i.ID }))
	return nil
}

// GetInstance shows one number.
func (s *Service) GetInstance(w http.ResponseWriter, r *http.Request) error {
	i, err := getInstance(r.Context(), s.DB.R, iam.AccessFrom(r.Context()).AccountID, r.PathValue("instanceID"))
	if err != nil {
		return err
	}
	if err := s.inboxStates(r.Context(), i.AccountID, i); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, i)
	return nil
}

// UpdateInstance changes the display name.
func (s *Service) UpdateInstance(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		DisplayName *string `json:"display_name"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.DisplayName == nil || len(*in.DisplayName) > 120 {
		return httpx.Invalid(httpx.FieldError{Field: "display_name", Message: "is required, at most 120 characters"})
	}
	ctx, accountID, id := r.Context(), iam.AccessFrom(r.Context()).AccountID, r.PathValue("instanceID")
	res, err := s.DB.W.ExecContext(ctx, `UPDATE provider_instances SET display_name = $1, updated_at = $2 WHERE account_id = $3 AND id = $4`,
		strings.TrimSpace(*in.DisplayName), s.now(), accountID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return httpx.NotFound()
	}
	return s.GetInstance(w, r)
}

// DeleteInstance removes a number from the hub (its Chatwoot inbox stays,
// as conversations live there).
func (s *Service) DeleteInstance(w http.ResponseWriter, r *http.Request) error {
	ctx, accountID, id := r.Context(), iam.AccessFrom(r.Context()).AccountID, r.PathValue("instanceID")
	err := s.IAM.WriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM provider_instances WHERE account_id = $1 AND id = $2`, accountID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return httpx.NotFound()
		}
		return s.audit(ctx, tx, r, accountID, "provider_instance.deleted", "provider_instance", id, nil)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) load(r *http.Request) (*Instance, *Provider, Adapter, Target, error) {
	ctx, accountID := r.Context(), iam.AccessFrom(r.Context()).AccountID
	i, err := getInstance(ctx, s.DB.R, accountID, r.PathValue("instanceID"))
	if err != nil {
		return nil, nil, nil, Target{}, err
	}
	p, err := getProvider(ctx, s.DB.R, accountID, i.ProviderID)
	if err != nil {
		return nil, nil, nil, Target{}, err
	}
	a, err := s.adapter(p)
	if err != nil {
		return nil, nil, nil, Target{}, unsupported
	}
	t, err := s.target(p)
	return i, p, a, t, err
}

// upstream turns a provider failure into a clear error on the object.
func (s *Service) upstream(r *http.Request, i *Instance, err error) error {
	msg := safe(err)
	if errors.Is(err, ErrRefused) {
		msg = "the provider refused the credentials"
	}
	_ = setStatus(r.Context(), s.DB.W, i.AccountID, i.ID, Connection{Status: StatusError}, msg, s.now())
	return &httpx.Error{Code: httpx.CodeUpstream, Message: "the provider failed: " + msg, Cause: err}
}

// CreateInbox gives the number a Chatwoot API inbox whose callbacks come to
// the hub (or adopts one by id), idempotently.
func (s *Service) CreateInbox(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name                 string `json:"name"`
		AdoptChatwootInboxID int    `json:"adopt_chatwoot_inbox_id"`
	}
	if r.ContentLength != 0 {
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return err
		}
	}
	ctx, accountID := r.Context(), iam.AccessFrom(r.Context()).AccountID
	i, err := getInstance(ctx, s.DB.R, accountID, r.PathValue("instanceID"))
	if err != nil {
		return err
	}
	if err := s.inboxStates(ctx, accountID, i); err != nil {
		return err
	}
	status := http.StatusOK
	// An inbox deleted in Chatwoot, or left behind by a removed link, is
	// replaced: the number gets a new one (or adopts another).
	if i.InboxState == inbox.StateUnlinked {
		return httpx.E(httpx.CodeUnprocessable, "the account is not linked to Chatwoot; link it again first")
	}
	if i.InboxID == nil || i.InboxState != inbox.StateActive && i.InboxState != inbox.StatePending {
		name := strings.TrimSpace(in.Name)
		if name == "" {
			name = "WhatsApp " + firstNonEmpty(i.DisplayName, i.PhoneNumber, i.Name)
		}
		if len(name) > 120 {
			return httpx.Invalid(httpx.Field("name", httpx.FieldTooLong, "must be at most 120 characters", "max", 120))
		}
		var inboxID string
		if in.AdoptChatwootInboxID > 0 {
			if err := inboxFree(ctx, s.DB.R, accountID, i.ID, in.AdoptChatwootInboxID); err != nil {
				return err
			}
			inboxID, err = s.Inboxes.Adopt(ctx, accountID, in.AdoptChatwootInboxID)
		} else {
			inboxID, err = s.Inboxes.Create(ctx, accountID, name)
		}
		if errors.Is(err, db.ErrConflict) {
			// The hub already holds that Chatwoot inbox in another row (a sync ran meanwhile).
			return httpx.E(httpx.CodeConflict, "the hub already holds that Chatwoot inbox; sync the inboxes and adopt it",
				httpx.Field("adopt_chatwoot_inbox_id", httpx.FieldTaken, "is already held by the hub", "chatwoot_inbox_id", in.AdoptChatwootInboxID))
		}
		if errors.Is(err, db.ErrNotFound) {
			return httpx.Invalid(httpx.FieldError{Field: "adopt_chatwoot_inbox_id", Code: httpx.FieldNotFound, Message: "is not a synced inbox of the linked Chatwoot account (or the account is not linked)"})
		}
		var he *httpx.Error
		if err != nil && !errors.As(err, &he) {
			if errors.Is(err, chatwoot.ErrUnauthorized) {
				return httpx.E(httpx.CodeUnprocessable, "Chatwoot refused the link's token; fix it on the connection page")
			}
			return &httpx.Error{Code: httpx.CodeUpstream, Message: "Chatwoot could not create the inbox: " + safe(err), Cause: err}
		} else if err != nil {
			return err
		}
		err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
			if in.AdoptChatwootInboxID > 0 {
				if err := inboxFree(ctx, tx, accountID, i.ID, in.AdoptChatwootInboxID); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE provider_instances SET inbox_id = $1, updated_at = $2 WHERE account_id = $3 AND id = $4`,
				inboxID, s.now(), accountID, i.ID); err != nil {
				return err
			}
			change := map[string]string{"inbox_id": inboxID}
			if i.InboxID != nil {
				change["replaced_inbox_id"], change["replaced_inbox_state"] = *i.InboxID, i.InboxState
			}
			return s.audit(ctx, tx, r, accountID, "provider_instance.inbox_linked", "provider_instance", i.ID, change)
		})
		if err != nil {
			return err
		}
		i.InboxID, status = &inboxID, http.StatusCreated
	}
	ib, err := inbox.Get(ctx, s.DB.R, accountID, *i.InboxID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, status, ib)
	return nil
}

// inboxStates fills each number's InboxState from the inbox package.
func (s *Service) inboxStates(ctx context.Context, accountID string, rows ...*Instance) error {
	var ids []string
	for _, i := range rows {
		if i.InboxID != nil {
			ids = append(ids, *i.InboxID)
		}
	}
	states, err := inbox.States(ctx, s.DB.R, accountID, ids)
	if err != nil {
		return err
	}
	for _, i := range rows {
		if i.InboxID != nil {
			i.InboxState = states[*i.InboxID]
		}
	}
	return nil
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// inboxFree refuses to adopt a Chatwoot inbox another number of the account
// already serves: a field error naming the inbox and that number, which the
// console translates.
func inboxFree(ctx context.Context, q db.Querier, accountID, instanceID string, chatwootInboxID int) error {
	var other string
	err := q.QueryRowContext(ctx, `SELECT pi.name FROM provider_instances pi JOIN inboxes ib ON ib.id = pi.inbox_id AND ib.account_id = pi.account_id
		WHERE pi.account_id = $1 AND pi.id <> $2 AND ib.chatwoot_inbox_id = $3 AND ib.removed_at IS NULL`, accountID, instanceID, chatwootInboxID).Scan(&other)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	return httpx.E(httpx.CodeConflict, "another number already serves that Chatwoot inbox",
		httpx.Field("adopt_chatwoot_inbox_id", httpx.FieldTaken, "is served by another number", "chatwoot_inbox_id", chatwootInboxID, "number", other))
}
