// Command whatpro-load-kanban measures the Kanban and its realtime
// backbone against the targets of issue 12, on SQLite or PostgreSQL: it
// starts a hub in a child process (so socket memory is the hub's alone),
// seeds ten accounts (one board of 10,000 cards in 5 stages, and 1,000
// cards in each other account), then runs the first board load, card
// moves at 1 and 32 clients (ten accounts, and one board), the delivery of
// a move to 1,000 subscribed sockets, and the memory of idle sockets.
//
//	whatpro-load-kanban [-postgres postgres://…] [-duration 10s] [-sockets 10000]
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
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
	"github.com/whatpro/hub/internal/db"
	lk "github.com/whatpro/hub/internal/loadtest/kanban"
)

const (
	adminEmail = "load@hub.test"
	adminPass  = "load-test-passphrase-1"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "hub" {
		if err := serveHub(); err != nil {
			fmt.Println("ERROR", err)
			os.Exit(1)
		}
		return
	}
	if err := runLoad(); err != nil {
		fmt.Fprintln(os.Stderr, "whatpro-load-kanban:", err)
		os.Exit(1)
	}
}

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
func serveHub() error {
	raiseFiles()
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

func runLoad() error {
	pgURL := flag.String("postgres", "", "PostgreSQL server URL (a throwaway database is created on it); empty = SQLite")
	dur := flag.Duration("duration", 10*time.Second, "length of each timed scenario")
	nSockets := flag.Int("sockets", 10000, "idle sockets for the memory scenario")
	nDelivery := flag.Int("delivery-sockets", 1000, "subscribed sockets for the delivery scenario")
	flag.Parse()
	files := raiseFiles()
	env, cleanup, err := hubEnv(*pgURL)
	if err != nil {
		return err
	}
	defer cleanup()
	child, base, err := startHub(env)
	if err != nil {
		return err
	}
	defer func() {
		_ = child.Process.Signal(syscall.SIGTERM)
		_ = child.Wait()
	}()
	dialect := "sqlite"
	if *pgURL != "" {
		dialect = "postgres"
	}
	fmt.Printf("hub pid %d at %s on %s; open-file limit %d\n", child.Process.Pid, base, dialect, files)
	ctx := context.Background()
	c := lk.NewClient(base)
	accounts, err := setupAccounts(ctx, c, env)
	if err != nil {
		return err
	}
	big := accounts[0]
	fmt.Printf("seeded: %d cards on one board (5 stages), 1,000 in each of %d other accounts\n", 10000, len(accounts)-1)

	report := func(r lk.Result) { fmt.Println(r.String()) }
	report(lk.FirstLoad(c, big, 1, *dur))
	report(lk.FirstLoad(c, big, 32, *dur))
	report(lk.Moves(c, "move, 1 client", accounts[:1], 1, *dur))
	report(lk.Moves(c, "move, 32 clients across 10 accounts", accounts, 32, *dur))
	report(lk.Moves(c, "move, 32 clients on one board", accounts[:1], 32, *dur))

	socks, err := lk.OpenMany(ctx, c, accounts[1], *nDelivery)
	if err != nil {
		return fmt.Errorf("open delivery sockets: %w", err)
	}
	r, r2, err := lk.Delivery(ctx, c, accounts[1], socks, 50)
	lk.CloseAll(socks)
	if err != nil {
		return err
	}
	report(r)
	report(r2)

	time.Sleep(2 * time.Second) // let the hub drop the closed sockets before measuring
	before := rss(child.Process.Pid)
	idle, err := lk.OpenMany(ctx, c, accounts[2], *nSockets)
	if err != nil {
		return fmt.Errorf("open idle sockets: %w", err)
	}
	time.Sleep(5 * time.Second)
	after := rss(child.Process.Pid)
	fmt.Printf("%-44s hub RSS %d MiB before, %d MiB with %d idle sockets: %.1f KiB per socket\n", "idle sockets",
		before>>20, after>>20, len(idle), float64(after-before)/1024/float64(len(idle)))
	lk.CloseAll(idle)
	return nil
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
	dir, err := os.MkdirTemp("", "whatpro-load-kanban-")
	if err != nil {
		return nil, nil, err
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	env := []string{"WHATPRO_DATA_DIR=" + dir, "WHATPRO_SECRET_KEYS=l1:" + base64.StdEncoding.EncodeToString(key),
		"WHATPRO_ADDR=127.0.0.1:0", "WHATPRO_LOG_LEVEL=warn", "WHATPRO_RATE_LIMIT_ANON=1000000", "WHATPRO_RATE_LIMIT_AUTH=1000000",
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

func startHub(env []string) (*exec.Cmd, string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(self, "hub")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WHATPRO_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if a, ok := strings.CutPrefix(line, "READY "); ok {
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return cmd, "http://" + a, nil
		}
		if strings.HasPrefix(line, "ERROR") {
			break
		}
	}
	_ = cmd.Process.Kill()
	return nil, "", fmt.Errorf("the hub did not start")
}

// setupAccounts creates ten accounts with an admin each through the API,
// loads their default boards and seeds their cards in the database.
func setupAccounts(ctx context.Context, c *lk.Client, env []string) ([]*lk.Account, error) {
	var login struct {
		AccessToken string `json:"access_token"`
	}
	if _, err := c.Call(ctx, "", "POST", "/api/v1/auth/login", map[string]string{"email": adminEmail, "password": adminPass}, &login); err != nil {
		return nil, err
	}
	cfg, err := config.Load(env)
	if err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.SQLitePath())
	if err != nil {
		return nil, err
	}
	defer d.Close()
	var out []*lk.Account
	for i := range 10 {
		var acct struct {
			ID string `json:"id"`
		}
		if _, err := c.Call(ctx, login.AccessToken, "POST", "/api/v1/accounts", map[string]string{"name": fmt.Sprintf("Load %d", i)}, &acct); err != nil {
			return nil, err
		}
		email := fmt.Sprintf("admin%d@load.test", i)
		if _, err := c.Call(ctx, login.AccessToken, "POST", "/api/v1/accounts/"+acct.ID+"/users",
			map[string]string{"email": email, "name": "Admin", "role": "admin", "password": adminPass}, nil); err != nil {
			return nil, err
		}
		var admin struct {
			AccessToken string `json:"access_token"`
		}
		if _, err := c.Call(ctx, "", "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": adminPass}, &admin); err != nil {
			return nil, err
		}
		var boards struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		if _, err := c.Call(ctx, admin.AccessToken, "GET", "/api/v1/accounts/"+acct.ID+"/boards", nil, &boards); err != nil {
			return nil, err
		}
		var b struct {
			Stages []struct {
				ID   string `json:"id"`
				Kind string `json:"kind"`
			} `json:"stages"`
		}
		boardID := boards.Data[0].ID
		if _, err := c.Call(ctx, admin.AccessToken, "GET", "/api/v1/accounts/"+acct.ID+"/boards/"+boardID, nil, &b); err != nil {
			return nil, err
		}
		// Five stages: the four open ones and Won.
		var stages, kinds []string
		for _, st := range b.Stages[:5] {
			stages, kinds = append(stages, st.ID), append(kinds, st.Kind)
		}
		n := 1000
		if i == 0 {
			n = 10000
		}
		ids, err := lk.Seed(ctx, d, acct.ID, boardID, stages, kinds, n)
		if err != nil {
			return nil, err
		}
		a := &lk.Account{ID: acct.ID, Token: admin.AccessToken, BoardID: boardID, Stages: stages}
		for si, st := range stages {
			for _, id := range ids[st] {
				a.Cards = append(a.Cards, &lk.Card{ID: id, Version: 1, Stage: si})
			}
		}
		out = append(out, a)
	}
	return out, nil
}
