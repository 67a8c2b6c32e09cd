package iam_test

import (
	"flag"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// TestMain raises the default parallelism to at least 4: these tests
// mostly wait on PostgreSQL (a database created and dropped per hub), so
// GOMAXPROCS alone leaves a small machine idle (90 s instead of 25 s on
// two cores). An explicit -parallel, and fuzzing, keep their setting.
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" || f.Name == "test.fuzz" })
	if !explicit {
		_ = flag.Set("test.parallel", strconv.Itoa(max(4, runtime.GOMAXPROCS(0))))
	}
	os.Exit(m.Run())
}

// newHub starts a hub with the test super admin; env adds settings.
func newHub(t *testing.T, dialect string, o apptest.Options) *apptest.Hub {
	t.Helper()
	o.Env = apptest.SuperAdminEnv(o.Env...)
	return apptest.New(t, dialect, o)
}

// each runs fn once per database, the databases in parallel.
func each(t *testing.T, fn func(t *testing.T, dialect string)) {
	t.Helper()
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		fn(t, dialect)
	})
}

// jsonOf decodes a response body into a generic value.
func jsonOf(t *testing.T, r *apptest.Resp) map[string]any {
	t.Helper()
	return r.JSON(t)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// actions returns the actions of audit rows, newest first.
func actions(rows []apptest.AuditRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Action)
	}
	return out
}
