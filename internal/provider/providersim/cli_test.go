package providersim

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// runMain starts Main with args and returns its first stdout line, a
// cancel func and the channel Main's result arrives on.
func runMain(t *testing.T, args ...string) (string, context.CancelFunc, <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Main(ctx, args, pw)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	if !lines.Scan() {
		t.Fatalf("no first line: %v", lines.Err())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return lines.Text(), cancel, done
}

func waitMain(t *testing.T, cancel context.CancelFunc, done <-chan error) {
	t.Helper()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Main returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Main did not return after cancel")
	}
}

func strictDecode(t *testing.T, line string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("first line %q: %v", line, err)
	}
}

func TestMainEvolution(t *testing.T) {
	t.Parallel()
	line, cancel, done := runMain(t, "--kind", "evolution", "--create-delay", "0s", "--addr", "127.0.0.1:0")
	var creds struct {
		Kind    string `json:"kind"`
		BaseURL string `json:"base_url"`
		APIKey  string `json:"api_key"`
	}
	strictDecode(t, line, &creds)
	if creds.Kind != "evolution" || !strings.HasPrefix(creds.BaseURL, "http://127.0.0.1:") || creds.APIKey == "" {
		t.Fatalf("credentials = %+v", creds)
	}
	status, raw := call(t, "POST", creds.BaseURL+"/instance/create", map[string]string{"apikey": creds.APIKey}, `{"instanceName":"cli","qrcode":true}`)
	if status != 201 {
		t.Errorf("create over the wire = %d %s", status, raw)
	}
	if status, _ = call(t, "GET", creds.BaseURL+"/instance/fetchInstances", map[string]string{"apikey": "wrong"}, ""); status != 401 {
		t.Errorf("wrong key = %d", status)
	}
	waitMain(t, cancel, done)
}

func TestMainCloudAPI(t *testing.T) {
	t.Parallel()
	line, cancel, done := runMain(t, "--kind", "cloud_api", "--addr", "127.0.0.1:0", "--phone-number-id", "106540352242922")
	var creds struct {
		Kind          string `json:"kind"`
		BaseURL       string `json:"base_url"`
		AccessToken   string `json:"access_token"`
		AppSecret     string `json:"app_secret"`
		PhoneNumberID string `json:"phone_number_id"`
	}
	strictDecode(t, line, &creds)
	if creds.Kind != "cloud_api" || creds.AccessToken == "" || creds.AppSecret == "" || creds.PhoneNumberID != "106540352242922" {
		t.Fatalf("credentials = %+v", creds)
	}
	req, _ := http.NewRequest("GET", creds.BaseURL+"/v21.0/"+creds.PhoneNumberID, nil)
	req.Header.Set("Authorization", "Bearer "+creds.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("phone lookup over the wire = %d", resp.StatusCode)
	}
	waitMain(t, cancel, done)
}

func TestMainRejectsBadArguments(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{}, {"--kind", "uazapi"}, {"--kind", "evolution", "extra"}, {"--nope"},
		{"--kind", "evolution", "--addr", "256.0.0.1:99999"}, {"--kind", "evolution", "--timezone", "Mars/Olympus"},
		{"--kind", "evolution", "--create-delay", "-1s"}, {"--kind", "evolution", "--qrcode-limit", "0"},
		{"--kind", "evolution", "--auto-ack", "PLAYED"}, {"--kind", "cloud_api", "--retry-max", "1ms"},
		{"--kind", "cloud_api", "--auto-status", "failed"}, {"--kind", "cloud_api", "--messages-per-second", "-1"}} {
		if err := Main(context.Background(), args, io.Discard); err == nil {
			t.Errorf("Main(%q) accepted", args)
		}
	}
}

func TestMainHelp(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	if err := Main(context.Background(), []string{"--help"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"-kind", "-create-delay", "-connect-delay", "-first-qr-delay", "-qr-refresh", "-qrcode-limit",
		"-reconnect-delay", "-timezone", "-expose-api-key", "-webhook-timeout", "-webhook-attempts", "-retry-base", "-retry-max",
		"-auto-ack", "-evolution-version", "-max-delay", "-auto-status", "-sync-send-errors", "-messages-per-second", "-media-url-ttl"} {
		if !strings.Contains(out.String(), flag) {
			t.Errorf("--help lacks %s:\n%s", flag, out.String())
		}
	}
}
