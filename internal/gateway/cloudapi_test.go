package gateway_test

import (
	"strings"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
	"github.com/whatpro/hub/internal/provider/providersim"
)

// The Cloud API number: a voice note fetched with two bearer GETs, a
// reply sent and read; outside the 24-hour window a reply fails with a
// note asking for a template.
func TestCloudAPIBridge(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv("WHATPRO_GATEWAY_SETTLE=20ms", "WHATPRO_GATEWAY_SWEEP_INTERVAL=1s")})
		b := &bridge{h: h, ten: h.NewTenant(h.LoginSuper(), "Meta")}
		b.cw = cwsim.New(cwsim.DefaultSeed(), cwsim.Options{})
		t.Cleanup(b.cw.Close)
		b.cwURL = serve(t, b.cw.Handler())
		b.agent = b.cw.Seed().Users[0].APIAccessToken
		b.do(t, "PUT", "/chatwoot", map[string]any{"base_url": b.cwURL, "chatwoot_account_id": 1, "api_access_token": b.agent}).Expect(t, 200)
		meta := providersim.NewCloudAPI(providersim.Options{})
		t.Cleanup(meta.Close)
		metaURL := serve(t, meta.Handler())
		meta.SetBaseURL(metaURL)
		p := b.do(t, "POST", "/providers", map[string]any{"name": "Meta", "type": "cloud_api", "base_url": metaURL,
			"credentials": map[string]string{"access_token": meta.AccessToken(), "app_secret": meta.AppSecret()}}).Expect(t, 201).JSON(t)
		iid := b.do(t, "POST", "/provider-instances", map[string]any{"provider_id": p["id"], "name": "sac", "phone_number_id": meta.PhoneNumberID()}).
			Expect(t, 201).JSON(t)["id"].(string)
		b.do(t, "POST", "/provider-instances/"+iid+"/connect", nil).Expect(t, 200)
		b.do(t, "POST", "/provider-instances/"+iid+"/inbox", map[string]any{"name": "WhatsApp Oficial"}).Expect(t, 201)
		b.sim(t, "POST", metaURL+"/_sim/webhook", map[string]any{"callback_url": h.URL + "/webhooks/providers/" + p["id"].(string),
			"verify_token": p["verify_token"]}, 200)

		b.sim(t, "POST", metaURL+"/_sim/messages", map[string]any{"from": "5521987650050", "text": "oi pelo oficial", "name": "Rita"}, 0)
		b.sim(t, "POST", metaURL+"/_sim/messages", map[string]any{"from": "5521987650050", "type": "audio", "voice": true}, 0)
		apptest.Eventually(t, "both messages", func() bool { return len(b.convs()) == 1 && len(b.bySource(b.convs()[0].DisplayID)) == 2 })
		conv := b.onlyConversation(t).DisplayID
		msgs := b.cw.Messages(1, conv)
		if msgs[0].Content != "oi pelo oficial" || len(msgs[1].Attachments) != 1 || !msgs[1].Attachments[0].VoiceNote {
			t.Fatalf("messages: %+v", msgs)
		}
		id := b.reply(t, conv, map[string]any{"content": "**oi** Rita"})
		apptest.Eventually(t, "the send", func() bool { return len(meta.Sent()) == 1 })
		sent := meta.Sent()[0]
		if sent.Text != "*oi* Rita" || sent.To != "5521987650050" {
			t.Fatalf("sent: %+v", sent)
		}
		b.sim(t, "POST", metaURL+"/_sim/statuses", map[string]any{"message_id": sent.ID, "status": "read"}, 0)
		apptest.Eventually(t, "read in Chatwoot", func() bool { return b.msg(t, conv, id).Status == "read" })

		// the customer's window closes: Meta answers 200 and then a failed status (131047)
		meta.OpenWindow(meta.PhoneNumberID(), "5521987650050", time.Now().AddDate(0, 0, -2))
		late := b.reply(t, conv, map[string]any{"content": "ainda aí?"})
		apptest.Eventually(t, "the failure", func() bool { return b.msg(t, conv, late).Status == "failed" })
		apptest.Eventually(t, "the template advice", func() bool {
			for _, m := range b.cw.Messages(1, conv) {
				if m.Private && strings.Contains(m.Content, "template") {
					return true
				}
			}
			return false
		})
	})
}
