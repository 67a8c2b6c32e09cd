package inbox_test

import (
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/db"
)

// An inbox's callback URL often carries its credential (an n8n ?token=, user:password@): agents
// see it without query, fragment or userinfo; admins, who manage inboxes, see it whole.
func TestAgentsDoNotSeeCallbackCredentials(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv()})
		ten := h.NewTenant(h.LoginSuper(), "Acme")
		agent := h.NewMember(ten.Admin.Token, ten.ID, "agent")
		full := "https://bot:s3cret@n8n.example.com/webhook/abc?token=n8n-secret-token#frag"
		h.Exec(`INSERT INTO inboxes (id, account_id, chatwoot_inbox_id, name, channel_type, webhook_url, first_seen_at, last_seen_at)
			VALUES ($1, $2, 7, 'Bot', 'Channel::Api', $3, $4, $4)`, db.NewID(), ten.ID, full, time.Now().UTC())
		path := "/api/v1/accounts/" + ten.ID + "/inboxes"
		apptest.Run(t, h, []apptest.Scenario{
			{Name: "agent", Method: "GET", Path: path, Header: apptest.Bearer(agent.Token), Status: 200,
				Contains: []string{`"webhook_url":"https://n8n.example.com/webhook/abc"`}, Lacks: []string{"n8n-secret-token", "s3cret", "frag"}},
			{Name: "admin", Method: "GET", Path: path, Header: apptest.Bearer(ten.Admin.Token), Status: 200, Contains: []string{"n8n-secret-token"}},
		})
	})
}
