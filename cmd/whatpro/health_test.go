package main

import (
	"errors"
	"flag"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// The container's HEALTHCHECK: the command finds the local listener and the
// mount path from the same variables the server reads.
func TestHealthcheck(t *testing.T) {
	t.Parallel()
	h := apptest.New(t, "sqlite", apptest.Options{Env: []string{"WHATPRO_PUBLIC_URL=https://chat.example.test/hub"}})
	addr := h.Srv.Listener.Addr().(*net.TCPAddr)
	env := append(h.Environ(), "WHATPRO_ADDR=:"+strconv.Itoa(addr.Port))
	out, _, err := cli(t, env, "", "healthcheck")
	if err != nil || !strings.Contains(out, "ok http://127.0.0.1:"+strconv.Itoa(addr.Port)+"/hub/healthz") {
		t.Fatalf("healthcheck on a serving hub: %v %q", err, out)
	}

	// Nothing listens: a clear failure, no hang.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if _, _, err := cli(t, append(h.Environ(), "WHATPRO_ADDR=0.0.0.0:"+strconv.Itoa(closed)), "", "healthcheck"); err == nil ||
		!strings.Contains(err.Error(), "healthcheck") {
		t.Fatalf("healthcheck with nothing listening: %v", err)
	}
	// Something answers 200, but it is not the health answer.
	if _, _, err := cli(t, env, "", "healthcheck", "--url", "http://127.0.0.1:"+strconv.Itoa(addr.Port)+"/hub/api/v1/version"); err == nil ||
		!strings.Contains(err.Error(), "answered 200") {
		t.Fatalf("healthcheck of a 404: %v", err)
	}
	out, _, err = cli(t, env, "", "healthcheck", "--help")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out, "-url") || !strings.Contains(out, "-timeout") {
		t.Fatalf("healthcheck --help: %v %q", err, out)
	}
}
