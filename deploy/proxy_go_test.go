package deploy

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"
)

// proxyTo builds a front like a production proxy: /hub to the hub, the rest
// to Chatwoot, Host kept, X-Forwarded-* set (the client appended to what it
// sent), upgrades passed through. dialFrom is the proxy's own address.
func proxyTo(hubAddr, chatwootAddr string, dialFrom net.IP) http.Handler {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: dialFrom}, Timeout: 5 * time.Second}
	return &httputil.ReverseProxy{
		Transport: &http.Transport{DialContext: d.DialContext},
		Rewrite: func(pr *httputil.ProxyRequest) {
			target := chatwootAddr
			if p := pr.In.URL.Path; p == "/hub" || strings.HasPrefix(p, "/hub/") {
				target = hubAddr
			}
			pr.SetURL(&url.URL{Scheme: "http", Host: target})
			pr.Out.Host = pr.In.Host
			pr.SetXForwarded()
			// SetXForwarded starts afresh; keep what the client sent, as
			// nginx's $proxy_add_x_forwarded_for does, so the hub has to
			// tell a forged entry from the proxy's own.
			if prior := pr.In.Header.Get("X-Forwarded-For"); prior != "" {
				pr.Out.Header.Set("X-Forwarded-For", prior+", "+pr.Out.Header.Get("X-Forwarded-For"))
			}
		},
	}
}

// The hub behind Go's own reverse proxy over TLS, under /hub of the
// proxy's origin, with Chatwoot (the simulator) at its root.
func TestHubUnderPrefixBehindReverseProxy(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(nil)
	origin := "https://" + srv.Listener.Addr().String()
	srv.StartTLS()
	t.Cleanup(srv.Close)
	roots := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	s := newStack(t, origin, roots)
	srv.Config.Handler = proxyTo(s.hubAddr(), s.simLn, net.ParseIP("127.0.0.1"))
	checkUnderPrefix(t, s, front{origin: origin, roots: roots})

	// A proxy the hub does not trust: its X-Forwarded-For is ignored and
	// the hub sees the proxy itself.
	untrusted := httptest.NewServer(proxyTo(s.hubAddr(), s.simLn, untrustedIP))
	t.Cleanup(untrusted.Close)
	c := browser(t, nil)
	login := call(t, c, "POST", untrusted.URL+"/hub/api/v1/auth/login", loginBody(), map[string]string{"X-Forwarded-For": spoofed})
	if login.status != 200 {
		t.Fatalf("login through the untrusted proxy: %d %s", login.status, login.body)
	}
	token, _ := login.json(t)["access_token"].(string)
	if ip := currentSessionIP(t, c, untrusted.URL+"/hub", token); ip != untrustedIP.String() {
		t.Errorf("behind an untrusted proxy the hub saw %s, want the proxy %s: it believed X-Forwarded-For", ip, untrustedIP)
	}
}
