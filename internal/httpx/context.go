package httpx

import (
	"context"
	"log/slog"
	"regexp"

	"github.com/google/uuid"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyLogger
)

var saneRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// RequestID returns the id of the request being served.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

// Logger returns the request-scoped logger (with request_id), or the default.
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(keyLogger).(*slog.Logger); ok {
		return l
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
