package cwsim

import (
	"net/http"
	"time"
)

// rubyTime formats like ActiveSupport's JSON encoding of a UTC time.
func rubyTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func rubyTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return rubyTime(*t)
}

func unixPtr(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return t.Unix()
}

func strPtr(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// activeMembership is the account users.account_id/role report: the most
// recently activated one, else the first (User#active_account_user).
func (u *user) activeMembership() *membership {
	var best *membership
	for i := range u.Members {
		m := &u.Members[i]
		if best == nil || (m.ActiveAt != nil && (best.ActiveAt == nil || m.ActiveAt.After(*best.ActiveAt))) {
			best = m
		}
	}
	return best
}

// profileJSON is app/views/api/v1/models/_user.json.jbuilder: a bare object
// that includes the personal access_token.
func (s *Sim) profileJSON(u *user) map[string]any {
	out := map[string]any{
		"access_token":      u.AccessToken,
		"account_id":        nil,
		"available_name":    u.Name,
		"avatar_url":        "",
		"confirmed":         u.Confirmed,
		"display_name":      nil,
		"message_signature": nil,
		"email":             u.Email,
		"id":                u.ID,
		"inviter_id":        nil,
		"name":              u.Name,
		"provider":          "email",
		"pubsub_token":      u.PubsubToken,
		"role":              nil,
		"ui_settings":       map[string]any{},
		"uid":               u.Email,
		"type":              nil,
	}
	if m := u.activeMembership(); m != nil {
		out["account_id"], out["role"] = m.AccountID, m.Role
		if m.InviterID != nil {
			out["inviter_id"] = *m.InviterID
		}
	}
	accounts := []map[string]any{}
	for _, m := range u.Members {
		a := s.account(m.AccountID)
		if a == nil {
			continue
		}
		accounts = append(accounts, map[string]any{
			"id": a.ID, "name": a.Name, "status": "active", "active_at": rubyTimePtr(m.ActiveAt),
			"role": m.Role, "permissions": []string{m.Role}, "availability": "online",
			"availability_status": "offline", "auto_offline": m.AutoOffline,
		})
	}
	out["accounts"] = accounts
	return out
}

// authUserJSON is app/views/devise/_auth.json.jbuilder (the sign-in body's data).
func (s *Sim) authUserJSON(u *user) map[string]any {
	out := map[string]any{
		"id": u.ID, "provider": "email", "uid": u.Email, "name": u.Name, "display_name": nil,
		"email": u.Email, "account_id": nil, "pubsub_token": u.PubsubToken, "role": nil,
		"inviter_id": nil, "confirmed": u.Confirmed, "avatar_url": "",
	}
	if m := u.activeMembership(); m != nil {
		out["account_id"], out["role"] = m.AccountID, m.Role
	}
	accounts := []map[string]any{}
	for _, m := range u.Members {
		if a := s.account(m.AccountID); a != nil {
			accounts = append(accounts, map[string]any{"id": a.ID, "name": a.Name, "active_at": rubyTimePtr(m.ActiveAt), "role": m.Role})
		}
	}
	out["accounts"] = accounts
	return out
}

// agentJSON is app/views/api/v1/models/_agent.json.jbuilder for one account.
func agentJSON(u *user, accountID int) map[string]any {
	out := map[string]any{
		"id": u.ID, "account_id": accountID, "availability_status": "offline", "auto_offline": true,
		"confirmed": u.Confirmed, "email": u.Email, "available_name": u.Name, "name": u.Name,
		"role": RoleAgent, "thumbnail": "", "provider": "email",
	}
	if m := u.member(accountID); m != nil {
		out["role"], out["auto_offline"] = m.Role, m.AutoOffline
	}
	return out
}

// userPushJSON is User#push_event_data (message senders, assignees).
func userPushJSON(u *user) map[string]any {
	return map[string]any{"id": u.ID, "name": u.Name, "available_name": u.Name, "avatar_url": "",
		"type": "user", "availability_status": "offline", "thumbnail": ""}
}

// userWebhookJSON is User#webhook_data.
func userWebhookJSON(u *user) map[string]any {
	return map[string]any{"id": u.ID, "name": u.Name, "email": u.Email, "type": "user"}
}

func (s *Sim) routeProfile(c *call) reply { return ok(s.profileJSON(c.user)) }

// routeVersion is ApiController#index; it needs no authentication.
func (s *Sim) routeVersion(*call) reply {
	return reply{status: http.StatusOK, body: map[string]any{
		"version":        s.ver.String(),
		"timestamp":      s.now().Format("2006-01-02 15:04:05"),
		"queue_services": "ok",
		"data_services":  "ok",
	}}
}

func (s *Sim) routeAgents(c *call) reply {
	agents := []map[string]any{}
	for _, u := range s.users {
		if u.member(c.acct.ID) != nil {
			agents = append(agents, agentJSON(u, c.acct.ID))
		}
	}
	return ok(agents)
}
