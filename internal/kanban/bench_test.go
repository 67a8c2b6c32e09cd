package kanban_test

import (
	"context"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	lk "github.com/whatpro/hub/internal/loadtest/kanban"
)

func seeded(b *testing.B, dialect string, n int) (*env, *lk.Account) {
	b.Helper()
	h := apptest.New(b, dialect, apptest.Options{Env: apptest.SuperAdminEnv("WHATPRO_RATE_LIMIT_ANON=1000000",
		"WHATPRO_RATE_LIMIT_AUTH=1000000", "WHATPRO_LOG_LEVEL=warn")})
	super := h.LoginSuper()
	e := &env{h: h, super: super, tenant: h.NewTenant(super, "Bench")}
	bd := e.defaultBoard(b, e.tenant.Admin.Token)
	var stages, kinds []string
	for _, st := range bd.Stages[:5] {
		stages, kinds = append(stages, st.ID), append(kinds, st.Kind)
	}
	ids, err := lk.Seed(context.Background(), h.App.DB, e.tenant.ID, bd.ID, stages, kinds, n)
	if err != nil {
		b.Fatal(err)
	}
	a := &lk.Account{ID: e.tenant.ID, Token: e.tenant.Admin.Token, BoardID: bd.ID, Stages: stages}
	for i, st := range stages {
		for _, id := range ids[st] {
			a.Cards = append(a.Cards, &lk.Card{ID: id, Version: 1, Stage: i})
		}
	}
	return e, a
}

// BenchmarkFirstLoad: the first page of every column of a 10,000-card
// board with its totals, 32 callers at once.
func BenchmarkFirstLoad(b *testing.B) {
	for _, dialect := range apptest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			e, a := seeded(b, dialect, 10000)
			c := lk.NewClient(e.h.URL)
			path := "/api/v1/accounts/" + a.ID + "/boards/" + a.BoardID + "/cards?limit=50"
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := c.Call(context.Background(), a.Token, "GET", path, nil, nil); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkMove: one card move after another on one board.
func BenchmarkMove(b *testing.B) {
	for _, dialect := range apptest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			e, a := seeded(b, dialect, 2000)
			c := lk.NewClient(e.h.URL)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				cd := a.Cards[i%len(a.Cards)]
				to := (cd.Stage + 1) % len(a.Stages)
				var out struct {
					Version int64 `json:"version"`
				}
				if _, err := c.Call(context.Background(), a.Token, "POST", "/api/v1/accounts/"+a.ID+"/boards/"+a.BoardID+"/cards/"+cd.ID+"/move",
					map[string]any{"stage_id": a.Stages[to], "version": cd.Version}, &out); err != nil {
					b.Fatal(err)
				}
				cd.Version, cd.Stage = out.Version, to
			}
		})
	}
}
