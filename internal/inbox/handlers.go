package inbox

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

// Handler serves the inbox routes.
type Handler struct {
	S *Syncer
}

func boolParam(r *http.Request, name string) (*bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, httpx.Invalid(httpx.FieldError{Field: name, Message: "must be true or false"})
	}
	return &b, nil
}

// List lists the mirrored inboxes (filters: channel_type, managed, removed).
func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	f := Filter{ChannelType: r.URL.Query().Get("channel_type")}
	if f.Managed, err = boolParam(r, "managed"); err != nil {
		return err
	}
	if f.Removed, err = boolParam(r, "removed"); err != nil {
		return err
	}
	acc := iam.AccessFrom(r.Context())
	rows, err := List(r.Context(), h.S.DB.R, acc.AccountID, f, p)
	if err != nil {
		return err
	}
	if !acc.Can(iam.PermInboxesWrite) {
		// A callback URL often carries its credential (an n8n ?token=, a
		// user:password@): only those who manage inboxes see it whole.
		for _, in := range rows {
			in.WebhookURL = bareURL(in.WebhookURL)
		}
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewPage(rows, p, func(i *Inbox) string { return i.ID }))
	return nil
}

// StartSync answers 202 {sync_id}; a sync already queued or running is
// reused.
func (h *Handler) StartSync(w http.ResponseWriter, r *http.Request) error {
	id, err := h.S.Enqueue(r.Context(), iam.AccessFrom(r.Context()).AccountID, "manual")
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusAccepted, map[string]string{"sync_id": id})
	return nil
}

// GetSync reports a sync's progress.
func (h *Handler) GetSync(w http.ResponseWriter, r *http.Request) error {
	s, err := getSync(r.Context(), h.S.DB.R, iam.AccessFrom(r.Context()).AccountID, r.PathValue("syncID"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, s)
	return nil
}

// bareURL drops a URL's userinfo, query and fragment; what cannot be
// parsed is not shown at all.
func bareURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}
