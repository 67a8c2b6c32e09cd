package iam

import (
	"context"
	"time"

	"github.com/whatpro/hub/internal/db"
)

// Login throttling: counters live in the database so that every instance
// sees the same failures.
const (
	attemptWindow    = 15 * time.Minute
	maxEmailFailures = 10
	maxIPFailures    = 50
)

func recordAttempt(ctx context.Context, q db.Querier, email, ip string, ok bool, now time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO login_attempts (id, email, ip, succeeded, created_at) VALUES ($1, $2, $3, $4, $5)`,
		db.NewID(), NormalizeEmail(email), ip, ok, now)
	return err
}

// throttled reports whether logins for email or from ip are blocked and,
// if so, when the oldest counted failure leaves the window.
func throttled(ctx context.Context, q db.Querier, email, ip string, now time.Time) (bool, time.Duration, error) {
	since := now.Add(-attemptWindow)
	check := func(col, val string, max int) (bool, time.Duration, error) {
		rows, err := q.QueryContext(ctx, `SELECT created_at FROM login_attempts
			WHERE `+col+` = $1 AND succeeded = FALSE AND created_at > $2 ORDER BY created_at DESC LIMIT $3`, val, since, max)
		if err != nil {
			return false, 0, err
		}
		defer rows.Close()
		var times []time.Time
		for rows.Next() {
			var t time.Time
			if err := rows.Scan(&t); err != nil {
				return false, 0, err
			}
			times = append(times, t)
		}
		if len(times) < max {
			return false, 0, rows.Err()
		}
		return true, times[len(times)-1].Add(attemptWindow).Sub(now), nil
	}
	if blocked, wait, err := check("email", NormalizeEmail(email), maxEmailFailures); blocked || err != nil {
		return blocked, wait, err
	}
	return check("ip", ip, maxIPFailures)
}

// purgeAttempts deletes counters older than the window.
func purgeAttempts(ctx context.Context, q db.Querier, now time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM login_attempts WHERE created_at < $1`, now.Add(-attemptWindow))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
