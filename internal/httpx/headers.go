package httpx

import "net/http"

// BaselineCSP is the policy of every page that is not an embed page.
const BaselineCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob: https:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// SecurityHeaders sets the baseline headers on every answer. Handlers that
// may be framed (embed pages) replace the CSP and drop X-Frame-Options.
func SecurityHeaders(hsts bool) Middleware {
	baseline := [][2]string{
		{"X-Content-Type-Options", "nosniff"},
		{"Referrer-Policy", "strict-origin-when-cross-origin"},
		{"Content-Security-Policy", BaselineCSP},
		{"X-Frame-Options", "DENY"},
		{"Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"},
	}
	if hsts {
		baseline = append(baseline, [2]string{"Strict-Transport-Security", "max-age=31536000; includeSubDomains"})
	}
	set := sharedHeaders(baseline)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			set(w.Header())
			next.ServeHTTP(w, r)
		})
	}
}

// sharedHeaders returns a setter that puts fixed header values on an
// answer without allocating: every answer shares one value slice per
// header. The slices have no spare capacity, so a handler's Add copies
// instead of writing into the shared array; Set and Del replace the entry.
func sharedHeaders(pairs [][2]string) func(http.Header) {
	keys := make([]string, len(pairs))
	vals := make([][]string, len(pairs))
	for i, p := range pairs {
		keys[i] = http.CanonicalHeaderKey(p[0])
		vals[i] = []string{p[1]}[:1:1]
	}
	return func(h http.Header) {
		for i, k := range keys {
			h[k] = vals[i]
		}
	}
}
