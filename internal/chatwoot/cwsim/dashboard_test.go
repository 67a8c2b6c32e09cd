package cwsim

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const testScripts = `<script src="https://hub.test/embed/dashboard.js" data-hub="1"></script>`

func cookieHeader(c *http.Cookie) http.Header {
	return http.Header{"Cookie": {c.Name + "=" + c.Value}}
}

func TestDashboardRequiresSessionCookie(t *testing.T) {
	t.Parallel()
	s := newSim(t, func(o *Options) { o.DashboardScripts = testScripts })
	signed := signIn(t, s, agentAcme)
	valid := SessionCookie(signed.header)
	expired, _ := s.SignIn(userOf(s, agentAcme).Email, userOf(s, agentAcme).Password)
	s.ExpireSession(expired.AccessToken)
	cases := []struct {
		name     string
		path     string
		hdr      http.Header
		status   int
		location string
	}{
		{"no cookie", "/app/accounts/1/dashboard", nil, 302, "/app/login"},
		{"garbage cookie", "/app/accounts/1/dashboard", http.Header{"Cookie": {"cw_d_session_info=%7Bnot-json"}}, 302, "/app/login"},
		{"expired session", "/app/accounts/1/dashboard", cookieHeader(expired.Cookie()), 302, "/app/login"},
		{"other account", "/app/accounts/2/dashboard", cookieHeader(valid), 302, "/app/accounts/1/dashboard"},
		{"valid", "/app/accounts/1/dashboard", cookieHeader(valid), 200, ""},
		{"spa sub-route", "/app/accounts/1/conversations/7", cookieHeader(valid), 200, ""},
		{"contacts route", "/app/accounts/1/contacts", cookieHeader(valid), 200, ""},
		{"app root", "/app", cookieHeader(valid), 200, ""},
		{"app root anonymous", "/", nil, 200, ""},
		{"unknown app path", "/app/settings", cookieHeader(valid), 302, "/app/accounts/1/dashboard"},
	}
	for _, tc := range cases {
		r := do(t, s, "GET", tc.path, tc.hdr, nil)
		if r.status != tc.status || r.header.Get("Location") != tc.location {
			t.Errorf("%s: %d → %q, want %d → %q", tc.name, r.status, r.header.Get("Location"), tc.status, tc.location)
		}
	}
}

func TestDashboardShell(t *testing.T) {
	t.Parallel()
	s := newSim(t, func(o *Options) { o.DashboardScripts = testScripts })
	if _, err := s.AddDashboardApp(1, "Hub", "https://hub.test/app"); err != nil {
		t.Fatal(err)
	}
	r := do(t, s, "GET", "/app/accounts/1/dashboard", cookieHeader(SessionCookie(signIn(t, s, multiUser).header)), nil)
	want(t, r, 200)
	page := string(r.raw)
	// DASHBOARD_SCRIPTS is rendered verbatim as the last thing in <body>,
	// after the empty mount point and the noscript.
	if !strings.Contains(page, `<div id="app"></div>`+"\n"+`<noscript id="noscript">`) ||
		!strings.HasSuffix(strings.TrimSpace(page), testScripts+"\n</body>\n</html>") {
		t.Errorf("shell layout wrong:\n%s", page)
	}
	if !strings.Contains(page, `<body class="text-slate-600">`) || !strings.Contains(page, `<script type="module" src="/vite/assets/dashboard.js">`) {
		t.Error("body class or module bundle missing")
	}
	if !strings.Contains(page, `"dashboardApps":[{"content":[{"type":"frame","url":"https://hub.test/app"}]`) {
		t.Errorf("bootstrap lacks the dashboard app:\n%s", page)
	}
	if r.header.Get("X-Frame-Options") != "SAMEORIGIN" {
		t.Error("Chatwoot pages carry X-Frame-Options: SAMEORIGIN")
	}
	assertNoInlineScript(t, strings.TrimSuffix(strings.TrimSpace(page), testScripts+"\n</body>\n</html>"))

	login := do(t, s, "GET", "/app/login", nil, nil)
	want(t, login, 200)
	assertNoInlineScript(t, strings.Replace(string(login.raw), testScripts, "", 1))
	if !strings.Contains(string(login.raw), testScripts) {
		t.Error("DASHBOARD_SCRIPTS also render on the login page")
	}
	for _, asset := range []string{"/app/login.js", "/vite/assets/dashboard.js", "/vite/assets/conversation.js", "/vite/assets/config.js", "/vite/assets/dashboard.css"} {
		a := do(t, s, "GET", asset, nil, nil)
		if a.status != 200 || len(a.raw) == 0 {
			t.Errorf("%s: %d", asset, a.status)
		}
	}
}

// assertNoInlineScript proves the pages work under script-src 'self': every
// executable <script> has a src; JSON data blocks are not executed.
func assertNoInlineScript(t *testing.T, html string) {
	t.Helper()
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(html, -1) {
		if !strings.Contains(tag, " src=") && !strings.Contains(tag, `type="application/json"`) {
			t.Errorf("inline script tag %s", tag)
		}
	}
	if strings.Contains(html, " onclick=") || strings.Contains(html, " onload=") {
		t.Error("inline event handler attribute")
	}
}

func TestDashboardContentSecurityPolicyOption(t *testing.T) {
	t.Parallel()
	s := newSim(t, func(o *Options) { o.ContentSecurityPolicy = "script-src 'self'" })
	if got := do(t, s, "GET", "/app/login", nil, nil).header.Get("Content-Security-Policy"); got != "script-src 'self'" {
		t.Errorf("CSP = %q", got)
	}
}

// TestAssetsParse runs node --check on the shipped scripts when node is
// installed; the browser tests exercise them fully.
func TestAssetsParse(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	dir := t.TempDir()
	for _, name := range []string{"login.js", "config.js", "dashboard.js", "conversation.js"} {
		raw, err := assets.ReadFile("assets/" + name)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, strings.Replace(name, ".js", ".mjs", 1))
		if name == "login.js" || name == "config.js" {
			file = filepath.Join(dir, name)
		}
		if err := os.WriteFile(file, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(node, "--check", file).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", name, err, out)
		}
	}
}

func TestSPAShellAndSensitivePath(t *testing.T) {
	t.Parallel()
	s := newSim(t, func(o *Options) { o.DashboardScripts = testScripts })
	for _, path := range []string{"/", "/app", "/app/"} {
		r := do(t, s, "GET", path, nil, nil)
		want(t, r, 200)
		page := string(r.raw)
		if !strings.Contains(page, `src="/vite/assets/router.js"`) || !strings.HasSuffix(strings.TrimSpace(page), testScripts+"\n</body>\n</html>") {
			t.Errorf("%s is not the SPA shell with DASHBOARD_SCRIPTS last:\n%s", path, page)
		}
	}
	if js := do(t, s, "GET", "/vite/assets/router.js", nil, nil); js.status != 200 || !strings.Contains(string(js.raw), "validate_token") {
		t.Errorf("router.js = %d", js.status)
	}
	login := do(t, s, "GET", "/app/login", nil, nil)
	edit := do(t, s, "GET", "/app/auth/password/edit?reset_password_token=x", nil, nil)
	want(t, edit, 200)
	if !strings.Contains(string(login.raw), testScripts) || strings.Contains(string(edit.raw), testScripts) {
		t.Error("DASHBOARD_SCRIPTS must render on /app/login and be skipped on /app/auth/password/edit")
	}
}
