package apptest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/config"
	"github.com/whatpro/hub/internal/mail/mailtest"
)

// TestKeys is a fixed key ring for tests (never used outside them).
const TestKeys = "t1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

// Hub is a running hub under test.
type Hub struct {
	T       testing.TB
	App     *app.App
	Srv     *httptest.Server
	URL     string // base URL including the public path
	Dialect string
	Logs    *SyncBuffer
	// Mailbox is the SMTP server the hub mails to, when the test set one
	// up: helpers read invitation links from it.
	Mailbox *mailtest.Server
	// Observe, when set, sees every call Do makes and its answer (the
	// contract tests validate answers against the OpenAPI document).
	Observe func(req *http.Request, r *Resp)
}

// Options for New.
type Options struct {
	Env      []string // extra WHATPRO_* settings, "NAME=value"
	AppOpts  app.Options
	NoServer bool // build the app but do not start jobs or the server
}

// New starts a hub on dialect ("sqlite" or "postgres") and stops it when
// the test ends.
func New(t testing.TB, dialect string, o Options) *Hub {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	env := []string{
		"WHATPRO_DATA_DIR=" + t.TempDir(),
		"WHATPRO_SECRET_KEYS=" + TestKeys,
		"WHATPRO_PUBLIC_URL=http://" + srv.Listener.Addr().String(),
		"WHATPRO_LOG_LEVEL=debug",
		// tests send replies back to back; a test of pacing sets its own
		"WHATPRO_GATEWAY_SEND_GAP=0", "WHATPRO_GATEWAY_SEND_RATE=0",
	}
	if dialect == "postgres" {
		env = append(env, "WHATPRO_DATABASE_URL="+PostgresURL(t))
	}
	env = append(env, o.Env...)
	cfg, err := config.Load(env)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	logs := &SyncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if o.AppOpts.JobPollEvery == 0 {
		o.AppOpts.JobPollEvery = 50 * time.Millisecond
	}
	a, err := app.New(context.Background(), cfg, log, o.AppOpts)
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	h := &Hub{T: t, App: a, Srv: srv, Dialect: dialect, Logs: logs, URL: "http://" + srv.Listener.Addr().String() + cfg.BasePath()}
	if o.NoServer {
		t.Cleanup(func() { a.Close() })
		return h
	}
	srv.Config.Handler = a.Handler()
	srv.Start()
	if err := a.Start(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		srv.Close()
		_ = a.Stop(5 * time.Second)
		a.Close()
	})
	return h
}

// SyncBuffer is a goroutine-safe log sink tests can scan.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything logged so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var _ io.Writer = (*SyncBuffer)(nil)
