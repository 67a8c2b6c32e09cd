package provider_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/provider/providersim"
)

// One Evolution server sends every number's webhooks from one address, so
// an authenticated provider webhook is never limited by rate (not even by
// the hub's limit of anonymous requests per address, set to 5 here); only
// deliveries that fail authentication spend a budget, per provider, and
// are answered 429 once it is spent, while another provider keeps its own.
func TestProviderWebhookRateLimitsFailuresOnly(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv("WHATPRO_RATE_LIMIT_ANON=5")})
		f := &fixture{h: h, ten: h.NewTenant(h.LoginSuper(), "Acme")}
		evo := providersim.NewEvolution(providersim.Options{})
		evoURL := serve(t, evo.Handler())
		hookOf := func(name string) (string, string) {
			pid := f.do(t, "POST", "/providers", map[string]any{"name": name, "type": "evolution", "base_url": evoURL,
				"credentials": map[string]string{"api_key": evo.APIKey()}}).Expect(t, 201).JSON(t)["id"].(string)
			iid := f.do(t, "POST", "/provider-instances", map[string]any{"provider_id": pid, "name": strings.ToLower(name)}).Expect(t, 201).JSON(t)["id"].(string)
			f.do(t, "POST", "/provider-instances/"+iid+"/connect", nil).Expect(t, 202)
			hook, ok := evo.Webhook(strings.ToLower(name))
			if !ok {
				t.Fatal("no webhook registered")
			}
			return hook.URL[strings.Index(hook.URL, "/webhooks/"):], "/webhooks/providers/" + pid
		}
		pathA, bareA := hookOf("Vendas")
		_, bareB := hookOf("Suporte")
		before := h.Count(`SELECT count(*) FROM event_executions`)

		// The budget (600 a minute, 61 at once) runs out however slowly
		// the machine sends: past 1,000 forged deliveries it never refilled
		// that fast.
		limited := false
		for i := 0; i < 1000 && !limited; i++ {
			r := h.Do(apptest.Req{Method: "POST", Path: bareA + "?token=forged", Body: `{"event":"messages.upsert","instance":"vendas","data":{}}`})
			switch r.Status {
			case 429:
				limited = true
			case 401:
			default:
				t.Fatalf("forged delivery %d: %d %s", i, r.Status, r.Body)
			}
		}
		if !limited {
			t.Fatal("a provider failing authentication 1,000 times was never limited")
		}
		for i := range 30 {
			body := fmt.Sprintf(`{"event":"messages.upsert","instance":"vendas","data":{"key":{"remoteJid":"5511987650001@s.whatsapp.net","fromMe":false,"id":"RL%04d"},"message":{"conversation":"oi"},"messageType":"conversation","messageTimestamp":1764590400}}`, i)
			h.Do(apptest.Req{Method: "POST", Path: pathA, Body: body}).Expect(t, 200)
		}
		h.Do(apptest.Req{Method: "POST", Path: bareB + "?token=forged", Body: `{}`}).ExpectError(t, 401, "UNAUTHORIZED")
		if n := h.Count(`SELECT count(*) FROM event_executions`) - before; n < 30 {
			t.Fatalf("%d events stored, want the 30 authenticated ones", n)
		}
	})
}
