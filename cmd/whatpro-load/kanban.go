// Mode kanban measures the Kanban and its realtime
// backbone against the targets of issue 12, on SQLite or PostgreSQL: it
// starts a hub in a child process (so socket memory is the hub's alone),
// seeds ten accounts (one board of 10,000 cards in 5 stages, and 1,000
// cards in each other account), then runs the first board load, card
// moves at 1 and 32 clients (ten accounts, and one board), the delivery of
// a move to 1,000 subscribed sockets, and the memory of idle sockets.
//
//	whatpro-load kanban [-postgres postgres://…] [-duration 10s] [-sockets 10000]

package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/whatpro/hub/internal/config"
	"github.com/whatpro/hub/internal/db"
	lk "github.com/whatpro/hub/internal/loadtest/kanban"
)

func runKanban(args []string) error {
	fs := flag.NewFlagSet("kanban", flag.ContinueOnError)
	pgURL := fs.String("postgres", "", "PostgreSQL server URL (a throwaway database is created on it); empty = SQLite")
	dur := fs.Duration("duration", 10*time.Second, "length of each timed scenario")
	nSockets := fs.Int("sockets", 10000, "idle sockets for the memory scenario")
	nDelivery := fs.Int("delivery-sockets", 1000, "subscribed sockets for the delivery scenario")
	if err := fs.Parse(args); err != nil {
		return err
	}
	files := raiseFiles()
	env, cleanup, err := hubEnv(*pgURL)
	if err != nil {
		return err
	}
	defer cleanup()
	child, base, err := startHub(env, "")
	if err != nil {
		return err
	}
	defer stopHub(child)
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
		if err := invite(ctx, c.BaseURL, login.AccessToken, acct.ID, email, "admin", adminPass, i); err != nil {
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
