package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/config"
)

const (
	superEmail = "load-root@hub.test"
	password   = "a-strong-load-passphrase-9"
)

type chatHub struct {
	app     *app.App
	srv     *http.Server
	url     string
	dir     string
	keep    bool
	dropDB  func()
	clients *http.Client
}

func startChatHub(ctx context.Context, o chatOptions) (*chatHub, error) {
	dir, err := os.MkdirTemp("", "whatpro-load-chat-")
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h := &chatHub{dir: dir, keep: o.keep, url: "http://" + ln.Addr().String(), dropDB: func() {},
		clients: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	env := []string{"WHATPRO_DATA_DIR=" + dir, "WHATPRO_PUBLIC_URL=" + h.url, "WHATPRO_LOG_LEVEL=warn",
		"WHATPRO_SECRET_KEYS=load:" + base64Std(append(b, b...)),
		"WHATPRO_BOOTSTRAP_ADMIN_EMAIL=" + superEmail, "WHATPRO_BOOTSTRAP_ADMIN_PASSWORD=" + password,
		"WHATPRO_RATE_LIMIT_ANON=1000000", "WHATPRO_TRUSTED_PROXIES=127.0.0.1", "WHATPRO_RATE_LIMIT_AUTH=1000000", "WHATPRO_JOB_WORKERS=4"}
	if o.dialect == "postgres" {
		dsn, drop, err := throwawayDB(ctx, o.postgresURL)
		if err != nil {
			return nil, err
		}
		h.dropDB = drop
		env = append(env, "WHATPRO_DATABASE_URL="+dsn)
	} else if o.dialect != "sqlite" {
		return nil, fmt.Errorf("-db must be sqlite or postgres")
	}
	cfg, err := config.Load(env)
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		h.dropDB()
		return nil, err
	}
	h.app = a
	h.srv = &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = h.srv.Serve(ln) }()
	if err := a.Start(ctx); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *chatHub) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = h.srv.Shutdown(ctx)
	_ = h.app.Stop(5 * time.Second)
	_ = h.app.Close()
	h.dropDB()
	if !h.keep {
		os.RemoveAll(h.dir)
	}
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

// call makes one JSON request and decodes a 2xx answer into out.
func (h *chatHub) call(ctx context.Context, method, path, token string, body, out any) error {
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.url+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := h.clients.Do(req)
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

// loadPlan is what the client process needs.
type loadPlan struct {
	URL       string     `json:"url"`
	AccountID string     `json:"account_id"`
	Users     []loadUser `json:"users"`
	Rooms     []loadRoom `json:"rooms"`
}

type loadUser struct {
	ID    string `json:"id"`
	Token string `json:"token"`
}

type loadRoom struct {
	ID      string `json:"id"`
	Members []int  `json:"members"` // indexes into Users
}

func (h *chatHub) login(ctx context.Context, email string) (loadUser, error) {
	var out struct {
		AccessToken string `json:"access_token"`
		User        struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	err := h.call(ctx, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password}, &out)
	return loadUser{ID: out.User.ID, Token: out.AccessToken}, err
}

// seed creates the account, its users (logged in) and the rooms through
// the API, as clients would.
func (h *chatHub) seed(ctx context.Context, o chatOptions) (*loadPlan, error) {
	root, err := h.login(ctx, superEmail)
	if err != nil {
		return nil, err
	}
	var acct struct {
		ID string `json:"id"`
	}
	if err := h.call(ctx, "POST", "/api/v1/accounts", root.Token, map[string]string{"name": "Load"}, &acct); err != nil {
		return nil, err
	}
	if err := h.call(ctx, "PUT", "/api/v1/accounts/"+acct.ID+"/plan", root.Token, map[string]any{"plan_id": "default",
		"overrides": map[string]int{"max_agents": o.users + 10, "max_chat_rooms": o.rooms + 10}}, nil); err != nil {
		return nil, err
	}
	p := &loadPlan{URL: h.url, AccountID: acct.ID, Users: make([]loadUser, o.users)}
	var mu sync.Mutex
	done := 0
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i := range o.users {
		g.Go(func() error {
			email := fmt.Sprintf("load-%04d@hub.test", i)
			if err := invite(gctx, h.url, root.Token, acct.ID, email, "agent", password, i); err != nil {
				return err
			}
			u, err := h.login(gctx, email)
			if err != nil {
				return err
			}
			mu.Lock()
			p.Users[i] = u
			done++
			if done%100 == 0 {
				fmt.Fprintf(os.Stderr, "  %d users\n", done)
			}
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for r := range o.rooms {
		var members []int
		for i := r; i < o.users; i += o.rooms {
			members = append(members, i)
		}
		ids := []string{}
		for _, i := range members[1:] {
			ids = append(ids, p.Users[i].ID)
		}
		var rm struct {
			ID string `json:"id"`
		}
		if err := h.call(ctx, "POST", "/api/v1/accounts/"+acct.ID+"/chat/rooms", p.Users[members[0]].Token,
			map[string]any{"type": "public", "name": fmt.Sprintf("Room %03d", r), "member_ids": ids}, &rm); err != nil {
			return nil, err
		}
		p.Rooms = append(p.Rooms, loadRoom{ID: rm.ID, Members: members})
	}
	return p, nil
}
