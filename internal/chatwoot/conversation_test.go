package chatwoot_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
)

// The conversation tab's data is authorised by the agent's own Chatwoot
// inbox memberships recorded at SSO; admins see every conversation.
func TestConversationContext(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		bruno, ana := f.user("bruno@acme.test"), f.user("ana@acme.test")
		mine, _ := f.sim.AddInbox(1, cwsim.InboxSpec{Name: "Mine", MemberIDs: []int{bruno.ID}})
		other, _ := f.sim.AddInbox(1, cwsim.InboxSpec{Name: "Other"})
		c1, _ := f.sim.AddContact(1, cwsim.ContactSpec{Name: "Cliente Um", InboxID: mine.ID})
		c2, _ := f.sim.AddContact(1, cwsim.ContactSpec{Name: "Cliente Dois", InboxID: other.ID})
		conv1, _ := f.sim.AddConversation(1, cwsim.ConversationSpec{InboxID: mine.ID, ContactID: c1.ID})
		conv2, _ := f.sim.AddConversation(1, cwsim.ConversationSpec{InboxID: other.ID, ContactID: c2.ID})
		f.link(t, 1, ana.APIAccessToken).Expect(t, 200)
		origin := f.simURL
		agentTok := f.sso(t, "bruno@acme.test", 1, origin).Expect(t, 200).JSON(t)["token"].(string)
		adminTok := f.sso(t, "ana@acme.test", 1, origin).Expect(t, 200).JSON(t)["token"].(string)
		path := func(id int) string {
			return "/api/v1/accounts/" + f.tenant.ID + "/chatwoot/conversations/" + strconv.Itoa(id)
		}
		got := f.h.Do(apptest.Req{Method: "GET", Path: path(conv1.ID), Token: agentTok}).Expect(t, 200).JSON(t)
		if got["contact"].(map[string]any)["name"] != "Cliente Um" || got["inbox_id"].(float64) != float64(mine.ID) {
			t.Fatalf("conversation: %v", got)
		}
		f.h.Do(apptest.Req{Method: "GET", Path: path(conv2.ID), Token: agentTok}).ExpectError(t, 404, "NOT_FOUND")
		f.h.Do(apptest.Req{Method: "GET", Path: path(conv2.ID), Token: adminTok}).Expect(t, 200)
		f.h.Do(apptest.Req{Method: "GET", Path: path(999), Token: adminTok}).ExpectError(t, 404, "NOT_FOUND")
	})
}

// Chatwoot before 4.12 does not sign: an opt-in, rotatable URL token then
// authenticates the webhooks.
func TestURLToken(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		view := f.link(t, 1, f.user("ana@acme.test").APIAccessToken).Expect(t, 200).JSON(t)
		hook := strings.TrimPrefix(view["webhook_url"].(string), f.h.URL)
		body := `{"event":"conversation_created","id":1,"account":{"id":1}}`
		post := func(q string) *apptest.Resp {
			return f.h.Do(apptest.Req{Method: "POST", Path: hook + q, Body: body,
				Header: map[string]string{"X-Chatwoot-Delivery": "d-" + strconv.FormatInt(time.Now().UnixNano(), 10)}})
		}
		post("").ExpectError(t, 401, "UNAUTHORIZED") // off by default
		path := "/api/v1/accounts/" + f.tenant.ID + "/chatwoot/url-token"
		on := func() string {
			r := f.h.Do(apptest.Req{Method: "PUT", Path: path, Token: f.tenant.Admin.Token, Body: map[string]bool{"enabled": true}}).Expect(t, 200).JSON(t)
			return r["webhook_url"].(string)[strings.Index(r["webhook_url"].(string), "?"):]
		}
		first := on()
		post(first).Expect(t, 200)
		second := on() // rotation
		post(first).ExpectError(t, 401, "UNAUTHORIZED")
		post(second).Expect(t, 200)
		f.h.Do(apptest.Req{Method: "PUT", Path: path, Token: f.tenant.Admin.Token, Body: map[string]bool{"enabled": false}}).Expect(t, 200)
		post(second).ExpectError(t, 401, "UNAUTHORIZED")
		if v := f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + f.tenant.ID + "/chatwoot", Token: f.tenant.Admin.Token}).JSON(t); strings.Contains(v["webhook_url"].(string), "token") {
			t.Fatal("the URL token must not be shown again")
		}
	})
}
