package provider_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/provider/providersim"
)

func simPost(t *testing.T, url, body string) map[string]any {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		t.Fatalf("POST %s = %d %s", url, res.StatusCode, raw)
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

type storedEvent struct{ sourceID, event, status, lastError, payload string }

func providerEvents(t *testing.T, f *fixture) []storedEvent {
	t.Helper()
	rows, err := f.h.App.DB.R.Query(`SELECT source_id, event, status, last_error, payload FROM event_executions
		WHERE source = 'provider' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storedEvent
	for rows.Next() {
		var e storedEvent
		if err := rows.Scan(&e.sourceID, &e.event, &e.status, &e.lastError, &e.payload); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// A Meta POST batching two numbers of the hub, one number it does not
// have, messages and statuses becomes one event per number and message
// or status, each holding only its own part; Meta's redelivery of the
// same body is a duplicate of each; the unknown number's message is
// acknowledged and stored ignored with the reason.
func TestCloudAPIBatchedPostSplitsPerNumberAndMessage(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		meta := providersim.NewCloudAPI(providersim.Options{})
		metaURL := serve(t, meta.Handler())
		second := meta.AddPhoneNumber(providersim.PhoneNumber{DisplayPhoneNumber: "5511955550000"})
		stranger := meta.AddPhoneNumber(providersim.PhoneNumber{DisplayPhoneNumber: "5511944440000"})
		p := f.do(t, "POST", "/providers", map[string]any{"name": "Meta", "type": "cloud_api", "base_url": metaURL,
			"credentials": map[string]string{"access_token": meta.AccessToken(), "app_secret": meta.AppSecret()}}).Expect(t, 201).JSON(t)
		pid := p["id"].(string)
		for name, id := range map[string]string{"sac": meta.PhoneNumberID(), "vendas": second} {
			f.do(t, "POST", "/provider-instances", map[string]any{"provider_id": pid, "name": name, "phone_number_id": id}).Expect(t, 201)
		}
		simPost(t, metaURL+"/_sim/webhook", `{"callback_url":"`+f.h.URL+`/webhooks/providers/`+pid+`","verify_token":"`+p["verify_token"].(string)+`"}`)

		simPost(t, metaURL+"/_sim/batch", `{"messages":[{"from":"5511911110000","text":"a","name":"Ana"},
			{"from":"5511922220000","text":"b","name":"Bia","phone_number_id":"`+second+`"},{"from":"5511933330000","text":"c","name":"Caio"},
			{"from":"5511900000000","text":"x","phone_number_id":"`+stranger+`"}],
			"statuses":[{"message_id":"wamid.HBgNNTUxMTkxMTExMDAwMA==","recipient_id":"5511911110000","status":"delivered"}]}`)
		var events []storedEvent
		apptest.Eventually(t, "five events from the batch", func() bool {
			events = providerEvents(t, f)
			return len(events) == 5
		})
		perSource := map[string]int{}
		for _, e := range events {
			perSource[e.sourceID+" "+e.event]++
			var v struct {
				Entry []struct {
					Changes []struct {
						Value struct {
							Metadata struct {
								PhoneNumberID string `json:"phone_number_id"`
							} `json:"metadata"`
							Messages []struct {
								From string `json:"from"`
							} `json:"messages"`
							Statuses []any `json:"statuses"`
							Contacts []struct {
								WaID string `json:"wa_id"`
							} `json:"contacts"`
						} `json:"value"`
					} `json:"changes"`
				} `json:"entry"`
			}
			if err := json.Unmarshal([]byte(e.payload), &v); err != nil || len(v.Entry) != 1 || len(v.Entry[0].Changes) != 1 {
				t.Fatalf("stored part %s: %v", e.payload, err)
			}
			val := v.Entry[0].Changes[0].Value
			if e.sourceID != pid+":"+val.Metadata.PhoneNumberID || len(val.Messages)+len(val.Statuses) != 1 {
				t.Errorf("event %s %s holds %s", e.sourceID, e.event, e.payload)
			}
			if len(val.Messages) == 1 && (len(val.Contacts) != 1 || val.Contacts[0].WaID != val.Messages[0].From) {
				t.Errorf("a message part keeps other senders' contacts: %s", e.payload)
			}
			if strings.HasSuffix(e.sourceID, stranger) != (e.status == "ignored" && e.lastError == "no number of this provider is "+stranger) {
				t.Errorf("event %s: %s %q", e.sourceID, e.status, e.lastError)
			}
		}
		want := map[string]int{pid + ":" + meta.PhoneNumberID() + " messages": 2, pid + ":" + meta.PhoneNumberID() + " statuses": 1,
			pid + ":" + second + " messages": 1, pid + ":" + stranger + " messages": 1}
		for k, n := range want {
			if perSource[k] != n {
				t.Errorf("%s: %d events, want %d (all: %v)", k, perSource[k], n, perSource)
			}
		}
		apptest.Eventually(t, "Meta's one delivery to be answered 200", func() bool {
			d := meta.Deliveries()
			return len(d) == 1 && d[0].Done && d[0].StatusCode == 200 && d[0].Attempts == 1
		})

		// Meta redelivers the very body: every part is a duplicate.
		d := meta.Deliveries()[0]
		hdr := map[string]string{"X-Hub-Signature-256": d.Header.Get("X-Hub-Signature-256")}
		again := f.h.Do(apptest.Req{Method: "POST", Path: "/webhooks/providers/" + pid, Body: d.Body, Header: hdr}).Expect(t, 200).JSON(t)
		if again["duplicate"] != true || len(again["events"].([]any)) != 5 {
			t.Fatalf("redelivery: %v", again)
		}
		// A later POST with one of those messages and a new one stores only the new one.
		var first map[string]any
		_ = json.Unmarshal(d.Body, &first)
		change := first["entry"].([]any)[0].(map[string]any)["changes"].([]any)[0].(map[string]any)
		value := change["value"].(map[string]any)
		msgs := value["messages"].([]any)
		fresh := map[string]any{}
		for k, v := range msgs[0].(map[string]any) {
			fresh[k] = v
		}
		fresh["id"] = "wamid.fresh-one"
		value["messages"] = []any{msgs[0], fresh}
		body, _ := json.Marshal(first)
		r := f.h.Do(apptest.Req{Method: "POST", Path: "/webhooks/providers/" + pid, Body: body,
			Header: map[string]string{"X-Hub-Signature-256": sign(meta.AppSecret(), body)}}).Expect(t, 200).JSON(t)
		dups := 0
		for _, e := range r["events"].([]any) {
			if e.(map[string]any)["duplicate"] == true {
				dups++
			}
		}
		if dups != len(r["events"].([]any))-1 || len(providerEvents(t, f)) != 6 {
			t.Fatalf("re-sent message stored again, or the new one not: %v", r)
		}
	})
}

// An authenticated body that routes nowhere is acknowledged and kept
// ignored with the reason; a provider of a type the hub does not speak
// is refused on its webhook (never accepted unauthenticated) and on its
// management routes.
func TestProviderWebhookFailsClosed(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		evo := providersim.NewEvolution(providersim.Options{})
		evoURL := serve(t, evo.Handler())
		pid := f.do(t, "POST", "/providers", map[string]any{"name": "Evo", "type": "evolution", "base_url": evoURL,
			"credentials": map[string]string{"api_key": evo.APIKey()}}).Expect(t, 201).JSON(t)["id"].(string)
		iid := f.do(t, "POST", "/provider-instances", map[string]any{"provider_id": pid, "name": "vendas"}).Expect(t, 201).JSON(t)["id"].(string)
		f.do(t, "POST", "/provider-instances/"+iid+"/connect", nil).Expect(t, 202)
		hook, ok := evo.Webhook("vendas")
		if !ok {
			t.Fatal("no webhook registered")
		}
		for _, ev := range []string{"MESSAGES_EDITED", "MESSAGES_DELETE", "MESSAGES_UPSERT", "CONNECTION_UPDATE", "QRCODE_UPDATED"} {
			if !strings.Contains(strings.Join(hook.Events, ","), ev) {
				t.Errorf("the webhook does not subscribe %s: %v", ev, hook.Events)
			}
		}
		path := hook.URL[strings.Index(hook.URL, "/webhooks/"):]
		for body, reason := range map[string]string{
			`{"event":"messages.upsert","instance":"ghost","data":{"key":{"id":"1"}}}`: "no number of this provider is ghost",
			`{"event":"messages.upsert","data":{}}`:                                    "the event names no instance",
			`{"hello":"world"}`:                                                        "not an Evolution event: no event name",
		} {
			r := f.h.Do(apptest.Req{Method: "POST", Path: path, Body: body}).Expect(t, 200).JSON(t)
			if r["events"].([]any)[0].(map[string]any)["ignored"] != reason {
				t.Errorf("%s: %v", body, r)
			}
			if n := f.h.Count(`SELECT count(*) FROM event_executions WHERE status = 'ignored' AND last_error = $1`, reason); n != 1 {
				t.Errorf("%s: %d ignored rows with the reason", body, n)
			}
			// Evolution's retry of the same body is a duplicate, not a second row.
			if again := f.h.Do(apptest.Req{Method: "POST", Path: path, Body: body}).Expect(t, 200).JSON(t); again["duplicate"] != true {
				t.Errorf("%s again: %v", body, again)
			}
		}

		// The row's type is one the hub does not speak (a newer hub's, or a
		// damaged row): nothing is accepted, even with the right token.
		// The row changes behind the hub's back: on PostgreSQL the cached
		// provider is forgotten once the notification arrives, a moment
		// after the commit (on SQLite, at the next delivery).
		if _, err := f.h.App.DB.W.Exec(`UPDATE providers SET type = 'zapi' WHERE id = $1`, pid); err != nil {
			t.Fatal(err)
		}
		apptest.Eventually(t, "the change to be heard", func() bool {
			return f.h.Do(apptest.Req{Method: "POST", Path: path, Body: `{"event":"connection.update","instance":"vendas","data":{"state":"close"}}`}).Status == 401
		})
		before := f.h.Count(`SELECT count(*) FROM event_executions`)
		f.h.Do(apptest.Req{Method: "POST", Path: path, Body: `{"event":"connection.update","instance":"vendas","data":{"state":"open"}}`}).
			ExpectError(t, 401, "UNAUTHORIZED")
		f.h.Do(apptest.Req{Method: "GET", Path: "/webhooks/providers/" + pid + "?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1"}).Expect(t, 403)
		if f.h.Count(`SELECT count(*) FROM event_executions`) != before {
			t.Fatal("a provider of an unknown type stored an event")
		}
		f.do(t, "POST", "/provider-instances/"+iid+"/connect", nil).ExpectError(t, 422, "UNPROCESSABLE")
		f.do(t, "POST", "/provider-instances/"+iid+"/logout", nil).ExpectError(t, 422, "UNPROCESSABLE")
		if v := f.do(t, "GET", "/providers/"+pid, nil).Expect(t, 200).JSON(t); v["verify_token"] != nil {
			t.Fatalf("unknown type shows its verify token: %v", v)
		}
	})
}
