// Package app wires the hub together: configuration, database, key ring,
// job queue, route table and servers. cmd/whatpro and the tests build the
// hub only through it.
package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/whatpro/hub/internal/alerts"
	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/authcache"
	"github.com/whatpro/hub/internal/chat"
	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/config"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/embed"
	"github.com/whatpro/hub/internal/feature"
	"github.com/whatpro/hub/internal/gateway"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/idempotency"
	"github.com/whatpro/hub/internal/inbox"
	"github.com/whatpro/hub/internal/intake"
	"github.com/whatpro/hub/internal/jobs"
	"github.com/whatpro/hub/internal/kanban"
	"github.com/whatpro/hub/internal/mail"
	"github.com/whatpro/hub/internal/ops"
	"github.com/whatpro/hub/internal/outbound"
	"github.com/whatpro/hub/internal/plan"
	"github.com/whatpro/hub/internal/privacy"
	"github.com/whatpro/hub/internal/provider"
	"github.com/whatpro/hub/internal/realtime"
	"github.com/whatpro/hub/internal/secret"
	"github.com/whatpro/hub/internal/usage"
)

// App is one running hub.
type App struct {
	Cfg      *config.Config
	Log      *slog.Logger
	DB       *db.DB
	Keys     *secret.Ring
	Jobs     *jobs.Queue
	IAM      *iam.Service
	Features *feature.Flags
	Origins  *embed.Origins
	Plans    *plan.Catalog
	Inboxes  *inbox.Syncer
	Managed  *inbox.Managed
	Provider *provider.Service
	Usage    *usage.Meter
	// Dispatcher is the registry of event consumers: each domain registers
	// what it consumes under its own name (RegisterAll) and gets its own
	// execution of each event. Intake is the one store events enter by.
	Dispatcher *intake.Dispatcher
	Intake     *intake.Store
	Chatwoot   *chatwoot.Service
	Audit      *audit.Log
	// Realtime is this instance's WebSocket hub; Events appends to the
	// events table it serves.
	Realtime *realtime.Hub
	Events   *realtime.Log
	Kanban   *kanban.Service
	Chat     *chat.Service
	Privacy  *privacy.Service
	Gateway  *gateway.Service
	Alerts   *alerts.Service
	Registry *prometheus.Registry
	table    []httpx.Route
	handler  http.Handler
	metrics  http.Handler
	onStop   []func()
	// AuthCache holds what authorising requests reads (internal/authcache).
	AuthCache *authcache.Cache
}

// Options tweak an App for tests and commands.
type Options struct {
	// NoMigrate refuses to apply migrations (serve applies them; tests of
	// the refusal path set it).
	NoMigrate bool
	// Workers lets tests register extra job workers.
	Workers func(*river.Workers)
	// ExtraRoutes are appended to the route table (tests exercise the
	// shared plumbing through them).
	ExtraRoutes []httpx.Route
	// Now replaces the clock of token expiry checks (tests).
	Now func() time.Time
	// OutboundTimeout bounds calls to Chatwoot and providers (tests shorten
	// it to exercise timeouts).
	OutboundTimeout time.Duration
	// JobPollEvery shortens River's fetch interval (tests).
	JobPollEvery time.Duration
	// OutboundRootCAs replaces the system roots of calls to Chatwoot and
	// providers (tests with their own TLS certificates).
	OutboundRootCAs *x509.CertPool
	// MailTLS replaces the TLS settings of the SMTP client (tests trust
	// their own server's certificate).
	MailTLS *tls.Config
}

// Open connects to the database and loads the key ring, without migrating
// or starting anything: enough for the CLI's maintenance commands.
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger) (*db.DB, *secret.Ring, error) {
	keys, err := loadKeys(cfg, log)
	if err != nil {
		return nil, nil, err
	}
	d, err := db.OpenPool(ctx, cfg.DatabaseURL, cfg.SQLitePath(), cfg.DatabaseMaxConns)
	if err != nil {
		return nil, nil, err
	}
	return d, keys, nil
}

// New builds the hub: it opens the database, applies migrations (the hub's
// and River's), refuses a schema newer than this binary, and assembles the
// job queue and the HTTP handler. Nothing runs until Start.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger, opts Options) (*App, error) {
	d, keys, err := Open(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a := &App{Cfg: cfg, Log: log, DB: d, Keys: keys, Registry: prometheus.NewRegistry()}
	if err := a.build(ctx, opts); err != nil {
		d.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) build(ctx context.Context, opts Options) error {
	if !opts.NoMigrate {
		if err := MigrateAll(ctx, a.DB, a.Log); err != nil {
			return err
		}
	}
	if err := a.DB.CheckSchema(ctx); err != nil {
		return fmt.Errorf("refusing to serve: %w", err)
	}
	a.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.Audit = audit.New(a.DB, a.Keys)
	a.IAM = &iam.Service{
		DB: a.DB, Signer: iam.NewSigner(a.Keys, time.Now), Audit: a.Audit,
		Proxies: httpx.ParseProxies(a.Cfg.TrustedProxies), SecureCookie: a.Cfg.PublicURL.Scheme == "https",
		CookiePath: a.Cfg.BasePath() + "/api/v1/auth", Now: time.Now,
		Limits: iam.NewRateLimits(a.Cfg.RateLimitAnon, a.Cfg.RateLimitAuth), Keys: a.Keys, Production: a.Cfg.Production(),
		PublicURL: strings.TrimSuffix(a.Cfg.PublicURL.String(), "/"),
	}
	if opts.Now != nil {
		a.IAM.Now = opts.Now
		a.IAM.Signer = iam.NewSigner(a.Keys, opts.Now)
	}
	a.Chatwoot = &chatwoot.Service{
		DB: a.DB, Keys: a.Keys, IAM: a.IAM, PublicURL: a.Cfg.PublicURL, Now: a.IAM.Now,
		Client: &chatwoot.Client{HTTP: outbound.New(outbound.Options{AllowPrivate: a.Cfg.AllowPrivateNetwork, PrivateHosts: a.Cfg.AllowPrivateHosts, UserAgent: "WhatPro-Hub", Timeout: opts.OutboundTimeout, RootCAs: opts.OutboundRootCAs})},
	}
	a.IAM.InstanceTokens = a.Chatwoot
	a.AuthCache = authcache.New(a.DB, a.Log)
	a.IAM.Cache = a.AuthCache
	a.Features = feature.New(a.DB, a.Log, a.Registry)
	a.Features.Cache = a.AuthCache
	a.IAM.Features = a.Features
	extra := append([]string{}, a.Cfg.CORSOrigins...)
	if !a.Cfg.Production() {
		extra = append(extra, "http://localhost:5173") // make dev: the Vite server
	}
	a.Origins = &embed.Origins{DB: a.DB, Extra: extra}
	a.Chatwoot.OnLinkChange = a.Origins.Invalidate
	a.Chatwoot.OriginOf = a.Origins.BelongsTo
	a.IAM.OriginOf = a.Origins.BelongsTo
	a.IAM.ConsoleOrigins = []string{a.Chatwoot.HubOrigin()}
	if !a.Cfg.Production() {
		a.IAM.ConsoleOrigins = append(a.IAM.ConsoleOrigins, "http://localhost:5173")
	}
	a.Plans = &plan.Catalog{DB: a.DB, Counters: plan.DefaultCounters()}
	a.Features.Defaults = a.Plans.Features
	a.IAM.BeforeNewMember = func(ctx context.Context, tx *sql.Tx, accountID string) error {
		return a.Plans.Reserve(ctx, tx, accountID, plan.MaxAgents)
	}
	a.Usage = usage.NewMeter(a.DB, a.Log)
	a.Plans.Counters[plan.MaxMessagesPerMonth] = usage.MonthMessages
	a.IAM.OnAccountRequest = func(accountID string, p *iam.Principal) {
		a.Usage.Add(accountID, usage.APIRequests, 1)
		if p.Kind != iam.KindAPIKey {
			a.Usage.SeeUser(accountID, p.UserID)
		}
	}
	a.IAM.OnMembershipEnded = append(a.IAM.OnMembershipEnded, a.Chatwoot.RevokeMember)
	workers := river.NewWorkers()
	river.AddWorker(workers, &idempotency.PurgeWorker{DB: a.DB, Log: a.Log})
	river.AddWorker(workers, &iam.PurgeAttemptsWorker{DB: a.DB})
	river.AddWorker(workers, &iam.LoginFailedWorker{S: a.IAM})
	river.AddWorker(workers, &iam.PasswordResetWorker{S: a.IAM})
	var sender *mail.Sender
	if a.Cfg.SMTPURL != "" {
		var err error
		if sender, err = mail.NewSender(mail.Config{URL: a.Cfg.SMTPURL, From: a.Cfg.MailFrom, TLS: opts.MailTLS}); err != nil {
			return err
		}
	}
	river.AddWorker(workers, &mail.Worker{Sender: sender, Keys: a.Keys})
	a.IAM.Mail = sender != nil
	a.Inboxes = &inbox.Syncer{DB: a.DB, Chatwoot: a.Chatwoot, Log: a.Log}
	river.AddWorker(workers, &inbox.SyncWorker{S: a.Inboxes})
	river.AddWorker(workers, &inbox.SyncAllWorker{S: a.Inboxes})
	river.AddWorker(workers, &chatwoot.MembersSyncWorker{S: a.Chatwoot})
	hubURL := strings.TrimSuffix(a.Cfg.PublicURL.String(), "/")
	a.Managed = &inbox.Managed{DB: a.DB, Keys: a.Keys, Chatwoot: a.Chatwoot, HubURL: hubURL,
		Reserve: func(ctx context.Context, tx *sql.Tx, accountID string) error {
			return a.Plans.Reserve(ctx, tx, accountID, plan.MaxInboxes)
		}}
	// Every sync gives a callback token to inboxes adopted before tokens existed.
	a.Inboxes.CallbackTokens = a.Managed.GiveCallbackTokens
	a.Provider = &provider.Service{DB: a.DB, Keys: a.Keys, HTTP: a.Chatwoot.Client.HTTP, IAM: a.IAM, Plans: a.Plans, Inboxes: a.Managed,
		HubURL: hubURL, Log: a.Log, Now: a.IAM.Now, Refusals: &intake.Refusals{}}
	a.Chatwoot.InboxContext = func(ctx context.Context, accountID string, chatwootInboxID int) (any, error) {
		return a.Provider.InboxContext(ctx, accountID, chatwootInboxID)
	}
	river.AddWorker(workers, &provider.HealthWorker{S: a.Provider})
	river.AddWorker(workers, &provider.ConnectWorker{S: a.Provider})
	a.Dispatcher = &intake.Dispatcher{DB: a.DB, Log: a.Log}
	if err := a.Dispatcher.RegisterAll("provider", a.Provider.Handlers()); err != nil {
		return err
	}
	if err := a.buildRealtime(workers); err != nil {
		return err
	}
	if err := a.buildGateway(workers); err != nil {
		return err
	}
	if err := a.buildChat(workers); err != nil {
		return err
	}
	a.buildPrivacy(workers)
	a.buildAlerts(workers)
	river.AddWorker(workers, &intake.ProcessWorker{Dispatcher: a.Dispatcher})
	river.AddWorker(workers, &intake.PurgeWorker{DB: a.DB, RetentionDays: a.Cfg.RetentionDays, Log: a.Log})
	if opts.Workers != nil {
		opts.Workers(workers)
	}
	q, err := jobs.New(a.DB, jobs.Config{
		Workers: workers,
		Periodic: []*river.PeriodicJob{idempotency.Periodic(), iam.PurgeAttemptsPeriodic(), intake.PurgePeriodic(time.Hour),
			inbox.Periodic(a.Cfg.InboxSyncInterval), chatwoot.MembersPeriodic(a.Cfg.MembersSyncInterval), provider.HealthPeriodic(5 * time.Minute),
			realtime.Periodic(10 * time.Minute), kanban.ReconcilePeriodic(a.Cfg.KanbanReconcileInterval),
			chat.RetentionPeriodic(time.Hour), chat.PresencePeriodic(30 * time.Second), privacyPeriodic(),
			gateway.SweepPeriodic(a.Cfg.GatewaySweepInterval), alerts.Periodic(alertsEvery)},
		MaxWorkers: a.Cfg.JobWorkers,
		JobTimeout: a.Cfg.JobTimeout, RescueAfter: a.Cfg.JobRescueAfter,
		Logger:     a.Log,
		Middleware: []rivertype.Middleware{jobs.NewMetrics(a.Registry, a.DB)},
		PollEvery:  opts.JobPollEvery,
	})
	if err != nil {
		return err
	}
	a.Jobs = q
	a.Dispatcher.Jobs = q
	a.Dispatcher.Now, a.Dispatcher.Workers, a.Dispatcher.PollEvery = a.IAM.Now, a.Cfg.JobWorkers, opts.JobPollEvery
	a.Dispatcher.JobTimeout, a.Dispatcher.RescueAfter = a.Cfg.JobTimeout, a.Cfg.JobRescueAfter
	a.Dispatcher.Meter = ops.Meter{Reg: a.Registry, Subsystem: "intake"}
	writers := 1
	if a.DB.Dialect == db.Postgres {
		writers = 2
	}
	a.Intake = &intake.Store{DB: a.DB, Consumers: a.Dispatcher, Now: a.IAM.Now, Writers: writers,
		AccountStatus: a.IAM.AccountStatus,
		OnStored:      func(accountID string) { a.Usage.Add(accountID, usage.WebhookEvents, 1) }}
	a.Provider.Intake = a.Intake
	// The gateway's ordering gate asks the intake about older events.
	a.Gateway.Backlog = a.Intake
	a.Inboxes.Jobs = q
	a.Provider.Jobs = q
	a.Kanban.Jobs = q
	a.Gateway.Jobs = q
	a.Alerts.Jobs = q
	a.IAM.Jobs = q
	if err := a.IAM.Bootstrap(ctx, a.Log, a.Cfg.BootstrapAdminEmail, a.Cfg.BootstrapAdminPass, a.Cfg.DataDir); err != nil {
		return fmt.Errorf("bootstrap admin: %w", err)
	}
	return a.buildHTTP(opts.ExtraRoutes)
}

// MigrateAll applies the hub's migrations, then River's.
func MigrateAll(ctx context.Context, d *db.DB, log *slog.Logger) error {
	applied, err := d.Migrate(ctx)
	if err != nil {
		return err
	}
	riverApplied, err := jobs.Migrate(ctx, d)
	if err != nil {
		return err
	}
	if len(applied)+len(riverApplied) > 0 {
		log.Info("migrations applied", "hub", applied, "river", riverApplied)
	}
	return nil
}

// KeySpec is the key ring the hub runs with: WHATPRO_SECRET_KEYS, or in
// development the key file of the data dir (created on first use).
func KeySpec(cfg *config.Config, log *slog.Logger) (string, error) {
	if cfg.SecretKeys != "" {
		return cfg.SecretKeys, nil
	}
	if cfg.Production() {
		return "", errors.New(secret.ProductionMissingKeysMessage())
	}
	s, created, err := secret.LoadOrCreateDevKeys(cfg.DataDir)
	if err != nil {
		return "", err
	}
	if created {
		log.Warn("generated a development secret key; set WHATPRO_SECRET_KEYS in production", "dir", cfg.DataDir)
	}
	return s, nil
}

func loadKeys(cfg *config.Config, log *slog.Logger) (*secret.Ring, error) {
	spec, err := KeySpec(cfg, log)
	if err != nil {
		return nil, err
	}
	ring, err := secret.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("WHATPRO_SECRET_KEYS: %w", err)
	}
	return ring, nil
}

// Handler is the hub's whole HTTP surface, mounted under the public path.
func (a *App) Handler() http.Handler { return a.handler }

// Close releases the database.
func (a *App) Close() error {
	a.AuthCache.Close()
	return a.DB.Close()
}
