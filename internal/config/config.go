// Package config owns the hub's configuration: every WHATPRO_* environment
// variable, its default, its validation and its redacted printout.
package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is the effective configuration of one hub process.
type Config struct {
	Env              string // development | production
	Addr             string
	DataDir          string
	DatabaseURL      string // empty = SQLite in DataDir
	DatabaseMaxConns int    // PostgreSQL pool size; 0 = automatic
	PublicURL        *url.URL
	LogLevel         slog.Level
	LogFormat        string // json | text
	SecretKeys       string // comma list of id:base64key; secret
	MetricsAddr      string
	MetricsToken     string // secret
	ShutdownTimeout  time.Duration
	MaxBodyBytes     int64
	JobWorkers       int
	// JobTimeout bounds one job; JobRescueAfter is when a job a dead
	// process left running is retried.
	JobTimeout, JobRescueAfter time.Duration
	RetentionDays              int
	// AccountDeletionGrace is how long a requested account deletion waits.
	AccountDeletionGrace time.Duration
	// InboxSyncInterval is the period of the Chatwoot inbox sync.
	InboxSyncInterval time.Duration
	// MembersSyncInterval is the period of the Chatwoot team and inbox
	// memberships sync.
	MembersSyncInterval time.Duration
	// Realtime replay window (age and events per account) and the Kanban's
	// reconciliation period.
	RealtimeWindow          time.Duration
	RealtimeWindowEvents    int64
	KanbanReconcileInterval time.Duration
	// Gateway: how long a chat's lane waits before it starts (so events
	// handled concurrently join it in stored order) and how often due
	// lanes are re-armed.
	GatewaySettle        time.Duration
	GatewaySweepInterval time.Duration
	// Gateway outbound pacing: the mean gap between two messages to one
	// chat (jittered), the sends a number makes per minute (0: no limit)
	// and whether the wait shows as typing.
	GatewaySendGap       time.Duration
	GatewaySendPerMinute int
	GatewaySendTyping    bool
	// Chat: the largest attachment, and the S3-compatible bucket its
	// bytes go to (empty endpoint = the data dir).
	ChatMaxAttachmentMB int
	ChatS3Endpoint      string
	ChatS3Bucket        string
	ChatS3AccessKey     string
	ChatS3SecretKey     string // secret
	ChatS3Region        string
	ChatS3PathStyle     bool

	// Identity and embedding settings used by later parts of the hub.
	TrustedProxies       []string
	AllowPrivateNetwork  bool
	AllowPrivateHosts    []string
	CORSOrigins          []string
	BootstrapAdminEmail  string
	BootstrapAdminPass   string // secret
	PlatformEventsSecret string // secret
	RateLimitAnon        int
	RateLimitAuth        int
	// BackupPassphrase is read only by `whatpro backup` and `restore`.
	BackupPassphrase string // secret
	SMTPURL          string // secret (may hold the SMTP password)
	MailFrom         string
}

// Production reports whether the hub runs with production safeguards.
func (c *Config) Production() bool { return c.Env == "production" }

// BasePath is the path prefix the hub is mounted under ("" or "/hub").
func (c *Config) BasePath() string {
	return strings.TrimSuffix(c.PublicURL.Path, "/")
}

// SQLitePath is the database file used when no DATABASE_URL is set.
func (c *Config) SQLitePath() string { return strings.TrimSuffix(c.DataDir, "/") + "/whatpro.db" }

// Error names the variable whose value stopped the start.
type Error struct {
	Var, Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("config: %s: %s", e.Var, e.Msg) }

// Load builds a Config from environment lookups. Unknown WHATPRO_* variables
// are refused so that a typo never silently falls back to a default.
func Load(environ []string) (*Config, error) {
	env := map[string]string{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, "WHATPRO_") {
			continue
		}
		if _, known := vars[k]; !known && !strings.HasPrefix(k, "WHATPRO_TEST_") {
			return nil, &Error{k, "unknown variable (see the configuration table in README.md)"}
		}
		env[k] = v
	}
	c := &Config{}
	names := make([]string, 0, len(vars))
	for name := range vars {
		names = append(names, name)
	}
	sort.Strings(names)
	// The environment decides other defaults, so it is read first.
	names = append([]string{"WHATPRO_ENV"}, names...)
	for _, name := range names {
		v := vars[name]
		raw, ok := env[name]
		if !ok {
			raw = v.def
		}
		if err := v.set(c, strings.TrimSpace(raw)); err != nil {
			return nil, &Error{name, err.Error()}
		}
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) check() error {
	if c.SMTPURL != "" && c.MailFrom == "" {
		return &Error{"WHATPRO_MAIL_FROM", "is required when WHATPRO_SMTP_URL is set"}
	}
	if c.Production() && c.PublicURL.Scheme != "https" && c.PublicURL.Hostname() != "localhost" {
		// A plain-http public URL in production would ship cookies without Secure.
		return &Error{"WHATPRO_PUBLIC_URL", "must be https in production"}
	}
	if c.JobRescueAfter <= c.JobTimeout {
		return &Error{"WHATPRO_JOB_RESCUE_AFTER", "must be longer than WHATPRO_JOB_TIMEOUT"}
	}
	if (c.ChatS3Endpoint == "") != (c.ChatS3Bucket == "") {
		return &Error{"WHATPRO_CHAT_S3_BUCKET", "set both WHATPRO_CHAT_S3_ENDPOINT and WHATPRO_CHAT_S3_BUCKET, or neither"}
	}
	return nil
}

func parseBool(s string) (bool, error) {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("%q is not a boolean (use true or false)", s)
	}
	return b, nil
}

func parsePositive(s string, max int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > max {
		return 0, fmt.Errorf("%q is not a whole number between 1 and %d", s, max)
	}
	return n, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func sortStrings(s []string) { sort.Strings(s) }
