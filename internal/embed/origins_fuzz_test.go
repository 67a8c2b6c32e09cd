package embed_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// FuzzOrigin throws arbitrary Origin headers at the origin check and the CORS middleware: CORS
// headers appear exactly for the allowed origins, echo the request's Origin (never '*'), never
// allow credentials, always vary on Origin, and only on the routes Chatwoot pages call.
func FuzzOrigin(f *testing.F) {
	h := apptest.New(f, "sqlite", apptest.Options{NoServer: true,
		Env: []string{"WHATPRO_CORS_ORIGINS=https://chat.example.com,http://localhost:3000"}})
	origins := h.App.Origins
	allowed := []string{"https://chat.example.com", "http://localhost:3000", "http://localhost:5173"}
	handler := origins.CORS(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))

	for _, seed := range []string{
		"https://chat.example.com", "HTTPS://CHAT.EXAMPLE.COM", "https://chat.example.com/", "https://chat.example.com.evil.example",
		"https://evil.example", "null", "*", "", " https://chat.example.com", "https://chat.example.com\x00", "http://localhost:3000",
		"http://localhost:30000", "http://localhost", "https://chat.example.com:443", "https://user@chat.example.com",
		"https://chat.example.com, https://evil.example", "https://chat\u212aexample.com", "https://ｃhat.example.com",
	} {
		f.Add(seed, uint8(0))
		f.Add(seed, uint8(7))
	}
	paths := []string{"/api/v1/auth/chatwoot", "/api/v1/features", "/api/v1/instance-tokens/validate", "/embed/context",
		"/embed/dashboard-script.js", "/api/v1/platform-app/config", "/api/v1/me", "/embed/app/kanban", "/api/v1/auth/login", "/"}
	f.Fuzz(func(t *testing.T, origin string, pick uint8) {
		// Browsers send origins canonically (lower case, no default port);
		// any other spelling is no browser's and gets nothing.
		want := slices.Contains(allowed, origin)
		if got := origins.Allowed(context.Background(), origin); got != want {
			t.Fatalf("Allowed(%q) = %v, want %v", origin, got, want)
		}
		path := paths[int(pick)%len(paths)]
		method := "GET"
		if pick&0x80 != 0 {
			method = "OPTIONS"
		}
		req := httptest.NewRequest(method, path, nil)
		req.Header["Origin"] = []string{origin}
		if method == "OPTIONS" {
			req.Header.Set("Access-Control-Request-Method", "POST")
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		hd := rec.Header()
		corsRoute := !strings.HasPrefix(path, "/api/v1/me") && !strings.HasPrefix(path, "/embed/app") && path != "/api/v1/auth/login" && path != "/"
		acao := hd.Get("Access-Control-Allow-Origin")
		switch {
		case acao == "*":
			t.Fatalf("%s %s from %q: Allow-Origin *", method, path, origin)
		case hd.Get("Access-Control-Allow-Credentials") != "":
			t.Fatalf("%s %s from %q: credentials allowed", method, path, origin)
		case acao != "" && acao != origin:
			t.Fatalf("%s %s from %q: Allow-Origin %q is not the request's origin", method, path, origin, acao)
		case (acao != "") != (want && corsRoute):
			t.Fatalf("%s %s from %q: Allow-Origin %q (allowed %v, CORS route %v)", method, path, origin, acao, want, corsRoute)
		case corsRoute && !slices.Contains(hd.Values("Vary"), "Origin"):
			t.Fatalf("%s %s from %q: no Vary: Origin", method, path, origin)
		case hd.Get("Access-Control-Allow-Methods") != "" && !(want && method == "OPTIONS"):
			t.Fatalf("%s %s from %q: preflight answer for a request that is not an allowed preflight", method, path, origin)
		}
	})
}
