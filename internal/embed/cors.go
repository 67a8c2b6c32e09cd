package embed

import (
	"net/http"
	"strings"
)

// corsPaths are the routes the dashboard script and embedded pages call
// from Chatwoot's origin.
var corsPaths = []string{"/api/v1/auth/chatwoot", "/api/v1/features", "/api/v1/instance-tokens", "/api/v1/platform-app/config",
	"/embed/context", "/embed/dashboard-script.js"}

func corsPath(p string) bool {
	for _, c := range corsPaths {
		if p == c || strings.HasPrefix(p, c+"/") {
			return true
		}
	}
	return false
}

// CORS answers preflights and adds CORS headers for allowed origins on the
// routes Chatwoot pages call. Credentials are bearer tokens, never cookies,
// so Allow-Credentials is never sent, and the origin is echoed, never '*'.
func (o *Origins) CORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !corsPath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		allowed := o.Allowed(r.Context(), origin)
		if allowed {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset")
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if allowed {
				h.Set("Access-Control-Allow-Methods", "GET, POST, DELETE")
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id")
				h.Set("Access-Control-Max-Age", "600")
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
