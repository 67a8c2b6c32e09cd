package db_test

import (
	"context"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/db"
)

// The hub's PostgreSQL sessions run without JIT compilation (a burst of
// webhooks made the planner JIT-compile the intake's short statements),
// unless the database URL asks for it.
func TestPostgresSessionsWithoutJIT(t *testing.T) {
	for _, dialect := range apptest.Dialects(t) {
		if dialect != "postgres" {
			continue
		}
		url := apptest.PostgresURL(t)
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		for _, c := range []struct{ url, want string }{{url, "off"}, {url + sep + "jit=on", "on"}} {
			d, err := db.OpenPool(context.Background(), c.url, "", 2)
			if err != nil {
				t.Fatal(err)
			}
			var jit string
			if err := d.R.QueryRowContext(context.Background(), `SHOW jit`).Scan(&jit); err != nil {
				t.Fatal(err)
			}
			d.Close()
			if jit != c.want {
				t.Errorf("%s: jit = %s, want %s", c.url, jit, c.want)
			}
		}
	}
}
