package cwsim

import (
	"net/http"
	"strconv"
	"testing"
)

func createInboxAPI(t *testing.T, s *Sim, accountID, adminID int, name, webhookURL string) map[string]any {
	t.Helper()
	r := do(t, s, "POST", "/api/v1/accounts/"+itoa(accountID)+"/inboxes", tokenHeader(s, adminID),
		map[string]any{"name": name, "channel": map[string]any{"type": "api", "webhook_url": webhookURL}})
	want(t, r, http.StatusOK)
	return r.json(t)
}

func TestCreateAPIInboxReturnsSecretAndWebhookURL(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	ib := createInboxAPI(t, s, 1, adminAcme, "WA +55 11 99999-0000", "https://hub.test/cw/inbox/1")
	if ib["channel_type"] != "Channel::Api" || ib["webhook_url"] != "https://hub.test/cw/inbox/1" || ib["name"] != "WA +55 11 99999-0000" {
		t.Errorf("inbox = %v", ib)
	}
	secret, _ := ib["secret"].(string)
	if len(secret) < 20 || ib["hmac_token"] == secret || ib["inbox_identifier"] == "" {
		t.Errorf("secret %q, hmac_token %v, identifier %v", secret, ib["hmac_token"], ib["inbox_identifier"])
	}
	if got := s.Inboxes(1); len(got) != 1 || got[0].Secret != secret || got[0].ID != num(ib["id"]) {
		t.Errorf("Sim.Inboxes = %+v", got)
	}
	// Web-widget keys are rendered as null for API inboxes (channel.try).
	if v, present := ib["website_token"]; !present || v != nil {
		t.Errorf("website_token = %v, present %v", v, present)
	}

	rotated := do(t, s, "POST", "/api/v1/accounts/1/inboxes/"+itoa(num(ib["id"]))+"/reset_secret", tokenHeader(s, adminAcme), nil)
	want(t, rotated, 200)
	if rotated.json(t)["secret"] == secret {
		t.Error("reset_secret kept the old secret")
	}
	upd := do(t, s, "PATCH", "/api/v1/accounts/1/inboxes/"+itoa(num(ib["id"])), tokenHeader(s, adminAcme),
		map[string]any{"channel": map[string]any{"webhook_url": "https://hub.test/new"}, "lock_to_single_conversation": true})
	want(t, upd, 200)
	if upd.json(t)["webhook_url"] != "https://hub.test/new" || upd.json(t)["lock_to_single_conversation"] != true {
		t.Errorf("update = %s", upd.raw)
	}
}

func TestAgentSeesOnlyOwnInboxes(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	mine := createInboxAPI(t, s, 1, adminAcme, "B mine", "")
	other := createInboxAPI(t, s, 1, adminAcme, "A other", "")
	want(t, do(t, s, "POST", "/api/v1/accounts/1/inbox_members", tokenHeader(s, adminAcme),
		map[string]any{"inbox_id": mine["id"], "user_ids": []int{agentAcme}}), 200)

	// The hub records memberships from the list fetched with the agent's own session.
	agent := sessionHeader(signIn(t, s, agentAcme))
	r := do(t, s, "GET", "/api/v1/accounts/1/inboxes", agent, nil)
	want(t, r, 200)
	payload := r.json(t)["payload"].([]any)
	if len(payload) != 1 || num(dig(t, payload, 0, "id")) != num(mine["id"]) {
		t.Fatalf("agent sees %s", r.raw)
	}
	if _, leaked := payload[0].(map[string]any)["secret"]; leaked {
		t.Error("agents must not see the inbox secret")
	}
	want(t, do(t, s, "GET", "/api/v1/accounts/1/inboxes/"+itoa(num(other["id"])), agent, nil), 401)
	want(t, do(t, s, "GET", "/api/v1/accounts/1/inboxes/"+itoa(num(mine["id"])), agent, nil), 200)

	admin := do(t, s, "GET", "/api/v1/accounts/1/inboxes", tokenHeader(s, adminAcme), nil)
	names := []string{}
	for _, ib := range admin.json(t)["payload"].([]any) {
		names = append(names, dig(t, ib, "name").(string))
	}
	if len(names) != 2 || names[0] != "A other" {
		t.Errorf("admin sees %v, want both ordered by name", names)
	}

	members := do(t, s, "GET", "/api/v1/accounts/1/inbox_members/"+itoa(num(mine["id"])), agent, nil)
	want(t, members, 200)
	if ids := members.json(t)["payload"].([]any); len(ids) != 1 || num(dig(t, ids, 0, "id")) != agentAcme {
		t.Errorf("members = %s", members.raw)
	}
}

func TestInboxErrors(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	admin, agent := tokenHeader(s, adminAcme), tokenHeader(s, agentAcme)
	ib := createInboxAPI(t, s, 1, adminAcme, "Main", "")
	id := itoa(num(ib["id"]))
	cases := []struct {
		name, method, path string
		hdr                http.Header
		body               any
		status             int
		raw                string
	}{
		{"blank name", "POST", "/api/v1/accounts/1/inboxes", admin, map[string]any{"name": "", "channel": map[string]any{"type": "api"}},
			422, `{"attributes":["name"],"message":"Name can't be blank"}`},
		{"unknown channel", "POST", "/api/v1/accounts/1/inboxes", admin, map[string]any{"name": "x", "channel": map[string]any{"type": "fax"}},
			422, `{"attributes":["channel"],"message":"Channel must exist"}`},
		{"agent creates", "POST", "/api/v1/accounts/1/inboxes", agent, map[string]any{"name": "x", "channel": map[string]any{"type": "api"}},
			401, `{"error":"You are not authorized to do this action"}`},
		{"agent updates", "PATCH", "/api/v1/accounts/1/inboxes/" + id, agent, map[string]any{"name": "y"}, 401, ""},
		{"agent deletes", "DELETE", "/api/v1/accounts/1/inboxes/" + id, agent, nil, 401, ""},
		{"missing inbox", "GET", "/api/v1/accounts/1/inboxes/999", admin, nil, 404, `{"error":"Resource could not be found"}`},
		{"garbage id", "GET", "/api/v1/accounts/1/inboxes/abc", admin, nil, 404, ""},
		{"other tenant", "GET", "/api/v1/accounts/2/inboxes", admin, nil, 401, `{"error":"You are not authorized to access this account"}`},
		{"unknown account", "GET", "/api/v1/accounts/77/inboxes", admin, nil, 404, ""},
		{"bad json", "POST", "/api/v1/accounts/1/inboxes", admin, `{"name":`, 400, `{"error":"Bad Request","status":400}`},
		{"member not in account", "POST", "/api/v1/accounts/1/inbox_members", admin, map[string]any{"inbox_id": ib["id"], "user_ids": []int{adminBeta}},
			422, `{"attributes":["user"],"message":"User must exist"}`},
		{"unknown route", "GET", "/api/v1/nope", admin, nil, 404, `{"error":"Not Found","status":404}`},
	}
	for _, tc := range cases {
		r := do(t, s, tc.method, tc.path, tc.hdr, tc.body)
		if r.status != tc.status || (tc.raw != "" && string(r.raw) != tc.raw) {
			t.Errorf("%s: %d %s, want %d %s", tc.name, r.status, r.raw, tc.status, tc.raw)
		}
	}
	del := do(t, s, "DELETE", "/api/v1/accounts/1/inboxes/"+id, admin, nil)
	want(t, del, 200)
	if len(s.Inboxes(1)) != 0 {
		t.Error("inbox not deleted")
	}
}

func TestAgentsListIsBareArray(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	r := do(t, s, "GET", "/api/v1/accounts/1/agents", tokenHeader(s, agentAcme), nil)
	want(t, r, 200)
	roles := map[int]string{}
	for _, a := range r.list(t) {
		roles[num(dig(t, a, "id"))] = dig(t, a, "role").(string)
	}
	if len(roles) != 3 || roles[adminAcme] != RoleAdministrator || roles[agentAcme] != RoleAgent || roles[multiUser] != RoleAdministrator {
		t.Errorf("agents = %v", roles)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
