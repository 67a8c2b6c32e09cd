// Package demo runs `whatpro demo`: the hub on a fresh SQLite data dir
// beside a Chatwoot simulator and an Evolution simulator (free ports),
// then sets up a demo account through the hub's and the simulators' real
// APIs, the way an admin and a customer would: the Chatwoot link with its
// webhook and Dashboard App, a connected number with its API inbox, the
// default board, customers with conversations and deals. A traffic player
// can make customers write on "WhatsApp" until Ctrl-C stops everything.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
	"github.com/whatpro/hub/internal/config"
	"github.com/whatpro/hub/internal/provider/providersim"
)

// Demo logins.
const (
	AdminEmail    = "admin@demo.test"
	AdminPassword = "demo-passphrase-1"
	Instance      = "demo-vendas"
)

// Summary is the first line the demo prints, for scripts and tests.
type Summary struct {
	ConsoleURL  string   `json:"console_url"`
	ChatwootURL string   `json:"chatwoot_url"`
	ProviderURL string   `json:"provider_url"`
	PhoneURL    string   `json:"phone_url"`
	Console     Login    `json:"console_login"`
	Chatwoot    []Login  `json:"chatwoot_logins"`
	AccountID   string   `json:"account_id"`
	BoardID     string   `json:"board_id"`
	InstanceID  string   `json:"instance_id"`
	InboxID     int      `json:"chatwoot_inbox_id"`
	Customers   []string `json:"customers"`
	DataDir     string   `json:"data_dir"`
}

// Login is an e-mail and password.
type Login struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Role     string `json:"role,omitempty"`
}

// Main runs the demo until ctx ends.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "127.0.0.1:8080", "the hub's listen address (port 0 picks a free port)")
	dataDir := fs.String("data-dir", "", "a fresh (empty or absent) data dir; default: a new temporary one")
	traffic := fs.String("traffic", "0", "customers' messages per minute played on the Evolution simulator, e.g. 6 or 6/min (0: off)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "usage: whatpro demo [--addr HOST:PORT] [--data-dir DIR] [--traffic N/min]")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
		}
		return err
	}
	perMinute, err := strconv.ParseFloat(strings.TrimSuffix(*traffic, "/min"), 64)
	if err != nil || perMinute < 0 || perMinute > 600 {
		return fmt.Errorf("demo: --traffic must be a rate from 0 to 600 per minute, like 6/min")
	}
	dir, err := freshDir(*dataDir)
	if err != nil {
		return err
	}
	hubAddr, err := resolve(*addr)
	if err != nil {
		return err
	}
	hubURL := "http://" + hubAddr

	// The simulators, on free ports.
	cwLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	cwURL := "http://" + cwLn.Addr().String()
	script := fmt.Sprintf(`<script src="%s/embed/dashboard-script.js" defer></script>`, hubURL)
	cw := cwsim.New(cwsim.DefaultSeed(), cwsim.Options{FrontendURL: cwURL, DashboardScripts: script})
	defer cw.Close()
	evoLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	evoURL := "http://" + evoLn.Addr().String()
	// WhatsApp's server acknowledges each send; the customer's phone page
	// delivers and reads (as a phone that is online and has the chat open).
	evo := providersim.NewEvolution(providersim.Options{BaseURL: evoURL})
	defer evo.Close()
	servers := []*http.Server{{Handler: cw.Handler(), ReadHeaderTimeout: 10 * time.Second}, {Handler: evo.Handler(), ReadHeaderTimeout: 10 * time.Second}}
	go servers[0].Serve(cwLn)
	go servers[1].Serve(evoLn)
	defer func() {
		for _, s := range servers {
			sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			_ = s.Shutdown(sctx)
			cancel()
		}
	}()

	// The hub.
	cfg, err := config.Load([]string{
		"WHATPRO_ADDR=" + hubAddr, "WHATPRO_PUBLIC_URL=" + hubURL, "WHATPRO_DATA_DIR=" + dir,
		"WHATPRO_BOOTSTRAP_ADMIN_EMAIL=" + AdminEmail, "WHATPRO_BOOTSTRAP_ADMIN_PASSWORD=" + AdminPassword,
		"WHATPRO_LOG_LEVEL=warn",
	})
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan struct{})
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, func(string) { close(ready) }) }()
	select {
	case <-ready:
	case err := <-served:
		return err
	}

	sum, w, err := setup(ctx, hubURL, cwURL, evoURL, cw, evo)
	if err != nil {
		cancel()
		<-served
		return fmt.Errorf("demo: setup: %w", err)
	}
	sum.DataDir = dir
	line, _ := json.Marshal(sum)
	fmt.Fprintf(stdout, "%s\n", line)
	printGuide(stdout, sum, perMinute)
	if perMinute > 0 {
		go play(ctx, w, sum.Customers, perMinute, stderr)
	}
	err = <-served
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

func freshDir(dir string) (string, error) {
	if dir == "" {
		return os.MkdirTemp("", "whatpro-demo-")
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return filepath.Abs(dir)
	} else if err != nil {
		return "", err
	}
	if len(entries) > 0 {
		return "", fmt.Errorf("demo: --data-dir %s is not empty; the demo starts from a fresh one", dir)
	}
	return filepath.Abs(dir)
}

// resolve picks a free port for ":0", so the public URL is known first.
func resolve(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("demo: --addr: %w", err)
	}
	if port != "0" {
		return addr, nil
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func printGuide(w io.Writer, s *Summary, perMinute float64) {
	fmt.Fprintf(w, `
WhatPro Hub demo is running (Ctrl-C stops everything; data in %s).

  Hub console     %s
                  sign in as %s / %s
  Chatwoot (sim)  %s
`, s.DataDir, s.ConsoleURL, s.Console.Email, s.Console.Password, s.ChatwootURL)
	for _, l := range s.Chatwoot {
		fmt.Fprintf(w, "                  %s / %s (%s)\n", l.Email, l.Password, l.Role)
	}
	fmt.Fprintf(w, `  Customer phone  %s
  Evolution (sim) %s

Make a customer write on "WhatsApp":
  curl -X POST %s/_sim/instances/%s/messages -H 'Content-Type: application/json' \
       -d '{"from":"%s","push_name":"Cliente","text":"Oi, quero um orçamento"}'
`, s.PhoneURL, s.ProviderURL, s.ProviderURL, Instance, s.Customers[0])
	if perMinute > 0 {
		fmt.Fprintf(w, "The traffic player sends %g customer messages a minute.\n", perMinute)
	} else {
		fmt.Fprintln(w, "Start with --traffic 6/min to have customers write by themselves.")
	}
}
