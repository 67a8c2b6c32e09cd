package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/secret"
)

// An unreachable database stops serve at once with the reason, no retry
// loop hiding it.
func TestServeFailsOnUnreachableDatabase(t *testing.T) {
	t.Parallel()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	env := []string{"WHATPRO_DATA_DIR=" + t.TempDir(), "WHATPRO_DATABASE_URL=postgres://u:topsecret@" + addr + "/x", "WHATPRO_SECRET_KEYS=" + apptest.TestKeys}
	start := time.Now()
	_, _, err := cli(t, env, "", "serve")
	if err == nil || !strings.Contains(err.Error(), "connect postgres") || strings.Contains(err.Error(), "topsecret") {
		t.Fatalf("serve error: %v", err)
	}
	if time.Since(start) > 20*time.Second {
		t.Fatal("serve took too long to give up")
	}
}

func TestProductionRefusesWithoutKeys(t *testing.T) {
	t.Parallel()
	env := []string{"WHATPRO_DATA_DIR=" + t.TempDir(), "WHATPRO_ENV=production", "WHATPRO_PUBLIC_URL=https://hub.example.com"}
	_, _, err := cli(t, env, "", "serve")
	if err == nil || !strings.Contains(err.Error(), "WHATPRO_SECRET_KEYS") || !strings.Contains(err.Error(), "secrets generate") {
		t.Fatalf("production without keys: %v", err)
	}
}

// secrets rotate re-encrypts every stored secret with the active key.
func TestSecretsRotate(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv()})
		ten := h.NewTenant(h.LoginSuper(), "Acme")
		evoURL, evoKey := evolutionSim(t)
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/accounts/" + ten.ID + "/providers", Token: ten.Admin.Token,
			Body: map[string]any{"name": "Evo", "type": "evolution", "base_url": evoURL, "credentials": map[string]string{"api_key": evoKey}}}).Expect(t, 201)
		newKey, err := secret.GenerateSpec()
		must(t, err)
		newID := strings.SplitN(newKey, ":", 2)[0]
		env := append(h.Environ(), "WHATPRO_SECRET_KEYS="+newKey+","+apptest.TestKeys)
		out, _, err := cli(t, env, "", "secrets", "rotate")
		must(t, err)
		var res struct {
			ActiveKey string `json:"active_key"`
			Columns   []struct {
				Column         string
				Total, Rotated int
			} `json:"columns"`
		}
		must(t, json.Unmarshal([]byte(out), &res))
		rotated := 0
		for _, c := range res.Columns {
			rotated += c.Rotated
		}
		if res.ActiveKey != newID || rotated != 2 { // the provider's credentials and webhook token
			t.Fatalf("rotate: %s", out)
		}
		var creds string
		must(t, h.App.DB.R.QueryRow(`SELECT credentials FROM providers`).Scan(&creds))
		if !strings.HasPrefix(creds, "v1:"+newID+":") {
			t.Fatalf("credentials not under the new key: %.20s", creds)
		}
		out, _, err = cli(t, env, "", "secrets", "rotate") // nothing left to do
		must(t, err)
		if strings.Contains(out, `"rotated":1`) || strings.Contains(out, `"rotated":2`) {
			t.Fatalf("second rotate changed something: %s", out)
		}
	})
}

// SIGTERM: in-flight requests finish, the process exits 0.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "whatpro")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{"WHATPRO_DATA_DIR=" + t.TempDir(), "WHATPRO_ADDR=" + addr, "WHATPRO_SECRET_KEYS=" + apptest.TestKeys,
		"WHATPRO_SHUTDOWN_TIMEOUT=5s"}
	stderr, _ := cmd.StderrPipe()
	must(t, cmd.Start())
	lines := bufio.NewScanner(stderr)
	ready := make(chan struct{})
	go func() {
		for lines.Scan() {
			if strings.Contains(lines.Text(), "hub listening") {
				close(ready)
				break
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the hub did not start")
	}
	// A request in flight while SIGTERM arrives still gets its answer.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := make(chan int, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/readyz", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- 0
			return
		}
		res.Body.Close()
		got <- res.StatusCode
	}()
	must(t, cmd.Process.Signal(syscall.SIGTERM))
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v", err)
	}
	if s := <-got; s != 200 && s != 0 {
		t.Fatalf("in-flight request answered %d", s)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Fatal("the hub still accepts connections after shutdown")
	}
}
