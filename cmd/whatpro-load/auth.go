// Mode auth measures an authenticated cheap GET (the account's users) with
// a console session and with an API key, at each client count, on SQLite
// or PostgreSQL, against the targets of issue 16. It prints req/s,
// p50/p95/p99, the hub's CPU per request, database transactions per
// request (PostgreSQL) and the hub's peak RSS. -bin measures another
// whatpro build (say, one of main) with the same command and run.
//
//	whatpro-load auth [-postgres URL] [-duration 20s] [-clients 1,32] [-warmup 3s] [-bin path/to/whatpro]

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

func runAuth(args []string) error {
	fs := flag.NewFlagSet("auth", flag.ContinueOnError)
	pgURL := fs.String("postgres", "", "PostgreSQL server URL (a throwaway database is created on it); empty = SQLite")
	dur := fs.Duration("duration", 20*time.Second, "length of each timed scenario")
	clients := fs.String("clients", "1,32", "comma list of concurrent clients")
	bin := fs.String("bin", "", "a whatpro binary to measure instead of this build's hub")
	warmup := fs.Duration("warmup", 3*time.Second, "untimed load with each credential before the timed scenarios")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var counts []int
	for _, f := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1024 {
			return fmt.Errorf("-clients: %q is not a count from 1 to 1024", f)
		}
		counts = append(counts, n)
	}
	raiseFiles()
	env, cleanup, err := hubEnv(*pgURL)
	if err != nil {
		return err
	}
	defer cleanup()
	child, base, err := startHub(env, *bin)
	if err != nil {
		return err
	}
	defer stopHub(child)
	dialect, dbName := "sqlite", ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "WHATPRO_DATABASE_URL="); ok {
			dialect, dbName = "postgres", v[strings.LastIndex(v, "/")+1:]
			dbName, _, _ = strings.Cut(dbName, "?")
		}
	}
	what := "this build"
	if *bin != "" {
		what = *bin
	}
	fmt.Printf("auth: hub pid %d (%s) on %s\n", child.Process.Pid, what, dialect)

	ctx := context.Background()
	var root struct {
		AccessToken string `json:"access_token"`
	}
	if err := callJSON(ctx, base, "", "", "POST", "/api/v1/auth/login", map[string]string{"email": adminEmail, "password": adminPass}, &root); err != nil {
		return err
	}
	var acct struct {
		ID string `json:"id"`
	}
	if err := callJSON(ctx, base, root.AccessToken, "", "POST", "/api/v1/accounts", map[string]string{"name": "Load"}, &acct); err != nil {
		return err
	}
	for i := range 5 { // a few members, so the list has rows to encode
		if err := invite(ctx, base, root.AccessToken, acct.ID, fmt.Sprintf("member%d@load.test", i), "agent", adminPass, i+1); err != nil {
			return err
		}
	}
	if err := invite(ctx, base, root.AccessToken, acct.ID, "admin@load.test", "admin", adminPass, 0); err != nil {
		return err
	}
	var admin struct {
		AccessToken string `json:"access_token"`
	}
	if err := callJSON(ctx, base, "", "", "POST", "/api/v1/auth/login", map[string]string{"email": "admin@load.test", "password": adminPass}, &admin); err != nil {
		return err
	}
	var key struct {
		Key string `json:"key"`
	}
	if err := callJSON(ctx, base, admin.AccessToken, "", "POST", "/api/v1/accounts/"+acct.ID+"/api-keys",
		map[string]any{"name": "load", "scopes": []string{"users:read"}}, &key); err != nil {
		return err
	}
	var xacts func() int64
	if dialect == "postgres" {
		xacts = pgXacts(*pgURL, dbName)
	}
	path := base + "/api/v1/accounts/" + acct.ID + "/users"
	creds := []struct{ name, header, value string }{
		{"session", "Authorization", "Bearer " + admin.AccessToken},
		{"API key", "X-API-Key", key.Key},
	}
	// The hub has just hashed seven passwords (argon2id, 64 MiB each) and
	// started its background work: an untimed round with each credential
	// lets the heap and the caches settle, so the first timed scenario is
	// not the one that pays for it.
	if *warmup > 0 {
		for _, cr := range creds {
			if _, err := hammer(path, cr.header, cr.value, slices.Max(counts), *warmup, child.Process.Pid, nil); err != nil {
				return err
			}
		}
	}
	for _, cr := range creds {
		for _, n := range counts {
			r, err := hammer(path, cr.header, cr.value, n, *dur, child.Process.Pid, xacts)
			if err != nil {
				return err
			}
			fmt.Printf("GET users, %-7s %3d clients: %7.0f req/s  p50 %5.2f ms  p95 %5.2f ms  p99 %5.2f ms  CPU %4.0f µs/req  %s  (%d requests, %d failed)\n",
				cr.name, n, r.rps, ms64(r.p50), ms64(r.p95), ms64(r.p99), r.cpuPerReq, r.xacts, r.n, r.failed)
		}
	}
	fmt.Printf("hub peak RSS %d MiB\n", peakRSS(child.Process.Pid)>>20)
	return nil
}

type hammerResult struct {
	n, failed     int
	rps           float64
	p50, p95, p99 time.Duration
	cpuPerReq     float64 // µs of hub CPU
	xacts         string
}

// hammer runs n clients, each sending the request back to back for d.
func hammer(url, header, value string, n int, d time.Duration, pid int, xacts func() int64) (*hammerResult, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = n+8, n+8
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	lat := make([][]time.Duration, n)
	failed := make([]int, n)
	cpu0 := procCPU(pid)
	var x0 int64
	if xacts != nil {
		x0 = xacts()
	}
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set(header, value)
			for time.Now().Before(deadline) {
				t0 := time.Now()
				res, err := client.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				if err != nil || res.StatusCode != 200 {
					failed[i]++
					continue
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := procCPU(pid) - cpu0
	var all []time.Duration
	r := &hammerResult{xacts: "transactions n/a on SQLite"}
	for i := range n {
		all = append(all, lat[i]...)
		r.failed += failed[i]
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("no request succeeded (%d failed)", r.failed)
	}
	slices.Sort(all)
	r.n = len(all)
	r.rps = float64(r.n) / elapsed.Seconds()
	at := func(p int) time.Duration { return all[min(len(all)-1, len(all)*p/100)] }
	r.p50, r.p95, r.p99 = at(50), at(95), at(99)
	r.cpuPerReq = float64(cpu.Microseconds()) / float64(r.n+r.failed)
	if xacts != nil {
		time.Sleep(1500 * time.Millisecond) // the statistics are flushed about once a second
		r.xacts = fmt.Sprintf("%.2f PG transactions/req", float64(xacts()-x0)/float64(r.n+r.failed))
	}
	return r, nil
}

// pgXacts counts the committed and rolled back transactions of a
// database (the hub's background work included).
func pgXacts(server, name string) func() int64 {
	return func() int64 {
		ctx := context.Background()
		c, err := pgx.Connect(ctx, server)
		if err != nil {
			return 0
		}
		defer c.Close(ctx)
		var n int64
		_ = c.QueryRow(ctx, `SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1`, name).Scan(&n)
		return n
	}
}

// procCPU reads a process's user + system CPU time.
func procCPU(pid int) time.Duration {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// peakRSS reads a process's high-water resident set size in bytes.
func peakRSS(pid int) int64 {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func ms64(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
