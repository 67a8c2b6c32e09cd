package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/mail"
)

type variable struct {
	def    string
	secret bool
	doc    string
	set    func(c *Config, v string) error
}

// vars is the complete list of settings; README.md documents each of them
// (a test keeps the two in step).
var vars = map[string]variable{
	"WHATPRO_ENV": {"development", false, "`development` or `production` (production refuses missing secrets and insecure defaults)", func(c *Config, v string) error {
		if v != "development" && v != "production" {
			return fmt.Errorf("%q is not development or production", v)
		}
		c.Env = v
		return nil
	}},
	"WHATPRO_ADDR": {":8080", false, "listen address of the HTTP server", func(c *Config, v string) error {
		if _, _, err := net.SplitHostPort(v); err != nil {
			return fmt.Errorf("%q is not host:port", v)
		}
		c.Addr = v
		return nil
	}},
	"WHATPRO_DATA_DIR": {"./data", false, "directory for the SQLite database and development keys", func(c *Config, v string) error {
		if v == "" {
			return errors.New("must not be empty")
		}
		c.DataDir = v
		return nil
	}},
	"WHATPRO_DATABASE_URL": {"", true, "`postgres://…` to run on PostgreSQL; empty = SQLite `whatpro.db` in the data dir", func(c *Config, v string) error {
		if v != "" {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
				return errors.New("must be a postgres:// URL or empty")
			}
		}
		c.DatabaseURL = v
		return nil
	}},
	"WHATPRO_DATABASE_MAX_CONNS": {"0", false, "PostgreSQL pool size per instance; `0` = the URL's `pool_max_conns`, else max(16, 4 × CPUs) (see \"PostgreSQL pool size\")", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1000 {
			return fmt.Errorf("%q is not a number from 0 to 1000", v)
		}
		c.DatabaseMaxConns = n
		return nil
	}},
	"WHATPRO_PUBLIC_URL": {"http://localhost:8080", false, "external URL of the hub; its path (e.g. `/hub`) is where every route is mounted", func(c *Config, v string) error {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("%q is not an absolute http(s) URL without credentials, query or fragment", v)
		}
		u.Path = strings.TrimSuffix(u.Path, "/")
		c.PublicURL = u
		return nil
	}},
	"WHATPRO_LOG_LEVEL": {"info", false, "`debug`, `info`, `warn` or `error`", func(c *Config, v string) error {
		return c.LogLevel.UnmarshalText([]byte(v))
	}},
	"WHATPRO_LOG_FORMAT": {"json", false, "`json` or `text`", func(c *Config, v string) error {
		if v != "json" && v != "text" {
			return fmt.Errorf("%q is not json or text", v)
		}
		c.LogFormat = v
		return nil
	}},
	"WHATPRO_SECRET_KEYS": {"", true, "key ring `id:base64key,…` (first is active); generated into the data dir in development", func(c *Config, v string) error {
		c.SecretKeys = v
		return nil
	}},
	"WHATPRO_METRICS_ADDR": {"", false, "separate listener for `/metrics` (production serves metrics only here or with the token)", func(c *Config, v string) error {
		if v != "" {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return fmt.Errorf("%q is not host:port", v)
			}
		}
		c.MetricsAddr = v
		return nil
	}},
	"WHATPRO_METRICS_TOKEN": {"", true, "bearer token that opens `/metrics` on the main listener in production", func(c *Config, v string) error {
		c.MetricsToken = v
		return nil
	}},
	"WHATPRO_SHUTDOWN_TIMEOUT": {"10s", false, "time in-flight requests and jobs get to finish on SIGINT/SIGTERM", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a positive duration such as 10s", v)
		}
		c.ShutdownTimeout = d
		return nil
	}},
	"WHATPRO_MAX_BODY_BYTES": {"1048576", false, "largest accepted request body (413 above)", func(c *Config, v string) error {
		n, err := parsePositive(v, 64<<20)
		c.MaxBodyBytes = int64(n)
		return err
	}},
	"WHATPRO_JOB_WORKERS": {"10", false, "concurrent background jobs per instance", func(c *Config, v string) error {
		n, err := parsePositive(v, 1000)
		c.JobWorkers = n
		return err
	}},
	"WHATPRO_RETENTION_DAYS": {"30", false, "days stored webhook payloads and expired records are kept", func(c *Config, v string) error {
		n, err := parsePositive(v, 3650)
		c.RetentionDays = n
		return err
	}},
	"WHATPRO_ACCOUNT_DELETION_GRACE": {"720h", false, "how long a requested account deletion waits, cancellable, before the account's data is purged", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Hour {
			return fmt.Errorf("%q is not a duration of at least 1h", v)
		}
		c.AccountDeletionGrace = d
		return nil
	}},
	"WHATPRO_INBOX_SYNC_INTERVAL": {"1h", false, "how often every linked account's Chatwoot inboxes are synced", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute {
			return fmt.Errorf("%q is not a duration of at least 1m", v)
		}
		c.InboxSyncInterval = d
		return nil
	}},
	"WHATPRO_CHATWOOT_MEMBERS_SYNC_INTERVAL": {"5m", false, "how often every linked account's Chatwoot team and inbox memberships are read again, so access taken away in Chatwoot ends without a new sign-in (1s to 24h)", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > 24*time.Hour {
			return fmt.Errorf("%q is not a duration between 1s and 24h", v)
		}
		c.MembersSyncInterval = d
		return nil
	}},
	"WHATPRO_REALTIME_WINDOW": {"24h", false, "how far back a reconnecting realtime client is replayed; older clients are told to resync", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute {
			return fmt.Errorf("%q is not a duration of at least 1m", v)
		}
		c.RealtimeWindow = d
		return nil
	}},
	"WHATPRO_REALTIME_WINDOW_EVENTS": {"100000", false, "events per account kept for realtime replay", func(c *Config, v string) error {
		n, err := parsePositive(v, 100_000_000)
		c.RealtimeWindowEvents = int64(n)
		return err
	}},
	"WHATPRO_KANBAN_RECONCILE_INTERVAL": {"15m", false, "how often Kanban cards are reconciled with Chatwoot (missed webhooks, renamed contacts)", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute {
			return fmt.Errorf("%q is not a duration of at least 1m", v)
		}
		c.KanbanReconcileInterval = d
		return nil
	}},
	"WHATPRO_JOB_TIMEOUT": {"5m", false, "longest a background job may run", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > time.Hour {
			return fmt.Errorf("%q is not a duration between 1s and 1h", v)
		}
		c.JobTimeout = d
		return nil
	}},
	"WHATPRO_JOB_RESCUE_AFTER": {"10m", false, "when a job left running by a stopped or crashed hub is retried (longer than WHATPRO_JOB_TIMEOUT)", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 2*time.Second || d > 24*time.Hour {
			return fmt.Errorf("%q is not a duration between 2s and 24h", v)
		}
		c.JobRescueAfter = d
		return nil
	}},
	"WHATPRO_GATEWAY_SETTLE": {"150ms", false, "how long a WhatsApp chat's work lane waits before it starts, so events stored together keep their order (0 to 5s)", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 5*time.Second {
			return fmt.Errorf("%q is not a duration between 0 and 5s", v)
		}
		c.GatewaySettle = d
		return nil
	}},
	"WHATPRO_GATEWAY_SWEEP_INTERVAL": {"2s", false, "how often the gateway re-arms work lanes whose retry or hold is due", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > time.Hour {
			return fmt.Errorf("%q is not a duration between 1s and 1h", v)
		}
		c.GatewaySweepInterval = d
		return nil
	}},
	"WHATPRO_GATEWAY_SEND_GAP": {"1500ms", false, "mean gap between two messages the gateway sends to one WhatsApp chat, jittered ±50% (0 to 30s; 0 = none)", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 30*time.Second {
			return fmt.Errorf("%q is not a duration between 0 and 30s", v)
		}
		c.GatewaySendGap = d
		return nil
	}},
	"WHATPRO_GATEWAY_SEND_RATE": {"30", false, "messages one WhatsApp number sends per minute at most (0 = no limit)", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 6000 {
			return fmt.Errorf("%q is not a whole number between 0 and 6000", v)
		}
		c.GatewaySendPerMinute = n
		return nil
	}},
	"WHATPRO_GATEWAY_SEND_TYPING": {"true", false, "show the customer \"typing…\" during the gap before a message, where the provider can", func(c *Config, v string) error {
		b, err := parseBool(v)
		c.GatewaySendTyping = b
		return err
	}},
	"WHATPRO_CHAT_MAX_ATTACHMENT_MB": {"25", false, "largest chat attachment, in MiB", func(c *Config, v string) error {
		n, err := parsePositive(v, 1024)
		c.ChatMaxAttachmentMB = n
		return err
	}},
	"WHATPRO_CHAT_S3_ENDPOINT": {"", false, "S3-compatible endpoint for chat attachments (`https://s3.example.com` or host:port); empty = the data dir", func(c *Config, v string) error {
		c.ChatS3Endpoint = v
		return nil
	}},
	"WHATPRO_CHAT_S3_BUCKET": {"", false, "bucket of chat attachments (required with the endpoint)", func(c *Config, v string) error {
		c.ChatS3Bucket = v
		return nil
	}},
	"WHATPRO_CHAT_S3_ACCESS_KEY": {"", false, "access key of the chat attachments bucket", func(c *Config, v string) error {
		c.ChatS3AccessKey = v
		return nil
	}},
	"WHATPRO_CHAT_S3_SECRET_KEY": {"", true, "secret key of the chat attachments bucket", func(c *Config, v string) error {
		c.ChatS3SecretKey = v
		return nil
	}},
	"WHATPRO_CHAT_S3_REGION": {"", false, "region of the chat attachments bucket (empty: the store's default)", func(c *Config, v string) error {
		c.ChatS3Region = v
		return nil
	}},
	"WHATPRO_CHAT_S3_PATH_STYLE": {"true", false, "address the bucket in the path (MinIO and most self-hosted stores) rather than the host name", func(c *Config, v string) error {
		b, err := parseBool(v)
		c.ChatS3PathStyle = b
		return err
	}},
	"WHATPRO_TRUSTED_PROXIES": {"", false, "comma list of proxy IPs/CIDRs whose `X-Forwarded-For` is believed", func(c *Config, v string) error {
		c.TrustedProxies = splitList(v)
		for _, p := range c.TrustedProxies {
			if net.ParseIP(p) == nil {
				if _, _, err := net.ParseCIDR(p); err != nil {
					return fmt.Errorf("%q is not an IP or CIDR", p)
				}
			}
		}
		return nil
	}},
	"WHATPRO_ALLOW_PRIVATE_NETWORK": {"", false, "let outbound calls reach private/loopback addresses (default: true in development, false in production)", func(c *Config, v string) error {
		if v == "" {
			c.AllowPrivateNetwork = c.Env != "production"
			return nil
		}
		b, err := parseBool(v)
		c.AllowPrivateNetwork = b
		return err
	}},
	"WHATPRO_ALLOW_PRIVATE_HOSTS": {"", false, "comma list of host names outbound calls may reach on private addresses although the rest stays blocked (e.g. Chatwoot's domain behind a proxy on the same Docker network)", func(c *Config, v string) error {
		c.AllowPrivateHosts = splitList(v)
		for _, h := range c.AllowPrivateHosts {
			if strings.ContainsAny(h, "/:@ ") || strings.Contains(h, "*") {
				return fmt.Errorf("%q is not a host name such as chat.example.com", h)
			}
		}
		return nil
	}},
	"WHATPRO_BACKUP_PASSPHRASE": {"", true, "passphrase of `whatpro backup` and `whatpro restore` files (read from stdin when empty)", func(c *Config, v string) error {
		c.BackupPassphrase = v
		return nil
	}},
	"WHATPRO_CORS_ORIGINS": {"", false, "extra origins allowed by CORS and embedding, comma separated", func(c *Config, v string) error {
		c.CORSOrigins = nil
		for _, o := range splitList(v) {
			canon, err := httpx.ParseOrigin(o, c.Production())
			if err != nil {
				return fmt.Errorf("%q %s", o, err.Error())
			}
			c.CORSOrigins = append(c.CORSOrigins, canon)
		}
		return nil
	}},
	"WHATPRO_BOOTSTRAP_ADMIN_EMAIL": {"", false, "super admin created on first start when the user table is empty", func(c *Config, v string) error {
		c.BootstrapAdminEmail = v
		return nil
	}},
	"WHATPRO_BOOTSTRAP_ADMIN_PASSWORD": {"", true, "password of that super admin", func(c *Config, v string) error {
		c.BootstrapAdminPass = v
		return nil
	}},
	"WHATPRO_PLATFORM_EVENTS_SECRET": {"", true, "comma list of secrets that sign platform provisioning events", func(c *Config, v string) error {
		c.PlatformEventsSecret = v
		return nil
	}},
	"WHATPRO_SMTP_URL": {"", true, "`smtp://user:pass@host:587` (STARTTLS) or `smtps://user:pass@host:465` (TLS) to mail invitations, activation and password reset links; empty = no mail (admins see the links to hand over)", func(c *Config, v string) error {
		if v != "" {
			if _, err := mail.ParseURL(v); err != nil {
				return err
			}
		}
		c.SMTPURL = v
		return nil
	}},
	"WHATPRO_MAIL_FROM": {"", false, "sender of the hub's mail, e.g. `WhatPro Hub <hub@example.com>` (required with WHATPRO_SMTP_URL)", func(c *Config, v string) error {
		if v != "" {
			if _, err := mail.ParseFrom(v); err != nil {
				return err
			}
		}
		c.MailFrom = v
		return nil
	}},
	"WHATPRO_RATE_LIMIT_ANON": {"100", false, "unauthenticated requests per minute per IP", func(c *Config, v string) error {
		n, err := parsePositive(v, 1_000_000)
		c.RateLimitAnon = n
		return err
	}},
	"WHATPRO_RATE_LIMIT_AUTH": {"1000", false, "authenticated requests per minute per principal", func(c *Config, v string) error {
		n, err := parsePositive(v, 1_000_000)
		c.RateLimitAuth = n
		return err
	}},
}

// Names lists every supported variable (README completeness test).
func Names() []string {
	out := make([]string, 0, len(vars))
	for k := range vars {
		out = append(out, k)
	}
	return out
}

// Print writes the effective configuration, one VAR=value per line, with
// secrets redacted.
func (c *Config) Print(environ []string) []string {
	set := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			set[k] = v
		}
	}
	names := Names()
	sortStrings(names)
	out := make([]string, 0, len(names))
	for _, n := range names {
		v, ok := set[n]
		if !ok {
			v = vars[n].def
		}
		if n == "WHATPRO_ALLOW_PRIVATE_NETWORK" {
			v = strconv.FormatBool(c.AllowPrivateNetwork)
		}
		if vars[n].secret && v != "" {
			v = "[redacted]"
		}
		out = append(out, n+"="+strconv.Quote(v))
	}
	return out
}
