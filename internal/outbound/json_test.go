package outbound

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestJSON(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/echo":
			var in map[string]any
			_ = json.NewDecoder(r.Body).Decode(&in)
			in["method"], in["token"], in["ctype"] = r.Method, r.Header.Get("Api-Access-Token"), r.Header.Get("Content-Type")
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(in)
		case "/garbage":
			_, _ = io.WriteString(w, "<html>oops</html>")
		case "/trailing":
			_, _ = io.WriteString(w, `{"id":1} {"id":2}`)
		case "/wrong-type":
			_, _ = io.WriteString(w, `{"id":"one"}`)
		case "/empty":
		case "/nocontent":
			w.WriteHeader(http.StatusNoContent)
		case "/error":
			w.WriteHeader(http.StatusUnprocessableEntity)
			_, _ = io.WriteString(w, strings.Repeat("é", 400)) // 800 bytes, cut inside a rune
		}
	})
	c := New(Options{AllowPrivate: true})
	ctx := context.Background()

	var echo map[string]any
	hdr := http.Header{"Api-Access-Token": {"tok"}}
	status, respHdr, err := c.JSON(ctx, http.MethodPost, srv.URL+"/echo", hdr, map[string]int{"n": 7}, &echo)
	if err != nil || status != 200 || respHdr.Get("Content-Type") != "application/json" {
		t.Fatalf("echo: %d %v", status, err)
	}
	if echo["n"] != 7.0 || echo["method"] != "POST" || echo["token"] != "tok" || echo["ctype"] != "application/json" {
		t.Fatalf("echo = %v", echo)
	}

	type item struct{ ID int }
	for _, path := range []string{"/garbage", "/trailing", "/wrong-type", "/empty"} {
		var out item
		status, _, err := c.JSON(ctx, http.MethodGet, srv.URL+path, nil, nil, &out)
		if !errors.Is(err, ErrBadResponse) || status != 200 {
			t.Errorf("%s: status %d err = %v, want ErrBadResponse", path, status, err)
		}
	}
	if _, _, err := c.JSON(ctx, http.MethodGet, srv.URL+"/garbage", nil, nil, nil); err != nil {
		t.Errorf("garbage with out == nil: %v, want no decoding", err)
	}
	var untouched item
	if status, _, err := c.JSON(ctx, http.MethodDelete, srv.URL+"/nocontent", nil, nil, &untouched); err != nil || status != 204 {
		t.Errorf("204: %d %v", status, err)
	}

	status, _, err = c.JSON(ctx, http.MethodGet, srv.URL+"/error", nil, nil, &untouched)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 422 || status != 422 {
		t.Fatalf("error: status %d err %v, want StatusError 422", status, err)
	}
	if len(se.Body) > 512 || len(se.Body) < 500 || !utf8.ValidString(se.Body) {
		t.Fatalf("StatusError.Body is %d bytes (valid UTF-8: %v), want at most 512", len(se.Body), utf8.ValidString(se.Body))
	}
}

func TestJSONRefusesBadInput(t *testing.T) {
	t.Parallel()
	c := New(Options{AllowPrivate: true})
	ctx := context.Background()
	if _, _, err := c.JSON(ctx, "GET", "http://[::1", nil, nil, nil); !errors.Is(err, ErrInvalidURL) {
		t.Errorf("bad URL: %v", err)
	}
	if _, _, err := c.JSON(ctx, "GET", "http://127.0.0.1:9/", nil, func() {}, nil); err == nil {
		t.Error("unencodable body accepted")
	}
	if _, _, err := c.JSON(ctx, "BAD METHOD", "http://127.0.0.1:9/", nil, nil, nil); err == nil {
		t.Error("bad method accepted")
	}
}
