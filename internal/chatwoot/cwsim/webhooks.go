package cwsim

import (
	"net/url"
	"slices"
	"strings"
)

// webhookJSON is api/v1/accounts/webhooks/_webhook.json.jbuilder; the
// per-webhook secret (4.12+) is returned to the administrators who may
// call these endpoints at all.
//
// newWebhookSecret is the has_secure_token value of a new webhook, or ""
// before 4.12, which had no secret column (and signed nothing).
func (s *Sim) webhookJSON(wh *webhook) map[string]any {
	out := map[string]any{"id": wh.ID, "url": wh.URL, "name": strPtr(wh.Name), "account_id": wh.AccountID,
		"subscriptions": slices.Clone(wh.Subscriptions)}
	if s.ver.deliveryIDs() {
		out["secret"] = wh.Secret
	}
	if wh.InboxID != nil {
		if ib := s.inboxByID(*wh.InboxID); ib != nil {
			out["inbox"] = map[string]any{"id": ib.ID, "name": ib.Name}
		}
	}
	return out
}

func (s *Sim) newWebhookSecret() string {
	if !s.ver.deliveryIDs() {
		return ""
	}
	return randomToken(24)
}

func (s *Sim) routeWebhooks(c *call) reply {
	if !c.admin() {
		return fromErr(errNotAuthorized())
	}
	list := []map[string]any{}
	for _, wh := range s.webhooks {
		if wh.AccountID == c.acct.ID {
			list = append(list, s.webhookJSON(wh))
		}
	}
	return ok(map[string]any{"payload": map[string]any{"webhooks": list}})
}

func (s *Sim) routeCreateWebhook(c *call) reply {
	if !c.admin() {
		return fromErr(errNotAuthorized())
	}
	wh := &webhook{AccountID: c.acct.ID, Subscriptions: slices.Clone(defaultWebhookSubscriptions), Secret: s.newWebhookSecret()}
	if err := s.applyWebhook(wh, wrapped(c.body, "webhook")); err != nil {
		return fromErr(err)
	}
	wh.ID = s.next("webhook")
	s.webhooks = append(s.webhooks, wh)
	return ok(map[string]any{"payload": map[string]any{"webhook": s.webhookJSON(wh)}})
}

func (s *Sim) findWebhook(c *call) (*webhook, error) {
	if !c.admin() {
		return nil, errNotAuthorized()
	}
	id, err := c.pathID("webhook_id")
	if err != nil {
		return nil, err
	}
	for _, wh := range s.webhooks {
		if wh.ID == id && wh.AccountID == c.acct.ID {
			return wh, nil
		}
	}
	return nil, errNotFound()
}

func (s *Sim) routeUpdateWebhook(c *call) reply {
	wh, err := s.findWebhook(c)
	if err != nil {
		return fromErr(err)
	}
	next := *wh
	if err := s.applyWebhook(&next, wrapped(c.body, "webhook")); err != nil {
		return fromErr(err)
	}
	*wh = next
	return ok(map[string]any{"payload": map[string]any{"webhook": s.webhookJSON(wh)}})
}

func (s *Sim) routeDeleteWebhook(c *call) reply {
	wh, err := s.findWebhook(c)
	if err != nil {
		return fromErr(err)
	}
	s.webhooks = slices.DeleteFunc(s.webhooks, func(x *webhook) bool { return x == wh })
	return reply{status: 200}
}

// applyWebhook writes permitted params and runs Webhook's validations:
// http(s) URL unique per account, subscriptions a non-empty subset of
// ALLOWED_WEBHOOK_EVENTS.
func (s *Sim) applyWebhook(wh *webhook, p map[string]any) error {
	if v, present := pString(p, "url"); present {
		wh.URL = strings.TrimSpace(v)
	}
	if v, present := pString(p, "name"); present {
		wh.Name = &v
	}
	if id, present, err := pInt(p, "inbox_id"); present && err == nil {
		wh.InboxID = &id
	}
	if _, present := p["subscriptions"]; present {
		wh.Subscriptions = nil
		list, _ := pList(p, "subscriptions")
		for _, v := range list {
			if str, isStr := v.(string); isStr {
				wh.Subscriptions = append(wh.Subscriptions, str)
			}
		}
	}
	var msgs, attrs []string
	if u, err := url.Parse(wh.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		msgs, attrs = append(msgs, "Url is invalid"), append(attrs, "url")
	}
	for _, other := range s.webhooks {
		if other.ID != wh.ID && other.AccountID == wh.AccountID && other.URL == wh.URL {
			msgs, attrs = append(msgs, "Url has already been taken"), append(attrs, "url")
		}
	}
	invalid := len(wh.Subscriptions) == 0
	for _, ev := range wh.Subscriptions {
		invalid = invalid || !slices.Contains(allowedWebhookEvents, ev)
	}
	if invalid {
		msgs, attrs = append(msgs, "Subscriptions Invalid events"), append(attrs, "subscriptions")
	}
	if len(msgs) > 0 {
		return errRecordInvalid(strings.Join(msgs, ", "), attrs...)
	}
	return nil
}
