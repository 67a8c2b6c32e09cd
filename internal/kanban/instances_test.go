package kanban_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/config"
)

const helperEnv = "WHATPRO_TEST_KANBAN_HELPER"

// TestHelperServe is not a test: run by TestTwoInstances in a child
// process, it serves a second hub on the same database until SIGTERM.
func TestHelperServe(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("runs only as the child process of TestTwoInstances")
	}
	cfg, err := config.Load(os.Environ())
	if err != nil {
		fmt.Println("CONFIG", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	a, err := app.New(ctx, cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)), app.Options{JobPollEvery: 50 * time.Millisecond})
	if err != nil {
		fmt.Println("APP", err)
		os.Exit(2)
	}
	if err := a.Serve(ctx, func(addr string) { fmt.Println("READY", addr) }); err != nil {
		fmt.Println("SERVE", err)
		os.Exit(2)
	}
	os.Exit(0)
}

// startSecond starts another hub process on h's database and returns its
// base URL.
func startSecond(t *testing.T, h *apptest.Hub) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServe$", "-test.count=1")
	env := []string{helperEnv + "=1", "WHATPRO_ADDR=127.0.0.1:0", "WHATPRO_RATE_LIMIT_ANON=100000", "WHATPRO_RATE_LIMIT_AUTH=100000"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WHATPRO_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, h.Environ()...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
				addr <- a
			} else if strings.HasPrefix(sc.Text(), "CONFIG") || strings.HasPrefix(sc.Text(), "APP") || strings.HasPrefix(sc.Text(), "SERVE") {
				addr <- "error: " + sc.Text()
			}
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok || strings.HasPrefix(a, "error: ") {
			t.Fatalf("the second hub did not start: %q", a)
		}
		return "http://" + a
	case <-time.After(apptest.EventuallyTimeout):
		t.Fatal("the second hub did not start in time")
	}
	return ""
}

// Two hub processes on one PostgreSQL: a move through either reaches a
// socket of the other (NOTIFY carries account:seq, each reads the rows).
func TestTwoInstances(t *testing.T) {
	t.Parallel()
	if !contains(apptest.Dialects(t), "postgres") {
		t.Skip("needs PostgreSQL (WHATPRO_TEST_POSTGRES_URL)")
	}
	e := setup(t, "postgres")
	tok := e.tenant.Admin.Token
	b := e.defaultBoard(t, tok)
	c := e.createCard(t, tok, b.ID, map[string]any{"title": "Entre instâncias"})
	second := &apptest.Hub{T: t, URL: startSecond(t, e.h)}
	on2 := &env{h: second, super: e.super, tenant: e.tenant}

	// A socket of the first process sees a move made on the second.
	s1 := connect(t, e.h, tok, e.tenant.ID)
	s1.subscribe([]string{"board:" + b.ID}, nil)
	on2.move(t, tok, b.ID, c, map[string]any{"stage_id": b.Stages[1].ID}).Expect(t, 200).Decode(t, &c)
	m, _ := s1.until(isEvent("card.moved"))
	if got := eventCard(t, m); got.ID != c.ID || got.Version != c.Version {
		t.Fatalf("first process got %+v", got)
	}
	// And the other way round, with a ticket minted on the first process
	// and redeemed on the second.
	s2, _, err := dial(t, second.URL, ticket(t, e.h, tok, e.tenant.ID), nil)
	if err != nil {
		t.Fatal(err)
	}
	s2.subscribe([]string{"board:" + b.ID}, nil)
	e.move(t, tok, b.ID, c, map[string]any{"stage_id": b.Stages[2].ID}).Expect(t, 200).Decode(t, &c)
	m2, _ := s2.until(isEvent("card.moved"))
	if got := eventCard(t, m2); got.Version != c.Version || m2.Seq <= m.Seq {
		t.Fatalf("second process got %+v seq %d", got, m2.Seq)
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
