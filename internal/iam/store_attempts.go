package iam

import (
	"context"
	"time"

	"github.com/whatpro/hub/internal/db"
)

// Login throttling: counters live in the database so that every instance
// sees the same failures. A failure counts against its (email, address)
// pair and its address; failures of an email from everywhere add a
// growing delay, which spares the addresses that signed in as that email
// before and super admins, so that nobody can lock out a user by failing
// on purpose. (Super admins are protected by the pair and address limits,
// and in production by their mandatory second factor.)
const (
	attemptWindow   = 15 * time.Minute
	maxPairFailures = 10
	maxIPFailures   = 50
	// After delayAfter failures of an email in the window, each attempt
	// from an address it never signed in from waits 2^(n-delayAfter) s
	// (at most maxDelay) after the email's last failure.
	delayAfter  = 5
	maxDelay    = time.Minute
	knownForget = 90 * 24 * time.Hour
)

func recordAttempt(ctx context.Context, q db.Querier, email, ip string, ok bool, now time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO login_attempts (id, email, ip, succeeded, created_at) VALUES ($1, $2, $3, $4, $5)`,
		db.NewID(), NormalizeEmail(email), ip, ok, now)
	if err != nil || !ok {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO login_known_addresses (email, ip, last_success_at) VALUES ($1, $2, $3)
		ON CONFLICT (email, ip) DO UPDATE SET last_success_at = excluded.last_success_at`, NormalizeEmail(email), ip, now)
	return err
}

// throttled reports whether this login attempt must wait and for how
// long. The same queries run whoever the email belongs to.
func throttled(ctx context.Context, q db.Querier, email, ip string, superAdmin bool, now time.Time) (bool, time.Duration, error) {
	since, email := now.Add(-attemptWindow), NormalizeEmail(email)
	failures := func(where string, max int, args ...any) ([]time.Time, error) {
		rows, err := q.QueryContext(ctx, `SELECT created_at FROM login_attempts
			WHERE `+where+` AND succeeded = FALSE AND created_at > $1 ORDER BY created_at DESC LIMIT `+itoa(max), append([]any{since}, args...)...)
		return db.Collect(rows, err, func(r interface{ Scan(...any) error }) (time.Time, error) {
			var t time.Time
			return t, r.Scan(&t)
		})
	}
	windowEnd := func(times []time.Time) time.Duration { return times[len(times)-1].Add(attemptWindow).Sub(now) }
	pair, err := failures("email = $2 AND ip = $3", maxPairFailures, email, ip)
	if err != nil {
		return false, 0, err
	}
	fromIP, err := failures("ip = $2", maxIPFailures, ip)
	if err != nil {
		return false, 0, err
	}
	ofEmail, err := failures("email = $2", delayAfter+10, email)
	if err != nil {
		return false, 0, err
	}
	var known int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM login_known_addresses WHERE email = $1 AND ip = $2 AND last_success_at > $3`,
		email, ip, now.Add(-knownForget)).Scan(&known); err != nil {
		return false, 0, err
	}
	switch {
	case len(pair) >= maxPairFailures:
		return true, windowEnd(pair), nil
	case len(fromIP) >= maxIPFailures:
		return true, windowEnd(fromIP), nil
	case len(ofEmail) >= delayAfter && known == 0 && !superAdmin:
		delay := min(time.Second<<(len(ofEmail)-delayAfter), maxDelay)
		if wait := ofEmail[0].Add(delay).Sub(now); wait > 0 {
			return true, wait, nil
		}
	}
	return false, 0, nil
}

// purgeAttempts deletes counters older than the window and addresses not
// signed in from for a long time.
func purgeAttempts(ctx context.Context, q db.Querier, now time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM login_attempts WHERE created_at < $1`, now.Add(-attemptWindow))
	if err != nil {
		return 0, err
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM login_known_addresses WHERE last_success_at < $1`, now.Add(-knownForget)); err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
