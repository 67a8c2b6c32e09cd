package app

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/kanban"
	"github.com/whatpro/hub/internal/plan"
	"github.com/whatpro/hub/internal/realtime"
)

// buildRealtime wires the realtime hub and the Kanban, which is its first
// domain: the Kanban's authorizer owns the "board:<id>" and "boards"
// topics, and its consumers of Chatwoot events join the dispatcher.
func (a *App) buildRealtime(workers *river.Workers) error {
	a.Realtime = realtime.NewHub(a.DB, a.Log, a.IAM, realtime.Config{
		Window: a.Cfg.RealtimeWindow, WindowEvents: a.Cfg.RealtimeWindowEvents,
	}, a.Registry)
	a.Realtime.Origins = a.Origins.ForAccount
	a.Realtime.HubOrigin = a.Chatwoot.HubOrigin()
	a.Events = &realtime.Log{DB: a.DB, Waker: a.Realtime.Committed}
	a.Plans.Counters[plan.MaxBoards] = kanban.BoardCounter
	a.Kanban = &kanban.Service{DB: a.DB, Events: a.Events, Plans: a.Plans, IAM: a.IAM, Chatwoot: a.Chatwoot, Log: a.Log, Now: a.IAM.Now}
	a.Realtime.Register("board", iam.PermKanbanRead, a.Kanban)
	a.Realtime.Register("boards", iam.PermKanbanRead, a.Kanban)
	if err := a.Dispatcher.RegisterAll("kanban", a.Kanban.Handlers()); err != nil {
		return err
	}
	river.AddWorker(workers, &realtime.PurgeWorker{Hub: a.Realtime})
	river.AddWorker(workers, &kanban.MirrorWorker{S: a.Kanban})
	river.AddWorker(workers, &kanban.ReconcileWorker{S: a.Kanban})
	return nil
}

// startRealtime runs the hub's recheck loop and, on PostgreSQL, its
// listener and its announcer until Stop.
func (a *App) startRealtime() {
	ctx, cancel := context.WithCancel(context.Background())
	go a.Realtime.Run(ctx)
	go a.Realtime.Listen(ctx)
	go a.Realtime.Announce(ctx)
	a.onStop = append(a.onStop, func() {
		cancel()
		a.Realtime.Stop()
	})
}
