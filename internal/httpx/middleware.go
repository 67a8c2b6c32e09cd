package httpx

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies mws so that the first one is the outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// RequestIDs echoes a sane X-Request-Id or makes one, and puts it and a
// logger carrying it into the request context.
var hdrRequestID = http.CanonicalHeaderKey("X-Request-Id")

func RequestIDs(base *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := newRequestID(r.Header.Get("X-Request-Id"))
			w.Header()[hdrRequestID] = []string{id}
			ctx := context.WithValue(r.Context(), keyRequestID, &request{id: id, base: base})
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// Recover turns a panic into a 500 envelope and logs the stack.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			Logger(r.Context()).Error("panic", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rec, ok := w.(*recorder); !ok || rec.status == 0 {
				WriteError(w, r, Internal(fmt.Errorf("panic: %v", v)))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// Observe logs one JSON line per request (never headers, bodies or query
// strings) and records metrics by route pattern.
func Observe(m *Metrics) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec := &recorder{ResponseWriter: w}
			next.ServeHTTP(rec, r)
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			d := time.Since(start)
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			m.observe(r.Method, route, rec.status, d)
			log, id := accessLogger(r.Context())
			attrs := [...]slog.Attr{slog.String("request_id", id),
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.String("route", route), slog.Int("status", rec.status),
				slog.Int64("bytes", rec.bytes), slog.Float64("duration_ms", float64(d.Microseconds())/1000)}
			if id == "" {
				log.LogAttrs(r.Context(), slog.LevelInfo, "http", attrs[1:]...)
				return
			}
			log.LogAttrs(r.Context(), slog.LevelInfo, "http", attrs[:]...)
		})
	}
}

// accessLogger is the logger of the access line and the request id to add
// to it: the base logger and the id when the request's logger would only
// add the id (so a request that logs nothing else never builds one).
func accessLogger(ctx context.Context) (*slog.Logger, string) {
	if _, set := ctx.Value(keyLogger).(*slog.Logger); !set {
		if q := requestOf(ctx); q != nil {
			if q.log.Load() == nil {
				return q.base, q.id
			}
		}
	}
	return Logger(ctx), ""
}

// LimitBody refuses a declared Content-Length over max before routing and
// caps what a handler can read.
func LimitBody(max int64) Middleware {
	return LimitBodyBy(func(*http.Request) int64 { return max })
}

// LimitBodyBy is LimitBody with a limit per request (BodyLimits).
func LimitBodyBy(limit func(*http.Request) int64) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			max := limit(r)
			if r.ContentLength > max {
				WriteError(w, r, E(CodeTooLarge, "the body is larger than "+strconv.FormatInt(max, 10)+" bytes"))
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(w, r.Body, max)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// recorder captures status and size while passing through the optional
// interfaces that streaming and WebSocket upgrades need.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("hijack not supported")
	}
	r.status = http.StatusSwitchingProtocols
	return h.Hijack()
}
