package privacy

import (
	"database/sql"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// Erasure says what an erasure changed: rows per domain, and the audit
// entries turned into tombstones.
type Erasure struct {
	Subject string         `json:"subject"`
	Domains map[string]int `json:"domains"`
	Audit   audit.Erased   `json:"audit"`
}

// EraseContact erases a Chatwoot contact's data in the account, on an
// admin's request; the account's audit chain records that it happened.
func (s *Service) EraseContact(w http.ResponseWriter, r *http.Request) error {
	ctx, accountID := r.Context(), r.PathValue("accountID")
	contactID, err := strconv.ParseInt(r.PathValue("contactID"), 10, 64)
	if err != nil || contactID <= 0 {
		return httpx.Invalid(httpx.FieldError{Field: "contactID", Message: "must be a Chatwoot contact id"})
	}
	s.mu.RLock()
	erasers := maps.Clone(s.contacts)
	s.mu.RUnlock()
	now := s.now()
	out := Erasure{Subject: "contact:" + strconv.FormatInt(contactID, 10), Domains: map[string]int{}}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, name := range slices.Sorted(maps.Keys(erasers)) {
			n, err := erasers[name](ctx, tx, accountID, contactID, now)
			if err != nil {
				return err
			}
			out.Domains[name] = n
		}
		var err error
		if out.Audit, err = s.Audit.ErasePerson(ctx, tx, strconv.FormatInt(contactID, 10), accountID, now); err != nil {
			return err
		}
		e := s.Entry(r, accountID, "contact.erased", "contact", strconv.FormatInt(contactID, 10))
		e.After = map[string]any{"domains": out.Domains, "audit_rows": out.Audit.Rows, "audit_kept": out.Audit.Kept}
		return s.Audit.Record(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// EraseUser erases a hub user's personal data everywhere, on the super
// admin's request: the user row becomes a tombstone that cannot sign in,
// the domains clear what they hold, the audit entries by or about the
// user lose their personal fields; the hub chain and each of the user's
// accounts record it.
func (s *Service) EraseUser(w http.ResponseWriter, r *http.Request) error {
	ctx, userID := r.Context(), r.PathValue("userID")
	s.mu.RLock()
	erasers := maps.Clone(s.users)
	s.mu.RUnlock()
	now := s.now()
	out := Erasure{Subject: "user:" + userID, Domains: map[string]int{}}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE id = $1`, userID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return httpx.NotFound()
		}
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT account_id FROM memberships WHERE user_id = $1 ORDER BY account_id`, userID)
		accounts, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (string, error) {
			var id string
			return id, r.Scan(&id)
		})
		if err != nil {
			return err
		}
		for _, name := range slices.Sorted(maps.Keys(erasers)) {
			n, err := erasers[name](ctx, tx, userID, now)
			if err != nil {
				return err
			}
			out.Domains[name] = n
		}
		if out.Audit, err = s.Audit.ErasePerson(ctx, tx, userID, "", now); err != nil {
			return err
		}
		e := s.Entry(r, "", "user.erased", "user", userID)
		e.After = map[string]any{"domains": out.Domains, "audit_rows": out.Audit.Rows, "audit_kept": out.Audit.Kept}
		return s.Audit.RecordHub(ctx, tx, e, accounts)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
