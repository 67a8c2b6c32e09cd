package realtime

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listen runs until ctx ends. On PostgreSQL it holds one connection that
// LISTENs for "account:seq" (events committed on any instance) and
// ephemeral events, reconnecting with a backoff; after each (re)connect it
// wakes every stream, since notifications sent meanwhile are lost. On
// SQLite there is one instance and commits wake the hub directly.
func (h *Hub) Listen(ctx context.Context) {
	if h.DB.Pool == nil {
		return
	}
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := h.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		h.Log.Warn("realtime: listener lost its connection; reconnecting", "error", err.Error())
		select {
		case <-ctx.Done():
			return
		case <-h.stopped:
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, 5*time.Second)
	}
}

func (h *Hub) listenOnce(ctx context.Context) error {
	pc, err := h.DB.Pool.Acquire(ctx)
	if err != nil {
		return err
	}
	conn := pc.Hijack() // a dedicated connection, never returned to the pool
	defer conn.Close(context.Background())
	for _, ch := range []string{NotifyChannel, EphemeralChannel} {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return err
		}
	}
	h.wakeAll()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		switch n.Channel {
		case NotifyChannel:
			if acct, _, ok := strings.Cut(n.Payload, ":"); ok {
				h.Wake(acct)
			}
		case EphemeralChannel:
			h.deliverEphemeral([]byte(n.Payload))
		}
	}
}
