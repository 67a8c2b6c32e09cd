package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/whatpro/hub/internal/apidoc"
	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/apptest"
)

// TestOpenAPIListsTheRouteTable fails for a route without a description
// (add it to the APIDocs of the route's package) and for a description
// of a route that is not in the table.
func TestOpenAPIListsTheRouteTable(t *testing.T) {
	h := apptest.New(t, "sqlite", apptest.Options{NoServer: true})
	ops, err := app.APIOps()
	if err != nil {
		t.Fatal(err)
	}
	undocumented, stray := apidoc.Check(h.App.Routes(), ops)
	for _, k := range undocumented {
		t.Errorf("route %s is not in the API document: describe it in its package's APIDocs", k)
	}
	for _, k := range stray {
		t.Errorf("the API document describes %s, which is not in the route table", k)
	}
	doc, err := h.App.APIDocument()
	if err != nil {
		t.Fatal(err)
	}
	paths := doc["paths"].(map[string]map[string]any)
	n := 0
	for _, p := range paths {
		n += len(p)
	}
	if n != len(h.App.Routes()) {
		t.Errorf("the document has %d operations, the table %d routes", n, len(h.App.Routes()))
	}
	for _, rt := range h.App.Routes() {
		if _, ok := paths[rt.Pattern][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("paths lack %s under its full pattern", rt.Key())
		}
	}
	contract(t, h.App)
}

var (
	contractOnce sync.Once
	contractV    validator.Validator
	contractErr  error
)

// contract loads the hub's own document into the validator once; the
// document itself must be valid OpenAPI 3.1.
func contract(t *testing.T, a *app.App) validator.Validator {
	t.Helper()
	contractOnce.Do(func() {
		doc, err := a.APIDocument()
		if err != nil {
			contractErr = err
			return
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			contractErr = err
			return
		}
		d, err := libopenapi.NewDocument(raw)
		if err != nil {
			contractErr = err
			return
		}
		v, errs := validator.NewValidator(d)
		if len(errs) > 0 {
			contractErr = errs[0]
			return
		}
		if ok, verrs := v.ValidateDocument(); !ok {
			for _, e := range verrs {
				t.Errorf("document: %s: %s", e.Message, e.Reason)
			}
		}
		contractV = v
	})
	if contractErr != nil {
		t.Fatalf("load the API document: %v", contractErr)
	}
	return contractV
}

// validateAnswers makes every call of h check its answer against the
// document, and counts the operations seen.
func validateAnswers(t *testing.T, h *apptest.Hub) map[string]bool {
	v := contract(t, h.App)
	seen := map[string]bool{}
	var mu sync.Mutex
	h.Observe = func(req *http.Request, r *apptest.Resp) {
		res := &http.Response{StatusCode: r.Status, Header: r.Header, Body: io.NopCloser(bytes.NewReader(r.Body)), Request: req}
		probe := req.Clone(req.Context())
		probe.Body = http.NoBody
		if ok, errs := v.ValidateHttpResponse(probe, res); !ok {
			for _, e := range errs {
				t.Errorf("%s %s → %d does not match the API document: %s (%s)\n%s", req.Method, req.URL.Path, r.Status, e.Message, e.Reason, clip(r.Body))
			}
		}
		mu.Lock()
		seen[req.Method+" "+req.URL.Path] = true
		mu.Unlock()
	}
	return seen
}

func clip(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

func TestOpenAPIServedWithoutCredentials(t *testing.T) {
	h := apptest.New(t, "sqlite", apptest.Options{})
	r := h.Do(apptest.Req{Method: "GET", Path: "/api/v1/openapi.json"}).Expect(t, 200)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	r.Decode(t, &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	for _, p := range []string{"/api/v1/accounts/{accountID}/boards/{boardID}/cards", "/webhooks/chatwoot/{linkID}", "/healthz", "/api/v1/openapi.json"} {
		if doc.Paths[p] == nil {
			t.Errorf("paths lack %s", p)
		}
	}
	op := doc.Paths["/api/v1/accounts/{accountID}/boards/{boardID}/cards"]["post"].(map[string]any)
	sec, _ := json.Marshal(op["security"])
	if !strings.Contains(string(sec), `"kanban:write"`) || op["x-feature"] != "kanban" {
		t.Errorf("card create lacks its scope or feature: %s %v", sec, op["x-feature"])
	}
}
