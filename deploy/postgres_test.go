package deploy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/config"
)

// postgres/init-whatpro.sh, run as the PostgreSQL image runs it, gives the
// hub a role and database in which it migrates and starts.
func TestPostgresInitScript(t *testing.T) {
	t.Parallel()
	if !contains(apptest.Dialects(t), "postgres") {
		t.Skip("no PostgreSQL (WHATPRO_TEST_POSTGRES_URL)")
	}
	if _, err := exec.LookPath("psql"); err != nil {
		t.Skip("no psql")
	}
	base, _ := url.Parse(os.Getenv("WHATPRO_TEST_POSTGRES_URL"))
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	name := "whatpro_init_" + hex.EncodeToString(b)
	const pw = "0123456789abcdef0123"
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		_, _ = admin.Exec(ctx, "DROP ROLE IF EXISTS "+name)
		admin.Close(ctx)
	})

	adminPW, _ := base.User.Password()
	env := []string{"PATH=" + os.Getenv("PATH"), "PGHOST=" + base.Hostname(), "PGPORT=" + base.Port(), "PGPASSWORD=" + adminPW,
		"POSTGRES_USER=" + base.User.Username(), "WHATPRO_DB_PASSWORD=" + pw, "WHATPRO_DB_NAME=" + name, "WHATPRO_DB_USER=" + name}
	initScript := func() ([]byte, error) {
		cmd := exec.Command("sh", "postgres/init-whatpro.sh")
		cmd.Env = env
		return cmd.CombinedOutput()
	}
	if out, err := initScript(); err != nil || !strings.Contains(string(out), "created role "+name) {
		t.Fatalf("init script: %v\n%s", err, out)
	}
	var owner string
	if err := admin.QueryRow(ctx, `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1`, name).Scan(&owner); err != nil || owner != name {
		t.Fatalf("database %s owned by %q (%v)", name, owner, err)
	}

	hubURL := *base
	hubURL.User, hubURL.Path = url.UserPassword(name, pw), "/"+name
	cfg, err := config.Load([]string{"WHATPRO_DATABASE_URL=" + hubURL.String(), "WHATPRO_DATA_DIR=" + t.TempDir(), "WHATPRO_SECRET_KEYS=" + apptest.TestKeys})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler), app.Options{})
	if err != nil {
		t.Fatalf("the hub cannot migrate and start as the role the script made: %v", err)
	}
	defer a.Close()
	if err := a.DB.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
	// Run again, it fails loudly instead of changing anything.
	if out, err := initScript(); err == nil || !strings.Contains(string(out), "already exists") {
		t.Fatalf("the script ran twice: %v %s", err, out)
	}
}
