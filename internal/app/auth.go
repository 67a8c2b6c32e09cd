package app

import (
	"context"
	"time"
)

// startAuth runs, until Stop, the authorisation cache's listener (on
// PostgreSQL; it caches nothing until that listens) and the write-behind
// of sessions' and keys' last use, flushed once more on Stop.
func (a *App) startAuth() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go a.AuthCache.Listen(ctx, a.DB, a.Log)
	go func() {
		defer close(done)
		a.IAM.RunTouches(ctx, 5*time.Second)
	}()
	a.onStop = append(a.onStop, func() {
		cancel()
		<-done
		a.AuthCache.Close()
	})
}
