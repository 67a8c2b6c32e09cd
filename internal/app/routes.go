package app

import (
	"net/http"

	"github.com/whatpro/hub/internal/alerts"
	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/chat"
	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/embed"
	"github.com/whatpro/hub/internal/feature"
	"github.com/whatpro/hub/internal/gateway"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/inbox"
	"github.com/whatpro/hub/internal/intake"
	"github.com/whatpro/hub/internal/kanban"
	"github.com/whatpro/hub/internal/ops"
	"github.com/whatpro/hub/internal/plan"
	"github.com/whatpro/hub/internal/privacy"
	"github.com/whatpro/hub/internal/provider"
	"github.com/whatpro/hub/internal/realtime"
	"github.com/whatpro/hub/internal/usage"
)

// handlers groups every domain's handler so the route table can name them.
type handlers struct {
	ops      *ops.Handler
	iam      *iam.Service
	audit    *audit.Handler
	chatwoot *chatwoot.Service
	platform *chatwoot.PlatformEvents
	features *feature.Handler
	embed    *embed.Handler
	intake   *intake.Handler
	plans    *plan.Handler
	usage    *usage.Handler
	inbox    *inbox.Handler
	provider *provider.Service
	realtime *realtime.Hub
	kanban   *kanban.Service
	chat     *chat.Service
	jobs     *ops.Jobs
	privacy  *privacy.Service
	gateway  *gateway.Service
	alerts   *alerts.Service
}

// routes is the hub's route table: every route, readable top to bottom,
// with what it requires. The guard (iam.Service.Guard) enforces each
// entry; tests enumerate the table (the cross-tenant walk).
func (a *App) routes(h handlers) []httpx.Route {
	pub := func(method, pattern string, fn http.Handler) httpx.Route {
		return httpx.Route{Method: method, Pattern: pattern, Handler: fn, Auth: httpx.Public}
	}
	probe := func(method, pattern string, fn http.Handler) httpx.Route {
		return httpx.Route{Method: method, Pattern: pattern, Handler: fn, Auth: httpx.Public, RateLimit: -1}
	}
	user := func(method, pattern string, fn httpx.HandlerFunc, perm string) httpx.Route {
		return httpx.Route{Method: method, Pattern: pattern, Handler: fn, Auth: httpx.Authenticated, Permission: perm}
	}
	session := func(rt httpx.Route) httpx.Route { rt.SameOrigin = true; return rt }
	limited := func(rt httpx.Route, perMinute int) httpx.Route { rt.RateLimit = perMinute; return rt }
	acct := func(method, pattern string, fn httpx.HandlerFunc, perm string) httpx.Route {
		return httpx.Route{Method: method, Pattern: "/api/v1/accounts/{accountID}" + pattern, Handler: fn,
			Auth: httpx.Authenticated, Permission: perm, AccountFrom: httpx.AccountPath}
	}
	kb := func(method, pattern string, fn httpx.HandlerFunc, perm string) httpx.Route {
		r := acct(method, pattern, fn, perm)
		r.Feature = feature.Kanban
		return r
	}
	kr, kw := iam.PermKanbanRead, iam.PermKanbanWrite
	ch := func(method, pattern string, fn httpx.HandlerFunc, perm string) httpx.Route {
		r := acct(method, "/chat"+pattern, fn, perm)
		r.Feature = feature.InternalChat
		return r
	}
	cr, cw := iam.PermChatRead, iam.PermChatWrite
	gw := func(method, pattern string, fn httpx.HandlerFunc, perm string) httpx.Route {
		r := acct(method, "/gateway"+pattern, fn, perm)
		r.Feature = feature.Gateway
		return r
	}
	wa := func(method, pattern string, fn httpx.HandlerFunc, perm string) httpx.Route {
		r := acct(method, pattern, fn, perm)
		r.Feature = feature.Gateway
		return r
	}
	upload := ch("POST", "/rooms/{roomID}/attachments", h.chat.Upload, cw)
	upload.MaxBody = a.Cfg.MaxBodyBytes + int64(a.Cfg.ChatMaxAttachmentMB)<<20
	return []httpx.Route{
		// Operations
		probe("GET", "/healthz", http.HandlerFunc(h.ops.Healthz)),
		probe("GET", "/readyz", http.HandlerFunc(h.ops.Readyz)),
		probe("GET", "/metrics", h.ops.Metrics()),
		pub("GET", "/api/v1/version", http.HandlerFunc(h.ops.Version)),
		pub("GET", "/api/v1/openapi.json", a.openAPIHandler()),

		// The job queue, for the super admin
		user("GET", "/api/v1/job-kinds", h.jobs.Summary, iam.PermPlatform),
		user("GET", "/api/v1/jobs", h.jobs.List, iam.PermPlatform),
		user("POST", "/api/v1/jobs/{jobID}/retry", h.jobs.Retry, iam.PermPlatform),
		user("POST", "/api/v1/jobs/{jobID}/discard", h.jobs.Discard, iam.PermPlatform),

		// Sessions (SameOrigin: only the console's own pages drive them)
		session(pub("POST", "/api/v1/auth/login", httpx.HandlerFunc(h.iam.Login))),
		session(pub("POST", "/api/v1/auth/refresh", httpx.HandlerFunc(h.iam.Refresh))),
		session(user("POST", "/api/v1/auth/logout", h.iam.Logout, "")),
		user("GET", "/api/v1/sessions", h.iam.ListSessions, ""),
		user("DELETE", "/api/v1/sessions/{sessionID}", h.iam.RevokeSession, ""),

		// Password reset by e-mail, and the invitation link (activation)
		session(limited(pub("POST", "/api/v1/auth/password-reset", httpx.HandlerFunc(h.iam.RequestPasswordReset)), 20)),
		session(limited(pub("POST", "/api/v1/auth/password-reset/confirm", httpx.HandlerFunc(h.iam.ConfirmPasswordReset)), 20)),
		session(limited(pub("POST", "/api/v1/invitations/inspect", httpx.HandlerFunc(h.iam.InspectInvitation)), 60)),
		session(limited(pub("POST", "/api/v1/invitations/activate", httpx.HandlerFunc(h.iam.ActivateInvitation)), 20)),
		user("POST", "/api/v1/me/invitations/redeem", h.iam.RedeemInvitation, ""),
		user("POST", "/api/v1/users/{userID}/release-email", h.iam.ReleaseEmail, iam.PermPlatform),

		// The caller
		user("GET", "/api/v1/me", h.iam.Me, ""),
		user("POST", "/api/v1/me/password", h.iam.ChangePassword, ""),
		user("POST", "/api/v1/me/totp/setup", h.iam.TOTPSetup, ""),
		user("POST", "/api/v1/me/totp/enable", h.iam.TOTPEnable, ""),
		user("POST", "/api/v1/me/invitations/{invitedAccountID}/accept", h.iam.AnswerInvitation(true), ""),
		user("POST", "/api/v1/me/invitations/{invitedAccountID}/decline", h.iam.AnswerInvitation(false), ""),

		// Accounts
		user("GET", "/api/v1/accounts", h.iam.ListAccounts, ""),
		user("POST", "/api/v1/accounts", h.iam.CreateAccount, iam.PermPlatform),
		acct("GET", "", h.iam.GetAccount, iam.PermAccountRead),
		acct("PATCH", "", h.iam.UpdateAccount, iam.PermAccountWrite),
		acct("POST", "/join", h.iam.JoinAccount, iam.PermPlatform),

		// Users of an account
		acct("GET", "/users", h.iam.ListUsers, iam.PermUsersRead),
		acct("POST", "/users", h.iam.AddUser, iam.PermUsersWrite),
		acct("PATCH", "/users/{userID}", h.iam.UpdateUser, iam.PermUsersWrite),
		acct("POST", "/users/{userID}/invitation", h.iam.Reinvite, iam.PermUsersWrite),
		acct("DELETE", "/users/{userID}", h.iam.RemoveUser, iam.PermUsersWrite),

		// API keys
		acct("GET", "/api-keys", h.iam.ListAPIKeys, iam.PermKeysRead),
		acct("POST", "/api-keys", h.iam.CreateAPIKey, iam.PermKeysWrite),
		acct("DELETE", "/api-keys/{keyID}", h.iam.RevokeAPIKey, iam.PermKeysWrite),

		// Audit log
		acct("GET", "/audit-logs", h.audit.List, iam.PermAuditRead),

		// Data rights (LGPD): export, deletion after a grace period, erasure
		acct("GET", "/export", h.privacy.Export, iam.PermAccountWrite),
		acct("GET", "/deletion", h.privacy.GetDeletion, iam.PermAccountWrite),
		acct("POST", "/deletion", h.privacy.RequestDeletion, iam.PermAccountWrite),
		acct("DELETE", "/deletion", h.privacy.CancelDeletion, iam.PermAccountWrite),
		acct("POST", "/contacts/{contactID}/erasure", h.privacy.EraseContact, iam.PermAccountWrite),
		user("POST", "/api/v1/users/{userID}/erasure", h.privacy.EraseUser, iam.PermPlatform),

		// Chatwoot link
		acct("GET", "/chatwoot", h.chatwoot.GetLink, iam.PermChatwootRead),
		acct("PUT", "/chatwoot", h.chatwoot.PutLink, iam.PermChatwootWrite),
		acct("DELETE", "/chatwoot", h.chatwoot.Unlink, iam.PermChatwootWrite),
		// The check changes no setting, only records what Chatwoot answered.
		acct("POST", "/chatwoot/test", h.chatwoot.TestLink, iam.PermChatwootRead),
		acct("PUT", "/chatwoot/webhook-secret", h.chatwoot.PutWebhookSecret, iam.PermChatwootWrite),
		acct("POST", "/chatwoot/install", h.chatwoot.Install, iam.PermChatwootWrite),
		acct("PUT", "/chatwoot/url-token", h.chatwoot.SetURLToken, iam.PermChatwootWrite),
		acct("GET", "/chatwoot/conversations/{conversationID}", h.chatwoot.ConversationContext, iam.PermInboxesRead),
		// Any account user may list Chatwoot's teams (TeamPolicy#index?); the board settings pick from them.
		acct("GET", "/chatwoot/teams", h.chatwoot.ListTeams, iam.PermKanbanRead),

		// Webhooks from Chatwoot: verified, stored with their job, answered fast
		// Webhooks have no per-address limit (Chatwoot sends every tenant's
		// from one address); the intake limits failed authentications per link.
		{Method: "POST", Pattern: "/webhooks/chatwoot/{linkID}", Handler: httpx.HandlerFunc(h.intake.ChatwootWebhook), RateLimit: -1},
		{Method: "POST", Pattern: "/webhooks/chatwoot/inboxes/{inboxLinkID}", Handler: httpx.HandlerFunc(h.intake.ChatwootInboxWebhook), RateLimit: -1},
		acct("GET", "/webhook-events", h.intake.ListEvents, iam.PermWebhooksRead),
		acct("POST", "/webhook-events/{eventID}/replay", h.intake.Replay, iam.PermWebhooksWrite),

		// Single sign-on from Chatwoot and instance tokens for embedded pages
		pub("POST", "/api/v1/auth/chatwoot", httpx.HandlerFunc(h.chatwoot.SSO)),
		{Method: "POST", Pattern: "/api/v1/instance-tokens", Handler: httpx.HandlerFunc(h.chatwoot.CreateToken),
			Auth: httpx.Authenticated, AccountFrom: httpx.AccountBody},
		pub("GET", "/api/v1/instance-tokens/validate", httpx.HandlerFunc(h.chatwoot.ValidateToken)),
		user("DELETE", "/api/v1/instance-tokens/current", h.chatwoot.RevokeCurrent, ""),
		user("POST", "/api/v1/me/chatwoot-identity/codes", h.chatwoot.IdentityLinkCode, ""),
		user("POST", "/api/v1/me/chatwoot-identity/inspect", h.chatwoot.InspectIdentityLink, ""),
		user("POST", "/api/v1/me/chatwoot-identity", h.chatwoot.LinkIdentity, ""),

		// Platform App: embedding configuration and signed provisioning events
		{Method: "GET", Pattern: "/api/v1/platform-app/config", Handler: httpx.HandlerFunc(h.chatwoot.PlatformConfig),
			Auth: httpx.Authenticated, AccountFrom: httpx.AccountQuery, Permission: iam.PermAccountRead},
		pub("POST", "/api/v1/platform-app/events", httpx.HandlerFunc(h.platform.Handle)),

		// Feature flags
		{Method: "GET", Pattern: "/api/v1/features", Handler: httpx.HandlerFunc(h.features.Get),
			Auth: httpx.Authenticated, AccountFrom: httpx.AccountQuery},
		acct("PUT", "/features", h.features.Put, iam.PermPlatform),

		// Inbox mirror
		acct("GET", "/inboxes", h.inbox.List, iam.PermInboxesRead),
		acct("POST", "/inboxes/sync", h.inbox.StartSync, iam.PermInboxesWrite),
		acct("GET", "/inboxes/syncs/{syncID}", h.inbox.GetSync, iam.PermInboxesRead),

		// WhatsApp providers and their numbers: the gateway's (its flag off, they answer FEATURE_DISABLED)
		wa("GET", "/providers", h.provider.ListProviders, iam.PermProvidersRead),
		wa("POST", "/providers", h.provider.CreateProvider, iam.PermProvidersWrite),
		wa("GET", "/providers/{providerID}", h.provider.GetProvider, iam.PermProvidersRead),
		wa("PATCH", "/providers/{providerID}", h.provider.UpdateProvider, iam.PermProvidersWrite),
		wa("DELETE", "/providers/{providerID}", h.provider.DeleteProvider, iam.PermProvidersWrite),
		wa("POST", "/providers/{providerID}/test", h.provider.TestProvider, iam.PermProvidersWrite),
		wa("GET", "/provider-instances", h.provider.ListInstances, iam.PermProvidersRead),
		wa("POST", "/provider-instances", h.provider.CreateInstance, iam.PermProvidersWrite),
		wa("GET", "/provider-instances/{instanceID}", h.provider.GetInstance, iam.PermProvidersRead),
		wa("PATCH", "/provider-instances/{instanceID}", h.provider.UpdateInstance, iam.PermProvidersWrite),
		wa("DELETE", "/provider-instances/{instanceID}", h.provider.DeleteInstance, iam.PermProvidersWrite),
		wa("POST", "/provider-instances/{instanceID}/connect", h.provider.Connect, iam.PermProvidersWrite),
		wa("GET", "/provider-instances/{instanceID}/status", h.provider.Status, iam.PermProvidersRead),
		wa("GET", "/provider-instances/{instanceID}/qr", h.provider.QR, iam.PermProvidersWrite),
		wa("POST", "/provider-instances/{instanceID}/logout", h.provider.Logout, iam.PermProvidersWrite),
		wa("POST", "/provider-instances/{instanceID}/inbox", h.provider.CreateInbox, iam.PermProvidersWrite),
		{Method: "GET", Pattern: "/webhooks/providers/{providerID}", Handler: httpx.HandlerFunc(h.provider.Verify), RateLimit: 600},
		{Method: "POST", Pattern: "/webhooks/providers/{providerID}", Handler: httpx.HandlerFunc(h.provider.Receive), RateLimit: -1}, // limited per provider, failures only

		// Plans, entitlements and usage
		user("GET", "/api/v1/plans", h.plans.List, iam.PermPlatform),
		user("POST", "/api/v1/plans", h.plans.Create, iam.PermPlatform),
		user("PATCH", "/api/v1/plans/{planID}", h.plans.Update, iam.PermPlatform),
		user("DELETE", "/api/v1/plans/{planID}", h.plans.Delete, iam.PermPlatform),
		acct("PUT", "/plan", h.plans.SetAccountPlan, iam.PermPlatform),
		acct("GET", "/entitlements", h.plans.Entitlements, iam.PermAccountRead),
		acct("GET", "/usage", h.usage.Get, iam.PermUsageRead),
		user("GET", "/api/v1/usage", h.usage.Overview, iam.PermPlatform),

		// Realtime: a single-use ticket, then the WebSocket (authenticated by it)
		{Method: "POST", Pattern: "/api/v1/realtime/tickets", Handler: httpx.HandlerFunc(h.realtime.CreateTicket),
			Auth: httpx.Authenticated, AccountFrom: httpx.AccountBody},
		{Method: "GET", Pattern: "/api/v1/realtime", Handler: httpx.HandlerFunc(h.realtime.Upgrade)},

		// Deal Kanban
		// WhatsApp gateway
		gw("GET", "/numbers", h.gateway.NumberStats, iam.PermProvidersRead),
		gw("GET", "/dead-letters", h.gateway.ListDeadLetters, iam.PermProvidersRead),
		gw("POST", "/dead-letters/replay", h.gateway.ReplayDeadLetters, iam.PermProvidersWrite),
		gw("POST", "/dead-letters/{workID}/replay", h.gateway.ReplayDeadLetter, iam.PermProvidersWrite),
		gw("GET", "/conversations/{conversationID}/log", h.gateway.ConversationLog, iam.PermInboxesRead),
		gw("GET", "/numbers/{numberID}/templates", h.gateway.NumberTemplates, iam.PermInboxesRead),
		gw("GET", "/numbers/{numberID}/settings", h.gateway.GetNumberSettings, iam.PermProvidersRead),
		gw("PUT", "/numbers/{numberID}/settings", h.gateway.PutNumberSettings, iam.PermProvidersWrite),
		gw("GET", "/conversations/{conversationID}/templates", h.gateway.ConversationTemplates, iam.PermInboxesRead),
		gw("POST", "/conversations/{conversationID}/templates", h.gateway.SendTemplate, iam.PermInboxesRead),

		// Incidents (internal/alerts): what stopped working, for the admins
		acct("GET", "/incidents", h.alerts.ListOpen, iam.PermHubAdmin),

		kb("GET", "/boards", h.kanban.ListBoards, kr),
		kb("POST", "/boards", h.kanban.CreateBoard, kw),
		kb("GET", "/boards/{boardID}", h.kanban.GetBoard, kr),
		kb("PATCH", "/boards/{boardID}", h.kanban.UpdateBoard, kw),
		kb("DELETE", "/boards/{boardID}", h.kanban.DeleteBoard, kw),
		kb("POST", "/boards/{boardID}/stages", h.kanban.CreateStage, kw),
		kb("POST", "/boards/{boardID}/stages/reorder", h.kanban.ReorderStages, kw),
		kb("PATCH", "/boards/{boardID}/stages/{stageID}", h.kanban.UpdateStage, kw),
		kb("DELETE", "/boards/{boardID}/stages/{stageID}", h.kanban.DeleteStage, kw),
		kb("GET", "/boards/{boardID}/cards", h.kanban.ListCardsHandler, kr),
		kb("POST", "/boards/{boardID}/cards", h.kanban.CreateCardHandler, kw),
		kb("POST", "/boards/{boardID}/cards/bulk-move", h.kanban.BulkMoveHandler, kw),
		kb("GET", "/boards/{boardID}/export.csv", h.kanban.ExportCSV, kr),
		kb("GET", "/boards/{boardID}/cards/{cardID}", h.kanban.GetCard, kr),
		kb("PATCH", "/boards/{boardID}/cards/{cardID}", h.kanban.UpdateCardHandler, kw),
		kb("DELETE", "/boards/{boardID}/cards/{cardID}", h.kanban.DeleteCardHandler, kw),
		kb("POST", "/boards/{boardID}/cards/{cardID}/move", h.kanban.MoveHandler, kw),
		kb("POST", "/boards/{boardID}/cards/{cardID}/won", h.kanban.CloseHandler(kanban.KindWon), kw),
		kb("POST", "/boards/{boardID}/cards/{cardID}/lost", h.kanban.CloseHandler(kanban.KindLost), kw),
		kb("GET", "/boards/{boardID}/cards/{cardID}/history", h.kanban.HistoryHandler, kr),
		kb("GET", "/boards/{boardID}/cards/{cardID}/notes", h.kanban.ListNotes, kr),
		kb("POST", "/boards/{boardID}/cards/{cardID}/notes", h.kanban.CreateNote, kw),
		kb("PATCH", "/boards/{boardID}/cards/{cardID}/notes/{noteID}", h.kanban.UpdateNote, kw),
		kb("DELETE", "/boards/{boardID}/cards/{cardID}/notes/{noteID}", h.kanban.DeleteNote, kw),
		kb("POST", "/boards/{boardID}/cards/{cardID}/messages", h.kanban.SendMessage, kw),
		kb("GET", "/deals", h.kanban.DealsHandler, kr),
		kb("GET", "/kanban/members", h.kanban.Members, kr),

		// Internal team chat
		ch("GET", "/rooms", h.chat.ListRooms, cr),
		ch("POST", "/rooms", h.chat.CreateRoom, cw),
		ch("GET", "/rooms/{roomID}", h.chat.GetRoom, cr),
		ch("PATCH", "/rooms/{roomID}", h.chat.UpdateRoom, cw),
		ch("GET", "/rooms/{roomID}/members", h.chat.ListMembers, cr),
		ch("POST", "/rooms/{roomID}/members", h.chat.AddMembers, cw),
		ch("PATCH", "/rooms/{roomID}/members/{userID}", h.chat.UpdateMember, cw),
		ch("DELETE", "/rooms/{roomID}/members/{userID}", h.chat.RemoveMember, cw),
		ch("POST", "/rooms/{roomID}/join", h.chat.Join, cw),
		ch("POST", "/rooms/{roomID}/leave", h.chat.Leave, cw),
		ch("PATCH", "/rooms/{roomID}/settings", h.chat.UpdateSettings, cw),
		ch("POST", "/rooms/{roomID}/read", h.chat.MarkRead, cw),
		ch("POST", "/rooms/{roomID}/unread", h.chat.MarkUnread, cw),
		ch("GET", "/rooms/{roomID}/messages", h.chat.ListMessages, cr),
		ch("POST", "/rooms/{roomID}/messages", h.chat.SendMessage, cw),
		ch("GET", "/rooms/{roomID}/messages/{messageID}", h.chat.GetMessage, cr),
		ch("PATCH", "/rooms/{roomID}/messages/{messageID}", h.chat.EditMessage, cw),
		ch("DELETE", "/rooms/{roomID}/messages/{messageID}", h.chat.DeleteMessage, cw),
		ch("GET", "/rooms/{roomID}/messages/{messageID}/history", h.chat.History, cr),
		ch("POST", "/rooms/{roomID}/messages/{messageID}/reactions", h.chat.React, cw),
		ch("DELETE", "/rooms/{roomID}/messages/{messageID}/reactions/{emoji}", h.chat.Unreact, cw),
		ch("POST", "/rooms/{roomID}/messages/{messageID}/pin", h.chat.Pin, cw),
		ch("DELETE", "/rooms/{roomID}/messages/{messageID}/pin", h.chat.Unpin, cw),
		ch("GET", "/rooms/{roomID}/messages/{messageID}/conversation", h.chat.ConversationCard, cr),
		ch("GET", "/rooms/{roomID}/pins", h.chat.ListPins, cr),
		upload,
		ch("GET", "/attachments/{attachmentID}", h.chat.Download, cr),
		ch("GET", "/search", h.chat.Search, cr),
		ch("GET", "/unread", h.chat.Unread, cr),
		ch("GET", "/presence", h.chat.ListPresence, cr),
		ch("GET", "/people", h.chat.People, cr),
		ch("GET", "/settings", h.chat.GetSettings, cr),
		ch("PUT", "/settings", h.chat.PutSettings, iam.PermAccountWrite),

		// Embedding in Chatwoot
		pub("GET", "/embed/context", httpx.HandlerFunc(h.embed.Context)),
		pub("GET", "/embed/dashboard-script.js", http.HandlerFunc(h.embed.Script)),
		pub("GET", "/embed/app/{feature}", http.HandlerFunc(h.embed.EmbedPage)),
		pub("GET", "/embed/conversation", http.HandlerFunc(h.embed.EmbedPage)),
	}
}

// Routes exposes the table to tests.
func (a *App) Routes() []httpx.Route { return a.table }
