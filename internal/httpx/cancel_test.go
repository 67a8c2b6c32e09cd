package httpx

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A client that hung up is counted as a cancelled request (499), not as a
// server failure; the same error with the client still there is a 500.
func TestClientHangUpIsNotA500(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, err := range []error{context.Canceled, errors.New("read tcp: connection reset")} {
		rec := httptest.NewRecorder()
		WriteError(rec, httptest.NewRequest(http.MethodPost, "/webhooks/x", nil).WithContext(ctx), err)
		if rec.Code != StatusClientClosed {
			t.Errorf("%v after a hang-up: %d, want 499", err, rec.Code)
		}
	}
	rec := httptest.NewRecorder()
	WriteError(rec, httptest.NewRequest(http.MethodPost, "/webhooks/x", nil), errors.New("disk full"))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("a failure with the client present: %d, want 500", rec.Code)
	}
}
