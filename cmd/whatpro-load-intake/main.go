// Command whatpro-load-intake measures the event spine: it starts a hub
// (SQLite in a temp dir, or a fresh PostgreSQL database) linked to an
// in-process Chatwoot simulator, registers a consumer that does nothing,
// and has -senders concurrent clients post signed message_created
// webhooks (each a new message) for -duration. It reports acknowledged
// events/s with p50/p99/max acknowledgement time, then how fast the
// stored events were worked end to end, and checks that every
// acknowledged event was stored exactly once.
//
//	whatpro-load-intake [-db sqlite|postgres] [-postgres-url URL] [-senders 32] [-duration 20s] [-workers 50]
//
// Load client and hub share the machine: numbers are a floor.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
	"github.com/whatpro/hub/internal/config"
	"github.com/whatpro/hub/internal/intake"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "whatpro-load-intake:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("whatpro-load-intake", flag.ContinueOnError)
	dialect := fs.String("db", "sqlite", "sqlite or postgres")
	pgURL := fs.String("postgres-url", os.Getenv("WHATPRO_TEST_POSTGRES_URL"), "PostgreSQL server to create a throwaway database on")
	senders := fs.Int("senders", 32, "concurrent senders")
	duration := fs.Duration("duration", 20*time.Second, "how long events are sent")
	workers := fs.Int("workers", 50, "job workers (WHATPRO_JOB_WORKERS)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	sim := cwsim.New(cwsim.DefaultSeed(), cwsim.Options{})
	defer sim.Close()
	simSrv := httptest.NewServer(sim.Handler())
	defer simSrv.Close()

	dir, err := os.MkdirTemp("", "whatpro-load-intake-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hubURL := "http://" + ln.Addr().String()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	env := []string{"WHATPRO_DATA_DIR=" + dir, "WHATPRO_PUBLIC_URL=" + hubURL, "WHATPRO_LOG_LEVEL=warn",
		"WHATPRO_SECRET_KEYS=load:" + base64.StdEncoding.EncodeToString(key),
		"WHATPRO_BOOTSTRAP_ADMIN_EMAIL=load-root@hub.test", "WHATPRO_BOOTSTRAP_ADMIN_PASSWORD=a-strong-load-passphrase-9",
		"WHATPRO_RATE_LIMIT_ANON=1000000", "WHATPRO_RATE_LIMIT_AUTH=1000000", "WHATPRO_JOB_WORKERS=" + strconv.Itoa(*workers)}
	if *dialect == "postgres" {
		dsn, drop, err := throwawayDB(ctx, *pgURL)
		if err != nil {
			return err
		}
		defer drop()
		env = append(env, "WHATPRO_DATABASE_URL="+dsn)
	} else if *dialect != "sqlite" {
		return fmt.Errorf("-db must be sqlite or postgres")
	}
	cfg, err := config.Load(env)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})), app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	var worked atomic.Int64
	if err := a.Dispatcher.Register("load", intake.SourceChatwoot, "message_created", func(context.Context, *intake.Execution) error {
		worked.Add(1)
		return nil
	}); err != nil {
		return err
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	linkID, secret, err := link(ctx, hubURL, simSrv.URL, sim)
	if err != nil {
		return err
	}
	fmt.Printf("db=%s senders=%d duration=%s workers=%d\n", *dialect, *senders, *duration, *workers)

	// Phase 1: acknowledgement, jobs not running.
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *senders * 2}}
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var acked, failed atomic.Int64
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	start := time.Now()
	for range *senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) {
				n := next.Add(1)
				body := []byte(`{"event":"message_created","id":` + strconv.FormatInt(n, 10) + `,"content":"load","message_type":"outgoing",` +
					`"private":false,"account":{"id":1,"name":"Acme"},"inbox":{"id":1,"name":"WA"},"conversation":{"id":1}}`)
				ts := strconv.FormatInt(time.Now().Unix(), 10)
				req, _ := http.NewRequest("POST", hubURL+"/webhooks/chatwoot/"+linkID, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Chatwoot-Timestamp", ts)
				req.Header.Set("X-Chatwoot-Signature", intake.Sign(secret, ts, body))
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					acked.Add(1)
					mine = append(mine, time.Since(t0))
				} else {
					failed.Add(1)
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	fmt.Printf("ack: %d events in %s = %.0f/s, failed %d, p50 %s p99 %s max %s\n", acked.Load(), elapsed.Round(time.Millisecond),
		float64(acked.Load())/elapsed.Seconds(), failed.Load(), pct(0.50), pct(0.99), pct(1))

	// Phase 2: work what was stored.
	t1 := time.Now()
	if err := a.Start(ctx); err != nil {
		return err
	}
	defer a.Stop(5 * time.Second)
	for worked.Load() < acked.Load() && time.Since(t1) < 10*time.Minute {
		time.Sleep(100 * time.Millisecond)
	}
	workedFor := time.Since(t1)
	fmt.Printf("worked: %d events in %s = %.0f/s\n", worked.Load(), workedFor.Round(time.Millisecond), float64(worked.Load())/workedFor.Seconds())
	var stored int64
	if err := a.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM event_executions WHERE source = 'chatwoot' AND event = 'message_created'`).
		Scan(&stored); err != nil {
		return err
	}
	if stored != acked.Load() {
		return fmt.Errorf("%d events acknowledged but %d stored", acked.Load(), stored)
	}
	fmt.Printf("stored exactly once: %d\n", stored)
	return nil
}

// link connects the hub to the simulator through the API, as an admin
// would, and returns the webhook's link id and signing secret.
func link(ctx context.Context, hubURL, simURL string, sim *cwsim.Sim) (string, string, error) {
	var token string
	for _, u := range sim.Seed().Users {
		if u.Email == "ana@acme.test" {
			token = u.APIAccessToken
		}
	}
	c := &http.Client{Timeout: 30 * time.Second}
	call := func(method, path, bearer, body string) (string, error) {
		req, _ := http.NewRequestWithContext(ctx, method, hubURL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		res, err := c.Do(req)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode/100 != 2 {
			return "", fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, raw)
		}
		return string(raw), nil
	}
	out, err := call("POST", "/api/v1/auth/login", "", `{"email":"load-root@hub.test","password":"a-strong-load-passphrase-9"}`)
	if err != nil {
		return "", "", err
	}
	root := field(out, "access_token")
	out, err = call("POST", "/api/v1/accounts", root, `{"name":"Load"}`)
	if err != nil {
		return "", "", err
	}
	acct := field(out, "id")
	if _, err := call("PUT", "/api/v1/accounts/"+acct+"/chatwoot", root,
		`{"base_url":"`+simURL+`","chatwoot_account_id":1,"api_access_token":"`+token+`"}`); err != nil {
		return "", "", err
	}
	secret := "load-webhook-secret-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := call("PUT", "/api/v1/accounts/"+acct+"/chatwoot/webhook-secret", root, `{"secret":"`+secret+`"}`); err != nil {
		return "", "", err
	}
	out, err = call("GET", "/api/v1/accounts/"+acct+"/chatwoot", root, "")
	if err != nil {
		return "", "", err
	}
	hook := field(out, "webhook_url")
	return hook[strings.LastIndex(hook, "/")+1:], secret, nil
}

// field reads a top-level string field of a JSON object without a struct.
func field(raw, name string) string {
	i := strings.Index(raw, `"`+name+`":"`)
	if i < 0 {
		return ""
	}
	rest := raw[i+len(name)+4:]
	return rest[:strings.IndexByte(rest, '"')]
}

func throwawayDB(ctx context.Context, base string) (string, func(), error) {
	if base == "" {
		return "", nil, fmt.Errorf("-postgres-url (or WHATPRO_TEST_POSTGRES_URL) is required for -db postgres")
	}
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "whatpro_load_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	u, _ := url.Parse(base)
	u.Path = "/" + name
	return u.String(), func() {
		c, err := pgx.Connect(context.Background(), base)
		if err == nil {
			_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(context.Background())
		}
	}, nil
}
