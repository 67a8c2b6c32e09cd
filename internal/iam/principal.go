package iam

import (
	"context"
	"slices"
	"time"
)

// Principal kinds.
const (
	KindUser          = "user"           // console session (JWT access token)
	KindAPIKey        = "api_key"        // server-to-server key of one account
	KindInstanceToken = "instance_token" // embedded iframe token of one account
)

// Principal is who is calling. For API keys and instance tokens AccountID
// binds them to one account and Scopes limit what they may do there.
type Principal struct {
	Kind       string
	UserID     string
	SessionID  string
	KeyID      string // API key or instance token id
	AccountID  string
	Scopes     []string
	SuperAdmin bool
	MFAPending bool
	ExpiresAt  time.Time // instance tokens: when the token ends
}

// ActorType and ActorID name the principal in the audit log.
func (p *Principal) ActorType() string {
	switch p.Kind {
	case KindAPIKey:
		return "api_key"
	case KindInstanceToken:
		return "instance_token" // the user, acting from an embedded page
	}
	return "user"
}

// ActorID is the user id, or the key id for API keys.
func (p *Principal) ActorID() string {
	if p.Kind == KindAPIKey {
		return p.KeyID
	}
	return p.UserID
}

// Access is the result of resolving a principal against one account.
type Access struct {
	AccountID   string
	Role        string // the membership role; "admin" for super admins
	Permissions []string
	Member      bool // false for a super admin acting in a foreign account
}

// Can reports whether the access includes perm.
func (a *Access) Can(perm string) bool { return perm == "" || slices.Contains(a.Permissions, perm) }

type ctxKey int

const (
	keyPrincipal ctxKey = iota
	keyAccess
)

// WithPrincipal stores p in ctx.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, keyPrincipal, p)
}

// PrincipalFrom returns the caller, or nil on public routes.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(keyPrincipal).(*Principal)
	return p
}

// AccessFrom returns the caller's access to the route's account.
func AccessFrom(ctx context.Context) *Access {
	a, _ := ctx.Value(keyAccess).(*Access)
	return a
}
