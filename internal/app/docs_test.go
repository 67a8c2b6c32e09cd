package app_test

import (
	"os"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// docs/api.md lists every route of the table.
func TestDocsListEveryRoute(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	h := apptest.New(t, "sqlite", apptest.Options{NoServer: true})
	for _, rt := range h.App.Routes() {
		if !strings.Contains(string(raw), "| `"+rt.Method+"` | `"+rt.Pattern+"` |") {
			t.Errorf("docs/api.md lacks %s %s", rt.Method, rt.Pattern)
		}
	}
}
