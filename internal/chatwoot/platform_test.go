package chatwoot_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
)

const platformSecret = "platform-secret-new"

func sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10) + "."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func TestPlatformEvents(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setupWith(t, dialect, "WHATPRO_PLATFORM_EVENTS_SECRET="+platformSecret+",platform-secret-old")
		post := func(delivery, secret string, ts time.Time, ev any) *apptest.Resp {
			body, _ := json.Marshal(ev)
			return f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/platform-app/events", Body: body, Header: map[string]string{
				"X-WhatPro-Timestamp": strconv.FormatInt(ts.Unix(), 10), "X-WhatPro-Delivery": delivery,
				"X-WhatPro-Signature": sign(secret, ts.Unix(), body)}})
		}
		now := time.Now()
		prov := map[string]any{"type": "account.provisioned", "data": map[string]any{"name": "Beta", "chatwoot_base_url": f.simURL,
			"chatwoot_account_id": 2, "chatwoot_api_access_token": f.user("carla@beta.test").APIAccessToken}}
		accounts := f.h.Count(`SELECT count(*) FROM accounts`)
		post("d0", "wrong", now, prov).ExpectError(t, 401, "UNAUTHORIZED")
		post("d0", platformSecret, now.Add(-6*time.Minute), prov).ExpectError(t, 401, "UNAUTHORIZED")
		post("d0", platformSecret, now, map[string]any{"type": "account.provisioned", "data": map[string]any{"bogus": 1}}).Expect(t, 400)
		if f.h.Count(`SELECT count(*) FROM accounts`) != accounts {
			t.Fatal("a refused event changed something")
		}
		r := post("d1", platformSecret, now, prov).Expect(t, 201).JSON(t)
		accountID := r["account_id"].(string)
		if post("d1", platformSecret, now, prov).Expect(t, 200).JSON(t)["duplicate"] != true {
			t.Fatal("a repeated delivery must be reported as duplicate")
		}
		// idempotent on the Chatwoot account, with the old secret too (sent
		// a second later: the same time and body would be a duplicate)
		if post("d2", "platform-secret-old", now.Add(time.Second), prov).Expect(t, 200).JSON(t)["account_id"] != accountID {
			t.Fatal("provisioning the same Chatwoot account twice must reuse the hub account")
		}
		post("d3", platformSecret, now, map[string]any{"type": "user.provisioned", "data": map[string]any{
			"account_id": accountID, "email": "op@beta.test", "name": "Op", "role": "admin"}}).Expect(t, 200)
		post("d4", platformSecret, now, map[string]any{"type": "account.suspended", "data": map[string]any{"account_id": accountID}}).Expect(t, 200)
		// a suspended account refuses SSO
		origin := f.simURL
		f.sso(t, "carla@beta.test", 2, origin).ExpectError(t, 403, "ACCOUNT_SUSPENDED")
		post("d5", platformSecret, now, map[string]any{"type": "account.reactivated", "data": map[string]any{"account_id": accountID}}).Expect(t, 200)
		tok := f.sso(t, "carla@beta.test", 2, origin).Expect(t, 200).JSON(t)["token"].(string)
		cfg := f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/platform-app/config", Token: tok}).Expect(t, 200).JSON(t)
		if cfg["account_id"] != accountID || cfg["allowed_origins"].([]any)[0] != origin {
			t.Fatalf("config: %v", cfg)
		}
		post("d6", platformSecret, now, map[string]any{"type": "user.removed", "data": map[string]any{"account_id": accountID, "email": "op@beta.test"}}).Expect(t, 200)
		post("d7", platformSecret, now, map[string]any{"type": "nope", "data": map[string]any{}}).Expect(t, 400)
		// Suspending and reactivating are audited under their own actions, by the platform.
		for _, action := range []string{"account.suspended", "account.reactivated"} {
			if c := f.h.Count(`SELECT count(*) FROM audit_logs WHERE account_id = $1 AND action = $2 AND actor_type = 'platform'`, accountID, action); c != 1 {
				t.Errorf("%s audited %d times, want 1", action, c)
			}
		}

		// A captured event replayed with another or no delivery header is
		// the same signature: a duplicate, nothing applied again.
		removed := map[string]any{"type": "user.removed", "data": map[string]any{"account_id": accountID, "email": "op@beta.test"}}
		for _, d := range []string{"d6-again", ""} {
			if post(d, platformSecret, now, removed).Expect(t, 200).JSON(t)["duplicate"] != true {
				t.Fatalf("the same signature under delivery %q must be a duplicate", d)
			}
		}
		// An event signed before the last one applied to the same person
		// changes nothing: a replayed provisioning cannot re-add them.
		older := now.Add(-time.Minute)
		reAdd := map[string]any{"type": "user.provisioned", "data": map[string]any{
			"account_id": accountID, "email": "op@beta.test", "name": "Op", "role": "admin"}}
		if post("d8", platformSecret, older, reAdd).Expect(t, 200).JSON(t)["stale"] != true {
			t.Fatal("an older event for the same member must be reported stale")
		}
		if n := f.h.Count(`SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.account_id = $1 AND u.email = 'op@beta.test' AND m.status = 'active'`, accountID); n != 0 {
			t.Fatal("a stale provisioning re-added a removed member")
		}
		// Applied events are in the account's event history, secrets masked.
		if n := f.h.Count(`SELECT count(*) FROM event_executions WHERE account_id = $1 AND source = 'platform' AND status = 'done'`,
			accountID); n < 5 {
			t.Fatalf("%d platform events recorded, want each applied one", n)
		}
		if n := f.h.Count(`SELECT count(*) FROM event_executions WHERE source = 'platform' AND payload LIKE $1`,
			"%"+f.user("carla@beta.test").APIAccessToken+"%"); n != 0 {
			t.Fatal("a stored platform event keeps the Chatwoot token")
		}
		_ = cwsim.RoleAgent
	})
}
