package audit

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/whatpro/hub/internal/httpx"
)

// Handler serves the audit log of an account. Authentication, membership
// and the audit:read permission are checked by middleware before it runs.
type Handler struct{ Log *Log }

// List answers GET /api/v1/accounts/{accountID}/audit-logs.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	var details []httpx.FieldError
	p, err := httpx.ParsePage(r)
	if err != nil {
		var he *httpx.Error
		if !errors.As(err, &he) {
			return err
		}
		details = append(details, he.Details...)
	}
	f, fieldErrs := parseFilter(r.URL.Query())
	details = append(details, fieldErrs...)
	if len(details) > 0 {
		return httpx.Invalid(details...)
	}
	rows, err := h.Log.List(r.Context(), r.PathValue("accountID"), f, p)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewPage(rows, p, func(row Row) string {
		return strconv.FormatInt(row.Seq, 10)
	}))
	return nil
}

// parseFilter reads the query and names every invalid field at once.
func parseFilter(q url.Values) (Filter, []httpx.FieldError) {
	var bad []httpx.FieldError
	f := Filter{
		ActorID:      q.Get("actor_id"),
		ActorType:    q.Get("actor_type"),
		Action:       q.Get("action"),
		ResourceType: q.Get("resource_type"),
		ResourceID:   q.Get("resource_id"),
	}
	for _, c := range []struct{ name, v string }{
		{"actor_id", f.ActorID}, {"action", f.Action}, {"resource_type", f.ResourceType}, {"resource_id", f.ResourceID},
	} {
		// PostgreSQL refuses such text, and no stored value holds it.
		if !utf8.ValidString(c.v) || strings.ContainsRune(c.v, 0) {
			bad = append(bad, httpx.FieldError{Field: c.name, Message: "must be UTF-8 text without NUL characters"})
		}
	}
	if f.ActorType != "" && !ValidActorType(f.ActorType) {
		bad = append(bad, httpx.FieldError{Field: "actor_type",
			Message: "must be one of user, api_key, instance_token, system, platform"})
	}
	if i := strings.IndexByte(f.Action, '*'); i >= 0 && i != len(f.Action)-1 {
		bad = append(bad, httpx.FieldError{Field: "action", Message: "may hold '*' only at the end"})
	}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		s := q.Get(t.name)
		if s == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			bad = append(bad, httpx.FieldError{Field: t.name, Message: "must be an RFC 3339 time such as 2024-05-01T12:00:00Z"})
			continue
		}
		*t.dst = v
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		bad = append(bad, httpx.FieldError{Field: "to", Message: "must be after from"})
	}
	return f, bad
}
