package iam_test

import (
	"flag"
	"os"
	"runtime"
	"strconv"
	"strings"
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

// scenario is one row of an HTTP scenario table: a call and the answer it
// must get. Header carries the principal (see bearer and apiKey).
type scenario struct {
	name     string
	method   string
	path     string
	header   map[string]string
	body     any
	status   int
	code     string   // error code, "" = not an error envelope
	contains []string // substrings the body must hold
	lacks    []string // substrings the body must not hold
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }
func apiKey(key string) map[string]string { return map[string]string{"X-API-Key": key} }

// run performs the scenarios in order (they may depend on each other's
// effects) and returns the responses by name.
func run(t *testing.T, h *apptest.Hub, rows []scenario) map[string]*apptest.Resp {
	t.Helper()
	out := map[string]*apptest.Resp{}
	for _, sc := range rows {
		r := h.Do(apptest.Req{Method: sc.method, Path: sc.path, Header: sc.header, Body: sc.body})
		out[sc.name] = r
		check(t, sc, r)
	}
	return out
}

func check(t *testing.T, sc scenario, r *apptest.Resp) {
	t.Helper()
	if r.Status != sc.status {
		t.Errorf("%s: %s %s = %d, want %d; body: %s", sc.name, sc.method, sc.path, r.Status, sc.status, r.Body)
		return
	}
	if got := r.ErrorCode(); got != sc.code {
		t.Errorf("%s: error code %q, want %q; body: %s", sc.name, got, sc.code, r.Body)
	}
	for _, s := range sc.contains {
		if !strings.Contains(string(r.Body), s) {
			t.Errorf("%s: body lacks %q: %s", sc.name, s, r.Body)
		}
	}
	for _, s := range sc.lacks {
		if strings.Contains(string(r.Body), s) {
			t.Errorf("%s: body holds %q: %s", sc.name, s, r.Body)
		}
	}
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
