package chatwoot

import (
	"database/sql"
	"net/http"

	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

// Install creates, through the Chatwoot API, the account webhook (keeping
// the secret Chatwoot generates) and the Dashboard App tab pointing to the
// hub. Both are found and reused when they exist: it is idempotent.
func (s *Service) Install(w http.ResponseWriter, r *http.Request) error {
	ctx, now, accountID := r.Context(), s.now(), iam.AccessFrom(r.Context()).AccountID
	l, err := linkByAccount(ctx, s.DB.R, accountID)
	if err != nil {
		return err
	}
	token, err := s.decrypt(l, "api_token", l.apiToken)
	if err != nil {
		return err
	}
	// The tab's URL names the account, so its page frames only for this
	// account's origins (an account-less embed page frames for none).
	hookURL, appURL, bareURL := s.hubURL("/webhooks/chatwoot/"+l.ID), s.ConversationTabURL(accountID), s.hubURL("/embed/conversation")
	hooks, err := s.Client.Webhooks(ctx, l.BaseURL, l.ChatwootAccountID, token)
	if err != nil {
		return upstream(err)
	}
	var hook *Webhook
	for i := range hooks {
		if hooks[i].URL == hookURL {
			hook = &hooks[i]
		}
	}
	if hook == nil {
		if hook, err = s.Client.CreateWebhook(ctx, l.BaseURL, l.ChatwootAccountID, token, hookURL); err != nil {
			return upstream(err)
		}
	}
	apps, err := s.Client.DashboardApps(ctx, l.BaseURL, l.ChatwootAccountID, token)
	if err != nil {
		return upstream(err)
	}
	appID := 0
	for _, a := range apps {
		for _, c := range a.Content {
			switch c.URL {
			case appURL:
				appID = a.ID
			case bareURL:
				// Installed before the URL named the account: that tab can no
				// longer be framed, so it goes (best effort).
				_ = s.Client.DeleteDashboardApp(ctx, l.BaseURL, l.ChatwootAccountID, token, a.ID)
			}
		}
	}
	if appID == 0 {
		app, err := s.Client.CreateDashboardApp(ctx, l.BaseURL, l.ChatwootAccountID, token, "WhatPro Hub", appURL)
		if err != nil {
			return upstream(err)
		}
		appID = app.ID
	}
	err = s.linkTx(ctx, func(tx *sql.Tx) error {
		if hook.Secret != "" {
			if l.webhookSecret, err = s.encrypt(l, "webhook_secret", hook.Secret); err != nil {
				return err
			}
			if err := setLinkField(ctx, tx, accountID, "webhook_secret", l.webhookSecret, now); err != nil {
				return err
			}
		}
		if err := setLinkField(ctx, tx, accountID, "webhook_id", hook.ID, now); err != nil {
			return err
		}
		if err := setLinkField(ctx, tx, accountID, "dashboard_app_id", appID, now); err != nil {
			return err
		}
		l.WebhookID, l.DashboardAppID = &hook.ID, &appID
		return s.audit(ctx, tx, r, accountID, "chatwoot.installed", l.ID, map[string]any{"webhook_id": hook.ID, "dashboard_app_id": appID})
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, s.view(l))
	return nil
}

// Unlink removes the link; the webhook and Dashboard App the install made
// are removed from Chatwoot best effort, and the answer says what happened.
func (s *Service) Unlink(w http.ResponseWriter, r *http.Request) error {
	ctx, accountID := r.Context(), iam.AccessFrom(r.Context()).AccountID
	l, err := linkByAccount(ctx, s.DB.R, accountID)
	if err != nil {
		return err
	}
	report := map[string]string{"webhook": "not installed", "dashboard_app": "not installed"}
	if token, err := s.decrypt(l, "api_token", l.apiToken); err == nil {
		if l.WebhookID != nil {
			report["webhook"] = outcome(s.Client.DeleteWebhook(ctx, l.BaseURL, l.ChatwootAccountID, token, *l.WebhookID))
		}
		if l.DashboardAppID != nil {
			report["dashboard_app"] = outcome(s.Client.DeleteDashboardApp(ctx, l.BaseURL, l.ChatwootAccountID, token, *l.DashboardAppID))
		}
	}
	err = s.linkTx(ctx, func(tx *sql.Tx) error {
		if err := deleteLink(ctx, tx, accountID); err != nil {
			return err
		}
		return s.audit(ctx, tx, r, accountID, "chatwoot.unlinked", l.ID, report)
	})
	if err != nil {
		return err
	}
	s.linkChanged()
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"linked": false, "removed_in_chatwoot": report})
	return nil
}

func outcome(err error) string {
	if err != nil {
		return "failed: " + clientSafe(err)
	}
	return "removed"
}
