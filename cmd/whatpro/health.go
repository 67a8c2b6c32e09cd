package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/whatpro/hub/internal/config"
)

// cmdHealthcheck asks the hub running in this container (or on this host)
// for /healthz and exits non-zero unless it answers {"status":"ok"}. The
// container image has no curl, so its HEALTHCHECK runs this.
func cmdHealthcheck(ctx context.Context, cfg *config.Config, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprintln(w, "usage: whatpro healthcheck [--url URL] [--timeout 3s]")
		fmt.Fprintln(w, "Exits 0 when the local hub answers /healthz with status ok.")
		fs.PrintDefaults()
	}
	url := fs.String("url", "", "URL to check (default: http://127.0.0.1:<port of WHATPRO_ADDR><path of WHATPRO_PUBLIC_URL>/healthz)")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("usage: whatpro healthcheck [--url URL] [--timeout 3s]")
	}
	target := *url
	if target == "" {
		target = localHealthURL(cfg)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer res.Body.Close()
	var body struct {
		Status string `json:"status"`
	}
	_ = json.NewDecoder(io.LimitReader(res.Body, 4096)).Decode(&body)
	if res.StatusCode != http.StatusOK || body.Status != "ok" {
		return fmt.Errorf("healthcheck: %s answered %d %q", target, res.StatusCode, body.Status)
	}
	fmt.Fprintf(w, "ok %s\n", target)
	return nil
}

// localHealthURL is /healthz on the loopback address of the hub's own
// listener; a wildcard or empty host means the hub listens on loopback too.
func localHealthURL(cfg *config.Config) string {
	host, port, _ := net.SplitHostPort(cfg.Addr)
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + cfg.BasePath() + "/healthz"
}
