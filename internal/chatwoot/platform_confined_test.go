package chatwoot_test

import (
	"encoding/json"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
)

// Platform provisioning of an address nobody proved, which a tenant admin created, into another
// account is refused and audited; provisioning a new address hands over an activation link
// (no SMTP here) and never a password; the last admin cannot be demoted by an event.
func TestPlatformProvisioningRespectsConfinement(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setupWith(t, dialect, "WHATPRO_PLATFORM_EVENTS_SECRET="+platformSecret)
		n := 0
		post := func(ev any) *apptest.Resp {
			n++
			body, _ := json.Marshal(ev)
			ts := time.Now().Unix()
			return f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/platform-app/events", Body: body, Header: map[string]string{
				"X-WhatPro-Timestamp": strconv.FormatInt(ts, 10), "X-WhatPro-Delivery": "conf-" + strconv.Itoa(n),
				"X-WhatPro-Signature": sign(platformSecret, ts, body)}})
		}
		super := f.h.LoginSuper()
		other := f.h.NewTenant(super, "Other")
		// A tenant admin's unproven user.
		inv := f.h.Invite(f.tenant.Admin.Token, f.tenant.ID, "held@example.test", "agent")
		f.h.Activate(inv.InvitationURL, apptest.Password)
		provision := func(email, role string) *apptest.Resp {
			return post(map[string]any{"type": "user.provisioned", "data": map[string]any{"account_id": other.ID, "email": email, "name": "N", "role": role}})
		}
		provision("held@example.test", "agent").ExpectError(t, 409, "CONFLICT")
		if f.h.Count(`SELECT count(*) FROM memberships WHERE account_id = $1 AND user_id = $2`, other.ID, inv.ID) != 0 {
			t.Error("the refused event made a membership")
		}
		if rows := f.h.AuditLog(other.Admin.Token, other.ID, url.Values{"action": {"user.join.refused_unverified"}}); len(rows) != 1 {
			t.Errorf("refusal audited %d times in the target account", len(rows))
		}
		// A new address: active at once, with a link to choose the password.
		r := provision("fresh@example.test", "agent").Expect(t, 200).JSON(t)
		link, _ := r["activation_url"].(string)
		if link == "" {
			t.Fatalf("no activation link: %v", r)
		}
		f.h.Activate(link, apptest.Password)
		f.h.Login("fresh@example.test", apptest.Password)
		// The account's last admin is not demoted by an event.
		provision(other.Admin.Email, "agent").ExpectError(t, 409, "CONFLICT")
	})
}
