package cwsim

import (
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"
)

//go:embed assets
var assets embed.FS

var pages = template.Must(template.ParseFS(assets, "assets/*.html"))

// assetFiles maps public paths to embedded files. Chatwoot serves its
// bundles from /vite/assets; the login script lives at /app/login.js so the
// login page needs no inline script (it works under a strict CSP).
var assetFiles = map[string]string{
	"/app/login.js":                "assets/login.js",
	"/vite/assets/config.js":       "assets/config.js",
	"/vite/assets/dashboard.js":    "assets/dashboard.js",
	"/vite/assets/conversation.js": "assets/conversation.js",
	"/vite/assets/router.js":       "assets/router.js",
	"/vite/assets/dashboard.css":   "assets/dashboard.css",
}

func (s *Sim) serveAsset(w http.ResponseWriter, r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/rails/active_storage/") {
		return s.serveBlob(w, r)
	}
	file, found := assetFiles[r.URL.Path]
	if !found || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return false
	}
	raw, err := assets.ReadFile(file)
	if err != nil {
		return false
	}
	ctype := "text/javascript; charset=utf-8"
	if strings.HasSuffix(file, ".css") {
		ctype = "text/css; charset=utf-8"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(raw)
	return true
}

// passwordEditPath is DashboardController#sensitive_path?: the password
// reset form, where DASHBOARD_SCRIPTS are not rendered.
const passwordEditPath = "/app/auth/password/edit"

// serveApp answers the /app HTML routes. Chatwoot serves the same shell with
// 200 for every dashboard route and lets the SPA redirect; the simulator
// does so for "/" and "/app" (its router script sends the visitor on) and
// decides the account routes on the server, so they can be tested without
// a browser.
func (s *Sim) serveApp(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.NotFound(w, r)
		return
	}
	p := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case p == passwordEditPath:
		s.renderPage(w, "login.html", map[string]any{"DashboardScripts": template.HTML("")})
	case p == "/app/login" || strings.HasPrefix(p, "/app/auth"):
		s.renderPage(w, "login.html", nil)
	case strings.HasPrefix(p, "/app/accounts/"):
		s.serveDashboard(w, r, strings.TrimPrefix(p, "/app/accounts/"))
	case p == "" || p == "/app":
		s.renderPage(w, "app.html", nil)
	default: // other app paths: where the SPA router would send the visitor
		s.mu.Lock()
		u := s.cookieUser(r)
		target := "/app/login"
		if u != nil {
			target = s.homeURL(u)
		}
		s.mu.Unlock()
		http.Redirect(w, r, target, http.StatusFound)
	}
}

// cookieUser trusts cw_d_session_info like Chatwoot's SPA: its headers
// must be a live devise token. Called with mu held.
func (s *Sim) cookieUser(r *http.Request) *user {
	raw, found := requestCookie(r, SessionCookieName)
	if !found {
		return nil
	}
	info, err := ParseSessionCookie(raw)
	if err != nil {
		return nil
	}
	u, _ := s.sessionUser(info.AccessToken, info.Client, info.UID)
	return u
}

// homeURL is where the router sends a user: the active account's dashboard.
func (s *Sim) homeURL(u *user) string {
	if m := u.activeMembership(); m != nil {
		return "/app/accounts/" + strconv.Itoa(m.AccountID) + "/dashboard"
	}
	return "/app/login"
}

func (s *Sim) serveDashboard(w http.ResponseWriter, r *http.Request, rest string) {
	idText, _, _ := strings.Cut(rest, "/")
	s.mu.Lock()
	u := s.cookieUser(r)
	if u == nil {
		s.mu.Unlock()
		http.Redirect(w, r, "/app/login", http.StatusFound)
		return
	}
	id, err := strconv.Atoi(idText)
	m := u.member(id)
	if err != nil || m == nil {
		// The router guard sends a non-member to their default account.
		target := s.homeURL(u)
		s.mu.Unlock()
		http.Redirect(w, r, target, http.StatusFound)
		return
	}
	boot := s.bootstrap(u, s.account(id), m.Role)
	s.mu.Unlock()
	raw, _ := json.Marshal(boot) // escapes <, > and &, so it is safe inside <script>
	s.renderPage(w, "dashboard.html", map[string]any{"Bootstrap": template.JS(raw)})
}

func (s *Sim) bootstrap(u *user, a *account, role string) map[string]any {
	accounts := []map[string]any{}
	for _, m := range u.Members {
		if acc := s.account(m.AccountID); acc != nil {
			accounts = append(accounts, map[string]any{"id": acc.ID, "name": acc.Name, "role": m.Role})
		}
	}
	apps := []map[string]any{}
	for _, app := range s.dashboardApps {
		if app.AccountID == a.ID {
			apps = append(apps, dashboardAppJSON(app))
		}
	}
	return map[string]any{
		"version": s.ver.String(), "account": map[string]any{"id": a.ID, "name": a.Name}, "accounts": accounts,
		"user":          map[string]any{"id": u.ID, "name": u.Name, "email": u.Email, "available_name": u.Name, "role": role},
		"dashboardApps": apps,
	}
}

func (s *Sim) renderPage(w http.ResponseWriter, name string, data map[string]any) {
	if data == nil {
		data = map[string]any{}
	}
	// DASHBOARD_SCRIPTS is raw HTML by design (<%= @dashboard_scripts.html_safe %>).
	if _, set := data["DashboardScripts"]; !set {
		data["DashboardScripts"] = template.HTML(s.opts.DashboardScripts)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "SAMEORIGIN") // Rails' default, which Chatwoot keeps
	if s.opts.ContentSecurityPolicy != "" {
		w.Header().Set("Content-Security-Policy", s.opts.ContentSecurityPolicy)
	}
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		http.Error(w, "template error", http.StatusInternalServerError)
	}
}

// serveBlob serves attachment data the way Active Storage URLs behave: the
// blob redirect URL (the data_url in payloads) 302s to the disk URL.
func (s *Sim) serveBlob(w http.ResponseWriter, r *http.Request) bool {
	rest, isRedirect := strings.CutPrefix(r.URL.Path, "/rails/active_storage/blobs/redirect/")
	if !isRedirect {
		if rest, isRedirect = strings.CutPrefix(r.URL.Path, "/rails/active_storage/disk/"); !isRedirect {
			return false
		}
		isRedirect = false
	}
	key, _, _ := strings.Cut(rest, "/")
	s.mu.Lock()
	found := s.idx.blobByKey[key]
	s.mu.Unlock()
	if found == nil {
		http.NotFound(w, r)
		return true
	}
	if isRedirect {
		http.Redirect(w, r, "/rails/active_storage/disk/"+rest, http.StatusFound)
		return true
	}
	w.Header().Set("Content-Type", found.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(found.Data)))
	_, _ = w.Write(found.Data)
	return true
}
