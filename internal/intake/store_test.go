package intake_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/intake"
)

// A suspended account's webhooks are acknowledged (a refusal would make
// Meta retry for days) and stored ignored, never worked.
func TestSuspendedAccountEventsStoredIgnored(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		e.sink()
		e.store.AccountStatus = func(ctx context.Context, accountID string) (string, error) {
			var s string
			err := e.store.DB.R.QueryRowContext(ctx, `SELECT status FROM accounts WHERE id = $1`, accountID).Scan(&s)
			return s, err
		}
		e.exec(`UPDATE accounts SET status = 'suspended' WHERE id = $1`, e.accA)
		id := e.accept(delivery{body: msg("message_created", 1)})
		if r := e.row(id); r.Status != intake.StatusIgnored || r.LastError != "the account is suspended" {
			t.Fatalf("suspended account's event: %+v", r)
		}
		if e.jobs() != 0 || len(e.runs(id)) != 0 {
			t.Fatal("a suspended account's event must not be worked")
		}
		st, err := e.store.Put(context.Background(), intake.Incoming{AccountID: e.accA, Source: intake.SourceProvider,
			SourceID: "p:acme", Event: "messages.upsert", DedupeKey: "wamid.1", Payload: []byte(`{"event":"messages.upsert"}`)})
		if err != nil || !st.Fresh || st.Ignored != "the account is suspended" {
			t.Fatalf("provider event of a suspended account: %+v %v", st, err)
		}
		// Reactivated, its next events are worked again.
		e.exec(`UPDATE accounts SET status = 'active' WHERE id = $1`, e.accA)
		if id := e.accept(delivery{body: msg("message_created", 2)}); e.row(id).Status != intake.StatusReceived || e.jobs() != 1 {
			t.Fatalf("after reactivation: %+v, %d jobs", e.row(id), e.jobs())
		}
	})
}

// Evolution's real messages.upsert: data.key stays whole for the job, the
// hub's ?token= in destination never reaches a stored copy, and the
// displayed payload shows no URL's query or userinfo, while consumers
// still get the media URL they must download.
func TestProviderPayloadRedactedBySource(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		var got []byte
		must(t, e.disp.Register("gateway", intake.SourceProvider, "messages.upsert", func(_ context.Context, ex *intake.Execution) error {
			got = ex.Payload
			return nil
		}))
		body := `{"event":"messages.upsert","instance":"acme","apikey":null,
			"destination":"https://hub.example.com/webhooks/providers/p1?token=hub-token-AAAA",
			"server_url":"https://user:pass-BBBB@evo.example.com","sender":"5531988887777@s.whatsapp.net",
			"data":{"key":{"remoteJid":"5531988887777@s.whatsapp.net","fromMe":false,"id":"3EB0AAAA"},
				"pushName":"Bia","message":{"imageMessage":{"url":"https://mmg.whatsapp.net/o1/v/t62?ccb=11-4&oh=CDN-SIG-CCCC",
				"mediaKey":"bWVkaWE=","jpegThumbnail":"x"}},"session_id":"sess-DDDD","pin":"1234"}}`
		st, err := e.store.Put(context.Background(), intake.Incoming{AccountID: e.accA, Source: intake.SourceProvider,
			SourceID: "p1:acme", Event: "messages.upsert", DedupeKey: "3EB0AAAA", Payload: []byte(body)})
		must(t, err)
		display := e.row(st.ID).Payload.String
		for _, secret := range []string{"hub-token-AAAA", "pass-BBBB", "CDN-SIG-CCCC", "sess-DDDD", `"1234"`, "oh="} {
			if strings.Contains(display, secret) {
				t.Errorf("displayed payload keeps %q: %s", secret, display)
			}
		}
		if !strings.Contains(display, `"key":{"fromMe":false,"id":"3EB0AAAA","remoteJid":"5531988887777@s.whatsapp.net"}`) {
			t.Errorf("displayed payload lost data.key: %s", display)
		}
		must(t, workAs(e.disp, "gateway", st.ID, 1, 10))
		job := string(got)
		for _, secret := range []string{"hub-token-AAAA", "pass-BBBB", "sess-DDDD", `"1234"`} {
			if strings.Contains(job, secret) {
				t.Errorf("the job's payload keeps %q: %s", secret, job)
			}
		}
		for _, want := range []string{`"remoteJid":"5531988887777@s.whatsapp.net"`, `"id":"3EB0AAAA"`, "oh=CDN-SIG-CCCC", `"mediaKey":"bWVkaWE="`} {
			if !strings.Contains(job, want) {
				t.Errorf("the job's payload lost %s: %s", want, job)
			}
		}
		// The list shows the displayed copy.
		e.login()
		if rec := e.api("GET", "/api/v1/accounts/"+e.accA+"/webhook-events", nil); rec.Code != http.StatusOK ||
			strings.Contains(rec.Body.String(), "CDN-SIG-CCCC") || strings.Contains(rec.Body.String(), "hub-token-AAAA") {
			t.Fatalf("list: %d %s", rec.Code, rec.Body)
		}
		// A bad Incoming writes nothing.
		for _, bad := range []intake.Incoming{
			{AccountID: e.accA, Source: "smtp", SourceID: "x", Event: "e", DedupeKey: "k", Payload: []byte(`{}`)},
			{AccountID: e.accA, Source: intake.SourceProvider, SourceID: "x", Event: "e", DedupeKey: "", Payload: []byte(`{}`)},
			{AccountID: e.accA, Source: intake.SourceProvider, SourceID: "x", Event: "e", DedupeKey: "k", Payload: []byte(`[]`)},
			{AccountID: e.accA, Source: intake.SourceProvider, SourceID: "", Event: "e", DedupeKey: "k", Payload: []byte(`{}`)},
		} {
			if _, err := e.store.Put(context.Background(), bad); err == nil {
				t.Errorf("Put(%+v) accepted", bad)
			}
		}
		if e.executions() != 1 {
			t.Fatalf("%d events stored, want 1", e.executions())
		}
	})
}

// Rate limits apply before authentication only: a link that keeps failing
// authentication is answered 429, while its authenticated deliveries are
// all stored, and other links keep their own budget.
func TestRefusalsNeverRefuseAuthenticated(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		e.hd.Refusals = &intake.Refusals{PerMinute: 10}
		limited := 0
		for range 20 {
			switch rec := e.send(delivery{body: msg("message_updated", 1), secret: secretB}); rec.Code {
			case http.StatusTooManyRequests:
				limited++
			case http.StatusUnauthorized:
			default:
				t.Fatalf("a forged delivery: %d %s", rec.Code, rec.Body)
			}
		}
		if limited == 0 {
			t.Fatal("a link failing authentication 20 times was never limited")
		}
		for i := range 50 {
			e.accept(delivery{body: msg("message_created", 100+i)})
		}
		if rec := e.send(delivery{path: "/webhooks/chatwoot/" + linkB, body: msg("message_updated", 1), secret: secretA}); rec.Code != http.StatusUnauthorized {
			t.Fatalf("another link's first refusal: %d, want 401", rec.Code)
		}
		if e.executions() != 50 {
			t.Fatalf("%d events stored, want the 50 authenticated ones", e.executions())
		}
	})
}
