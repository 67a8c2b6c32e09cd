package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	adminEmail    = "admin@example.com"
	adminPassword = "e2e-Correct-Horse-7391"
	// testSecretKeys is a fixed 32-byte key (bytes 0..31) for encrypting
	// secrets in the throwaway database.
	testSecretKeys = "t1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	waitTimeout    = 20 * time.Second
)

// hub is a running whatpro binary.
type hub struct {
	URL  string
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan error
}

// syncBuffer collects the output of the process while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startHub runs the binary on a free port with a fresh data directory and a
// bootstrap super admin, waits until /readyz answers 200, and stops it at the
// end of the test, which fails unless the process exits with status 0.
func startHub(t *testing.T, extraEnv ...string) *hub {
	t.Helper()
	port := freePort(t)
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WHATPRO_") {
			env = append(env, kv)
		}
	}
	env = append(env,
		fmt.Sprintf("WHATPRO_ADDR=127.0.0.1:%d", port),
		"WHATPRO_DATA_DIR="+t.TempDir(),
		"WHATPRO_PUBLIC_URL="+url,
		"WHATPRO_SECRET_KEYS="+testSecretKeys,
		"WHATPRO_BOOTSTRAP_ADMIN_EMAIL="+adminEmail,
		"WHATPRO_BOOTSTRAP_ADMIN_PASSWORD="+adminPassword,
		"WHATPRO_RATE_LIMIT_ANON=100000",
		"WHATPRO_RATE_LIMIT_AUTH=100000",
		"WHATPRO_GATEWAY_SEND_GAP=0", "WHATPRO_GATEWAY_SEND_RATE=0",
	)
	env = append(env, extraEnv...)
	h := &hub{URL: url, logs: &syncBuffer{}, done: make(chan error, 1)}
	h.cmd = exec.Command(binPath, "serve")
	h.cmd.Env = env
	h.cmd.Stdout = h.logs
	h.cmd.Stderr = h.logs
	if err := h.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", binPath, err)
	}
	go func() { h.done <- h.cmd.Wait() }()
	t.Cleanup(func() { h.stop(t) })

	deadline := time.Now().Add(waitTimeout)
	for {
		select {
		case err := <-h.done:
			h.done <- err
			t.Fatalf("whatpro exited before it was ready: %v\n%s", err, h.logs)
		default:
		}
		res, err := http.Get(url + "/readyz")
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return h
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("whatpro not ready after %s (last: %v)\n%s", waitTimeout, err, h.logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop sends SIGTERM and expects a clean exit (status 0) within 15 s.
func (h *hub) stop(t *testing.T) {
	t.Helper()
	select {
	case err := <-h.done:
		t.Errorf("whatpro had already exited: %v\n%s", err, h.logs)
		return
	default:
	}
	if err := h.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Errorf("SIGTERM: %v", err)
	}
	select {
	case err := <-h.done:
		if err != nil {
			t.Errorf("whatpro did not exit cleanly after SIGTERM: %v\n%s", err, h.logs)
		}
	case <-time.After(15 * time.Second):
		_ = h.cmd.Process.Kill()
		<-h.done
		t.Errorf("whatpro did not stop within 15 s of SIGTERM\n%s", h.logs)
	}
	if t.Failed() {
		t.Logf("whatpro output:\n%s", h.logs)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// apiClient calls the hub's API as one console session, the way a script
// would: JSON in and out, a bearer token after login.
type apiClient struct {
	t     *testing.T
	base  string
	token string
}

// login opens a new console session over HTTP.
func (h *hub) login(t *testing.T, email, password string) *apiClient {
	t.Helper()
	c := &apiClient{t: t, base: h.URL}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	c.do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, http.StatusOK, &out)
	if out.AccessToken == "" {
		t.Fatal("login answered no access token")
	}
	c.token = out.AccessToken
	return c
}

// addPerson invites email to the account and follows the invitation link the answer hands over
// (no mail configured), choosing password, as the person would.
func (c *apiClient) addPerson(accountID, email, name, role, password string) {
	c.t.Helper()
	var inv struct {
		URL string `json:"invitation_url"`
	}
	c.do("POST", "/api/v1/accounts/"+accountID+"/users", map[string]string{"email": email, "name": name, "role": role}, http.StatusCreated, &inv)
	token := inviteToken(c.t, inv.URL)
	anon := &apiClient{t: c.t, base: c.base}
	anon.do("POST", "/api/v1/invitations/activate", map[string]string{"token": token, "password": password}, http.StatusNoContent, nil)
}

// inviteToken is the token in a link's fragment.
func inviteToken(t *testing.T, link string) string {
	t.Helper()
	_, frag, ok := strings.Cut(link, "#token=")
	if !ok || frag == "" {
		t.Fatalf("no #token= in %q", link)
	}
	return frag
}

// do sends a request and decodes the answer into out (when not nil); any
// other status than want fails the test with the body.
func (c *apiClient) do(method, path string, body any, want int, out any) {
	c.t.Helper()
	if err := c.try(method, path, body, want, out); err != nil {
		c.t.Fatal(err)
	}
}

func (c *apiClient) try(method, path string, body any, want int, out any) error {
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return errors.Join(fmt.Errorf("%s %s: decode %s", method, path, raw), err)
		}
	}
	return nil
}
