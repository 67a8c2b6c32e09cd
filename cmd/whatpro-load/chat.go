// Mode chat measures chat message delivery: it starts a
// hub (SQLite in a temp dir, or a fresh PostgreSQL database), seeds an
// account with users and rooms, and runs the load client in its own
// process: every user holds a WebSocket subscribed to the chat topic,
// messages are sent at a steady rate, and the time from each send to its
// arrival on every member's socket is reported (p50/p90/p99/max).
//
//	whatpro-load chat [-db sqlite|postgres] [-postgres-url URL] [-users 1000] [-rooms 100] [-rate 50] [-duration 30s]
//
// Everything stays on the loopback interface; the run ends by itself.

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

type chatOptions struct {
	dialect     string
	postgresURL string
	users       int
	rooms       int
	rate        float64
	duration    time.Duration
	keep        bool
}

func runChat(args []string) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	o := chatOptions{}
	fs.StringVar(&o.dialect, "db", "sqlite", "sqlite or postgres")
	fs.StringVar(&o.postgresURL, "postgres-url", os.Getenv("WHATPRO_TEST_POSTGRES_URL"), "PostgreSQL server to create a throwaway database on")
	fs.IntVar(&o.users, "users", 1000, "connected users")
	fs.IntVar(&o.rooms, "rooms", 100, "rooms (users are spread evenly over them)")
	fs.Float64Var(&o.rate, "rate", 50, "messages sent per second, all rooms together")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long messages are sent")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary data dir")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.users < 2 || o.rooms < 1 || o.users < o.rooms*2 || o.rate <= 0 || o.duration <= 0 || o.duration > time.Hour {
		return fmt.Errorf("need users >= 2 per room, rate > 0 and a duration up to 1h")
	}
	raiseFiles()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fmt.Fprintf(os.Stderr, "starting the hub on %s…\n", o.dialect)
	h, err := startChatHub(ctx, o)
	if err != nil {
		return err
	}
	defer h.close()
	t0 := time.Now()
	plan, err := h.seed(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "seeded %d users in %d rooms in %s\n", o.users, o.rooms, time.Since(t0).Round(time.Millisecond))
	planFile, err := os.CreateTemp(h.dir, "plan-*.json")
	if err != nil {
		return err
	}
	if err := json.NewEncoder(planFile).Encode(plan); err != nil {
		return err
	}
	planFile.Close()

	// The client runs in its own process, so its sockets and goroutines
	// do not share the hub's scheduler or file limit.
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, o.duration+10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, self, "chat-client", "-plan", planFile.Name(), "-rate", fmt.Sprint(o.rate), "-duration", o.duration.String())
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("load client: %w", err)
	}
	var rep report
	if err := json.Unmarshal(out, &rep); err != nil {
		return fmt.Errorf("load client report: %w: %s", err, out)
	}
	rep.Dialect, rep.Users, rep.Rooms = o.dialect, o.users, o.rooms
	rep.print(os.Stdout)
	return nil
}
