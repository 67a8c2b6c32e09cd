package outbound

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"
)

// newServer starts a test server and counts the connections it accepts, so
// tests can prove that refused requests never reached it.
func newServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func get(t *testing.T, c *Client, url string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err == nil {
		t.Cleanup(func() { resp.Body.Close() })
	}
	return resp, err
}

func TestAllowPrivateReachesLocalServer(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ua="+r.UserAgent())
	})
	resp, err := get(t, New(Options{AllowPrivate: true, UserAgent: "whatpro-test/1"}), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "ua=whatpro-test/1" {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
}

func TestGuardRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	srv, conns := newServer(t, func(w http.ResponseWriter, r *http.Request) {})
	c := New(Options{})
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	// Only the first two listen; for the others the guard's error proves
	// that no connection was attempted (a dial would time out or be
	// refused with a different error).
	urls := []string{
		srv.URL,
		"http://localhost:" + port,
		"http://[::1]:9/",
		"http://169.254.169.254/latest/meta-data/",
		"http://10.0.0.1:9/",
		"http://192.168.1.1/",
		"http://100.64.0.1/",
		"http://0.0.0.0:9/",
		"http://[::ffff:127.0.0.1]:9/",
		"http://[::ffff:169.254.169.254]/",
		"http://[fd00::1]:9/",
		"http://[fe80::1%25lo]:9/",
		"https://224.0.0.1/",
	}
	for _, u := range urls {
		_, err := get(t, c, u)
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("GET %s: err = %v, want ErrForbiddenAddress", u, err)
		}
	}
	if n := conns.Load(); n != 0 {
		t.Fatalf("test server accepted %d connections from refused requests", n)
	}
	_, err := get(t, c, "http://localhost:"+port)
	// The reason is given, the resolved address is not: the message reaches the tenant who
	// typed the host and must not map the hub's network for them.
	if msg := err.Error(); !strings.Contains(msg, `"localhost" resolves to an address that is loopback`) || strings.Contains(msg, "127.0.0.1") {
		t.Fatalf("error names the resolved address, or no reason: %s", msg)
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	var followed atomic.Bool
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/next" {
			followed.Store(true)
			return
		}
		http.Redirect(w, r, "/next", http.StatusFound)
	})
	c := New(Options{AllowPrivate: true})
	resp, err := get(t, c, srv.URL)
	if err != nil || resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/next" {
		t.Fatalf("Do: %v, want the 302 itself", err)
	}
	status, _, err := c.JSON(context.Background(), http.MethodGet, srv.URL, nil, nil, nil)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusFound || status != http.StatusFound {
		t.Fatalf("JSON: status %d err %v, want StatusError 302", status, err)
	}
	if followed.Load() {
		t.Fatal("redirect target was requested")
	}
}

func TestResponseSizeCap(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := map[string]int{"/exact": 1000, "/over": 1001, "/over-chunked": 5000}[r.URL.Path]
		if r.URL.Path != "/over-chunked" {
			_, _ = w.Write([]byte(strings.Repeat("a", n)))
			return
		}
		for range 5 { // flushed pieces: no Content-Length, so the cap must catch it while reading
			_, _ = w.Write([]byte(strings.Repeat("a", n/5)))
			w.(http.Flusher).Flush()
		}
	})
	c := New(Options{AllowPrivate: true, MaxResponseBytes: 1000})

	resp, err := get(t, c, srv.URL+"/exact")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(resp.Body); err != nil || len(b) != 1000 {
		t.Fatalf("body at the limit: %d bytes, %v", len(b), err)
	}
	if _, err := get(t, c, srv.URL+"/over"); !errors.Is(err, ErrResponseTooLarge) {
		t.Fatalf("Content-Length over the limit: err = %v", err)
	}
	resp, err = get(t, c, srv.URL+"/over-chunked")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(resp.Body); !errors.Is(err, ErrResponseTooLarge) || len(b) != 1000 {
		t.Fatalf("streamed body over the limit: %d bytes, err = %v", len(b), err)
	}
	if _, _, err := c.JSON(context.Background(), http.MethodGet, srv.URL+"/over-chunked", nil, nil, nil); !errors.Is(err, ErrResponseTooLarge) {
		t.Fatalf("JSON: err = %v, want ErrResponseTooLarge", err)
	}
}

func TestCappedBody(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		limit, size int64
		tooLarge    bool
	}{{0, 0, false}, {0, 1, true}, {3, 3, false}, {3, 4, true}, {math.MaxInt64, 10, false}} {
		b := &cappedBody{ReadCloser: io.NopCloser(iotest.OneByteReader(strings.NewReader(strings.Repeat("x", int(tt.size))))), left: tt.limit}
		got, err := io.ReadAll(b)
		if errors.Is(err, ErrResponseTooLarge) != tt.tooLarge || int64(len(got)) > tt.limit {
			t.Errorf("limit %d size %d: read %d bytes, err %v", tt.limit, tt.size, len(got), err)
		}
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done(): // the client hung up
		}
	})
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	c := New(Options{AllowPrivate: true, Timeout: 200 * time.Millisecond})
	start := time.Now()
	_, err := get(t, c, srv.URL)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Fatalf("gave up after %v, want about 200ms", elapsed)
	}
}

func TestTransportSettings(t *testing.T) {
	t.Parallel()
	c := New(Options{})
	tr := c.hc.Transport.(*http.Transport)
	if tr.Proxy != nil {
		t.Fatal("transport takes a proxy from the environment")
	}
	if c.hc.Timeout != defaultTimeout || tr.ResponseHeaderTimeout != defaultTimeout || c.maxBytes != defaultMaxBytes {
		t.Fatalf("defaults not applied: timeout %v, max %d", c.hc.Timeout, c.maxBytes)
	}
}

func TestDoRefusesBadURL(t *testing.T) {
	t.Parallel()
	c := New(Options{AllowPrivate: true})
	for _, u := range []string{"ftp://example.com/", "http://user:pass@127.0.0.1/", "file:///etc/passwd"} {
		if _, err := get(t, c, u); !errors.Is(err, ErrInvalidURL) {
			t.Errorf("%s: err = %v, want ErrInvalidURL", u, err)
		}
	}
}

func TestErrorsDropQuery(t *testing.T) {
	t.Parallel()
	_, err := get(t, New(Options{}), "http://127.0.0.1:9/send?apikey=s3cr3t")
	if err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("err = %v, want an error without the query", err)
	}
}
