package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/httpx"
)

type echoBody struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// testRoutes exercise the shared plumbing: JSON decoding, panics, errors.
func testRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "POST", Pattern: "/api/v1/test/echo", Auth: httpx.Public, Handler: httpx.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			var b echoBody
			if err := httpx.DecodeJSON(r, &b); err != nil {
				return err
			}
			httpx.WriteJSON(w, http.StatusOK, b)
			return nil
		})},
		{Method: "GET", Pattern: "/api/v1/test/panic", Auth: httpx.Public, Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
			panic("secret-panic-detail")
		})},
		{Method: "GET", Pattern: "/api/v1/test/fail", Auth: httpx.Public, Handler: httpx.HandlerFunc(func(http.ResponseWriter, *http.Request) error {
			return io.ErrUnexpectedEOF
		})},
	}
}

func TestHTTPPlumbing(t *testing.T) {
	t.Parallel()
	h := apptest.New(t, "sqlite", apptest.Options{AppOpts: appOpts(testRoutes())})
	big := `{"name":"` + strings.Repeat("x", 2<<20) + `"}`
	cases := []struct {
		name       string
		req        apptest.Req
		status     int
		code       string
		contains   string
		notContain string
	}{
		{"healthz", apptest.Req{Method: "GET", Path: "/healthz"}, 200, "", `"status":"ok"`, ""},
		{"readyz", apptest.Req{Method: "GET", Path: "/readyz"}, 200, "", `"migrations":"ok"`, ""},
		{"version", apptest.Req{Method: "GET", Path: "/api/v1/version"}, 200, "", `"go":"go`, ""},
		{"delete healthz is 405", apptest.Req{Method: "DELETE", Path: "/healthz"}, 405, "METHOD_NOT_ALLOWED", "", ""},
		{"unknown api route", apptest.Req{Method: "GET", Path: "/api/v1/nope"}, 404, "NOT_FOUND", "", ""},
		{"unknown api route, other method", apptest.Req{Method: "POST", Path: "/api/v1/nope", Body: "{}"}, 404, "NOT_FOUND", "", ""},
		{"unknown webhook route", apptest.Req{Method: "GET", Path: "/webhooks/nope"}, 404, "NOT_FOUND", "", ""},
		{"wrong method on api route", apptest.Req{Method: "GET", Path: "/api/v1/test/echo"}, 405, "METHOD_NOT_ALLOWED", "", ""},
		{"valid json", apptest.Req{Method: "POST", Path: "/api/v1/test/echo", Body: `{"name":"a","count":2}`}, 200, "", `"count":2`, ""},
		{"malformed json", apptest.Req{Method: "POST", Path: "/api/v1/test/echo", Body: `{"name":`}, 400, "BAD_REQUEST", "", ""},
		{"NUL in a string", apptest.Req{Method: "POST", Path: "/api/v1/test/echo", Body: `{"name":"a\u0000b"}`}, 400, "VALIDATION_ERROR", `"field":"name"`, ""},
		{"empty body", apptest.Req{Method: "POST", Path: "/api/v1/test/echo", Body: ``}, 400, "BAD_REQUEST", "", ""},
		{"two values", apptest.Req{Method: "POST", Path: "/api/v1/test/echo", Body: `{} {}`}, 400, "BAD_REQUEST", "", ""},
		{"unknown field", apptest.Req{Method: "POST", Path: "/api/v1/test/echo", Body: `{"nam":"a"}`}, 400, "VALIDATION_ERROR", `"field":"nam"`, ""},
		{"wrong type", apptest.Req{Method: "POST", Path: "/api/v1/test/echo", Body: `{"count":"2"}`}, 400, "VALIDATION_ERROR", `"field":"count"`, ""},
		{"oversized body", apptest.Req{Method: "POST", Path: "/api/v1/test/echo", Body: big}, 413, "PAYLOAD_TOO_LARGE", "", ""},
		{"oversized body on unknown route", apptest.Req{Method: "POST", Path: "/api/v1/nope", Body: big}, 413, "PAYLOAD_TOO_LARGE", "", ""},
		{"wrong content type", apptest.Req{Method: "POST", Path: "/api/v1/test/echo", Body: `{}`, Header: map[string]string{"Content-Type": "text/plain"}}, 415, "UNSUPPORTED_MEDIA_TYPE", "", ""},
		{"panic is a 500 envelope", apptest.Req{Method: "GET", Path: "/api/v1/test/panic"}, 500, "INTERNAL", "", "secret-panic-detail"},
		{"internal error hides its text", apptest.Req{Method: "GET", Path: "/api/v1/test/fail"}, 500, "INTERNAL", "", "unexpected EOF"},
		{"spa fallback", apptest.Req{Method: "GET", Path: "/some/client/route"}, 200, "", "WhatPro Hub", ""},
		{"missing asset", apptest.Req{Method: "GET", Path: "/assets/nope-123.js"}, 404, "NOT_FOUND", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.Do(tc.req)
			r.Expect(t, tc.status)
			if got := r.ErrorCode(); got != tc.code {
				t.Fatalf("error code %q, want %q: %s", got, tc.code, r.Body)
			}
			if tc.contains != "" && !strings.Contains(string(r.Body), tc.contains) {
				t.Fatalf("body lacks %q: %s", tc.contains, r.Body)
			}
			if tc.notContain != "" && strings.Contains(string(r.Body), tc.notContain) {
				t.Fatalf("body leaks %q: %s", tc.notContain, r.Body)
			}
			if tc.code != "" {
				m := r.JSON(t)["error"].(map[string]any)
				if m["request_id"] != r.Header.Get("X-Request-Id") || m["request_id"] == "" {
					t.Fatalf("envelope request_id %v, header %q", m["request_id"], r.Header.Get("X-Request-Id"))
				}
			}
		})
	}
	if !strings.Contains(h.Logs.String(), "secret-panic-detail") || !strings.Contains(h.Logs.String(), `"stack"`) {
		t.Error("the panic and its stack should be logged")
	}
}

func TestMethodNotAllowedListsAllow(t *testing.T) {
	t.Parallel()
	h := apptest.New(t, "sqlite", apptest.Options{})
	r := h.Do(apptest.Req{Method: "DELETE", Path: "/healthz"}).Expect(t, 405)
	if got := r.Header.Get("Allow"); got != "GET, HEAD" {
		t.Fatalf("Allow = %q", got)
	}
}

func TestRequestIDAndHeaders(t *testing.T) {
	t.Parallel()
	h := apptest.New(t, "sqlite", apptest.Options{})
	r := h.Do(apptest.Req{Method: "GET", Path: "/healthz", Header: map[string]string{"X-Request-Id": "abc-123"}})
	if got := r.Header.Get("X-Request-Id"); got != "abc-123" {
		t.Fatalf("sane id not echoed: %q", got)
	}
	r = h.Do(apptest.Req{Method: "GET", Path: "/healthz", Header: map[string]string{"X-Request-Id": "bad id <script>"}})
	if got := r.Header.Get("X-Request-Id"); got == "" || strings.ContainsAny(got, " <>") {
		t.Fatalf("insane id not replaced: %q", got)
	}
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "strict-origin-when-cross-origin",
		"X-Frame-Options":        "DENY",
	} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP = %q", csp)
	}
	logs := h.Logs.String()
	if !strings.Contains(logs, `"request_id":"abc-123"`) || !strings.Contains(logs, `"route":"GET /healthz"`) {
		t.Errorf("access log lacks request id or route: %s", logs)
	}
}

func TestMetricsByRoutePattern(t *testing.T) {
	t.Parallel()
	h := apptest.New(t, "sqlite", apptest.Options{})
	h.Do(apptest.Req{Method: "GET", Path: "/healthz"}).Expect(t, 200)
	h.Do(apptest.Req{Method: "GET", Path: "/api/v1/nope/123"}).Expect(t, 404)
	body := string(h.Do(apptest.Req{Method: "GET", Path: "/metrics"}).Expect(t, 200).Body)
	for _, want := range []string{
		`whatpro_http_requests_total{code="200",method="GET",route="GET /healthz"} 1`,
		`whatpro_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`go_goroutines`,
		`whatpro_jobs{state=`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestProductionMetricsNeedToken(t *testing.T) {
	t.Parallel()
	base := []string{"WHATPRO_ENV=production", "WHATPRO_PUBLIC_URL=https://hub.example.com"}
	h := apptest.New(t, "sqlite", apptest.Options{Env: base})
	h.Do(apptest.Req{Method: "GET", Path: "/metrics"}).Expect(t, 404)

	h2 := apptest.New(t, "sqlite", apptest.Options{Env: append(base, "WHATPRO_METRICS_TOKEN=m-token")})
	h2.Do(apptest.Req{Method: "GET", Path: "/metrics"}).Expect(t, 401)
	h2.Do(apptest.Req{Method: "GET", Path: "/metrics", Token: "wrong"}).Expect(t, 401)
	h2.Do(apptest.Req{Method: "GET", Path: "/metrics", Token: "m-token"}).Expect(t, 200)
}

func TestMountedUnderPublicPath(t *testing.T) {
	t.Parallel()
	hub := apptest.New(t, "sqlite", apptest.Options{Env: []string{"WHATPRO_PUBLIC_URL=http://127.0.0.1/hub"}})
	srv := strings.TrimSuffix(hub.URL, "/hub")
	for path, status := range map[string]int{"/hub/healthz": 200, "/healthz": 404, "/hub/api/v1/nope": 404, "/hubx/healthz": 404} {
		res, err := http.Get(srv + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != status {
			t.Errorf("GET %s = %d, want %d", path, res.StatusCode, status)
		}
	}
}
