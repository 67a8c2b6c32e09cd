package provider_test

import (
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
	"github.com/whatpro/hub/internal/provider/providersim"
)

// Adopting a Chatwoot inbox that another number of the account already
// serves is refused with a field error the console translates (code
// "taken", the inbox and the other number as params), and changes nothing:
// the number keeps no inbox, Chatwoot gets no new one, nothing is audited.
func TestAdoptingAnInboxAnotherNumberServesIsTaken(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		sim := cwsim.New(cwsim.DefaultSeed(), cwsim.Options{})
		t.Cleanup(sim.Close)
		var token string
		for _, u := range sim.Seed().Users {
			if u.Email == "ana@acme.test" {
				token = u.APIAccessToken
			}
		}
		f.do(t, "PUT", "/chatwoot", map[string]any{"base_url": serve(t, sim.Handler()), "chatwoot_account_id": 1, "api_access_token": token}).Expect(t, 200)
		evo := providersim.NewEvolution(providersim.Options{})
		pid := f.do(t, "POST", "/providers", map[string]any{"name": "Evo", "type": "evolution", "base_url": serve(t, evo.Handler()),
			"credentials": map[string]string{"api_key": evo.APIKey()}}).Expect(t, 201).JSON(t)["id"].(string)
		vendas := f.do(t, "POST", "/provider-instances", map[string]any{"provider_id": pid, "name": "vendas"}).Expect(t, 201).JSON(t)["id"].(string)
		suporte := f.do(t, "POST", "/provider-instances", map[string]any{"provider_id": pid, "name": "suporte"}).Expect(t, 201).JSON(t)["id"].(string)
		served := f.do(t, "POST", "/provider-instances/"+vendas+"/inbox", map[string]any{"name": "WhatsApp Vendas"}).Expect(t, 201).JSON(t)
		cwInbox := int(served["chatwoot_inbox_id"].(float64))
		inboxes := len(sim.Inboxes(1))
		audited := f.h.Count(`SELECT count(*) FROM audit_logs WHERE account_id = $1 AND action = 'provider_instance.inbox_linked'`, f.ten.ID)

		var answer struct {
			Error struct {
				Code    string `json:"code"`
				Details []struct {
					Field  string         `json:"field"`
					Code   string         `json:"code"`
					Params map[string]any `json:"params"`
				} `json:"details"`
			} `json:"error"`
		}
		f.do(t, "POST", "/provider-instances/"+suporte+"/inbox", map[string]any{"adopt_chatwoot_inbox_id": cwInbox}).
			ExpectError(t, 409, "CONFLICT").Decode(t, &answer)
		if len(answer.Error.Details) != 1 {
			t.Fatalf("details: %+v", answer.Error)
		}
		d := answer.Error.Details[0]
		if d.Field != "adopt_chatwoot_inbox_id" || d.Code != "taken" || d.Params["number"] != "vendas" || d.Params["chatwoot_inbox_id"] != float64(cwInbox) {
			t.Fatalf("field error: %+v", d)
		}

		// Nothing changed: the number has no inbox, the other keeps its own.
		if n := f.do(t, "GET", "/provider-instances/"+suporte, nil).Expect(t, 200).JSON(t); n["inbox_id"] != nil || n["inbox_state"] != "" {
			t.Fatalf("the refused number: %v", n)
		}
		if n := f.do(t, "GET", "/provider-instances/"+vendas, nil).Expect(t, 200).JSON(t); n["inbox_id"] != served["id"] || n["inbox_state"] != "active" {
			t.Fatalf("the serving number: %v", n)
		}
		if got := len(sim.Inboxes(1)); got != inboxes {
			t.Fatalf("Chatwoot has %d inboxes, had %d", got, inboxes)
		}
		if got := f.h.Count(`SELECT count(*) FROM audit_logs WHERE account_id = $1 AND action = 'provider_instance.inbox_linked'`, f.ten.ID); got != audited {
			t.Fatalf("%d inbox links audited, had %d", got, audited)
		}
	})
}
