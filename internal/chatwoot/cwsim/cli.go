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
	"net/netip"
	"os"
	"slices"
	"strings"
	"time"
)

// Main runs `whatpro chatwoot-sim [flags]` (see --help): it listens, prints
// the effective seed as one JSON object on the first line of stdout and the
// base URL on the second, then serves until ctx is cancelled and shuts down
// gracefully.
func Main(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("chatwoot-sim", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "127.0.0.1:3000", "listen address (port 0 picks a free port)")
	seedFile := fs.String("seed", "", "seed JSON file (default: two generated accounts)")
	scriptsFile := fs.String("dashboard-scripts", "", "HTML file rendered last in <body> of /app pages (DASHBOARD_SCRIPTS)")
	version := fs.String("version", DefaultVersion, "Chatwoot release to play: 4.10 to 4.15 (e.g. 4.12, 4.14.2), or 4.16 for the line after 4.15")
	var opts Options
	fs.BoolVar(&opts.RefusePrivateNetwork, "refuse-private-network", false,
		"4.14+: refuse webhook targets on loopback/private addresses like SafeFetch (\"Hostname '…' has no public ip addresses\")")
	fs.BoolVar(&opts.SafeFetchAllowPrivateNetwork, "safe-fetch-allow-private-network", false,
		"SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true: lift that refusal (4.14.1+)")
	types := fs.String("webhook-private-network-allowed-types", "",
		"WEBHOOK_PRIVATE_NETWORK_ALLOWED_TYPES (4.16): comma-separated account_webhook,api_inbox_webhook")
	hosts := fs.String("webhook-allowed-private-hosts", "", "WEBHOOK_ALLOWED_PRIVATE_HOSTS (4.16): comma-separated host names")
	cidrs := fs.String("webhook-allowed-private-cidrs", "", "WEBHOOK_ALLOWED_PRIVATE_CIDRS (4.16): comma-separated ranges, e.g. 10.0.0.0/8")
	fs.IntVar(&opts.InboxLimit, "inbox-limit", 0, "inboxes per account before POST /inboxes answers 402 (the plan's usage limit; 0: none)")
	fs.Float64Var(&opts.DuplicateRate, "duplicate-rate", 0, "share of message_created events sent twice, each with its own X-Chatwoot-Delivery (#11901), 0 to 1")
	fs.Float64Var(&opts.ReorderRate, "reorder-rate", 0, "share of events whose deliveries run --reorder-delay late, so later ones overtake them, 0 to 1")
	fs.DurationVar(&opts.ReorderDelay, "reorder-delay", time.Second, "how late a reordered delivery runs")
	fs.DurationVar(&opts.WebhookTimeout, "webhook-timeout", 5*time.Second, "WEBHOOK_TIMEOUT: connect and answer timeout of one webhook POST")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout, fs)
			return nil
		}
		return fmt.Errorf("chatwoot-sim: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("chatwoot-sim: unexpected argument %q", fs.Arg(0))
	}
	ver, err := ParseVersion(*version)
	if err != nil {
		return fmt.Errorf("chatwoot-sim: --version: %w", err)
	}
	opts.Version = ver.String()
	if opts.PrivateNetworkAllowedTypes, err = parseWebhookTypes(*types); err != nil {
		return fmt.Errorf("chatwoot-sim: --webhook-private-network-allowed-types: %w", err)
	}
	opts.AllowedPrivateHosts = splitList(*hosts)
	for _, c := range splitList(*cidrs) {
		p, err := netip.ParsePrefix(c)
		if err != nil {
			return fmt.Errorf("chatwoot-sim: --webhook-allowed-private-cidrs: %q is not a CIDR range", c)
		}
		opts.AllowedPrivateCIDRs = append(opts.AllowedPrivateCIDRs, p.Masked())
	}
	if opts.DuplicateRate < 0 || opts.DuplicateRate > 1 || opts.ReorderRate < 0 || opts.ReorderRate > 1 {
		return errors.New("chatwoot-sim: --duplicate-rate and --reorder-rate must be between 0 and 1")
	}
	if opts.InboxLimit < 0 {
		return errors.New("chatwoot-sim: --inbox-limit must not be negative")
	}
	if opts.WebhookTimeout <= 0 {
		return errors.New("chatwoot-sim: --webhook-timeout must be positive")
	}
	seed := DefaultSeed()
	if *seedFile != "" {
		var err error
		if seed, err = LoadSeed(*seedFile); err != nil {
			return fmt.Errorf("chatwoot-sim: %w", err)
		}
	}
	if *scriptsFile != "" {
		raw, err := os.ReadFile(*scriptsFile)
		if err != nil {
			return fmt.Errorf("chatwoot-sim: %w", err)
		}
		opts.DashboardScripts = string(raw)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("chatwoot-sim: %w", err)
	}
	base := "http://" + ln.Addr().String()
	opts.FrontendURL = base
	sim := New(seed, opts)
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

func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: whatpro %s [flags]\n\nflags:\n", fs.Name())
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func parseWebhookTypes(s string) ([]string, error) {
	list := splitList(s)
	for _, t := range list {
		if !slices.Contains([]string{KindAccountWebhook, KindAPIInbox, "agent_bot_webhook"}, t) {
			return nil, fmt.Errorf("unknown webhook type %q (want %s or %s)", t, KindAccountWebhook, KindAPIInbox)
		}
	}
	return list, nil
}
