package httpx

import (
	"context"
	"log/slog"
	"regexp"
	"sync/atomic"

	"github.com/google/uuid"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyLogger
)

var saneRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// request is what RequestIDs puts in a request's context: its id, and its
// logger built on first use (most requests log only their access line,
// which Observe writes with the base logger and the id as an attribute).
type request struct {
	id   string
	base *slog.Logger
	log  atomic.Pointer[slog.Logger]
}

func (q *request) logger() *slog.Logger {
	if l := q.log.Load(); l != nil {
		return l
	}
	q.log.CompareAndSwap(nil, q.base.With("request_id", q.id))
	return q.log.Load()
}

func requestOf(ctx context.Context) *request {
	q, _ := ctx.Value(keyRequestID).(*request)
	return q
}

// RequestID returns the id of the request being served.
func RequestID(ctx context.Context) string {
	if q := requestOf(ctx); q != nil {
		return q.id
	}
	return ""
}

// Logger returns the logger stored with WithLogger, else the request's
// logger (with request_id), else the default.
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(keyLogger).(*slog.Logger); ok {
		return l
	}
	if q := requestOf(ctx); q != nil {
		return q.logger()
	}
	return slog.Default()
}

// WithLogger stores a logger in ctx (tests and jobs use it too).
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, keyLogger, l)
}

func newRequestID(incoming string) string {
	if saneRequestID.MatchString(incoming) {
		return incoming
	}
	return uuid.NewString()
}
