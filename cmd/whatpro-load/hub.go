package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/config"
)

const (
	adminEmail = "load@hub.test"
	adminPass  = "load-test-passphrase-1"
)

// raiseFiles lifts the soft open-file limit to the hard one (sockets).
func raiseFiles() uint64 {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
	return l.Cur
}

// serveHub is the child: a hub from the environment until SIGTERM.
func serveHub([]string) error {
	raiseFiles()
	// LOAD_HUB_PPROF=127.0.0.1:PORT serves net/http/pprof beside the hub,
	// to profile it while a scenario runs (go tool pprof -seconds N URL).
	if addr := os.Getenv("LOAD_HUB_PPROF"); addr != "" {
		if host, _, err := net.SplitHostPort(addr); err != nil || (host != "127.0.0.1" && host != "localhost") {
			return fmt.Errorf("LOAD_HUB_PPROF must be a loopback host:port")
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		go func() {
			_ = (&http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}).ListenAndServe()
		}()
	}
	cfg, err := config.Load(os.Environ())
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	a, err := app.New(ctx, cfg, slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), app.Options{})
	if err != nil {
		return err
	}
	return a.Serve(ctx, func(addr string) { fmt.Println("READY", addr) })
}

// rss reads a process's resident set size in bytes.
func rss(pid int) int64 {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// hubEnv prepares the child's settings: a temp data dir, fresh keys and,
// for PostgreSQL, a throwaway database dropped at the end.
func hubEnv(pgURL string) ([]string, func(), error) {
	dir, err := os.MkdirTemp("", "whatpro-load-")
	if err != nil {
		return nil, nil, err
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	env := []string{"WHATPRO_DATA_DIR=" + dir, "WHATPRO_SECRET_KEYS=l1:" + base64.StdEncoding.EncodeToString(key),
		"WHATPRO_LOG_LEVEL=warn", "WHATPRO_TRUSTED_PROXIES=127.0.0.1", "WHATPRO_RATE_LIMIT_ANON=1000000", "WHATPRO_RATE_LIMIT_AUTH=1000000",
		"WHATPRO_BOOTSTRAP_ADMIN_EMAIL=" + adminEmail, "WHATPRO_BOOTSTRAP_ADMIN_PASSWORD=" + adminPass}
	cleanup := func() { os.RemoveAll(dir) }
	if pgURL == "" {
		return env, cleanup, nil
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "whatpro_load_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, nil, err
	}
	u, _ := url.Parse(pgURL)
	u.Path = "/" + name
	env = append(env, "WHATPRO_DATABASE_URL="+u.String())
	return env, func() {
		cleanup()
		if c, err := pgx.Connect(context.Background(), pgURL); err == nil {
			_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(context.Background())
		}
	}, nil
}

// startHub starts a hub in a child process, this binary's own ("hub") or,
// with bin, that whatpro binary's "serve" (to measure another build on
// the same run), on a free loopback port, and waits until it is ready.
func startHub(env []string, bin string) (*exec.Cmd, string, error) {
	if bin != "" {
		return startChild(env, exec.Command(bin, "serve"))
	}
	self, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	return startChild(env, exec.Command(self, "hub"))
}

// startChild runs cmd, a hub that listens on WHATPRO_ADDR, with env on a
// free loopback port and waits until its /readyz answers 200.
func startChild(env []string, cmd *exec.Cmd) (*exec.Cmd, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WHATPRO_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	base := "http://" + addr
	cmd.Env = append(append(cmd.Env, env...), "WHATPRO_ADDR="+addr, "WHATPRO_PUBLIC_URL="+base)
	cmd.Stderr = os.Stderr
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	exited := make(chan struct{})
	go func() { _, _ = cmd.Process.Wait(); close(exited) }()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); {
		select {
		case <-exited:
			return nil, "", fmt.Errorf("the hub exited before it was ready")
		case <-time.After(50 * time.Millisecond):
		}
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return cmd, base, nil
			}
		}
	}
	_ = cmd.Process.Kill()
	return nil, "", fmt.Errorf("the hub was not ready within 2 minutes")
}

// stopHub ends a hub started by startHub.
func stopHub(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _, _ = cmd.Process.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
	}
}

// invite adds a user to an account the way an admin does (no password:
// the hub answers with the one-time invitation link when it mails
// nothing) and activates it with password, as the invitee would. Each
// activation comes "from" its own address (the load hub trusts the
// loopback proxy), or the link's per-address rate limit would throttle
// seeding.
func invite(ctx context.Context, base, adminToken, accountID, email, role, password string, n int) error {
	var inv struct {
		URL string `json:"invitation_url"`
	}
	if err := callJSON(ctx, base, adminToken, "", "POST", "/api/v1/accounts/"+accountID+"/users",
		map[string]string{"email": email, "name": "Load " + email, "role": role}, &inv); err != nil {
		return err
	}
	_, frag, ok := strings.Cut(inv.URL, "#token=")
	if !ok {
		return fmt.Errorf("invite %s: no invitation link in the answer (is SMTP configured?)", email)
	}
	ip := fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255)
	return callJSON(ctx, base, "", ip, "POST", "/api/v1/invitations/activate", map[string]string{"token": frag, "password": password}, nil)
}

var seedClient = &http.Client{Timeout: 60 * time.Second}

// callJSON makes one JSON request and decodes a 2xx answer into out.
func callJSON(ctx context.Context, base, token, fromIP, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if fromIP != "" {
		req.Header.Set("X-Forwarded-For", fromIP)
	}
	res, err := seedClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}
