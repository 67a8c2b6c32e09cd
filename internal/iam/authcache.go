package iam

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/whatpro/hub/internal/authcache"
	"github.com/whatpro/hub/internal/db"
)

// sessionAuth is what authenticating a session reads: the session row and
// its user's standing, in one query. Cached values are shared: never
// modify one after it is stored.
type sessionAuth struct {
	UserID     string
	ExpiresAt  time.Time
	Revoked    bool
	MFAPending bool
	LastSeenAt time.Time
	Active     bool
	SuperAdmin bool
	touched    atomic.Int64 // unix seconds of the last write-behind touch
}

func (s *Service) sessionAuth(ctx context.Context, sessionID string) (*sessionAuth, error) {
	key := "s:" + sessionID
	if a, ok := authcache.Get[*sessionAuth](s.Cache, key); ok {
		return a, nil
	}
	gen := s.Cache.Gen()
	a := &sessionAuth{}
	err := s.DB.Reads().QueryRowContext(ctx, `SELECT s.user_id, s.expires_at, s.revoked_at IS NOT NULL, s.mfa_pending, s.last_seen_at,
		u.active, u.super_admin FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1`, sessionID).
		Scan(&a.UserID, &a.ExpiresAt, &a.Revoked, &a.MFAPending, &a.LastSeenAt, &a.Active, &a.SuperAdmin)
	if err != nil {
		return nil, db.Translate(err)
	}
	a.touched.Store(a.LastSeenAt.Unix())
	s.Cache.Put(gen, key, a)
	return a, nil
}

// userActive reports a user's standing (instance tokens and keys act as
// their user, who must still be active).
func (s *Service) userActive(ctx context.Context, userID string) (bool, error) {
	key := "u:" + userID
	if on, ok := authcache.Get[bool](s.Cache, key); ok {
		return on, nil
	}
	gen := s.Cache.Gen()
	var on bool
	err := s.DB.Reads().QueryRowContext(ctx, `SELECT active FROM users WHERE id = $1`, userID).Scan(&on)
	if err != nil {
		return false, db.Translate(err)
	}
	s.Cache.Put(gen, key, on)
	return on, nil
}

// cachedKey finds an API key by prefix ("k:") or id ("ki:").
func (s *Service) cachedKey(ctx context.Context, by, val string) (*APIKey, error) {
	key := "k" + by + ":" + val
	if k, ok := authcache.Get[*APIKey](s.Cache, key); ok {
		return k, nil
	}
	gen := s.Cache.Gen()
	col := "prefix"
	if by == "i" {
		col = "id"
	}
	k, err := scanKey(s.DB.Reads().QueryRowContext(ctx, `SELECT `+keyCols+` FROM api_keys WHERE `+col+` = $1`, val))
	if err != nil {
		return nil, err
	}
	s.Cache.Put(gen, key, k)
	return k, nil
}

// accessRow is an account's status and a user's membership of it (empty
// when none), in one query.
type accessRow struct {
	Exists        bool
	AccountStatus string
	Role, Status  string
}

func (s *Service) accessRow(ctx context.Context, accountID, userID string) (*accessRow, error) {
	key := "m:" + accountID + "\x00" + userID
	if a, ok := authcache.Get[*accessRow](s.Cache, key); ok {
		return a, nil
	}
	gen := s.Cache.Gen()
	a := &accessRow{Exists: true}
	err := s.DB.Reads().QueryRowContext(ctx, `SELECT a.status, COALESCE(m.role, ''), COALESCE(m.status, '')
		FROM accounts a LEFT JOIN memberships m ON m.account_id = a.id AND m.user_id = $2 WHERE a.id = $1`, accountID, userID).
		Scan(&a.AccountStatus, &a.Role, &a.Status)
	if errors.Is(db.Translate(err), db.ErrNotFound) {
		return &accessRow{}, nil // not stored: ids nobody has must not fill the cache
	} else if err != nil {
		return nil, err
	}
	s.Cache.Put(gen, key, a)
	return a, nil
}

// AccountStatus is the account's status (active, suspended) from the
// cache: the webhook intake asks for every group of events it stores.
func (s *Service) AccountStatus(ctx context.Context, accountID string) (string, error) {
	key := "as:" + accountID
	if st, ok := authcache.Get[string](s.Cache, key); ok {
		return st, nil
	}
	gen := s.Cache.Gen()
	acc, err := getAccount(ctx, s.DB.Reads(), accountID)
	if err != nil {
		return "", err // not found is not kept
	}
	s.Cache.Put(gen, key, acc.Status)
	return acc.Status, nil
}

// tx runs fn in a write transaction and, once it committed, forgets the
// cached authorisation rows: this instance's next request sees the change
// at once (others hear of it from the database's triggers).
func (s *Service) tx(ctx context.Context, fn func(tx *sql.Tx) error) error { return s.WriteTx(ctx, fn) }

// WriteTx is tx for the packages whose writes change what authorisation
// reads (instance tokens, features, plans, Chatwoot sign-ins).
func (s *Service) WriteTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	err := s.DB.Tx(ctx, fn)
	if err == nil {
		s.Cache.Changed()
	}
	return err
}

// touches writes the last_seen_at of sessions and the last_used_at of
// keys behind the requests that use them, batched, so a read-only request
// never takes the writer.
type touches struct {
	mu       sync.Mutex
	sessions map[string]time.Time
	keys     map[string]time.Time
}

func (t *touches) add(m *map[string]time.Time, id string, at time.Time) {
	t.mu.Lock()
	if *m == nil {
		*m = map[string]time.Time{}
	}
	(*m)[id] = at
	t.mu.Unlock()
}

// touchSession records a use at most once a minute per session.
func (s *Service) touchSessionLater(a *sessionAuth, sessionID string, now time.Time) {
	last := a.touched.Load()
	if now.Unix()-last <= 60 || !a.touched.CompareAndSwap(last, now.Unix()) {
		return
	}
	s.touch.add(&s.touch.sessions, sessionID, now)
}

func (s *Service) touchKeyLater(k *APIKey, now time.Time) {
	if k.LastUsedAt != nil && now.Sub(*k.LastUsedAt) <= time.Minute {
		return
	}
	last := k.touched.Load()
	if now.Unix()-last <= 60 || !k.touched.CompareAndSwap(last, now.Unix()) {
		return
	}
	s.touch.add(&s.touch.keys, k.ID, now)
}

// FlushTouches writes the pending uses in one transaction.
func (s *Service) FlushTouches(ctx context.Context) error {
	s.touch.mu.Lock()
	sess, keys := s.touch.sessions, s.touch.keys
	s.touch.sessions, s.touch.keys = nil, nil
	s.touch.mu.Unlock()
	if len(sess)+len(keys) == 0 {
		return nil
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for id, at := range sess {
			if err := touchSession(ctx, tx, id, at); err != nil {
				return err
			}
		}
		for id, at := range keys {
			if err := touchKey(ctx, tx, id, at); err != nil {
				return err
			}
		}
		return nil
	})
}

// RunTouches flushes pending uses every interval until ctx ends, then
// once more.
func (s *Service) RunTouches(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = s.FlushTouches(fctx)
			cancel()
			return
		case <-t.C:
			_ = s.FlushTouches(ctx)
		}
	}
}
