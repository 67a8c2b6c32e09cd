package authcache

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/whatpro/hub/internal/db"
)

// New returns the cache of d. On SQLite it is live at once (Sync checks
// for changes); on PostgreSQL it turns live when Listen has connected.
func New(d *db.DB, log *slog.Logger) *Cache {
	c := &Cache{m: map[string]entry{}}
	if d.Dialect == db.SQLite {
		c.sqlite = &sqliteWatch{r: d.R, version: -1, epoch: -1}
		c.live.Store(true)
	}
	return c
}

// sqliteWatch notices commits of other connections (the hub's writer, a
// CLI process) with PRAGMA data_version, which changes exactly then and
// costs no read transaction; only then is the epoch row read. Both
// statements are prepared once on the driver connection of conn and run
// there directly: the check runs before every request, and database/sql's
// statement and row wrappers cost more than the pragma itself.
type sqliteWatch struct {
	r       *sql.DB
	mu      sync.Mutex
	conn    *sql.Conn
	pragma  driver.Stmt // PRAGMA data_version, on conn's driver connection
	epochQ  driver.Stmt // the epoch row: read after every commit under write load
	dest    []driver.Value
	version int64
	epoch   int64

	// Requests that arrive while a check runs share the next one: it
	// starts after they arrived, so it sees every commit they could have
	// seen, and 32 concurrent requests cost about two checks, not 32.
	gmu     sync.Mutex
	pending *round // the next check, not started yet; arrivals join it
}

type round struct{ done chan struct{} }

// Sync makes the cache current before a request reads it: it returns
// after a check that started after Sync was called. On PostgreSQL
// notifications arrive on their own and Sync does nothing.
func (c *Cache) Sync(context.Context) {
	if c == nil || c.sqlite == nil {
		return
	}
	w := c.sqlite
	w.gmu.Lock()
	r, lead := w.pending, false
	if r == nil {
		r, lead = &round{done: make(chan struct{})}, true
		w.pending = r
	}
	w.gmu.Unlock()
	if !lead {
		<-r.done
		return
	}
	w.mu.Lock()
	w.gmu.Lock()
	w.pending = nil // arrivals from now on join the check after this one
	w.gmu.Unlock()
	c.check()
	w.mu.Unlock()
	close(r.done)
}

// check reads data_version, and the epoch when it moved; w.mu is held.
// It runs on a context of its own: a request that ends must not
// interrupt it half-way (an interrupted connection is lost to the pool),
// and the requests waiting on it are others'. Any failure forgets the
// cache and the connection, so the next check starts afresh.
func (c *Cache) check() {
	w := c.sqlite
	if w.conn == nil && w.open() != nil {
		c.Changed()
		return
	}
	v, err := w.scalar(w.pragma)
	if err != nil {
		w.drop()
		c.Changed()
		return
	}
	if v == w.version {
		return
	}
	e, err := w.scalar(w.epochQ)
	if err != nil {
		w.drop()
		c.Changed()
		return
	}
	w.version = v
	if e != w.epoch {
		w.epoch = e
		c.Changed()
	}
}

// open takes a connection of its own from the read pool and prepares the
// two statements on its driver connection.
func (w *sqliteWatch) open() error {
	ctx := context.Background()
	conn, err := w.r.Conn(ctx)
	if err != nil {
		return err
	}
	err = conn.Raw(func(dc any) error {
		pc, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("authcache: the SQLite driver cannot prepare with a context")
		}
		var err error
		if w.pragma, err = pc.PrepareContext(ctx, `PRAGMA data_version`); err != nil {
			return err
		}
		w.epochQ, err = pc.PrepareContext(ctx, `SELECT n FROM auth_epoch WHERE id = 1`)
		return err
	})
	w.conn, w.dest = conn, make([]driver.Value, 1)
	if err != nil {
		w.drop()
	}
	return err
}

// scalar runs st on the watch's connection and returns its one integer.
func (w *sqliteWatch) scalar(st driver.Stmt) (int64, error) {
	var v int64
	err := w.conn.Raw(func(any) error {
		q, ok := st.(driver.StmtQueryContext)
		if !ok {
			return fmt.Errorf("authcache: the SQLite driver cannot query with a context")
		}
		rows, err := q.QueryContext(context.Background(), nil)
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := rows.Next(w.dest); err != nil {
			return err // io.EOF included: the statement must answer a row
		}
		n, ok := w.dest[0].(int64)
		if !ok {
			return fmt.Errorf("authcache: %T where an integer was expected", w.dest[0])
		}
		v = n
		return nil
	})
	return v, err
}

// drop closes the statements and the connection; the next check opens
// them again.
func (w *sqliteWatch) drop() {
	if w.conn != nil {
		_ = w.conn.Raw(func(any) error {
			for _, st := range []driver.Stmt{w.pragma, w.epochQ} {
				if st != nil {
					_ = st.Close()
				}
			}
			return nil
		})
		_ = w.conn.Close()
	}
	w.conn, w.pragma, w.epochQ, w.version, w.epoch = nil, nil, nil, -1, -1
}

// Close releases the SQLite check connection.
func (c *Cache) Close() {
	if c == nil || c.sqlite == nil {
		return
	}
	c.sqlite.mu.Lock()
	defer c.sqlite.mu.Unlock()
	if c.sqlite.conn != nil {
		c.sqlite.drop()
	}
}

// Listen holds a PostgreSQL connection LISTENing on Channel until ctx
// ends, reconnecting with a backoff. The cache is live only while that
// connection is: notifications sent while it is down are lost, so it
// starts empty again after each reconnect.
func (c *Cache) Listen(ctx context.Context, d *db.DB, log *slog.Logger) {
	if d.Pool == nil {
		return
	}
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := c.listenOnce(ctx, d)
		c.setLive(false)
		if ctx.Err() != nil {
			return
		}
		log.Warn("authcache: listener lost its connection; every request reads the database until it is back", "error", err.Error())
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, 5*time.Second)
	}
}

func (c *Cache) listenOnce(ctx context.Context, d *db.DB) error {
	pc, err := d.Pool.Acquire(ctx)
	if err != nil {
		return err
	}
	conn := pc.Hijack() // a dedicated connection, never returned to the pool
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{Channel}.Sanitize()); err != nil {
		return err
	}
	c.setLive(true)
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		c.Changed()
	}
}
