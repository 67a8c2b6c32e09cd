package deploy

import (
	"bufio"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
	"github.com/whatpro/hub/internal/httpx"
)

// The client, the trusted proxy and an untrusted one connect from three
// loopback addresses, so the hub's view of who is calling can be checked.
var (
	clientIP    = net.ParseIP("127.0.0.3")
	untrustedIP = net.ParseIP("127.0.0.2")
)

// spoofed is what a client claims in its own X-Forwarded-For.
const spoofed = "198.51.100.7"

// front is a reverse proxy serving Chatwoot at / and the hub at /hub of
// one origin, as in production.
type front struct {
	origin string         // scheme://host:port, no path
	roots  *x509.CertPool // trusts the front's certificate (TLS fronts)
	// proxyHSTS: the front itself sends Strict-Transport-Security.
	proxyHSTS bool
}

// stack is a hub and a Chatwoot (the simulator) waiting for their front.
type stack struct {
	hub   *apptest.Hub
	sim   *cwsim.Sim
	simLn string // the simulator's address
}

// newStack starts Chatwoot and a hub whose public URL is origin/hub, in
// production-like egress (no private network but the front's own host)
// trusting only 127.0.0.1 as a proxy.
func newStack(t *testing.T, origin string, roots *x509.CertPool) *stack {
	t.Helper()
	sim := cwsim.New(cwsim.DefaultSeed(), cwsim.Options{})
	simSrv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	simLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = simSrv.Serve(simLn) }()
	t.Cleanup(func() { simSrv.Close(); sim.Close() })
	u, _ := url.Parse(origin)
	h := apptest.New(t, "sqlite", apptest.Options{
		Env: apptest.SuperAdminEnv("WHATPRO_PUBLIC_URL="+origin+"/hub", "WHATPRO_TRUSTED_PROXIES=127.0.0.1",
			"WHATPRO_ALLOW_PRIVATE_NETWORK=false", "WHATPRO_ALLOW_PRIVATE_HOSTS="+u.Hostname()),
		AppOpts: app.Options{OutboundRootCAs: roots, ExtraRoutes: []httpx.Route{
			{Method: "GET", Pattern: "/api/v1/realtime/echo-test", Handler: http.HandlerFunc(echoUpgrade), Auth: httpx.Public, RateLimit: -1},
		}},
	})
	return &stack{hub: h, sim: sim, simLn: simLn.Addr().String()}
}

func (s *stack) hubAddr() string { return s.hub.Srv.Listener.Addr().String() }

// echoUpgrade stands in for the realtime WebSocket the Kanban adds: it
// completes an upgrade handshake and echoes one line.
func echoUpgrade(w http.ResponseWriter, r *http.Request) {
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") || !strings.Contains(strings.ToLower(r.Header.Get("Connection")), "upgrade") {
		http.Error(w, "upgrade headers lost on the way: "+r.Header.Get("Connection")+"/"+r.Header.Get("Upgrade"), http.StatusBadRequest)
		return
	}
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
		wsAccept(r.Header.Get("Sec-WebSocket-Key")) + "\r\n\r\n")
	_ = rw.Flush()
	line, err := rw.ReadString('\n')
	if err == nil {
		_, _ = rw.WriteString("echo " + line)
		_ = rw.Flush()
	}
}

func wsAccept(key string) string {
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h[:])
}

// browser is the client: it dials from clientIP, keeps cookies and does
// not follow redirects.
func browser(t *testing.T, roots *x509.CertPool) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: clientIP}, Timeout: 5 * time.Second}
	return &http.Client{
		Jar:           jar,
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{DialContext: d.DialContext, TLSClientConfig: &tls.Config{RootCAs: roots}},
	}
}

type resp struct {
	status int
	header http.Header
	body   string
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("not JSON (%d): %v\n%s", r.status, err, r.body)
	}
	return m
}

func call(t *testing.T, c *http.Client, method, u, body string, header map[string]string) resp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, string(raw)}
}

func seedUser(sim *cwsim.Sim, email string) cwsim.SeedUser {
	for _, u := range sim.Seed().Users {
		if u.Email == email {
			return u
		}
	}
	return cwsim.SeedUser{}
}

// checkUnderPrefix is what every front must get right for the hub mounted
// same-origin under /hub of Chatwoot's domain.
func checkUnderPrefix(t *testing.T, s *stack, f front) {
	h := s.hub
	c := browser(t, f.roots)
	hub := f.origin + "/hub"

	// Set-up on the hub directly: an account linked to the Chatwoot
	// behind the front, at the front's own origin (production: the
	// public URL of Chatwoot), so the hub's calls go through it too.
	super := h.LoginSuper()
	ten := h.NewTenant(super, "Acme")
	h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + ten.ID + "/chatwoot", Token: ten.Admin.Token,
		Body: map[string]any{"base_url": f.origin, "chatwoot_account_id": 1, "api_access_token": seedUser(s.sim, "ana@acme.test").APIAccessToken}}).Expect(t, 200)

	noHSTSFromHub := func(what string, r resp) {
		t.Helper()
		got := r.header.Values("Strict-Transport-Security")
		switch {
		case f.proxyHSTS && len(got) != 1:
			t.Errorf("%s: HSTS %q, want exactly the proxy's one", what, got)
		case !f.proxyHSTS && len(got) != 0:
			t.Errorf("%s: HSTS %q from the hub mounted under a path of Chatwoot's domain", what, got)
		}
	}

	// The mount point and the console.
	r := call(t, c, "GET", hub, "", nil)
	if loc := r.header.Get("Location"); r.status != http.StatusMovedPermanently || (loc != "/hub/" && loc != hub+"/") {
		t.Errorf("GET /hub: %d Location %q, want 301 to /hub/", r.status, r.header.Get("Location"))
	}
	for _, path := range []string{"/", "/accounts/" + ten.ID + "/kanban"} {
		r = call(t, c, "GET", hub+path, "", nil)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET /hub%s: %d %s", path, r.status, r.header.Get("Content-Type"))
		}
		if !strings.Contains(r.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") || r.header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("GET /hub%s: console frameable: %v", path, r.header)
		}
		noHSTSFromHub("GET /hub"+path, r)
		if strings.Contains(r.body, `name="whatpro-base"`) {
			if !strings.Contains(r.body, `name="whatpro-base" content="/hub/"`) {
				t.Errorf("GET /hub%s: the app's base is not /hub/", path)
			}
			for _, m := range regexp.MustCompile(`(?:src|href)="(/[^"]+)"`).FindAllStringSubmatch(r.body, -1) {
				if !strings.HasPrefix(m[1], "/hub/") {
					t.Errorf("GET /hub%s: asset %s outside the prefix", path, m[1])
				} else if a := call(t, c, "GET", f.origin+m[1], "", nil); a.status != 200 {
					t.Errorf("asset %s: %d", m[1], a.status)
				}
			}
		}
	}
	if r := call(t, c, "GET", hub+"/healthz", "", nil); r.status != 200 || r.json(t)["status"] != "ok" {
		t.Errorf("GET /hub/healthz: %d %s", r.status, r.body)
	}
	if r := call(t, c, "GET", f.origin+"/api", "", nil); r.status != 200 || !strings.Contains(r.body, "version") {
		t.Errorf("GET /api (Chatwoot): %d %s", r.status, r.body)
	}

	// Signing in through the front: the refresh cookie lives under the
	// prefix, and the client's spoofed X-Forwarded-For is not believed.
	r = call(t, c, "POST", hub+"/api/v1/auth/login", loginBody(), map[string]string{"X-Forwarded-For": spoofed})
	if r.status != 200 {
		t.Fatalf("login through the front: %d %s", r.status, r.body)
	}
	token, _ := r.json(t)["access_token"].(string)
	cookie := r.header.Get("Set-Cookie")
	secure := strings.HasPrefix(f.origin, "https:")
	if !strings.Contains(cookie, "Path=/hub/api/v1/auth") || !strings.Contains(cookie, "HttpOnly") ||
		strings.Contains(cookie, "Secure") != secure || !strings.Contains(cookie, "SameSite=Strict") {
		t.Errorf("refresh cookie %q: want Path=/hub/api/v1/auth, HttpOnly, SameSite=Strict, Secure=%v", cookie, secure)
	}
	r = call(t, c, "POST", hub+"/api/v1/auth/refresh", "", nil) // the jar sends the cookie only under its path
	if r.status != 200 || r.json(t)["access_token"] == "" {
		t.Errorf("refresh with the cookie the front passed: %d %s", r.status, r.body)
	}
	if ip := currentSessionIP(t, c, hub, token); ip != clientIP.String() {
		t.Errorf("the hub recorded the session from %s, want the client %s as the trusted proxy saw it", ip, clientIP)
	}

	// Embedding: the embed pages may be framed by Chatwoot's origin, which
	// is the front's; the dashboard script and the link carry /hub URLs.
	r = call(t, c, "GET", hub+"/embed/app/kanban?account="+ten.ID, "", nil)
	if fa := strings.Fields(directive(r.header.Get("Content-Security-Policy"), "frame-ancestors")); r.status != 200 || !contains(fa, f.origin) {
		t.Errorf("embed page: %d, frame-ancestors %v, want %s", r.status, fa, f.origin)
	}
	if r.header.Get("X-Frame-Options") != "" {
		t.Errorf("embed page sends X-Frame-Options %q", r.header.Get("X-Frame-Options"))
	}
	noHSTSFromHub("embed page", r)
	r = call(t, c, "GET", hub+"/embed/dashboard-script.js", "", nil)
	if r.status != 200 || !strings.Contains(r.body, "var HUB_URL = '"+hub+"';") {
		t.Errorf("dashboard script: %d, want HUB_URL %s", r.status, hub)
	}
	r = call(t, c, "GET", hub+"/embed/context?chatwoot_account_id=1", "", map[string]string{"Origin": f.origin})
	if m := r.json(t); m["linked"] != true || m["account_id"] != ten.ID || m["hub_origin"] != f.origin {
		t.Errorf("embed context from Chatwoot's origin: %v", m)
	}
	link := call(t, c, "GET", hub+"/api/v1/accounts/"+ten.ID+"/chatwoot", "", map[string]string{"Authorization": "Bearer " + ten.Admin.Token}).json(t)
	if link["dashboard_script_url"] != hub+"/embed/dashboard-script.js" || !strings.HasPrefix(link["webhook_url"].(string), hub+"/webhooks/chatwoot/") {
		t.Errorf("link view: %v", link)
	}

	// Same-origin sign-in: the embed page sends the Chatwoot session with
	// Chatwoot's origin; the hub checks it against Chatwoot through the
	// front (its domain is the one private host it may reach).
	sess, err := s.sim.SignIn("ana@acme.test", "Password1!")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"access_token": sess.AccessToken, "client": sess.Client, "uid": sess.UID, "chatwoot_account_id": 1})
	r = call(t, c, "POST", hub+"/api/v1/auth/chatwoot", string(body), map[string]string{"Origin": f.origin})
	if r.status != 200 || r.json(t)["token"] == nil {
		t.Errorf("same-origin Chatwoot sign-in: %d %s", r.status, r.body)
	}

	// The realtime path upgrades to a WebSocket through the front.
	if got := upgrade(t, f, "/hub/api/v1/realtime/echo-test"); got != "echo ping\n" {
		t.Errorf("WebSocket upgrade through the front: %q", got)
	}
}

func loginBody() string {
	return `{"email":"` + apptest.SuperEmail + `","password":"` + apptest.SuperPassword + `"}`
}

// currentSessionIP is the address the hub recorded for the caller's session.
func currentSessionIP(t *testing.T, c *http.Client, hub, token string) string {
	t.Helper()
	r := call(t, c, "GET", hub+"/api/v1/sessions", "", map[string]string{"Authorization": "Bearer " + token})
	var page struct {
		Data []struct {
			IP      string `json:"ip"`
			Current bool   `json:"current"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(r.body), &page); err != nil {
		t.Fatalf("sessions: %d %s", r.status, r.body)
	}
	for _, s := range page.Data {
		if s.Current {
			return s.IP
		}
	}
	t.Fatalf("no current session in %s", r.body)
	return ""
}

func upgrade(t *testing.T, f front, path string) string {
	t.Helper()
	u, _ := url.Parse(f.origin)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: clientIP}, Timeout: 5 * time.Second}
	var conn net.Conn
	var err error
	if u.Scheme == "https" {
		conn, err = tls.DialWithDialer(d, "tcp", u.Host, &tls.Config{RootCAs: f.roots, NextProtos: []string{"http/1.1"}})
	} else {
		conn, err = d.Dial("tcp", u.Host)
	}
	if err != nil {
		t.Fatalf("dial the front: %v", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
	_, _ = io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: "+u.Host+"\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"+
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		return "no response: " + err.Error()
	}
	if res.StatusCode != http.StatusSwitchingProtocols {
		raw, _ := io.ReadAll(io.LimitReader(res.Body, 500))
		return res.Status + ": " + string(raw)
	}
	_, _ = io.WriteString(conn, "ping\n")
	line, _ := br.ReadString('\n')
	return line
}

func directive(csp, name string) string {
	for _, d := range strings.Split(csp, ";") {
		if n, v, _ := strings.Cut(strings.TrimSpace(d), " "); n == name {
			return v
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// freeAddr reserves a loopback port for a proxy started as another process.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitFront polls until the front answers for the hub.
func waitFront(t *testing.T, f front, logs func() string) {
	t.Helper()
	c := browser(t, f.roots)
	ok := false
	apptest.Eventually(t, "the front to answer /hub/healthz", func() bool {
		res, err := c.Get(f.origin + "/hub/healthz")
		if err == nil {
			res.Body.Close()
			ok = res.StatusCode == 200
		}
		return ok || t.Failed()
	})
	if !ok {
		t.Fatalf("the front died: %s", logs())
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
