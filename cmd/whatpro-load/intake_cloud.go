package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"github.com/whatpro/hub/internal/provider/providersim"
)

// cloudTarget is where -source cloud_api posts: the provider's webhook and
// the app secret that signs it, for the number the load's messages name.
type cloudTarget struct {
	url, appSecret, phoneNumberID string
}

// cloudLink sets the hub up as an admin would for Meta's Cloud API: an
// account, a Cloud API provider with the simulator's app secret and one
// number; then the account's gateway is turned off, so the gateway's own
// executions end ignored at once and only the spine and the load's
// consumer work.
func cloudLink(ctx context.Context, base, metaURL string, meta *providersim.CloudAPI) (cloudTarget, error) {
	root, accountID, err := loadAccount(ctx, base)
	if err != nil {
		return cloudTarget{}, err
	}
	path := "/api/v1/accounts/" + accountID
	var p struct {
		ID string `json:"id"`
	}
	if err := callJSON(ctx, base, root, "", "POST", path+"/providers", map[string]any{"name": "Meta", "type": "cloud_api", "base_url": metaURL,
		"credentials": map[string]string{"access_token": meta.AccessToken(), "app_secret": meta.AppSecret()}}, &p); err != nil {
		return cloudTarget{}, err
	}
	if err := callJSON(ctx, base, root, "", "POST", path+"/provider-instances", map[string]any{"provider_id": p.ID, "name": "sac",
		"phone_number_id": meta.PhoneNumberID()}, nil); err != nil {
		return cloudTarget{}, err
	}
	if err := callJSON(ctx, base, root, "", "PUT", path+"/features", map[string]bool{"gateway": false}, nil); err != nil {
		return cloudTarget{}, err
	}
	return cloudTarget{url: base + "/webhooks/providers/" + p.ID, appSecret: meta.AppSecret(), phoneNumberID: meta.PhoneNumberID()}, nil
}

// request is Meta's notification of one new text message (wamid n) from one
// of 50 customers, signed as Meta signs it (X-Hub-Signature-256 over the
// body with the app secret).
func (c cloudTarget) request(n int64) *http.Request {
	from := strconv.FormatInt(5511970000000+n%50, 10)
	ns := strconv.FormatInt(n, 10)
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp",` +
		`"metadata":{"display_phone_number":"15550783881","phone_number_id":"` + c.phoneNumberID + `"},` +
		`"contacts":[{"profile":{"name":"Load"},"wa_id":"` + from + `"}],` +
		`"messages":[{"from":"` + from + `","id":"wamid.LOAD` + ns + `","timestamp":"` + strconv.FormatInt(time.Now().Unix(), 10) + `",` +
		`"type":"text","text":{"body":"load ` + ns + `"}}]},"field":"messages"}]}]}`)
	mac := hmac.New(sha256.New, []byte(c.appSecret))
	mac.Write(body)
	req, _ := http.NewRequest("POST", c.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	return req
}
