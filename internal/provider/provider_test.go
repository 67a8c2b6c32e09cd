package provider_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
	"github.com/whatpro/hub/internal/provider/providersim"
)

type fixture struct {
	h   *apptest.Hub
	ten *apptest.Tenant
}

func setup(t *testing.T, dialect string) *fixture {
	t.Helper()
	h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv()})
	return &fixture{h: h, ten: h.NewTenant(h.LoginSuper(), "Acme")}
}

func (f *fixture) do(t *testing.T, method, path string, body any) *apptest.Resp {
	t.Helper()
	return f.h.Do(apptest.Req{Method: method, Path: "/api/v1/accounts/" + f.ten.ID + path, Token: f.ten.Admin.Token, Body: body})
}

func serve(t *testing.T, h http.Handler) string {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

// poll waits until cond holds (the hub processes webhooks in jobs).
func pollUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestEvolutionProviderAndNumber(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		// Exposed, the webhook body carries the instance token as apikey
		// (by default Evolution sends null), which must not be stored.
		evo := providersim.NewEvolution(providersim.Options{ExposeAPIKey: true})
		evoURL := serve(t, evo.Handler())
		evo.SetBaseURL(evoURL)

		f.do(t, "POST", "/providers", map[string]any{"name": "Evo", "type": "evolution", "base_url": "ftp://x", "credentials": map[string]string{"api_key": "k"}}).
			ExpectError(t, 400, "VALIDATION_ERROR")
		f.do(t, "POST", "/providers", map[string]any{"name": "Evo", "type": "evolution", "base_url": "http://user:pw@x.test", "credentials": map[string]string{"api_key": "k"}}).
			ExpectError(t, 400, "VALIDATION_ERROR")
		f.do(t, "POST", "/providers", map[string]any{"name": "Evo", "type": "evolution", "base_url": evoURL, "credentials": map[string]string{"access_token": "x"}}).
			ExpectError(t, 400, "VALIDATION_ERROR")
		r := f.do(t, "POST", "/providers", map[string]any{"name": "Evo", "type": "evolution", "base_url": evoURL,
			"credentials": map[string]string{"api_key": evo.APIKey()}}).Expect(t, 201)
		if strings.Contains(string(r.Body), evo.APIKey()) {
			t.Fatal("credentials came back")
		}
		pid := r.JSON(t)["id"].(string)
		h := f.do(t, "POST", "/providers/"+pid+"/test", nil).Expect(t, 200).JSON(t)
		if h["status"] != "healthy" {
			t.Fatalf("test: %v", h)
		}
		// a wrong key is refused before anything is saved
		f.do(t, "PATCH", "/providers/"+pid, map[string]any{"credentials": map[string]string{"api_key": "wrong"}}).
			ExpectError(t, 422, "UNPROCESSABLE")
		if h := f.do(t, "POST", "/providers/"+pid+"/test", nil).Expect(t, 200).JSON(t); h["status"] != "healthy" {
			t.Fatalf("a refused update changed the key: %v", h)
		}
		f.do(t, "PATCH", "/providers/"+pid, map[string]any{"credentials": map[string]string{"api_key": evo.APIKey()}}).Expect(t, 200)

		iid := f.do(t, "POST", "/provider-instances", map[string]any{"provider_id": pid, "name": "vendas"}).Expect(t, 201).JSON(t)["id"].(string)
		c := f.do(t, "POST", "/provider-instances/"+iid+"/connect", nil).Expect(t, 202).JSON(t)
		if c["status"] != "connecting" || c["pending"] != true {
			t.Fatalf("connect: %v", c)
		}
		var qr map[string]any
		apptest.Eventually(t, "the QR code to arrive", func() bool {
			qr = f.do(t, "GET", "/provider-instances/"+iid+"/qr", nil).Expect(t, 200).JSON(t)
			return qr["qr_code"] != nil
		})
		if qr["status"] != "qr_required" || !strings.HasPrefix(qr["qr_code"].(string), "data:image/png;base64,") {
			t.Fatalf("qr: %v", qr)
		}
		// a number whose state is "close" (HTTP 200) is disconnected
		if err := evo.SetState("vendas", "close"); err != nil {
			t.Fatal(err)
		}
		if s := f.do(t, "GET", "/provider-instances/"+iid+"/status", nil).Expect(t, 200).JSON(t); s["status"] != "disconnected" {
			t.Fatalf("close state: %v", s)
		}
		// the phone scans the QR: Evolution's connection.update reaches the hub
		f.do(t, "POST", "/provider-instances/"+iid+"/connect", nil).Expect(t, 202)
		// The first QR may still be shown until the new connect has run:
		// scanning before it reaches the phone would scan nothing.
		first := qr["qr_code"]
		apptest.Eventually(t, "a new QR code", func() bool {
			c := f.do(t, "GET", "/provider-instances/"+iid+"/qr", nil).JSON(t)["qr_code"]
			return c != nil && c != first
		})
		res, err := http.Post(evoURL+"/_sim/instances/vendas/scan", "application/json", strings.NewReader(`{"number":"5511988887777","profile_name":"Loja Centro"}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode >= 300 {
			t.Fatalf("scan: %s", res.Status)
		}
		var got map[string]any
		t.Cleanup(func() {
			if t.Failed() {
				rows, _ := f.h.App.DB.R.Query(`SELECT id, event, status, last_error, payload FROM event_executions ORDER BY id`)
				for rows.Next() {
					var a, b, c, d, e string
					_ = rows.Scan(&a, &b, &c, &d, &e)
					if len(e) > 300 {
						e = e[:300]
					}
					t.Log(a, b, c, d, e)
				}
				rows.Close()
				t.Log(f.do(t, "GET", "/provider-instances/"+iid, nil).JSON(t))
			}
		})
		apptest.Eventually(t, "the number to be connected", func() bool {
			got = f.do(t, "GET", "/provider-instances/"+iid, nil).JSON(t)
			return got["status"] == "connected"
		})
		if got["phone_number"] != "+5511988887777" || got["profile_name"] != "Loja Centro" || got["qr_pending"] != false {
			t.Fatalf("connected number: %v", got)
		}
		if n := f.h.Count(`SELECT count(*) FROM event_executions WHERE source = 'provider' AND payload LIKE '%apikey%' AND payload NOT LIKE '%[redacted]%'`); n != 0 {
			t.Fatal("Evolution's apikey was stored in clear")
		}
		f.do(t, "DELETE", "/providers/"+pid, nil).ExpectError(t, 409, "CONFLICT")
		// a webhook without the URL token is refused and stores nothing
		before := f.h.Count(`SELECT count(*) FROM event_executions`)
		f.h.Do(apptest.Req{Method: "POST", Path: "/webhooks/providers/" + pid, Body: `{"event":"connection.update","instance":"vendas","data":{"state":"close"}}`}).
			ExpectError(t, 401, "UNAUTHORIZED")
		if f.h.Count(`SELECT count(*) FROM event_executions`) != before {
			t.Fatal("an unauthenticated webhook was stored")
		}
	})
}

// cloudProvider serves a Meta simulator and adds it as a Cloud API
// provider of the tenant, with the simulator's token and app secret.
func (f *fixture) cloudProvider(t *testing.T) (*providersim.CloudAPI, map[string]any) {
	t.Helper()
	meta := providersim.NewCloudAPI(providersim.Options{})
	metaURL := serve(t, meta.Handler())
	p := f.do(t, "POST", "/providers", map[string]any{"name": "Meta", "type": "cloud_api", "base_url": metaURL,
		"credentials": map[string]string{"access_token": meta.AccessToken(), "app_secret": meta.AppSecret()}}).Expect(t, 201).JSON(t)
	return meta, p
}

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func TestCloudAPIProviderWebhooks(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		meta, p := f.cloudProvider(t) // the default Graph version is added to its URL
		pid, verify := p["id"].(string), p["verify_token"].(string)
		if h := f.do(t, "POST", "/providers/"+pid+"/test", nil).Expect(t, 200).JSON(t); h["status"] != "healthy" {
			t.Fatalf("test: %v", h)
		}
		iid := f.do(t, "POST", "/provider-instances", map[string]any{"provider_id": pid, "name": "sac", "phone_number_id": meta.PhoneNumberID()}).
			Expect(t, 201).JSON(t)["id"].(string)
		if c := f.do(t, "POST", "/provider-instances/"+iid+"/connect", nil).Expect(t, 200).JSON(t); c["status"] != "connected" || c["phone_number"] == "" ||
			c["profile_name"] == "" {
			t.Fatalf("connect: %v", c)
		}
		f.do(t, "POST", "/provider-instances", map[string]any{"provider_id": pid, "name": "x"}).ExpectError(t, 400, "VALIDATION_ERROR")
		// Meta stops serving the number: its status says why, and the number shows it until it is back.
		if err := meta.SetState(meta.PhoneNumberID(), "FLAGGED"); err != nil {
			t.Fatal(err)
		}
		if s := f.do(t, "GET", "/provider-instances/"+iid+"/status", nil).Expect(t, 200).JSON(t); s["status"] != "disconnected" ||
			s["disconnect_reason"] != "refused" || !strings.Contains(s["details"].(string), "FLAGGED") {
			t.Fatalf("flagged: %v", s)
		}
		if n := f.do(t, "GET", "/provider-instances/"+iid, nil).JSON(t); n["disconnect_reason"] != "refused" || !strings.Contains(n["last_error"].(string), "FLAGGED") {
			t.Fatalf("flagged number: %v", n)
		}
		_ = meta.SetState(meta.PhoneNumberID(), "CONNECTED")
		if n := f.do(t, "POST", "/provider-instances/"+iid+"/connect", nil).Expect(t, 200).JSON(t); n["status"] != "connected" {
			t.Fatalf("back: %v", n)
		}
		if n := f.do(t, "GET", "/provider-instances/"+iid, nil).JSON(t); n["disconnect_reason"] != "" || n["last_error"] != "" {
			t.Fatalf("a number that is back keeps its reason: %v", n)
		}

		hook := "/webhooks/providers/" + pid
		f.h.Do(apptest.Req{Method: "GET", Path: hook + "?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=123"}).Expect(t, 403)
		r := f.h.Do(apptest.Req{Method: "GET", Path: hook + "?hub.mode=subscribe&hub.verify_token=" + verify + "&hub.challenge=8471"}).Expect(t, 200)
		if string(r.Body) != "8471" {
			t.Fatalf("challenge echo: %q", r.Body)
		}
		body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",` +
			`"metadata":{"display_phone_number":"5511","phone_number_id":"` + meta.PhoneNumberID() + `"},"messages":[{"from":"5511999","id":"wamid.1","timestamp":"1","type":"text","text":{"body":"oi"}}]}}]}]}`)
		before := f.h.Count(`SELECT count(*) FROM event_executions`)
		f.h.Do(apptest.Req{Method: "POST", Path: hook, Body: body}).ExpectError(t, 401, "UNAUTHORIZED")
		f.h.Do(apptest.Req{Method: "POST", Path: hook, Body: body, Header: map[string]string{"X-Hub-Signature-256": sign("wrong", body)}}).ExpectError(t, 401, "UNAUTHORIZED")
		tampered := bytes.Replace(body, []byte("oi"), []byte("xx"), 1)
		f.h.Do(apptest.Req{Method: "POST", Path: hook, Body: tampered, Header: map[string]string{"X-Hub-Signature-256": sign(meta.AppSecret(), body)}}).ExpectError(t, 401, "UNAUTHORIZED")
		if f.h.Count(`SELECT count(*) FROM event_executions`) != before {
			t.Fatal("a refused webhook was stored")
		}
		good := map[string]string{"X-Hub-Signature-256": sign(meta.AppSecret(), body)}
		f.h.Do(apptest.Req{Method: "POST", Path: hook, Body: body, Header: good}).Expect(t, 200)
		if d := f.h.Do(apptest.Req{Method: "POST", Path: hook, Body: body, Header: good}).Expect(t, 200).JSON(t); d["duplicate"] != true {
			t.Fatal("Meta's retry of the same body must be a duplicate")
		}
		// the gateway consumes it (the number has no inbox, so its lane holds it)
		pollUntil(t, "the message event to be handled", func() bool {
			return f.h.Count(`SELECT count(*) FROM event_executions WHERE source = 'provider' AND event = 'messages' AND status = 'done'`) == 1
		})
	})
}

func TestNumberInboxInChatwoot(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		sim := cwsim.New(cwsim.DefaultSeed(), cwsim.Options{})
		t.Cleanup(sim.Close)
		simURL := serve(t, sim.Handler())
		var token string
		for _, u := range sim.Seed().Users {
			if u.Email == "ana@acme.test" {
				token = u.APIAccessToken
			}
		}
		f.do(t, "PUT", "/chatwoot", map[string]any{"base_url": simURL, "chatwoot_account_id": 1, "api_access_token": token}).Expect(t, 200)
		evo := providersim.NewEvolution(providersim.Options{})
		evoURL := serve(t, evo.Handler())
		pid := f.do(t, "POST", "/providers", map[string]any{"name": "Evo", "type": "evolution", "base_url": evoURL,
			"credentials": map[string]string{"api_key": evo.APIKey()}}).Expect(t, 201).JSON(t)["id"].(string)
		iid := f.do(t, "POST", "/provider-instances", map[string]any{"provider_id": pid, "name": "vendas"}).Expect(t, 201).JSON(t)["id"].(string)

		// no slot: nothing is created in Chatwoot and no slot stays taken
		super := f.h.LoginSuper()
		f.h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + f.ten.ID + "/plan", Token: super.Token,
			Body: map[string]any{"plan_id": "default", "overrides": map[string]int{"max_inboxes": 0}}}).Expect(t, 200)
		f.do(t, "POST", "/provider-instances/"+iid+"/inbox", nil).ExpectError(t, 422, "LIMIT_EXCEEDED")
		if len(sim.Inboxes(1)) != 0 || f.h.Count(`SELECT count(*) FROM inboxes`) != 0 {
			t.Fatal("a refused inbox left something behind")
		}
		// Chatwoot failing: the reserved slot is released
		f.h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + f.ten.ID + "/plan", Token: super.Token,
			Body: map[string]any{"plan_id": "default", "overrides": map[string]int{"max_inboxes": 1}}}).Expect(t, 200)
		sim.FailNext("/api/v1/accounts/1/inboxes", 500)
		f.do(t, "POST", "/provider-instances/"+iid+"/inbox", nil).ExpectError(t, 502, "UPSTREAM_ERROR")
		if f.h.Count(`SELECT count(*) FROM inboxes`) != 0 {
			t.Fatal("a failed creation kept its slot")
		}
		in := f.do(t, "POST", "/provider-instances/"+iid+"/inbox", map[string]any{"name": "WhatsApp Vendas"}).Expect(t, 201).JSON(t)
		inboxes := sim.Inboxes(1)
		if len(inboxes) != 1 || !strings.Contains(inboxes[0].WebhookURL, "/webhooks/chatwoot/inboxes/"+in["id"].(string)+"?token=wpi_") {
			t.Fatalf("inbox in Chatwoot: %+v", inboxes)
		}
		if again := f.do(t, "POST", "/provider-instances/"+iid+"/inbox", nil).Expect(t, 200).JSON(t); again["id"] != in["id"] {
			t.Fatal("creating twice must return the same inbox")
		}
		var secret string
		if err := f.h.App.DB.R.QueryRow(`SELECT COALESCE(secret, '') FROM inboxes WHERE id = $1`, in["id"]).Scan(&secret); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, "v1:") {
			t.Fatalf("the inbox secret is not stored encrypted: %q", secret)
		}
	})
}

func TestProviderInstanceLimitRace(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		super := f.h.LoginSuper()
		f.h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + f.ten.ID + "/plan", Token: super.Token,
			Body: map[string]any{"plan_id": "default", "overrides": map[string]int{"max_provider_instances": 1}}}).Expect(t, 200)
		evo := providersim.NewEvolution(providersim.Options{})
		pid := f.do(t, "POST", "/providers", map[string]any{"name": "Evo", "type": "evolution", "base_url": serve(t, evo.Handler()),
			"credentials": map[string]string{"api_key": evo.APIKey()}}).Expect(t, 201).JSON(t)["id"].(string)
		codes := make([]int, 4)
		var wg sync.WaitGroup
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = f.do(t, "POST", "/provider-instances", map[string]any{"provider_id": pid, "name": "n" + string(rune('a'+i))}).Status
			}()
		}
		wg.Wait()
		ok := 0
		for _, c := range codes {
			if c == 201 {
				ok++
			} else if c != 422 {
				t.Fatalf("codes: %v", codes)
			}
		}
		if ok != 1 {
			t.Fatalf("%d creates passed the last slot: %v", ok, codes)
		}
	})
}
