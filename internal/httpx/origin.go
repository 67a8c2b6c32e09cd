package httpx

import (
	"errors"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// ErrBadOrigin explains why a string is not an origin the hub accepts.
var ErrBadOrigin = errors.New("must be an origin such as https://chat.example.com (scheme, host and optional port only)")

// errHTTPSOnly is the production refusal of plain-http origins.
var errHTTPSOnly = errors.New("must be an https origin in production")

// ParseOrigin reads an origin given by a tenant, the configuration or a
// browser's Origin header and re-serialises it canonically as
// scheme://host[:port]: lower case, default ports dropped, no user, path,
// query or fragment, no wildcard. What comes out is safe to write into a
// Content-Security-Policy or compare byte for byte, because its host holds
// only letters, digits, dots and hyphens (or is an IP literal). With
// httpsOnly (production) plain http is refused.
func ParseOrigin(raw string, httpsOnly bool) (string, error) {
	if raw == "" || len(raw) > 300 || strings.ContainsAny(raw, " \t\r\n;,'\"*\\<>{}|^`") {
		return "", ErrBadOrigin
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.User != nil || u.RawQuery != "" || u.ForceQuery ||
		u.Fragment != "" || (u.Path != "" && u.Path != "/") || u.RawPath != "" {
		return "", ErrBadOrigin
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", ErrBadOrigin
	}
	if httpsOnly && scheme != "https" {
		return "", errHTTPSOnly
	}
	host, err := canonicalHost(u.Hostname())
	if err != nil {
		return "", err
	}
	port := u.Port()
	if strings.HasSuffix(u.Host, ":") {
		return "", ErrBadOrigin
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
			return "", ErrBadOrigin
		}
		if (scheme == "https" && n == 443) || (scheme == "http" && n == 80) {
			port = ""
		}
	}
	out := scheme + "://" + host
	if port != "" {
		out += ":" + port
	}
	return out, nil
}

// canonicalHost accepts an IP literal or a DNS name of ASCII letters,
// digits and hyphens (IDNs arrive as punycode), lower-cased.
func canonicalHost(h string) (string, error) {
	if h == "" {
		return "", ErrBadOrigin
	}
	if a, err := netip.ParseAddr(h); err == nil {
		if a.Zone() != "" {
			return "", ErrBadOrigin
		}
		if a.Is6() {
			return "[" + a.String() + "]", nil
		}
		return a.String(), nil
	}
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	if h == "" || len(h) > 253 {
		return "", ErrBadOrigin
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", ErrBadOrigin
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return "", ErrBadOrigin
			}
		}
	}
	return h, nil
}

// CanonicalOrigin is ParseOrigin for values that are compared, not stored
// (a request's Origin header): anything unparsable becomes "".
func CanonicalOrigin(raw string) string {
	o, err := ParseOrigin(raw, false)
	if err != nil {
		return ""
	}
	return o
}
