package apptest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Resp is a response read whole.
type Resp struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic map (or fails the test).
func (r *Resp) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

// Decode decodes the body into v.
func (r *Resp) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode: %v\n%s", err, r.Body)
	}
}

// ErrorCode returns the envelope's error code, or "".
func (r *Resp) ErrorCode() string {
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

// Req describes one call.
type Req struct {
	Method, Path string
	Body         any // string/[]byte sent raw; anything else as JSON
	Header       map[string]string
	Token        string // Authorization: Bearer
}

// Do performs a request against the hub.
func (h *Hub) Do(q Req) *Resp {
	h.T.Helper()
	var body io.Reader
	switch b := q.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			h.T.Fatal(err)
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(q.Method, h.URL+q.Path, body)
	if err != nil {
		h.T.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if q.Token != "" {
		req.Header.Set("Authorization", "Bearer "+q.Token)
	}
	for k, v := range q.Header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.T.Fatalf("%s %s: %v", q.Method, q.Path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := &Resp{Status: res.StatusCode, Header: res.Header, Body: raw}
	if h.Observe != nil {
		h.Observe(req, out)
	}
	return out
}

// Expect fails the test unless the status matches.
func (r *Resp) Expect(t testing.TB, status int) *Resp {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	return r
}
