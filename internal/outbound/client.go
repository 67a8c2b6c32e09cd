// Package outbound owns the hub's one HTTP client for calls to Chatwoot and
// WhatsApp providers. Their base URLs come from tenants, so every request is
// bounded in time and size, never follows redirects or environment proxies,
// and may only reach public addresses unless private ones are allowed (as in
// development). The package does no logging, so headers and bodies, which
// carry tokens, cannot end up in logs through it.
package outbound

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

var (
	// ErrForbiddenAddress is wrapped when the guard refuses a destination.
	ErrForbiddenAddress = errors.New("outbound: forbidden address")
	// ErrResponseTooLarge is returned once a response body passes the limit.
	ErrResponseTooLarge = errors.New("outbound: response body too large")
	// ErrBadResponse is wrapped when a 2xx response cannot be decoded.
	ErrBadResponse = errors.New("outbound: bad response")
)

// Options configures a Client. The zero value is the production setting.
type Options struct {
	// AllowPrivate lets requests reach loopback, private and link-local
	// addresses: for development and tests only.
	AllowPrivate bool
	// PrivateHosts are host names allowed to resolve to private addresses
	// when AllowPrivate is off (WHATPRO_ALLOW_PRIVATE_HOSTS).
	PrivateHosts []string
	// Timeout bounds a whole exchange, body included. Default 10s.
	Timeout time.Duration
	// MaxResponseBytes caps response bodies. Default 5 MiB.
	MaxResponseBytes int64
	// UserAgent is sent when a request sets none.
	UserAgent string
	// RootCAs replaces the system roots (tests that put a TLS proxy with
	// their own certificate in front of Chatwoot); nil means the system's.
	RootCAs *x509.CertPool
}

const (
	defaultTimeout  = 10 * time.Second
	defaultMaxBytes = 5 << 20
	dialTimeout     = 5 * time.Second
)

// Client sends requests under the package's rules. It is safe for
// concurrent use and should be shared, so connections are reused.
type Client struct {
	hc        *http.Client
	maxBytes  int64
	userAgent string
}

// New builds a Client, filling in defaults for zero options.
func New(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = defaultTimeout
	}
	if opts.MaxResponseBytes <= 0 {
		opts.MaxResponseBytes = defaultMaxBytes
	}
	return &Client{hc: newHTTPClient(opts, newGuard(opts.AllowPrivate, opts.PrivateHosts)), maxBytes: opts.MaxResponseBytes, userAgent: opts.UserAgent}
}

func newHTTPClient(opts Options, g *guard) *http.Client {
	transport := &http.Transport{
		// Explicitly no proxy: HTTPS_PROXY and friends must not decide
		// where tenant-supplied URLs go, nor bypass the address guard.
		Proxy:                 nil,
		DialContext:           g.DialContext,
		ForceAttemptHTTP2:     true, // a custom DialContext turns HTTP/2 off otherwise
		TLSClientConfig:       &tls.Config{RootCAs: opts.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   dialTimeout,
		ResponseHeaderTimeout: opts.Timeout,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   10,
		IdleConnTimeout:       90 * time.Second,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   opts.Timeout,
		// A redirect could lead from a vetted host to anywhere, and would
		// resend our headers there; callers see the 3xx instead.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Do sends req. The response body is capped: reading past MaxResponseBytes
// fails with ErrResponseTooLarge. Redirects are returned, not followed.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	if err := checkURL(req.URL); err != nil {
		return nil, err
	}
	if c.userAgent != "" && req.Header.Get("User-Agent") == "" {
		req = req.Clone(req.Context()) // the caller's request stays untouched
		if req.Header == nil {
			req.Header = make(http.Header)
		}
		req.Header.Set("User-Agent", c.userAgent)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, redactURL(err)
	}
	if resp.ContentLength > c.maxBytes {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: Content-Length %d exceeds %d bytes", ErrResponseTooLarge, resp.ContentLength, c.maxBytes)
	}
	resp.Body = &cappedBody{ReadCloser: resp.Body, left: c.maxBytes}
	return resp, nil
}

// redactURL drops the query from the URL that net/http puts in its errors;
// some provider APIs take tokens as query parameters, and errors get logged.
func redactURL(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil {
		return &url.Error{Op: ue.Op, URL: "(unparsable URL)", Err: ue.Err}
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment = nil, "", false, ""
	return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
}

// cappedBody returns the first limit bytes and then ErrResponseTooLarge if
// there is more, rather than silently truncating.
type cappedBody struct {
	io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, ErrResponseTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left+1] // one byte past the limit tells "more" from "exactly full"
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n - 1, ErrResponseTooLarge
	}
	return n, err
}
