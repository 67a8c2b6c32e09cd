package cwsim

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// Main runs `whatpro chatwoot-sim --addr 127.0.0.1:3000 [--seed FILE]
// [--dashboard-scripts FILE]`: it listens, prints the effective seed as one
// JSON object on the first line of stdout and the base URL on the second,
// then serves until ctx is cancelled and shuts down gracefully.
func Main(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("chatwoot-sim", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "127.0.0.1:3000", "listen address (port 0 picks a free port)")
	seedFile := fs.String("seed", "", "seed JSON file (default: two generated accounts)")
	scriptsFile := fs.String("dashboard-scripts", "", "HTML file rendered last in <body> of /app pages (DASHBOARD_SCRIPTS)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("chatwoot-sim: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("chatwoot-sim: unexpected argument %q", fs.Arg(0))
	}
	seed := DefaultSeed()
	if *seedFile != "" {
		var err error
		if seed, err = LoadSeed(*seedFile); err != nil {
			return fmt.Errorf("chatwoot-sim: %w", err)
		}
	}
	var scripts string
	if *scriptsFile != "" {
		raw, err := os.ReadFile(*scriptsFile)
		if err != nil {
			return fmt.Errorf("chatwoot-sim: %w", err)
		}
		scripts = string(raw)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("chatwoot-sim: %w", err)
	}
	base := "http://" + ln.Addr().String()
	sim := New(seed, Options{DashboardScripts: scripts, FrontendURL: base})
	defer sim.Close()
	line, err := json.Marshal(sim.Seed())
	if err != nil {
		_ = ln.Close()
		return err
	}
	if _, err := fmt.Fprintf(stdout, "%s\n%s\n", line, base); err != nil {
		_ = ln.Close()
		return err
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("chatwoot-sim: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sim.closeOnce.Do(func() { close(sim.closed) }) // release hung requests first
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("chatwoot-sim: shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("chatwoot-sim: %w", err)
	}
	return nil
}
