package inbox_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
)

type fixture struct {
	h      *apptest.Hub
	sim    *cwsim.Sim
	simURL string
	ten    *apptest.Tenant
	token  string // Chatwoot administrator token of account 1
}

func setup(t *testing.T, dialect string) *fixture {
	t.Helper()
	sim := cwsim.New(cwsim.DefaultSeed(), cwsim.Options{})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(sim.Close)
	h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv(), AppOpts: app.Options{OutboundTimeout: 500 * time.Millisecond}})
	f := &fixture{h: h, sim: sim, simURL: srv.URL, ten: h.NewTenant(h.LoginSuper(), "Acme")}
	for _, u := range sim.Seed().Users {
		if u.Email == "ana@acme.test" {
			f.token = u.APIAccessToken
		}
	}
	h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + f.ten.ID + "/chatwoot", Token: f.ten.Admin.Token,
		Body: map[string]any{"base_url": srv.URL, "chatwoot_account_id": 1, "api_access_token": f.token}}).Expect(t, 200)
	return f
}

// chatwoot calls the simulator's API as Chatwoot's administrator.
func (f *fixture) chatwoot(t *testing.T, method, path string, body any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, f.simURL+"/api/v1/accounts/1"+path, bytes.NewReader(raw))
	req.Header.Set("api_access_token", f.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d", method, path, res.StatusCode)
	}
}

type syncView struct {
	Status                           string
	Total, Created, Updated, Removed int
	Error                            string
}

// sync starts a sync and waits for it to finish.
func (f *fixture) sync(t *testing.T) syncView {
	t.Helper()
	base := "/api/v1/accounts/" + f.ten.ID + "/inboxes"
	id := f.h.Do(apptest.Req{Method: "POST", Path: base + "/sync", Token: f.ten.Admin.Token}).Expect(t, 202).JSON(t)["sync_id"].(string)
	return f.wait(t, id)
}

func (f *fixture) wait(t *testing.T, id string) syncView {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var v syncView
		f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + f.ten.ID + "/inboxes/syncs/" + id, Token: f.ten.Admin.Token}).
			Expect(t, 200).Decode(t, &v)
		if v.Status == "done" || v.Status == "failed" {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("sync %s still %s (%s)", id, v.Status, v.Error)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestSyncCreatesUpdatesAndMarksRemoved(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		a, _ := f.sim.AddInbox(1, cwsim.InboxSpec{Name: "WhatsApp Vendas"})
		b, _ := f.sim.AddInbox(1, cwsim.InboxSpec{Name: "Site", ChannelType: "web_widget", WebsiteURL: "https://acme.test"})
		f.sim.AddInbox(2, cwsim.InboxSpec{Name: "Other account"})
		v := f.sync(t)
		if v.Status != "done" || v.Created != 2 || v.Total != 2 {
			t.Fatalf("first sync: %+v", v)
		}
		f.chatwoot(t, "PATCH", "/inboxes/"+strconv.Itoa(a.ID), map[string]any{"name": "WhatsApp Vendas SP"})
		f.chatwoot(t, "DELETE", "/inboxes/"+strconv.Itoa(b.ID), nil)
		v = f.sync(t)
		if v.Status != "done" || v.Created != 0 || v.Updated != 1 || v.Removed != 1 || v.Total != 1 {
			t.Fatalf("second sync: %+v", v)
		}
		var page struct {
			Data []struct {
				Name      string
				RemovedAt *time.Time `json:"removed_at"`
			}
		}
		base := "/api/v1/accounts/" + f.ten.ID + "/inboxes"
		f.h.Do(apptest.Req{Method: "GET", Path: base, Token: f.ten.Admin.Token}).Expect(t, 200).Decode(t, &page)
		if len(page.Data) != 2 {
			t.Fatalf("removed inboxes are kept: %+v", page.Data)
		}
		f.h.Do(apptest.Req{Method: "GET", Path: base + "?removed=true", Token: f.ten.Admin.Token}).Expect(t, 200).Decode(t, &page)
		if len(page.Data) != 1 || page.Data[0].Name != "Site" || page.Data[0].RemovedAt == nil {
			t.Fatalf("removed filter: %+v", page.Data)
		}
		f.h.Do(apptest.Req{Method: "GET", Path: base + "?removed=maybe", Token: f.ten.Admin.Token}).ExpectError(t, 400, "VALIDATION_ERROR")
		f.h.Do(apptest.Req{Method: "GET", Path: base + "?channel_type=Channel::Api", Token: f.ten.Admin.Token}).Expect(t, 200).Decode(t, &page)
		if len(page.Data) != 1 || page.Data[0].Name != "WhatsApp Vendas SP" {
			t.Fatalf("channel filter: %+v", page.Data)
		}
	})
}

func TestConcurrentSyncRequestsCoalesce(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		ids := make([]string, 6)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/accounts/" + f.ten.ID + "/inboxes/sync", Token: f.ten.Admin.Token})
				if r.Status == 202 {
					ids[i] = r.JSON(t)["sync_id"].(string)
				}
			}()
		}
		wg.Wait()
		distinct := map[string]bool{}
		for _, id := range ids {
			distinct[id] = true
		}
		// All requests made while the first was queued share it; a request
		// that came after it finished may start one more run.
		if distinct[""] || len(distinct) > 2 {
			t.Fatalf("sync ids: %v", ids)
		}
		if n := f.h.Count(`SELECT count(*) FROM inbox_syncs WHERE account_id = $1`, f.ten.ID); n != len(distinct) {
			t.Fatalf("%d sync rows for %d ids", n, len(distinct))
		}
	})
}

func TestSyncFailures(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		f.sim.AddInbox(1, cwsim.InboxSpec{Name: "WA"})
		// 500 then success: retried with backoff
		f.sim.FailNext("/api/v1/accounts/1/inboxes", 500)
		if v := f.sync(t); v.Status != "done" || v.Created != 1 {
			t.Fatalf("after a 500: %+v", v)
		}
		// a timeout then success
		f.sim.HangNext("/api/v1/accounts/1/inboxes")
		if v := f.sync(t); v.Status != "done" {
			t.Fatalf("after a timeout: %+v", v)
		}
		// 401: the link needs attention, the sync fails at once, readable
		f.sim.Fail(cwsim.Failure{PathPrefix: "/api/v1/accounts/1/inboxes", Status: 401, Times: -1})
		v := f.sync(t)
		if v.Status != "failed" || v.Error == "" {
			t.Fatalf("after a 401: %+v", v)
		}
		link := f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + f.ten.ID + "/chatwoot", Token: f.ten.Admin.Token}).Expect(t, 200).JSON(t)
		if link["status"] != "needs_attention" || link["last_error"] == "" {
			t.Fatalf("link after a 401: %v", link)
		}
		f.sim.ClearFailures()
		f.sync(t)
		if s := f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + f.ten.ID + "/chatwoot", Token: f.ten.Admin.Token}).JSON(t)["status"]; s != "ok" {
			t.Fatalf("a good sync should clear the attention flag: %v", s)
		}
	})
}
