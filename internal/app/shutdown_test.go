package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/config"
	"github.com/whatpro/hub/internal/httpx"
)

// On shutdown the server stops accepting, lets a request in flight finish,
// stops the jobs and returns without error.
func TestShutdownLetsInFlightRequestsFinish(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	var finished atomic.Bool // the slow handler has written its answer
	slow := httpx.Route{Method: "GET", Pattern: "/api/v1/test/slow", Auth: httpx.Public,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(entered)
			<-release
			_, _ = io.WriteString(w, "finished")
			finished.Store(true)
		})}
	cfg, err := config.Load([]string{"WHATPRO_DATA_DIR=" + t.TempDir(), "WHATPRO_ADDR=127.0.0.1:0", "WHATPRO_SECRET_KEYS=" + apptest.TestKeys})
	must(t, err)
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{ExtraRoutes: []httpx.Route{slow}})
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	// Serve returning before the handler finished shows as finishedFirst false.
	var finishedFirst atomic.Bool
	go func() {
		err := a.Serve(ctx, func(s string) { addr <- s })
		finishedFirst.Store(finished.Load())
		done <- err
	}()
	base := "http://" + <-addr
	body := make(chan string, 1)
	go func() {
		res, err := http.Get(base + "/api/v1/test/slow")
		if err != nil {
			body <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		body <- string(b)
	}()
	<-entered
	cancel() // SIGTERM
	// The request is still held while the server stops accepting new ones.
	deadline := time.Now().Add(apptest.EventuallyTimeout)
	for {
		res, err := http.Get(base + "/healthz")
		if err != nil {
			break
		}
		res.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting after shutdown began")
		}
		time.Sleep(20 * time.Millisecond) // a poll interval
	}
	close(release)
	if got := <-body; got != "finished" {
		t.Fatalf("in-flight request: %q", got)
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if !finishedFirst.Load() {
		t.Fatal("Serve returned before the request in flight finished")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("still accepting after shutdown")
	}
}
