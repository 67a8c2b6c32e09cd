package outbound

import (
	"errors"
	"net/url"
	"strconv"
)

// ErrInvalidURL is matched (errors.Is) by every *URLError.
var ErrInvalidURL = errors.New("outbound: invalid URL")

// URLError explains why a URL was refused. Reason is safe to show to the
// person who typed the URL; it never repeats the URL, which may hold
// credentials.
type URLError struct {
	Reason string
}

func (e *URLError) Error() string { return "invalid URL: " + e.Reason }

// Is makes errors.Is(err, ErrInvalidURL) true.
func (e *URLError) Is(target error) bool { return target == ErrInvalidURL }

// ValidateBaseURL checks a base URL given by a tenant (a Chatwoot
// installation, a provider endpoint) before it is stored. It does not look
// at the address the host resolves to: that is checked on every dial.
func ValidateBaseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, &URLError{"is empty"}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &URLError{"cannot be parsed"}
	}
	if err := checkURL(u); err != nil {
		return nil, err
	}
	if u.Fragment != "" || u.RawFragment != "" {
		return nil, &URLError{"must not contain a fragment (#...)"}
	}
	if u.RawQuery != "" || u.ForceQuery {
		return nil, &URLError{"must not contain a query (?...)"}
	}
	return u, nil
}

// checkURL holds the rules every outgoing request obeys.
func checkURL(u *url.URL) error {
	if u == nil {
		return &URLError{"is missing"}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return &URLError{"must start with http:// or https://"}
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return &URLError{"must include a host name"}
	}
	if u.User != nil {
		return &URLError{"must not contain a user name or password; configure credentials separately"}
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return &URLError{"has an invalid port"}
		}
	}
	return nil
}
