package embed

import (
	"net/http"
	"slices"
	"strings"
)

// corsPaths are the routes the dashboard script and embedded pages call
// from Chatwoot's origin.
var corsPaths = []string{"/api/v1/auth/chatwoot", "/api/v1/features", "/api/v1/instance-tokens", "/api/v1/platform-app/config",
	"/embed/context", "/embed/dashboard-script.js", "/api/v1/realtime/tickets"}

// chatBadgeReads are the chat's reads the dashboard script makes for the
// sidebar badge and notifications (GET only): …/chat/{rooms,unread,people}.
var chatBadgeReads = []string{"rooms", "unread", "people"}

func corsPath(p, method string) bool {
	for _, c := range corsPaths {
		if p == c || strings.HasPrefix(p, c+"/") {
			return true
		}
	}
	return method == http.MethodGet && chatBadgeRead(p)
}

func chatBadgeRead(p string) bool {
	rest, ok := strings.CutPrefix(p, "/api/v1/accounts/")
	if !ok {
		return false
	}
	account, tail, ok := strings.Cut(rest, "/")
	if !ok || account == "" {
		return false
	}
	leaf, ok := strings.CutPrefix(tail, "chat/")
	return ok && slices.Contains(chatBadgeReads, leaf)
}

// CORS answers preflights and adds CORS headers for allowed origins on the
// routes Chatwoot pages call. Credentials are bearer tokens, never cookies,
// so Allow-Credentials is never sent, and the origin is echoed, never '*'.
func (o *Origins) CORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.Method
		if method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			method = r.Header.Get("Access-Control-Request-Method")
		}
		if !corsPath(r.URL.Path, method) {
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
