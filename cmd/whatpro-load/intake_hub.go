package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/config"
	"github.com/whatpro/hub/internal/intake"
)

// intakeStats is what the intake child reports: executions its consumer
// ran and, when asked, the message_created events stored (rows, distinct
// dedupe keys) and the consumer's executions recorded done.
type intakeStats struct {
	Worked   int64 `json:"worked"`
	Stored   int64 `json:"stored"`
	Distinct int64 `json:"distinct"`
	Done     int64 `json:"done"`
}

// loadEvents are the events the load consumer takes, by -source: the
// intake's (source, event) of each kind of webhook the load sends.
var loadEvents = map[string][2]string{
	"chatwoot":  {intake.SourceChatwoot, "message_created"},
	"cloud_api": {intake.SourceProvider, "messages"},
}

// serveIntakeHub is the child of mode intake: a hub from the environment
// with a consumer of Chatwoot message_created that does nothing, whose
// jobs stay stopped until POST /load/intake/start, and GET
// /load/intake/stats telling how many executions that consumer ran. The
// rest of the routes are the hub's own.
func serveIntakeHub([]string) error {
	raiseFiles()
	cfg, err := config.Load(os.Environ())
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	a, err := app.New(ctx, cfg, slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})), app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	var worked atomic.Int64
	for _, se := range loadEvents {
		if err := a.Dispatcher.Register("load", se[0], se[1], func(context.Context, *intake.Execution) error {
			worked.Add(1)
			return nil
		}); err != nil {
			return err
		}
	}
	// The authorisation cache listens (PostgreSQL) while the jobs are
	// stopped, as in a serving hub, until Start runs its own listener.
	lctx, stopListen := context.WithCancel(ctx)
	defer stopListen()
	listening := make(chan struct{})
	go func() { defer close(listening); a.AuthCache.Listen(lctx, a.DB, a.Log) }()
	var startOnce sync.Once
	var started atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("POST /load/intake/start", func(w http.ResponseWriter, r *http.Request) {
		var err error
		startOnce.Do(func() {
			stopListen()
			<-listening
			err = a.Start(ctx)
			started.Store(err == nil)
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /load/intake/stats", func(w http.ResponseWriter, r *http.Request) {
		st := intakeStats{Worked: worked.Load()}
		if r.URL.Query().Get("stored") != "" {
			se := loadEvents[r.URL.Query().Get("source")]
			err := a.DB.R.QueryRowContext(r.Context(), `SELECT
				(SELECT count(*) FROM event_executions WHERE source = $1 AND event = $2),
				(SELECT count(DISTINCT delivery_id) FROM event_executions WHERE source = $1 AND event = $2),
				(SELECT count(*) FROM event_runs WHERE consumer = 'load' AND status = 'done')`, se[0], se[1]).Scan(&st.Stored, &st.Distinct, &st.Done)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		_ = json.NewEncoder(w).Encode(st)
	})
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile) // the load child only, on loopback
	mux.Handle("/", a.Handler())
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Println("READY", ln.Addr().String())
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	if started.Load() {
		return a.Stop(5 * time.Second)
	}
	return nil
}
