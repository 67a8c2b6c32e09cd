// Mode intake measures the event spine: it starts a hub in a child process
// (SQLite in a temp dir, or a fresh PostgreSQL database) linked to an
// in-process Chatwoot simulator, with a consumer that does nothing, and
// has -senders concurrent clients post signed message_created webhooks
// (each a new message) for -duration while the hub's jobs are stopped. It
// reports acknowledged events/s with p50/p99/max acknowledgement time, the
// hub's CPU and (PostgreSQL) transactions per event; then it starts the
// jobs and reports how fast the stored events were worked end to end; and
// it fails unless every acknowledged event was stored exactly once and
// worked. -compare runs the same measurement against another build's
// whatpro-load first (say, one of main) and prints after/before ratios.
//
//	whatpro-load intake [-db sqlite|postgres] [-postgres-url URL] [-senders 32] [-duration 20s] [-workers 50] [-compare old/whatpro-load] [-cpuprofile file]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/whatpro/hub/internal/chatwoot/cwsim"
	"github.com/whatpro/hub/internal/intake"
	"github.com/whatpro/hub/internal/provider/providersim"
)

type intakeOptions struct {
	dialect, pgURL string
	source         string // chatwoot (account webhooks) or cloud_api (Meta's webhooks)
	senders        int
	duration       time.Duration
	workers        int
	profile        bool   // this run is the one to profile
	cpuprofile     string // file for a CPU profile of this build's hub during the acknowledgement phase
}

type intakeResult struct {
	acked, failed      int64
	ackRate            float64
	p50, p99, max      time.Duration
	ackCPU, workCPU    float64 // µs of hub CPU per event
	ackXacts           float64 // PostgreSQL transactions per acknowledged event (-1: n/a)
	worked             int64
	workRate           float64
	stored, duplicated int64
}

func runIntake(args []string) error {
	fs := flag.NewFlagSet("intake", flag.ContinueOnError)
	var o intakeOptions
	fs.StringVar(&o.dialect, "db", "sqlite", "sqlite or postgres")
	fs.StringVar(&o.source, "source", "chatwoot", "chatwoot (signed message_created account webhooks) or cloud_api (signed Meta messages webhooks to a number)")
	fs.StringVar(&o.pgURL, "postgres-url", os.Getenv("WHATPRO_TEST_POSTGRES_URL"), "PostgreSQL server to create a throwaway database on")
	fs.IntVar(&o.senders, "senders", 32, "concurrent senders")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long events are sent")
	fs.IntVar(&o.workers, "workers", 50, "job workers (WHATPRO_JOB_WORKERS)")
	compare := fs.String("compare", "", "another build's whatpro-load binary, measured first with the same load")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of this build's hub during the acknowledgement phase to this file (go tool pprof)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case o.dialect == "postgres" && o.pgURL == "":
		return fmt.Errorf("-postgres-url (or WHATPRO_TEST_POSTGRES_URL) is required for -db postgres")
	case o.dialect != "sqlite" && o.dialect != "postgres":
		return fmt.Errorf("-db must be sqlite or postgres")
	case loadEvents[o.source] == [2]string{}:
		return fmt.Errorf("-source must be chatwoot or cloud_api")
	case o.senders < 1 || o.senders > 4096 || o.duration <= 0 || o.duration > time.Hour || o.workers < 1:
		return fmt.Errorf("need 1 to 4096 senders, a duration up to 1h and at least one worker")
	}
	raiseFiles()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Printf("intake: db=%s source=%s senders=%d duration=%s workers=%d\n", o.dialect, o.source, o.senders, o.duration, o.workers)
	var before *intakeResult
	if *compare != "" {
		fmt.Printf("before (%s):\n", *compare)
		if before, err = measureIntake(o, *compare); err != nil {
			return fmt.Errorf("%s: %w", *compare, err)
		}
		fmt.Println("after (this build):")
	}
	o.profile = true
	after, err := measureIntake(o, self)
	if err != nil {
		return err
	}
	if before != nil {
		fmt.Printf("after/before: ack %.2fx, p99 %.2fx, ack CPU/event %.2fx, worked %.2fx\n",
			after.ackRate/before.ackRate, float64(after.p99)/float64(before.p99), after.ackCPU/before.ackCPU, after.workRate/before.workRate)
	}
	return nil
}

// measureIntake runs one hub (bin's intake-hub) through both phases.
func measureIntake(o intakeOptions, bin string) (*intakeResult, error) {
	ctx := context.Background()
	sim := cwsim.New(cwsim.DefaultSeed(), cwsim.Options{})
	defer sim.Close()
	simSrv := httptest.NewServer(sim.Handler())
	defer simSrv.Close()
	pg := ""
	if o.dialect == "postgres" {
		pg = o.pgURL
	}
	env, cleanup, err := hubEnv(pg)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	env = append(env, "WHATPRO_JOB_WORKERS="+strconv.Itoa(o.workers))
	child, base, err := startChild(env, exec.Command(bin, "intake-hub"))
	if err != nil {
		return nil, err
	}
	defer stopHub(child)
	pid := child.Process.Pid
	var xacts func() int64
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "WHATPRO_DATABASE_URL="); ok {
			name, _, _ := strings.Cut(v[strings.LastIndex(v, "/")+1:], "?")
			xacts = pgXacts(o.pgURL, name)
		}
	}
	request, err := loadRequests(ctx, o.source, base, simSrv.URL, sim)
	if err != nil {
		return nil, err
	}

	// Phase 1: acknowledgement, jobs stopped.
	r := &intakeResult{ackXacts: -1}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = o.senders*2, o.senders*2
	client := &http.Client{Timeout: 30 * time.Second, Transport: tr}
	defer tr.CloseIdleConnections()
	var next, failed atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	cpu0 := procCPU(pid)
	var x0 int64
	if xacts != nil {
		x0 = xacts()
	}
	start := time.Now()
	deadline := start.Add(o.duration)
	var wg sync.WaitGroup
	if o.profile && o.cpuprofile != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := hubProfile(base, max(o.duration-time.Second, time.Second), o.cpuprofile); err != nil {
				fmt.Fprintf(os.Stderr, "cpuprofile: %v\n", err)
			}
		}()
	}
	for range o.senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) {
				req := request(next.Add(1))
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					failed.Add(1)
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	ackCPU := procCPU(pid) - cpu0
	slices.Sort(lat)
	r.acked, r.failed = int64(len(lat)), failed.Load()
	if r.acked == 0 {
		return nil, fmt.Errorf("no event was acknowledged (%d failed)", r.failed)
	}
	at := func(p float64) time.Duration { return lat[min(len(lat)-1, int(float64(len(lat))*p))] }
	r.p50, r.p99, r.max = at(0.50), at(0.99), lat[len(lat)-1]
	r.ackRate = float64(r.acked) / elapsed.Seconds()
	r.ackCPU = float64(ackCPU.Microseconds()) / float64(r.acked)
	xs := "transactions n/a on SQLite"
	if xacts != nil {
		time.Sleep(1500 * time.Millisecond) // the statistics are flushed about once a second
		r.ackXacts = float64(xacts()-x0) / float64(r.acked)
		xs = fmt.Sprintf("%.2f PG transactions/event", r.ackXacts)
	}
	fmt.Printf("  ack:    %7d events in %s = %6.0f/s  p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms  CPU %4.0f µs/event  %s  (%d failed)\n",
		r.acked, elapsed.Round(time.Millisecond), r.ackRate, ms64(r.p50), ms64(r.p99), ms64(r.max), r.ackCPU, xs, r.failed)

	// Phase 2: work what was stored.
	var st intakeStats
	if err := callJSON(ctx, base, "", "", "GET", "/load/intake/stats?stored=1&source="+o.source, nil, &st); err != nil {
		return nil, err
	}
	cpu1 := procCPU(pid)
	t1 := time.Now()
	if err := callJSON(ctx, base, "", "", "POST", "/load/intake/start", nil, nil); err != nil {
		return nil, err
	}
	for target := st.Stored; st.Worked < target && time.Since(t1) < 10*time.Minute; {
		time.Sleep(20 * time.Millisecond)
		if err := callJSON(ctx, base, "", "", "GET", "/load/intake/stats", nil, &st); err != nil {
			return nil, err
		}
	}
	workedFor := time.Since(t1)
	r.worked = st.Worked
	r.workRate = float64(st.Worked) / workedFor.Seconds()
	r.workCPU = float64((procCPU(pid) - cpu1).Microseconds()) / float64(max(st.Worked, 1))
	fmt.Printf("  worked: %7d events in %s = %6.0f/s  CPU %4.0f µs/event\n", st.Worked, workedFor.Round(time.Millisecond), r.workRate, r.workCPU)

	// Every acknowledged event stored once (an event whose sender gave up
	// may be stored too) and worked.
	for t2 := time.Now(); ; {
		if err := callJSON(ctx, base, "", "", "GET", "/load/intake/stats?stored=1&source="+o.source, nil, &st); err != nil {
			return nil, err
		}
		if st.Done >= st.Stored || time.Since(t2) > time.Minute {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.stored = st.Stored
	switch {
	case st.Distinct != st.Stored:
		return nil, fmt.Errorf("%d events stored under %d dedupe keys", st.Stored, st.Distinct)
	case st.Stored < r.acked || st.Stored > r.acked+r.failed:
		return nil, fmt.Errorf("%d events acknowledged (%d failed) but %d stored", r.acked, r.failed, st.Stored)
	case st.Done != st.Stored || st.Worked != st.Stored:
		return nil, fmt.Errorf("%d events stored but %d worked and %d recorded done", st.Stored, st.Worked, st.Done)
	}
	fmt.Printf("  stored exactly once and worked: %d\n", st.Stored)
	return r, nil
}

// hubProfile saves a CPU profile of the intake child (its pprof route
// on the loopback port) taken over d.
func hubProfile(base string, d time.Duration, file string) error {
	res, err := http.Get(base + "/debug/pprof/profile?seconds=" + strconv.Itoa(int(d/time.Second)))
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /debug/pprof/profile: %d", res.StatusCode)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// loadRequests sets the hub up for source and returns what builds the
// n-th webhook (each a new message).
func loadRequests(ctx context.Context, source, base, simURL string, sim *cwsim.Sim) (func(n int64) *http.Request, error) {
	if source == "cloud_api" {
		meta := providersim.NewCloudAPI(providersim.Options{})
		metaSrv := httptest.NewServer(meta.Handler())
		meta.SetBaseURL(metaSrv.URL) // lives as long as the load (the hub calls it only while setting up)
		c, err := cloudLink(ctx, base, metaSrv.URL, meta)
		return c.request, err
	}
	linkID, secret, err := intakeLink(ctx, base, simURL, sim)
	return func(n int64) *http.Request {
		// Message#webhook_data's shape (ISO created_at, the conversation
		// with its inbox), which every consumer of message_created reads.
		body := []byte(`{"event":"message_created","id":` + strconv.FormatInt(n, 10) + `,"content":"load","message_type":"outgoing",` +
			`"content_type":"text","private":false,"source_id":null,"created_at":"` + time.Now().UTC().Format("2006-01-02T15:04:05.000Z") + `",` +
			`"sender":{"id":1,"name":"Ana","type":"user"},"account":{"id":1,"name":"Acme"},"inbox":{"id":1,"name":"WA"},` +
			`"conversation":{"id":1,"inbox_id":1,"status":"open","meta":{"sender":{"id":7,"name":"Maria","phone_number":"+5511987650001"}}}}`)
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest("POST", base+"/webhooks/chatwoot/"+linkID, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Chatwoot-Timestamp", ts)
		req.Header.Set("X-Chatwoot-Signature", intake.Sign(secret, ts, body))
		return req
	}, err
}

// intakeLink connects the hub to the simulator through the API, as an
// admin would, and returns the webhook's link id and signing secret.
func intakeLink(ctx context.Context, base, simURL string, sim *cwsim.Sim) (string, string, error) {
	var token string
	for _, u := range sim.Seed().Users {
		if u.Email == "ana@acme.test" {
			token = u.APIAccessToken
		}
	}
	root, accountID, err := loadAccount(ctx, base)
	if err != nil {
		return "", "", err
	}
	// The Kanban also consumes message_created: off, it returns at once,
	// so only the spine and the consumer that does nothing are measured.
	if err := callJSON(ctx, base, root, "", "PUT", "/api/v1/accounts/"+accountID+"/features", map[string]bool{"kanban": false}, nil); err != nil {
		return "", "", err
	}
	path := "/api/v1/accounts/" + accountID + "/chatwoot"
	if err := callJSON(ctx, base, root, "", "PUT", path, map[string]any{"base_url": simURL, "chatwoot_account_id": 1, "api_access_token": token}, nil); err != nil {
		return "", "", err
	}
	secret := "load-webhook-secret-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := callJSON(ctx, base, root, "", "PUT", path+"/webhook-secret", map[string]string{"secret": secret}, nil); err != nil {
		return "", "", err
	}
	var link struct {
		WebhookURL string `json:"webhook_url"`
	}
	if err := callJSON(ctx, base, root, "", "GET", path, nil, &link); err != nil {
		return "", "", err
	}
	return link.WebhookURL[strings.LastIndex(link.WebhookURL, "/")+1:], secret, nil
}

// loadAccount signs the super admin in and creates the load's account.
func loadAccount(ctx context.Context, base string) (token, accountID string, err error) {
	var root struct {
		AccessToken string `json:"access_token"`
	}
	if err := callJSON(ctx, base, "", "", "POST", "/api/v1/auth/login", map[string]string{"email": adminEmail, "password": adminPass}, &root); err != nil {
		return "", "", err
	}
	var acct struct {
		ID string `json:"id"`
	}
	if err := callJSON(ctx, base, root.AccessToken, "", "POST", "/api/v1/accounts", map[string]string{"name": "Load"}, &acct); err != nil {
		return "", "", err
	}
	return root.AccessToken, acct.ID, nil
}
