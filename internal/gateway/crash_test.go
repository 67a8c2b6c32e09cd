package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
	"github.com/whatpro/hub/internal/provider/providersim"
)

// The crash test: customers write while the hub is killed with SIGKILL
// twice and restarted; every message the hub acknowledged appears in
// Chatwoot exactly once, in per-chat order; then the same for agents'
// replies reaching WhatsApp. `make test` runs a short form;
// WHATPRO_TEST_CRASH=full runs 5,000 messages over 50 chats and 1,000
// replies.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test runs the hub as a separate process")
	}
	t.Parallel()
	size := crashSize{chats: 8, perChat: 25, replies: 6, rate: 60}
	if os.Getenv("WHATPRO_TEST_CRASH") == "full" {
		size = crashSize{chats: 50, perChat: 100, replies: 20, rate: 80}
	}
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		runCrash(t, dialect, size)
	})
}

type crashSize struct{ chats, perChat, replies, rate int }

// child is the hub process under test.
type child struct {
	t    *testing.T
	env  []string
	url  string
	cmd  *exec.Cmd
	logs *os.File
}

func (c *child) start() {
	c.t.Helper()
	c.cmd = exec.Command(os.Args[0], "-test.run=^$")
	c.cmd.Env = append(os.Environ(), c.env...)
	c.cmd.Stdout, c.cmd.Stderr = c.logs, c.logs
	if err := c.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(c.url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("the hub did not become ready; see %s", c.logs.Name())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *child) kill() {
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	_ = c.cmd.Wait()
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitFor polls cond for up to d (the crash test's backlog takes longer
// than apptest.Eventually's minute on a loaded machine).
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", d, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func runCrash(t *testing.T, dialect string, size crashSize) {
	addr := freePort(t)
	dir := t.TempDir()
	logs, err := os.Create(filepath.Join(dir, "hub.log"))
	if err != nil {
		t.Fatal(err)
	}
	env := apptest.SuperAdminEnv("WHATPRO_DATA_DIR="+dir, "WHATPRO_SECRET_KEYS="+apptest.TestKeys, "WHATPRO_ADDR="+addr,
		"WHATPRO_PUBLIC_URL=http://"+addr, "WHATPRO_LOG_LEVEL=warn", "WHATPRO_GATEWAY_SETTLE=30ms",
		"WHATPRO_GATEWAY_SEND_GAP=0", "WHATPRO_GATEWAY_SEND_RATE=0",
		"WHATPRO_GATEWAY_SWEEP_INTERVAL=1s", "WHATPRO_JOB_TIMEOUT=10s", "WHATPRO_JOB_RESCUE_AFTER=12s", "WHATPRO_TEST_CRASH_CHILD=1")
	if dialect == "postgres" {
		env = append(env, "WHATPRO_DATABASE_URL="+apptest.PostgresURL(t))
	}
	hub := &child{t: t, env: env, url: "http://" + addr, logs: logs}
	hub.start()
	t.Cleanup(hub.kill)
	defer func() {
		if t.Failed() {
			raw, _ := os.ReadFile(logs.Name())
			t.Logf("hub log (tail):\n%s", raw[max(0, len(raw)-4000):])
		}
	}()

	h := &apptest.Hub{T: t, URL: hub.url, Dialect: dialect}
	ten := h.NewTenant(h.LoginSuper(), "Crash")
	do := func(method, path string, body any) *apptest.Resp {
		return h.Do(apptest.Req{Method: method, Path: "/api/v1/accounts/" + ten.ID + path, Token: ten.Admin.Token, Body: body})
	}
	cw := cwsim.New(cwsim.DefaultSeed(), cwsim.Options{})
	t.Cleanup(cw.Close)
	cwURL := serve(t, cw.Handler())
	token := cw.Seed().Users[0].APIAccessToken
	do("PUT", "/chatwoot", map[string]any{"base_url": cwURL, "chatwoot_account_id": 1, "api_access_token": token}).Expect(t, 200)
	evo := providersim.NewEvolution(providersim.Options{RetryBase: 100 * time.Millisecond, RetryMax: 2 * time.Second})
	t.Cleanup(evo.Close)
	evoURL := serve(t, evo.Handler())
	evo.SetBaseURL(evoURL)
	pid := do("POST", "/providers", map[string]any{"name": "Evo", "type": "evolution", "base_url": evoURL,
		"credentials": map[string]string{"api_key": evo.APIKey()}}).Expect(t, 201).JSON(t)["id"].(string)
	iid := do("POST", "/provider-instances", map[string]any{"provider_id": pid, "name": "vendas"}).Expect(t, 201).JSON(t)["id"].(string)
	do("POST", "/provider-instances/"+iid+"/connect", nil).Expect(t, 202) // asynchronous: the QR comes by event
	waitFor(t, time.Minute, "the number's QR code", func() bool {
		return do("GET", "/provider-instances/"+iid+"/qr", nil).JSON(t)["qr_code"] != nil
	})
	post(t, evoURL+"/_sim/instances/vendas/scan", "", nil)
	waitFor(t, time.Minute, "the number to connect", func() bool {
		return do("GET", "/provider-instances/"+iid, nil).JSON(t)["status"] == "connected"
	})
	do("POST", "/provider-instances/"+iid+"/inbox", map[string]any{"name": "WhatsApp"}).Expect(t, 201)

	// Inbound: one writer per chat, in order, paced; two kills on the way.
	total := size.chats * size.perChat
	sent := make(chan struct{}, total)
	pace := time.NewTicker(time.Second / time.Duration(size.rate))
	defer pace.Stop()
	var wg sync.WaitGroup
	for c := 0; c < size.chats; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < size.perChat; i++ {
				<-pace.C
				body := map[string]any{"from": fmt.Sprintf("55119%08d", 70000000+c), "text": fmt.Sprintf("c%02d-%04d", c, i)}
				post(t, evoURL+"/_sim/instances/vendas/messages", "", body)
				sent <- struct{}{}
			}
		}()
	}
	crashAt(t, hub, sent, total)
	wg.Wait()
	if err := evo.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	acked := map[string]string{} // provider id → text
	for _, d := range evo.Deliveries() {
		if d.Event != "messages.upsert" || d.StatusCode != 200 {
			continue
		}
		var ev struct {
			Data struct {
				Key struct {
					ID string `json:"id"`
				} `json:"key"`
				Message struct {
					Conversation string `json:"conversation"`
				} `json:"message"`
			} `json:"data"`
		}
		if json.Unmarshal(d.Body, &ev) == nil {
			acked[ev.Data.Key.ID] = ev.Data.Message.Conversation
		}
	}
	t.Logf("%s: %d of %d inbound messages acknowledged", dialect, len(acked), total)
	if len(acked) < total/2 {
		t.Fatalf("too few acknowledged (%d of %d) for the test to mean anything", len(acked), total)
	}
	inChatwoot := func() map[string]int {
		seen := map[string]int{}
		for _, cv := range cw.Conversations(1) {
			for _, m := range cw.Messages(1, cv.DisplayID) {
				if m.SourceID != "" {
					seen[strings.TrimPrefix(m.SourceID, "WAID:")]++
				}
			}
		}
		return seen
	}
	waitFor(t, 10*time.Minute, "every acknowledged message in Chatwoot", func() bool {
		seen := inChatwoot()
		for id := range acked {
			if seen[id] == 0 {
				return false
			}
		}
		return true
	})
	for id, n := range inChatwoot() {
		if n != 1 {
			t.Errorf("message %s is in Chatwoot %d times", id, n)
		}
	}
	convs := cw.Conversations(1)
	if len(convs) != size.chats {
		t.Errorf("%d conversations for %d chats", len(convs), size.chats)
	}
	for _, cv := range convs {
		checkOrder(t, "conversation "+strconv.Itoa(cv.DisplayID), contents(cw.Messages(1, cv.DisplayID), "incoming"))
	}

	// Outbound: agents reply in every conversation while the hub dies twice.
	totalReplies := len(convs) * size.replies
	replied := make(chan struct{}, totalReplies)
	for ci, cv := range convs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < size.replies; j++ {
				<-pace.C
				post(t, cwURL+"/api/v1/accounts/1/conversations/"+strconv.Itoa(cv.DisplayID)+"/messages", token,
					map[string]any{"content": fmt.Sprintf("r%02d-%04d", ci, j), "message_type": "outgoing"})
				replied <- struct{}{}
			}
		}()
	}
	crashAt(t, hub, replied, totalReplies)
	wg.Wait()
	if err := cw.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	ackedReplies := map[string]bool{}
	for _, d := range cw.Deliveries() {
		if d.Kind != cwsim.KindAPIInbox || d.Event != "message_created" || d.StatusCode != 200 {
			continue
		}
		var ev struct {
			Content     string `json:"content"`
			MessageType string `json:"message_type"`
			Private     bool   `json:"private"`
		}
		if json.Unmarshal(d.Body, &ev) == nil && ev.MessageType == "outgoing" && !ev.Private && strings.HasPrefix(ev.Content, "r") {
			ackedReplies[ev.Content] = true
		}
	}
	t.Logf("%s: %d of %d replies acknowledged", dialect, len(ackedReplies), totalReplies)
	waitFor(t, 10*time.Minute, "every acknowledged reply on WhatsApp", func() bool {
		got := map[string]bool{}
		for _, s := range evo.Sent("vendas") {
			got[s.Text] = true
		}
		for text := range ackedReplies {
			if !got[text] {
				return false
			}
		}
		return true
	})
	count := map[string]int{}
	byChat := map[string][]string{}
	for _, s := range evo.Sent("vendas") {
		count[s.Text]++
		byChat[s.To] = append(byChat[s.To], s.Text)
	}
	for text, n := range count {
		if n != 1 {
			t.Errorf("reply %q sent %d times", text, n)
		}
	}
	for to, texts := range byChat {
		checkOrder(t, "chat "+to, texts)
	}
}

// crashAt kills and restarts the hub after a third and two thirds of n
// events went by.
func crashAt(t *testing.T, hub *child, done <-chan struct{}, n int) {
	for i := 1; i <= n; i++ {
		<-done
		if i == n/3 || i == 2*n/3 {
			hub.kill()
			hub.start()
		}
	}
}

func contents(msgs []cwsim.Message, typ string) []string {
	var out []string
	for _, m := range msgs {
		if m.MessageType == typ {
			out = append(out, m.Content)
		}
	}
	return out
}

// checkOrder: texts "xNN-SEQ" of one chat must come in rising SEQ.
func checkOrder(t *testing.T, what string, texts []string) {
	t.Helper()
	seqs := make([]int, 0, len(texts))
	for _, s := range texts {
		_, n, _ := strings.Cut(s, "-")
		v, _ := strconv.Atoi(n)
		seqs = append(seqs, v)
	}
	if !sort.IntsAreSorted(seqs) {
		t.Errorf("%s out of order: %v", what, texts)
	}
}

func post(t *testing.T, url, token string, body any) {
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, strings.NewReader(string(raw)))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("api_access_token", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		t.Errorf("POST %s: %d", url, res.StatusCode)
	}
}
