package iam

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/whatpro/hub/internal/db"
)

// Session is a console login.
type Session struct {
	ID         string    `json:"id"`
	UserID     string    `json:"-"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	Current    bool      `json:"current"`
	MFAPending bool      `json:"-"`
	revokedAt  *time.Time
}

func createSession(ctx context.Context, tx *sql.Tx, userID, ip, ua string, mfaPending bool, now time.Time) (*Session, error) {
	s := &Session{ID: db.NewID(), UserID: userID, IP: ip, UserAgent: truncate(ua, 300), CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(RefreshTTL), MFAPending: mfaPending}
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, ip, user_agent, mfa_pending, created_at, last_seen_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6, $7)`, s.ID, userID, s.IP, s.UserAgent, mfaPending, now, s.ExpiresAt)
	return s, db.Translate(err)
}

func getSession(ctx context.Context, q db.Querier, sessionID string) (*Session, error) {
	s := &Session{}
	err := q.QueryRowContext(ctx, `SELECT id, user_id, ip, user_agent, mfa_pending, created_at, last_seen_at, expires_at, revoked_at
		FROM sessions WHERE id = $1`, sessionID).
		Scan(&s.ID, &s.UserID, &s.IP, &s.UserAgent, &s.MFAPending, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt, &s.revokedAt)
	if err != nil {
		return nil, db.Translate(err)
	}
	return s, nil
}

func listSessions(ctx context.Context, q db.Querier, userID string, now time.Time) ([]*Session, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, user_id, ip, user_agent, created_at, last_seen_at, expires_at
		FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC`, userID, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Session{}
	for rows.Next() {
		s := &Session{}
		if err := rows.Scan(&s.ID, &s.UserID, &s.IP, &s.UserAgent, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// revokeSession ends one of the user's sessions (userID in the WHERE keeps
// users from revoking each other's).
func revokeSession(ctx context.Context, tx *sql.Tx, userID, sessionID, reason string, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1, revoked_reason = $2
		WHERE id = $3 AND user_id = $4 AND revoked_at IS NULL`, now, reason, sessionID, userID)
	return affected(res, err)
}

// revokeUserSessions ends every session of the user except keep.
func revokeUserSessions(ctx context.Context, tx *sql.Tx, userID, keep, reason string, now time.Time) (int64, error) {
	res, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1, revoked_reason = $2
		WHERE user_id = $3 AND id <> $4 AND revoked_at IS NULL`, now, reason, userID, keep)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func touchSession(ctx context.Context, q db.Querier, sessionID string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $3`,
		now, sessionID, now.Add(-time.Minute))
	return err
}

func clearMFAPending(ctx context.Context, tx *sql.Tx, sessionID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE sessions SET mfa_pending = FALSE WHERE id = $1`, sessionID)
	return err
}

func insertRefresh(ctx context.Context, tx *sql.Tx, sessionID, token string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO refresh_tokens (hash, session_id, created_at) VALUES ($1, $2, $3)`,
		HashToken(token), sessionID, now)
	return db.Translate(err)
}

// useRefresh marks a refresh token used. It returns the session and
// whether the token had been used before (reuse).
func useRefresh(ctx context.Context, tx *sql.Tx, token string, now time.Time) (sessionID string, reused bool, err error) {
	var usedAt *time.Time
	err = tx.QueryRowContext(ctx, `SELECT session_id, used_at FROM refresh_tokens WHERE hash = $1`, HashToken(token)).Scan(&sessionID, &usedAt)
	if err != nil {
		return "", false, db.Translate(err)
	}
	if usedAt != nil {
		return sessionID, true, nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET used_at = $1 WHERE hash = $2 AND used_at IS NULL`, now, HashToken(token))
	if err != nil {
		return "", false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sessionID, true, nil // a concurrent refresh won: this is a reuse
	}
	return sessionID, false, nil
}

// truncate cuts s to at most n bytes of valid UTF-8: client text (user
// agents) may hold any bytes, and PostgreSQL refuses invalid UTF-8.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
