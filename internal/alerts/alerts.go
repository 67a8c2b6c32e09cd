// Package alerts watches what stops working in an account — a number that
// drops, gateway work that dies, a Chatwoot link that fails — and keeps an
// incident for each. An incident opens once: the account's admins get one
// e-mail and a console banner; a repeated failure while it is open adds
// nothing; once healthy it closes, and a new failure is a new incident.
// An account that reaches its monthly message limit (or comes near it)
// is an incident of the same kind, so its admins are warned once a month.
//
// The package never reads another domain's tables: each owner hands it a
// Source (app wires provider, gateway and chatwoot in).
package alerts

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/mail"
	"github.com/whatpro/hub/internal/secret"
)

// Incident kinds.
const (
	KindNumberDown  = "number_down"  // subject: the number's id
	KindDeadLetters = "dead_letters" // subject: "gateway"; open while the account has dead work
	KindLinkFailing = "link_failing" // subject: the Chatwoot link's id
	// KindMessagesOverLimit is an account that used its plan's
	// max_messages_per_month: customers' messages still arrive, agents'
	// replies are refused. Subject: the month (YYYY-MM); it closes when
	// the plan is raised or the month ends.
	KindMessagesOverLimit = "messages_over_limit"
	// KindMessagesNearLimit is an account past usage.NearPercent of that
	// limit and still under it (subject: the month): one warning before
	// replies stop.
	KindMessagesNearLimit = "messages_near_limit"
)

// Finding is one unhealthy subject as its owner reports it now.
type Finding struct {
	AccountID   string
	SubjectID   string
	SubjectName string // shown in the banner and the mail; never a secret
	Detail      string // a short, non-secret reason (a Reason constant, a count)
	// Used and Limit are a quota's figures (the messages kinds), for the
	// mail.
	Used, Limit int
}

// Source reports every account's unhealthy subjects of one kind. A
// subject it leaves out is healthy.
type Source func(ctx context.Context) ([]Finding, error)

// Inserter enqueues jobs in a transaction (jobs.Queue).
type Inserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Service keeps the incidents.
type Service struct {
	DB   *db.DB
	Jobs Inserter
	Keys *secret.Ring
	// Mail is false when no SMTP server is configured: incidents still
	// open (the banner shows them) but nobody is mailed.
	Mail bool
	// ConsoleURL is the link of the mail (the console's address).
	ConsoleURL string
	Now        func() time.Time
	Log        *slog.Logger

	kinds   []string
	sources map[string]Source
}

// Watch adds the source of a kind of incident.
func (s *Service) Watch(kind string, src Source) {
	if s.sources == nil {
		s.sources = map[string]Source{}
	}
	s.kinds = append(s.kinds, kind)
	s.sources[kind] = src
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Check asks every source, opens the incidents that are new and closes
// those whose subject is healthy again. A source that fails leaves its
// incidents as they are (nothing is closed on an unknown state).
func (s *Service) Check(ctx context.Context) error {
	for _, kind := range s.kinds {
		found, err := s.sources[kind](ctx)
		if err != nil {
			s.Log.Warn("alerts: source failed", "kind", kind, "error", err.Error())
			continue
		}
		if err := s.reconcile(ctx, kind, found); err != nil {
			return err
		}
	}
	return nil
}

type subject struct{ account, id string }

func (s *Service) reconcile(ctx context.Context, kind string, found []Finding) error {
	unhealthy := map[subject]bool{}
	for _, f := range found {
		unhealthy[subject{f.AccountID, f.SubjectID}] = true
		if err := s.open(ctx, kind, f); err != nil {
			return err
		}
	}
	open, err := openOfKind(ctx, s.DB.R, kind)
	if err != nil {
		return err
	}
	for _, o := range open {
		if unhealthy[subject{o.AccountID, o.SubjectID}] {
			continue
		}
		if err := closeIncident(ctx, s.DB.W, o.ID, s.now()); err != nil {
			return err
		}
		s.Log.Info("incident closed", "account_id", o.AccountID, "kind", kind, "subject_id", o.SubjectID)
	}
	return nil
}

// open records the incident unless one is open for the subject; the one
// transaction that inserts it queues the admins' mails.
func (s *Service) open(ctx context.Context, kind string, f Finding) error {
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		id, opened, err := insertIncident(ctx, tx, kind, f, now)
		if err != nil || !opened {
			return err
		}
		s.Log.Info("incident opened", "account_id", f.AccountID, "kind", kind, "subject_id", f.SubjectID)
		if !s.Mail {
			return nil
		}
		name, admins, err := iam.AccountAdmins(ctx, tx, f.AccountID)
		if err != nil || len(admins) == 0 {
			return err
		}
		resource := f.SubjectName
		if kind == KindDeadLetters {
			resource = f.Detail
		}
		for _, a := range admins {
			args, err := mail.Seal(s.Keys, mail.KindIncident, a.Email, a.Locale, s.ConsoleURL,
				mail.Data{AccountName: name, Incident: kind, Resource: resource, Used: f.Used, Limit: f.Limit})
			if err != nil {
				return err
			}
			if _, err := s.Jobs.InsertTx(ctx, tx, args, nil); err != nil {
				return err
			}
		}
		return markNotified(ctx, tx, id, now)
	})
}

// CheckArgs is the periodic alerts check.
type CheckArgs struct{}

// Kind names the job in River.
func (CheckArgs) Kind() string { return "alerts.check" }

// CheckWorker runs the check.
type CheckWorker struct {
	river.WorkerDefaults[CheckArgs]
	S *Service
}

// Work runs one check.
func (w *CheckWorker) Work(ctx context.Context, _ *river.Job[CheckArgs]) error { return w.S.Check(ctx) }

// Periodic checks every interval.
func Periodic(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return CheckArgs{}, nil },
		&river.PeriodicJobOpts{ID: "alerts.check"})
}
