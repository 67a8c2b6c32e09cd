// Package iam owns identity and access: accounts (tenants), users and
// memberships, sessions with rotating refresh tokens, API keys, the
// permission catalogue and the middleware that resolves principals and
// enforces tenant isolation.
package iam

import "slices"

// Permissions. Every route names the one it needs; API keys and instance
// tokens carry a subset as scopes.
const (
	PermAccountRead    = "account:read"
	PermAccountWrite   = "account:write"
	PermUsersRead      = "users:read"
	PermUsersWrite     = "users:write"
	PermKeysRead       = "keys:read"
	PermKeysWrite      = "keys:write"
	PermAuditRead      = "audit:read"
	PermUsageRead      = "usage:read"
	PermChatwootRead   = "chatwoot:read"
	PermChatwootWrite  = "chatwoot:write"
	PermWebhooksRead   = "webhooks:read"
	PermWebhooksWrite  = "webhooks:write"
	PermInboxesRead    = "inboxes:read"
	PermInboxesWrite   = "inboxes:write"
	PermProvidersRead  = "providers:read"
	PermProvidersWrite = "providers:write"
	PermKanbanRead     = "kanban:read"
	PermKanbanWrite    = "kanban:write"
	PermChatRead       = "chat:read"
	PermChatWrite      = "chat:write"
	PermHubAdmin       = "hub:admin"
	// PermPlatform is held by super admins only: hub-wide operations such as
	// creating accounts, plans and feature overrides.
	PermPlatform = "platform:manage"
)

// Roles inside an account.
const (
	RoleAdmin      = "admin"
	RoleSupervisor = "supervisor"
	RoleAgent      = "agent"
)

var agentPerms = []string{PermAccountRead, PermInboxesRead, PermKanbanRead, PermKanbanWrite, PermChatRead, PermChatWrite}

var supervisorPerms = append(slices.Clone(agentPerms), PermUsersRead, PermUsageRead, PermAuditRead)

var adminPerms = append(slices.Clone(supervisorPerms), PermAccountWrite, PermUsersWrite, PermKeysRead, PermKeysWrite,
	PermChatwootRead, PermChatwootWrite, PermWebhooksRead, PermWebhooksWrite, PermInboxesWrite, PermHubAdmin, PermProvidersRead, PermProvidersWrite)

// Catalogue lists every account permission (what an admin holds); it is
// also the set of valid API key and instance token scopes.
func Catalogue() []string { return slices.Clone(adminPerms) }

// ValidRole reports whether r is an account role.
func ValidRole(r string) bool { return r == RoleAdmin || r == RoleSupervisor || r == RoleAgent }

// RolePermissions returns the permissions of an account role.
func RolePermissions(role string) []string {
	switch role {
	case RoleAdmin:
		return adminPerms
	case RoleSupervisor:
		return supervisorPerms
	case RoleAgent:
		return agentPerms
	}
	return nil
}

// ValidScope reports whether s may be granted to a key or token.
func ValidScope(s string) bool { return slices.Contains(adminPerms, s) }

// subset reports whether every scope of want is in have.
func subset(want, have []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// superPermissions is what a super admin may do in any account (shared:
// never modified).
var superPermissions = append(Catalogue(), PermPlatform)
