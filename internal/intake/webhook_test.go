package intake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/intake"
)

func TestSignedWebhookStoredOnce(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		e.sink()
		body := msg("message_created", 101)
		first := e.send(delivery{body: body, secret: secretA, id: "d-1"})
		if first.Code != http.StatusOK {
			t.Fatalf("first delivery: %d %s", first.Code, first.Body)
		}
		var ack map[string]any
		must(t, json.Unmarshal(first.Body.Bytes(), &ack))
		id, _ := ack["id"].(string)
		if ack["received"] != true || id == "" || len(ack) != 2 {
			t.Fatalf("answer %s, want {received: true, id}", first.Body)
		}
		r := e.row(id)
		if r.AccountID != e.accA || r.Source != intake.SourceChatwoot || r.SourceID != linkA || r.Event != "message_created" ||
			r.DeliveryID != "d-1" || r.Status != intake.StatusReceived || r.Attempts != 0 || r.LastError != "" {
			t.Fatalf("stored row %+v", r)
		}
		if !r.ReceivedAt.Equal(e.clock.Now().Truncate(time.Microsecond)) {
			t.Fatalf("received_at %v, want the clock's %v", r.ReceivedAt, e.clock.Now())
		}
		var stored map[string]any
		must(t, json.Unmarshal([]byte(r.Payload.String), &stored))
		if stored["content"] != "Olá <b>mundo</b>" || stored["id"] != 101.0 {
			t.Fatalf("stored payload %s lost content", r.Payload.String)
		}
		if args := e.jobArgs(); len(args) != 1 || args[0].ExecutionID != id {
			t.Fatalf("queued %+v, want one execution of %s", args, id)
		}

		// The same message again, even re-signed later with a new delivery
		// id (Chatwoot enqueues some events twice): stored once.
		e.clock.Set(e.clock.Now().Add(time.Minute))
		again := e.send(delivery{body: body, secret: secretA, id: "d-2"})
		if again.Code != http.StatusOK || strings.TrimSpace(again.Body.String()) != `{"duplicate":true}` {
			t.Fatalf("duplicate: %d %s", again.Code, again.Body)
		}
		if n, j := e.executions(), e.jobs(); n != 1 || j != 1 {
			t.Fatalf("after a duplicate: %d executions, %d jobs; want 1 and 1", n, j)
		}
		if r2 := e.row(id); r2 != r {
			t.Fatalf("the duplicate changed the row: %+v → %+v", r, r2)
		}

		// Delivery ids are per link: the same id on another link is new.
		e.accept(delivery{path: "/webhooks/chatwoot/" + linkB, body: body, secret: secretB, id: "d-1"})
		// Other events count once per signature: the header is not signed,
		// so a captured delivery replayed with another (or no) delivery id
		// is a duplicate.
		updated := msg("message_updated", 101)
		ts := e.clock.Now()
		hid := e.accept(delivery{body: updated, at: ts, id: "u-1"})
		if got := e.row(hid).DeliveryID; got != "u-1" {
			t.Fatalf("delivery id %q, want the header's", got)
		}
		for _, id := range []string{"u-2", ""} {
			if rec := e.send(delivery{body: updated, secret: secretA, at: ts, id: id}); !strings.Contains(rec.Body.String(), `"duplicate":true`) {
				t.Fatalf("replayed signature with delivery id %q: %d %s", id, rec.Code, rec.Body)
			}
		}
		// A later Retry of a failed message (the same message_updated body,
		// signed again at a later time) is acted on.
		e.accept(delivery{body: updated, at: ts.Add(time.Second), id: "u-3"})
		if n, j := e.executions(), e.jobs(); n != 4 || j != 4 {
			t.Fatalf("%d executions, %d jobs; want 4 and 4", n, j)
		}
	})
}

func TestRefusedDeliveriesStoreNothing(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		body := msg("message_created", 7)
		now := e.clock.Now()
		ts := strconv.FormatInt(now.Unix(), 10)
		good := intake.Sign(secretA, ts, []byte(body))
		cases := []struct {
			name string
			d    delivery
		}{
			{"tampered body", delivery{body: body, header: map[string]string{
				"X-Chatwoot-Timestamp": ts, "X-Chatwoot-Signature": intake.Sign(secretA, ts, []byte(msg("message_created", 8)))}}},
			{"wrong secret", delivery{body: body, secret: secretB}},
			{"6 minutes old", delivery{body: body, secret: secretA, at: now.Add(-6 * time.Minute)}},
			{"6 minutes ahead", delivery{body: body, secret: secretA, at: now.Add(6 * time.Minute)}},
			{"timestamp of another signature", delivery{body: body, header: map[string]string{
				"X-Chatwoot-Timestamp": strconv.FormatInt(now.Unix()+1, 10), "X-Chatwoot-Signature": good}}},
			{"no headers", delivery{body: body, secret: secretA, unsigned: true}},
			{"no timestamp", delivery{body: body, header: map[string]string{"X-Chatwoot-Signature": good}}},
			{"no signature", delivery{body: body, header: map[string]string{"X-Chatwoot-Timestamp": ts}}},
			{"signature without prefix", delivery{body: body, header: map[string]string{
				"X-Chatwoot-Timestamp": ts, "X-Chatwoot-Signature": strings.TrimPrefix(good, "sha256=")}}},
			{"upper-case signature", delivery{body: body, header: map[string]string{
				"X-Chatwoot-Timestamp": ts, "X-Chatwoot-Signature": "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256="))}}},
			{"timestamp not a number", delivery{body: body, header: map[string]string{
				"X-Chatwoot-Timestamp": ts + ".0", "X-Chatwoot-Signature": intake.Sign(secretA, ts+".0", []byte(body))}}},
			{"unknown link", delivery{path: "/webhooks/chatwoot/" + unknownLink, body: body, secret: secretA}},
			{"account link id on the inbox route", delivery{path: "/webhooks/chatwoot/inboxes/" + linkA, body: body, secret: secretA}},
			{"inbox secret on the account route", delivery{body: body, secret: inboxKey}},
			{"token link without token", delivery{path: "/webhooks/chatwoot/" + linkToken, body: body}},
			{"malformed JSON from an unknown link", delivery{path: "/webhooks/chatwoot/" + unknownLink, body: `{"event":`}},
		}
		for _, tc := range cases {
			rec := e.send(tc.d)
			if rec.Code != http.StatusUnauthorized || errorCode(rec) != "UNAUTHORIZED" {
				t.Errorf("%s: %d %s, want 401 UNAUTHORIZED", tc.name, rec.Code, rec.Body)
			}
		}
		if n, j := e.executions(), e.jobs(); n != 0 || j != 0 {
			t.Fatalf("refused deliveries stored %d executions and %d jobs", n, j)
		}
		// The window is inclusive: 5 minutes either way still passes.
		e.accept(delivery{body: body, at: now.Add(-5 * time.Minute), id: "edge-past"})
		e.accept(delivery{body: msg("message_created", 9), at: now.Add(5 * time.Minute), id: "edge-future"})
	})
}

func TestURLTokenFallback(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		body := msg("conversation_created", 3)
		cases := []struct {
			name, link, token string
			status            int
		}{
			{"enabled, right token", linkToken, urlToken, 200},
			{"enabled, wrong token", linkToken, urlToken + "x", 401},
			{"enabled, token prefix", linkToken, urlToken[:10], 401},
			{"enabled, empty token", linkToken, "", 401},
			{"disabled, right token", linkTokOff, urlToken, 401},
			{"link with a secret ignores the token", linkBoth, urlToken, 401},
		}
		for i, tc := range cases {
			path := "/webhooks/chatwoot/" + tc.link + "?token=" + tc.token
			rec := e.send(delivery{path: path, body: body, id: "tok-" + strconv.Itoa(i)})
			if rec.Code != tc.status {
				t.Errorf("%s: %d %s, want %d", tc.name, rec.Code, rec.Body, tc.status)
			}
		}
		if n := e.count(`SELECT count(*) FROM event_executions WHERE source_id = $1 AND delivery_header = 'tok-0'`, linkToken); n != 1 || e.executions() != 1 {
			t.Fatalf("want only the right-token delivery stored, have %d rows", e.executions())
		}
		// A signed delivery to the link that has both still passes.
		e.accept(delivery{path: "/webhooks/chatwoot/" + linkBoth + "?token=wrong", body: body})
	})
}

func TestMalformedAndOversizedBodies(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		for _, body := range []string{
			``, `{"event":`, `[]`, `"message_created"`, `null`, `{}`, `{"event":5}`, `{"event":""}`,
			`{"event":"message created"}`, `{"event":"` + strings.Repeat("x", 101) + `"}`,
			`{"event":"a"} {"event":"b"}`, `{"event":"a"}]`,
		} {
			rec := e.send(delivery{body: body, secret: secretA})
			if rec.Code != http.StatusBadRequest {
				t.Errorf("body %q: %d %s, want 400", body, rec.Code, rec.Body)
			}
		}
		// A malformed delivery header is not signed: it is dropped, never
		// a reason to refuse a signed event.
		if id := e.accept(delivery{body: msg("message_created", 2), id: "bad id with spaces"}); e.row(id).DeliveryID != "" {
			t.Errorf("bad delivery id stored as %q", e.row(id).DeliveryID)
		}
		e.exec(`DELETE FROM event_executions`)

		e.hd.MaxBody = 512
		big := `{"event":"message_created","content":"` + strings.Repeat("x", 600) + `"}`
		if rec := e.send(delivery{body: big, secret: secretA}); rec.Code != http.StatusRequestEntityTooLarge || errorCode(rec) != "PAYLOAD_TOO_LARGE" {
			t.Errorf("oversized: %d %s, want 413 PAYLOAD_TOO_LARGE", rec.Code, rec.Body)
		}
		// No Content-Length (chunked): the cap still holds while reading.
		ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
		req := httptest.NewRequest(http.MethodPost, "/webhooks/chatwoot/"+linkA, io.MultiReader(strings.NewReader(big)))
		req.ContentLength = -1
		req.Header.Set("X-Chatwoot-Timestamp", ts)
		req.Header.Set("X-Chatwoot-Signature", intake.Sign(secretA, ts, []byte(big)))
		chunked := httptest.NewRecorder()
		e.mux.ServeHTTP(chunked, req)
		if chunked.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized chunked: %d %s, want 413", chunked.Code, chunked.Body)
		}
		if n, j := e.executions(), e.jobs(); n != 0 || j != 0 {
			t.Fatalf("refused bodies stored %d executions and %d jobs", n, j)
		}
		e.accept(delivery{body: msg("message_created", 1)}) // under the cap
	})
}

func TestSecretsRedactedBeforeStoring(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		secrets := []string{"hmac-AAAA1111", "api-secret-BBBB2222", "hubtok-CCCC3333", "ident-DDDD4444", "key-EEEE5555",
			"verify-FFFF6666", "site-GGGG7777", "pubsub-secret-1", "pw-HHHH8888"}
		body := `{"event":"inbox_updated","channel_type":"Channel::Api","greeting_message":"Oi","timezone":"America/Sao_Paulo",
			"avatar_url":"","account":{"id":1,"name":"Acme"},
			"channel":{"id":9,"account_id":1,"hmac_token":"hmac-AAAA1111","secret":"api-secret-BBBB2222",
				"webhook_url":"https://hub.example.com/webhooks/chatwoot/inboxes/x?token=hubtok-CCCC3333",
				"identifier":"ident-DDDD4444","hmac_mandatory":false,
				"provider_config":{"api_key":"key-EEEE5555","webhook_verify_token":"verify-FFFF6666","phone_number_id":"123"},
				"website_token":"site-GGGG7777","imap_password":"pw-HHHH8888","bot_token":null,"additional_attributes":{}},
			"contact_inbox":{"pubsub_token":"pubsub-secret-1"},"big":12345678901234567890}`
		id := e.accept(delivery{path: "/webhooks/chatwoot/inboxes/" + inboxLinkA, body: body, secret: inboxKey})
		r := e.row(id)
		if r.Source != intake.SourceChatwootInbox || r.SourceID != inboxLinkA || r.Event != "inbox_updated" || r.AccountID != e.accA {
			t.Fatalf("row %+v", r)
		}
		for _, s := range secrets {
			if strings.Contains(r.Payload.String, s) {
				t.Errorf("stored payload keeps the secret %q: %s", s, r.Payload.String)
			}
		}
		var p struct {
			ChannelType string `json:"channel_type"`
			Greeting    string `json:"greeting_message"`
			Big         json.Number
			Channel     map[string]any
		}
		dec := json.NewDecoder(strings.NewReader(r.Payload.String))
		dec.UseNumber()
		must(t, dec.Decode(&p))
		ch := p.Channel
		pc, _ := ch["provider_config"].(map[string]any)
		for k, want := range map[string]any{
			"hmac_token": intake.Redacted, "secret": intake.Redacted, "identifier": intake.Redacted,
			"website_token": intake.Redacted, "imap_password": intake.Redacted, "bot_token": nil,
			"webhook_url": "https://hub.example.com/webhooks/chatwoot/inboxes/x?[redacted]",
		} {
			if ch[k] != want {
				t.Errorf("channel.%s = %v, want %v", k, ch[k], want)
			}
		}
		if pc["api_key"] != intake.Redacted || pc["webhook_verify_token"] != intake.Redacted || pc["phone_number_id"] != "123" {
			t.Errorf("provider_config = %v", pc)
		}
		if p.ChannelType != "Channel::Api" || p.Greeting != "Oi" || p.Big.String() != "12345678901234567890" || ch["hmac_mandatory"] != false {
			t.Errorf("non-secret fields changed: %s", r.Payload.String)
		}
	})
}

// The handler reads the body once, so a request body that fails midway is
// a clean 400 and stores nothing.
func TestUnreadableBody(t *testing.T) {
	t.Parallel()
	e := setup(t, "sqlite")
	req := httptest.NewRequest(http.MethodPost, "/webhooks/chatwoot/"+linkA, io.MultiReader(bytes.NewReader([]byte(`{"ev`)), failingReader{}))
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || e.executions() != 0 {
		t.Fatalf("unreadable body: %d %s", rec.Code, rec.Body)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// Chatwoot may deliver the same event twice at once (#11901): the unique
// constraint lets exactly one through, and the others answer duplicate.
func TestConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		e.sink()
		body := msg("message_created", 11901)
		ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
		sig := intake.Sign(secretA, ts, []byte(body))
		const n = 8
		answers := make(chan string, n)
		for range n {
			go func() {
				req := httptest.NewRequest(http.MethodPost, "/webhooks/chatwoot/"+linkA, strings.NewReader(body))
				req.Header.Set("X-Chatwoot-Timestamp", ts)
				req.Header.Set("X-Chatwoot-Signature", sig)
				req.Header.Set("X-Chatwoot-Delivery", "same")
				rec := httptest.NewRecorder()
				e.mux.ServeHTTP(rec, req)
				answers <- strconv.Itoa(rec.Code) + " " + strings.TrimSpace(rec.Body.String())
			}()
		}
		received, dup := 0, 0
		for range n {
			a := <-answers
			switch {
			case strings.HasPrefix(a, `200 {"id":`) && strings.Contains(a, `"received":true`):
				received++
			case a == `200 {"duplicate":true}`:
				dup++
			default:
				t.Errorf("answer %s", a)
			}
		}
		if received != 1 || dup != n-1 || e.executions() != 1 || e.jobs() != 1 {
			t.Fatalf("received %d, duplicates %d, rows %d, jobs %d; want 1, %d, 1, 1", received, dup, e.executions(), e.jobs(), n-1)
		}
	})
}
