package chatwoot

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/outbound"
)

// Account is a handle on one linked Chatwoot account: the installation's
// base URL, the Chatwoot account id and the link's token, bound once so
// consumers (the gateway) call Chatwoot without passing the three around.
// It holds the plaintext token in memory only; it is never logged.
type Account struct {
	c         *Client
	base      string
	accountID int
	token     string
	// Version is the Chatwoot version recorded at the last check.
	Version string
}

// NewAccount binds a client to one Chatwoot account.
func NewAccount(c *Client, base string, chatwootAccountID int, token string) *Account {
	return &Account{c: c, base: strings.TrimSuffix(base, "/"), accountID: chatwootAccountID, token: token}
}

// Account returns the handle on the hub account's linked Chatwoot. An
// account without a link is db.ErrNotFound.
func (s *Service) Account(ctx context.Context, accountID string) (*Account, error) {
	l, token, err := s.linkToken(ctx, accountID)
	if err != nil {
		return nil, err
	}
	a := NewAccount(s.Client, l.BaseURL, l.ChatwootAccountID, token)
	a.Version = l.ChatwootVersion
	return a, nil
}

// ChatwootAccountID is the bound Chatwoot account id.
func (a *Account) ChatwootAccountID() int { return a.accountID }

func (a *Account) path(rest string) string { return acctPath(a.accountID, rest) }

func (a *Account) do(ctx context.Context, method, path string, body, out any) error {
	_, _, err := a.c.HTTP.JSON(ctx, method, a.base+path, tokenHeader(a.token), body, out)
	return wrapCallError(err)
}

// Retry classes of a failed Chatwoot call.
type Class int

const (
	// Retryable failures may succeed later: timeouts, connection errors,
	// 429 and 5xx.
	Retryable Class = iota
	// Final failures will fail again the same way: other 4xx, refused
	// credentials, answers the hub cannot read.
	Final
)

// CallError is a failed Chatwoot call with its HTTP status (0 when no
// answer arrived) and its retry class.
type CallError struct {
	Status int
	Class  Class
	Err    error
}

func (e *CallError) Error() string { return "chatwoot: " + e.Err.Error() }
func (e *CallError) Unwrap() error { return e.Err }

// Classify says whether a failed call is worth retrying; this is the one
// place the rule lives. Errors that are not Chatwoot calls are retryable
// (a database hiccup in between), except cancellations of the caller.
func Classify(err error) Class {
	var ce *CallError
	if errors.As(err, &ce) {
		return ce.Class
	}
	return Retryable
}

// IsNotFound reports a Chatwoot 404 (or db.ErrNotFound).
func IsNotFound(err error) bool {
	var ce *CallError
	return errors.Is(err, db.ErrNotFound) || (errors.As(err, &ce) && ce.Status == http.StatusNotFound)
}

func wrapCallError(err error) error {
	if err == nil {
		return nil
	}
	var se *outbound.StatusError
	if errors.As(err, &se) {
		class := Final
		if se.Status == http.StatusTooManyRequests || se.Status >= 500 {
			class = Retryable
		}
		if se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden {
			err = errors.Join(ErrUnauthorized, err)
		}
		return &CallError{Status: se.Status, Class: class, Err: err}
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne):
		return &CallError{Class: Retryable, Err: err}
	case errors.Is(err, outbound.ErrBadResponse), errors.Is(err, outbound.ErrResponseTooLarge),
		errors.Is(err, outbound.ErrForbiddenAddress):
		return &CallError{Class: Final, Err: err}
	}
	var ue *outbound.URLError
	if errors.As(err, &ue) {
		return &CallError{Class: Final, Err: err}
	}
	return &CallError{Class: Retryable, Err: err}
}

func itoa(n int) string { return strconv.Itoa(n) }

func pathEscape(s string) string { return url.PathEscape(s) }

// Key names the bound Chatwoot account (installation and account id) for
// caches; it holds no secret.
func (a *Account) Key() string { return a.base + "#" + itoa(a.accountID) }
