package realtime_test

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/realtime"
)

// On PostgreSQL the other instances hear of an account's events after the
// commit, from the announcer, with the head as it then stands; appending
// alone notifies nobody (a NOTIFY inside the writers' transactions would
// serialise every commit of the server behind one another's flush).
func TestAnnounceAfterCommit(t *testing.T) {
	t.Parallel()
	if !slices.Contains(apptest.Dialects(t), "postgres") {
		t.Skip("PostgreSQL only: SQLite has one instance")
	}
	h := apptest.New(t, "postgres", apptest.Options{Env: apptest.SuperAdminEnv()})
	tn := h.NewTenant(h.LoginSuper(), "Announce")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pc, err := h.App.DB.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	conn := pc.Hijack()
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+realtime.NotifyChannel); err != nil {
		t.Fatal(err)
	}
	appendOne := func() int64 {
		var seq int64
		if err := h.App.DB.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			seq, err = h.App.Events.Append(ctx, tx, tn.ID, realtime.New{Type: "test.appended", Topic: "room:1", Data: map[string]any{}})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return seq
	}
	first := appendOne() // committed, never announced
	second := appendOne()
	h.App.Events.Wake(tn.ID)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			t.Fatalf("no announcement of %s:%d: %v", tn.ID, second, err)
		}
		switch n.Payload {
		case tn.ID + ":" + strconv.FormatInt(first, 10):
			t.Fatalf("the append itself notified (%s)", n.Payload)
		case tn.ID + ":" + strconv.FormatInt(second, 10):
			return
		}
	}
}
