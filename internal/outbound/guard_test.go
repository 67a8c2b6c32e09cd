package outbound

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	refused := []string{
		"127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.0.1",
		"169.254.169.254", "100.64.0.1", "100.127.255.255", "0.0.0.0", "0.1.2.3", "224.0.0.251",
		"255.255.255.255", "::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "fe80::1%eth0", "ff02::1",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1",
		"64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1", "2002:c0a8:101::1",
		// Translated or tunnelled to IPv4 wherever the translator decides, and Azure's wireserver.
		"64:ff9b::808:808", "2002:808:808::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001::1",
		"::ffff:0:7f00:1", "::ffff:0:808:808", "168.63.129.16",
	}
	allowed := []string{
		"8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.0", "172.32.0.1", "169.253.0.1",
		"2606:4700:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8", "168.63.129.15", "168.63.129.17", "2001:4860:4860::8888",
	}
	for _, s := range refused {
		if classify(netip.MustParseAddr(s)) == "" {
			t.Errorf("%s allowed, want refused", s)
		}
	}
	for _, s := range allowed {
		if r := classify(netip.MustParseAddr(s)); r != "" {
			t.Errorf("%s refused as %s, want allowed", s, r)
		}
	}
}

// TestGuardChecksEveryResolvedAddress stands in for a DNS answer that mixes a
// public and a private address, as a rebinding attacker would give.
func TestGuardChecksEveryResolvedAddress(t *testing.T) {
	t.Parallel()
	g := newGuard(false, nil)
	var asked string
	g.lookup = func(_ context.Context, network, host string) ([]netip.Addr, error) {
		asked = network + " " + host
		return []netip.Addr{netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("169.254.169.254")}, nil
	}
	_, err := g.DialContext(context.Background(), "tcp4", "chatwoot.example.com:443")
	if !errors.Is(err, ErrForbiddenAddress) || strings.Contains(err.Error(), "169.254.169.254") || strings.Contains(err.Error(), "93.184.216.34") {
		t.Fatalf("err = %v, want ErrForbiddenAddress naming no address", err)
	}
	if asked != "ip4 chatwoot.example.com" {
		t.Fatalf("lookup called with %q", asked)
	}

	g.lookup = func(context.Context, string, string) ([]netip.Addr, error) { return nil, nil }
	if _, err := g.DialContext(context.Background(), "tcp", "empty.example.com:443"); err == nil {
		t.Fatal("dial succeeded with no addresses")
	}
	// A resolver failure does not name the resolver.
	g.lookup = func(context.Context, string, string) ([]netip.Addr, error) {
		return nil, &net.DNSError{Err: "server misbehaving", Name: "x.example", Server: "10.0.0.53:53"}
	}
	if _, err := g.DialContext(context.Background(), "tcp", "x.example:443"); err == nil || strings.Contains(err.Error(), "10.0.0.53") {
		t.Fatalf("err = %v, want one that names no resolver", err)
	}
}

// TestDialControl covers the second check, made on the socket address just
// before connect, which a literal IP reaches without the resolve step.
func TestDialControl(t *testing.T) {
	t.Parallel()
	g := newGuard(false, nil)
	_, err := g.dialer.DialContext(context.Background(), "tcp", "127.0.0.1:9")
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("err = %v, want ErrForbiddenAddress from Control", err)
	}
}

// TestPrivateHosts: an operator-listed name may resolve to a private
// address (Chatwoot's domain answered by a proxy on the same Docker network);
// every other name is still held to public addresses, and the allowance is
// by name, not by address.
func TestPrivateHosts(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	g := newGuard(false, []string{"Chat.Example.TEST."})
	g.lookup = func(context.Context, string, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	c := &Client{hc: newHTTPClient(Options{Timeout: 5 * time.Second}, g), maxBytes: 1 << 20}

	res, err := get(t, c, "http://chat.example.test:"+port+"/")
	if err != nil {
		t.Fatalf("listed host: %v", err)
	}
	res.Body.Close()
	for _, url := range []string{"http://other.example.test:" + port + "/", "http://127.0.0.1:" + port + "/", "http://chat.example.test.evil.test:" + port + "/"} {
		if _, err := get(t, c, url); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("%s: err = %v, want ErrForbiddenAddress", url, err)
		}
	}
}
