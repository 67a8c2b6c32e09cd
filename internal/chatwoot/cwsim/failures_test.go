package cwsim

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestFailNext(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	hdr := tokenHeader(s, adminAcme)
	s.FailNext("/api/v1/profile", http.StatusInternalServerError)
	s.Fail(Failure{Method: "GET", PathPrefix: "/api/v1/accounts/1/inboxes", Status: 401, Times: 2})
	r := do(t, s, "GET", "/api/v1/profile", hdr, nil)
	if r.status != 500 || string(r.raw) != `{"error":"Internal Server Error","status":500}` {
		t.Errorf("forced failure = %d %s", r.status, r.raw)
	}
	want(t, do(t, s, "GET", "/api/v1/profile", hdr, nil), 200) // only the next one
	want(t, do(t, s, "POST", "/api/v1/accounts/1/inboxes", hdr, map[string]any{"name": "x", "channel": map[string]any{"type": "api"}}), 200)
	for i := 0; i < 2; i++ {
		want(t, do(t, s, "GET", "/api/v1/accounts/1/inboxes", hdr, nil), 401)
	}
	want(t, do(t, s, "GET", "/api/v1/accounts/1/inboxes", hdr, nil), 200)
	s.Fail(Failure{PathPrefix: "/api", Status: 503, Times: -1})
	s.ClearFailures()
	want(t, do(t, s, "GET", "/api", nil, nil), 200)
}

func TestHangNextTimesOutClient(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	s.HangNext("/api/v1/profile")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/profile", nil)
	req.Header.Set("api_access_token", userOf(s, adminAcme).APIAccessToken)
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hung request = %v, want deadline exceeded", err)
	}
	req2, _ := http.NewRequest("GET", srv.URL+"/api/v1/profile", nil)
	req2.Header.Set("api_access_token", userOf(s, adminAcme).APIAccessToken)
	resp, err := http.DefaultClient.Do(req2)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("next request = %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestCloseReleasesHungRequests(t *testing.T) {
	t.Parallel()
	s := New(DefaultSeed(), Options{})
	s.HangNext("/api")
	done := make(chan int, 1)
	go func() {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api", nil))
		done <- rec.Code
	}()
	// Whether the request is already waiting or arrives later, a closed
	// sim answers it, so no synchronisation is needed here.
	s.Close()
	select {
	case code := <-done:
		if code != http.StatusServiceUnavailable {
			t.Errorf("released request answered %d", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release the hung request")
	}
}
