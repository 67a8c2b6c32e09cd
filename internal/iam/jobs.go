package iam

import (
	"context"
	"database/sql"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/db"
)

// PurgeAttemptsArgs is the periodic purge of old login attempt counters.
type PurgeAttemptsArgs struct{}

// Kind names the job in River.
func (PurgeAttemptsArgs) Kind() string { return "iam.purge_login_attempts" }

// PurgeAttemptsWorker deletes counters that left the throttling window.
type PurgeAttemptsWorker struct {
	river.WorkerDefaults[PurgeAttemptsArgs]
	DB *db.DB
}

// Work deletes old attempts.
func (w *PurgeAttemptsWorker) Work(ctx context.Context, _ *river.Job[PurgeAttemptsArgs]) error {
	_, err := purgeAttempts(ctx, w.DB.W, db.Now())
	return err
}

// PurgeAttemptsPeriodic runs the purge every 15 minutes.
func PurgeAttemptsPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(attemptWindow),
		func() (river.JobArgs, *river.InsertOpts) { return PurgeAttemptsArgs{}, nil },
		&river.PeriodicJobOpts{ID: "iam.purge_login_attempts"})
}

// LoginFailedArgs audits one failed login (see Service.loginFailed).
type LoginFailedArgs struct {
	Email     string    `json:"email"`
	UserID    string    `json:"user_id,omitempty"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"user_agent"`
	RequestID string    `json:"request_id"`
	At        time.Time `json:"at"`
}

// Kind names the job in River.
func (LoginFailedArgs) Kind() string { return "iam.audit_login_failed" }

// LoginFailedWorker writes the failed login to the hub chain and, for a
// known user, to the chains of the user's accounts.
type LoginFailedWorker struct {
	river.WorkerDefaults[LoginFailedArgs]
	S *Service
}

// Work records the entry.
func (w *LoginFailedWorker) Work(ctx context.Context, j *river.Job[LoginFailedArgs]) error {
	a := j.Args
	e := audit.Entry{ActorType: "system", Action: "auth.login.failed", ResourceType: "user", IP: a.IP, UserAgent: a.UserAgent,
		RequestID: a.RequestID, After: map[string]any{"email": a.Email, "at": a.At}}
	return w.S.DB.Tx(ctx, func(tx *sql.Tx) error {
		if a.UserID == "" {
			return w.S.Audit.RecordHub(ctx, tx, e, nil)
		}
		e.ActorType, e.ActorID, e.ResourceID = "user", a.UserID, a.UserID
		return w.S.recordUser(ctx, tx, a.UserID, e)
	})
}
