package provider_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/provider/providersim"
)

type evoFixture struct {
	*fixture
	evo    *providersim.Evolution
	evoURL string
	pid    string
}

func evoSetup(t *testing.T, dialect string, o providersim.Options) *evoFixture {
	t.Helper()
	f := setup(t, dialect)
	evo := providersim.NewEvolution(o)
	evoURL := serve(t, evo.Handler())
	evo.SetBaseURL(evoURL)
	pid := f.do(t, "POST", "/providers", map[string]any{"name": "Evo", "type": "evolution", "base_url": evoURL,
		"credentials": map[string]string{"api_key": evo.APIKey()}}).Expect(t, 201).JSON(t)["id"].(string)
	return &evoFixture{fixture: f, evo: evo, evoURL: evoURL, pid: pid}
}

func (f *evoFixture) number(t *testing.T, name string) string {
	t.Helper()
	return f.do(t, "POST", "/provider-instances", map[string]any{"provider_id": f.pid, "name": name}).Expect(t, 201).JSON(t)["id"].(string)
}

func (f *evoFixture) sim(t *testing.T, path, body string) {
	t.Helper()
	simPost(t, f.evoURL+"/_sim/instances/"+path, body)
}

func (f *evoFixture) waitFor(t *testing.T, iid, what string, cond func(map[string]any) bool) map[string]any {
	t.Helper()
	var got map[string]any
	apptest.Eventually(t, what, func() bool {
		got = f.do(t, "GET", "/provider-instances/"+iid, nil).Expect(t, 200).JSON(t)
		return cond(got)
	})
	return got
}

// Connecting answers at once even though Evolution's create-with-QR would
// block for an hour and no QR exists yet; the QR arrives later by
// webhook and GET …/qr shows it; the phone's number and profile come with
// the connection; a reconnectable drop comes back by itself, only a
// logged-out code ends the session, and the QR limit is its own state.
func TestEvolutionConnectsAsynchronously(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := evoSetup(t, dialect, providersim.Options{CreateDelay: time.Hour, FirstQRDelay: -1, QRCodeLimit: 2})
		iid := f.number(t, "loja")
		c := f.do(t, "POST", "/provider-instances/"+iid+"/connect", nil).Expect(t, 202).JSON(t)
		if c["status"] != "connecting" || c["qr_code"] != nil {
			t.Fatalf("connect: %v", c)
		}
		// The connect job asked for the socket; no QR yet: the console waits.
		apptest.Eventually(t, "Evolution to be connecting", func() bool {
			return f.do(t, "GET", "/provider-instances/"+iid+"/status", nil).Expect(t, 200).JSON(t)["status"] == "connecting"
		})
		if q := f.do(t, "GET", "/provider-instances/"+iid+"/qr", nil).Expect(t, 200).JSON(t); q["qr_code"] != nil || q["pending"] != true {
			t.Fatalf("a QR before Evolution made one: %v", q)
		}
		f.sim(t, "loja/qr", "")
		apptest.Eventually(t, "the QR to arrive by webhook", func() bool {
			return f.do(t, "GET", "/provider-instances/"+iid+"/qr", nil).JSON(t)["qr_code"] != nil
		})
		if got := f.do(t, "GET", "/provider-instances/"+iid, nil).JSON(t); got["status"] != "qr_required" || got["qr_pending"] != true {
			t.Fatalf("after the QR: %v", got)
		}
		// Nobody scans: at the limit the attempt ends, clearly.
		f.sim(t, "loja/qr", "")
		f.sim(t, "loja/qr", "")
		got := f.waitFor(t, iid, "the QR limit", func(m map[string]any) bool { return m["disconnect_reason"] == "qr_limit" })
		if got["status"] != "disconnected" || got["qr_pending"] != false || got["last_error"] == "" {
			t.Fatalf("after the QR limit: %v", got)
		}

		// A new attempt, scanned.
		f.do(t, "POST", "/provider-instances/"+iid+"/connect", nil).Expect(t, 202)
		apptest.Eventually(t, "a connecting session", func() bool {
			return f.do(t, "GET", "/provider-instances/"+iid+"/status", nil).JSON(t)["status"] == "connecting"
		})
		f.sim(t, "loja/qr", "")
		apptest.Eventually(t, "the new QR", func() bool {
			return f.do(t, "GET", "/provider-instances/"+iid+"/qr", nil).JSON(t)["qr_code"] != nil
		})
		f.sim(t, "loja/scan", `{"number":"5511977776666","profile_name":"Loja Norte"}`)
		got = f.waitFor(t, iid, "connected", func(m map[string]any) bool { return m["status"] == "connected" })
		if got["phone_number"] != "+5511977776666" || got["profile_name"] != "Loja Norte" || got["disconnect_reason"] != "" {
			t.Fatalf("connected: %v", got)
		}
		if s := f.do(t, "GET", "/provider-instances/"+iid+"/status", nil).Expect(t, 200).JSON(t); s["phone_number"] != "+5511977776666" ||
			s["profile_name"] != "Loja Norte" {
			t.Fatalf("status poll: %v", s)
		}

		// 515 (restart required) is not a logout: Evolution reconnects.
		opens := f.h.Count(`SELECT count(*) FROM event_executions WHERE event = 'connection.update' AND payload LIKE '%"open"%'`)
		f.sim(t, "loja/disconnect", `{"status_reason":515}`)
		apptest.Eventually(t, "the reconnection's open event to be applied", func() bool {
			return f.h.Count(`SELECT count(*) FROM event_executions WHERE event = 'connection.update' AND payload LIKE '%"open"%'
				AND status = 'done'`) == opens+1
		})
		if got := f.do(t, "GET", "/provider-instances/"+iid, nil).JSON(t); got["status"] != "connected" {
			t.Fatalf("after a reconnectable drop: %v", got)
		}
		// 401 from the phone: logged out, with the reason.
		f.sim(t, "loja/disconnect", `{"status_reason":401}`)
		got = f.waitFor(t, iid, "logged out", func(m map[string]any) bool { return m["status"] == "disconnected" })
		if got["disconnect_reason"] != "logged_out" || !strings.Contains(got["last_error"].(string), "401") {
			t.Fatalf("after 401: %v", got)
		}
	})
}

// connect answering HTTP 200 {error:true} is shown as the provider's
// refusal; the admin disconnects a number without deleting it, and the
// provider's logged-out event that follows keeps it a hub logout.
func TestEvolutionConnectErrorAndLogout(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := evoSetup(t, dialect, providersim.Options{})
		iid := f.number(t, "caixa")
		f.do(t, "POST", "/provider-instances/"+iid+"/connect", nil).Expect(t, 202) // creates it on the server
		apptest.Eventually(t, "the first QR", func() bool {
			return f.do(t, "GET", "/provider-instances/"+iid+"/qr", nil).JSON(t)["qr_code"] != nil
		})
		f.sim(t, "caixa/scan", "")
		f.waitFor(t, iid, "connected", func(m map[string]any) bool { return m["status"] == "connected" })

		got := f.do(t, "POST", "/provider-instances/"+iid+"/logout", nil).Expect(t, 200).JSON(t)
		if got["status"] != "disconnected" || got["disconnect_reason"] != "hub_logout" {
			t.Fatalf("logout: %v", got)
		}
		apptest.Eventually(t, "Evolution's close event to be applied", func() bool {
			return f.h.Count(`SELECT count(*) FROM event_executions WHERE event = 'connection.update' AND payload LIKE '%"close"%'
				AND status = 'done'`) == 1
		})
		got = f.do(t, "GET", "/provider-instances/"+iid, nil).Expect(t, 200).JSON(t)
		if got["status"] != "disconnected" || got["disconnect_reason"] != "hub_logout" {
			t.Fatalf("after Evolution's close: %v", got)
		}
		f.do(t, "GET", "/provider-instances/"+iid, nil).Expect(t, 200) // kept
		if rows := f.h.AuditLog(f.ten.Admin.Token, f.ten.ID, map[string][]string{"action": {"provider_instance.logged_out"}}); len(rows) != 1 {
			t.Fatalf("audit: %+v", rows)
		}

		f.sim(t, "caixa/connect-error", `{"message":"Connection Closed"}`)
		f.do(t, "POST", "/provider-instances/"+iid+"/connect", nil).Expect(t, 202)
		got = f.waitFor(t, iid, "the connect error", func(m map[string]any) bool { return m["status"] == "error" })
		if got["disconnect_reason"] != "refused" || got["last_error"] != "Evolution: Connection Closed" {
			t.Fatalf("connect error: %v", got)
		}
	})
}

// Connection events are ordered by arrival: Evolution's date_time is the
// server's local time with a "Z", so an event that arrives later wins
// even when its date_time reads earlier.
func TestEvolutionEventsOrderedByArrival(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := evoSetup(t, dialect, providersim.Options{})
		iid := f.number(t, "rua")
		f.do(t, "POST", "/provider-instances/"+iid+"/connect", nil).Expect(t, 202)
		hook, _ := f.evo.Webhook("rua")
		path := hook.URL[strings.Index(hook.URL, "/webhooks/"):]
		// the connect job's and the simulator's own events settle first
		apptest.Eventually(t, "the QR", func() bool {
			return f.do(t, "GET", "/provider-instances/"+iid+"/qr", nil).JSON(t)["qr_code"] != nil
		})
		apptest.Eventually(t, "every stored event processed", func() bool {
			return f.h.Count(`SELECT count(*) FROM event_executions WHERE status IN ('received', 'processing', 'failed')`) == 0
		})
		post := func(body string) {
			f.h.Do(apptest.Req{Method: "POST", Path: path, Body: body}).Expect(t, http.StatusOK)
		}
		post(`{"event":"connection.update","instance":"rua","date_time":"2031-01-01T12:00:00.000Z",
			"data":{"instance":"rua","state":"open","statusReason":200,"wuid":"5511966665555@s.whatsapp.net","profileName":"Rua"}}`)
		post(`{"event":"connection.update","instance":"rua","date_time":"2020-01-01T09:00:00.000Z",
			"data":{"instance":"rua","state":"close","statusReason":403}}`)
		apptest.Eventually(t, "both events processed", func() bool {
			return f.h.Count(`SELECT count(*) FROM event_executions WHERE status IN ('received', 'processing', 'failed')`) == 0
		})
		got := f.do(t, "GET", "/provider-instances/"+iid, nil).JSON(t)
		if got["status"] != "disconnected" || got["disconnect_reason"] != "logged_out" {
			t.Fatalf("the later event did not win: %v", got)
		}
	})
}
