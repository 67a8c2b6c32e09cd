package embed

import (
	"bytes"
	_ "embed"
	"errors"
	"html"
	"net/http"
	"strconv"
	"strings"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

//go:embed assets/dashboard-script.js
var dashboardScript []byte

// Handler serves the embed routes.
type Handler struct {
	DB        *db.DB
	Origins   *Origins
	HubURL    string // public URL of the hub, no trailing slash
	HubOrigin string
	// Page is the built embed.html with the mount path written in (nil
	// when the web app is not built).
	Page []byte
	// LinkByInstallation finds the hub account linked to a Chatwoot account
	// of an installation (origin).
	LinkByInstallation func(r *http.Request, origin string, chatwootAccountID int) (string, error)
}

// Context tells the dashboard script, without credentials, whether the
// Chatwoot account it runs in is linked (answered for the request's Origin),
// so sessions of unlinked accounts are never sent.
func (h *Handler) Context(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.Atoi(r.URL.Query().Get("chatwoot_account_id"))
	if err != nil || id <= 0 {
		return httpx.Invalid(httpx.FieldError{Field: "chatwoot_account_id", Message: "must be a positive Chatwoot account id"})
	}
	out := map[string]any{"linked": false, "hub_origin": h.HubOrigin}
	if origin := httpx.CanonicalOrigin(r.Header.Get("Origin")); origin != "" {
		acct, err := h.LinkByInstallation(r, origin, id)
		switch {
		case err == nil:
			out["linked"], out["account_id"] = true, acct
		case !errors.Is(err, db.ErrNotFound):
			return err
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// Script serves the dashboard script with the hub's URL baked in.
func (h *Handler) Script(w http.ResponseWriter, r *http.Request) {
	body := bytes.ReplaceAll(dashboardScript, []byte("__WHATPRO_HUB_URL__"), []byte(h.HubURL))
	hd := w.Header()
	hd.Set("Content-Type", "text/javascript; charset=utf-8")
	hd.Set("Cache-Control", "public, max-age=300")
	hd.Set("Cross-Origin-Resource-Policy", "cross-origin")
	_, _ = w.Write(body)
}

// EmbedPage serves an embed page (the SPA) with a frame-ancestors policy
// that lists exactly the origins of ?account= (plus the configured ones;
// none of any tenant when absent) and without X-Frame-Options.
// The same origins are written into the page's whatpro-frame-origins meta,
// so the page posts its hello only to an exact allowed parent origin.
func (h *Handler) EmbedPage(w http.ResponseWriter, r *http.Request) {
	origins := h.Origins.ForAccount(r.Context(), r.URL.Query().Get("account"))
	ancestors := "'none'"
	if len(origins) > 0 {
		ancestors = strings.Join(origins, " ")
	}
	csp := strings.Replace(httpx.BaselineCSP, "frame-ancestors 'none'", "frame-ancestors "+ancestors, 1)
	w.Header().Set("Content-Security-Policy", csp)
	w.Header().Del("X-Frame-Options")
	if h.Page == nil {
		httpx.NotBuilt(w, r)
		return
	}
	page := bytes.Replace(h.Page, []byte(`<meta name="whatpro-frame-origins" content="">`),
		[]byte(`<meta name="whatpro-frame-origins" content="`+html.EscapeString(strings.Join(origins, " "))+`">`), 1)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(page)
}
