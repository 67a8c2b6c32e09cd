package iam

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/whatpro/hub/internal/httpx"
)

// Guard wraps a route with what its table entry requires: rate limits,
// authentication, the tenant check (another account answers 404), the
// permission or scope (403) and the feature flag (403 FEATURE_DISABLED).
func (s *Service) Guard(rt httpx.Route) http.Handler {
	return httpx.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		if rt.SameOrigin && !s.sameOrigin(r) {
			return httpx.E(httpx.CodeForbidden, "this route answers only the hub's own pages")
		}
		if rt.Auth == httpx.Public {
			key, limit := "ip:"+s.Proxies.ClientIP(r), s.Limits.anon()
			if rt.RateLimit < 0 {
				limit = 0 // probes (health, readiness, metrics) are not limited
			} else if rt.RateLimit > 0 {
				key, limit = "route:"+rt.Pattern+":"+key, rt.RateLimit
			}
			if err := s.Limits.allow(w, key, limit); err != nil {
				return err
			}
			if !cleanPathValues(r, rt.Pattern) {
				return httpx.NotFound()
			}
			rt.Handler.ServeHTTP(w, r)
			return nil
		}
		s.Cache.Sync(r.Context())
		p, err := s.Authenticate(r)
		if err != nil {
			if ierr := s.Limits.allow(w, "ip:"+s.Proxies.ClientIP(r), s.Limits.Anon); ierr != nil {
				return ierr
			}
			return err
		}
		if err := s.Limits.allow(w, "p:"+p.Kind+":"+p.ActorID(), s.Limits.Auth); err != nil {
			return err
		}
		if p.MFAPending && !mfaSetupRoutes[rt.Key()] {
			return httpx.E(httpx.CodeForbidden, "set up two-factor authentication first: POST /api/v1/me/totp/setup")
		}
		if !cleanPathValues(r, rt.Pattern) {
			return httpx.NotFound()
		}
		ctx := WithPrincipal(r.Context(), p)
		if rt.Scoped() {
			accountID, err := accountOf(r, rt.AccountFrom)
			if err != nil {
				return err
			}
			if accountID == "" && rt.AccountFrom == httpx.AccountQuery {
				accountID = p.AccountID // a key or token implies its own account
			}
			acc, err := s.ResolveAccess(ctx, p, accountID)
			if err != nil {
				return err
			}
			if !acc.Can(rt.Permission) {
				return httpx.E(httpx.CodeForbidden, "missing permission "+rt.Permission)
			}
			if rt.Feature != "" && !s.featureOn(ctx, accountID, rt.Feature, acc.Role) {
				return httpx.E(httpx.CodeFeatureDisabled, "the feature "+rt.Feature+" is not enabled for this account")
			}
			ctx = context.WithValue(ctx, keyAccess, acc)
			if s.OnAccountRequest != nil {
				s.OnAccountRequest(accountID, p)
			}
		} else if rt.Permission == PermPlatform && !p.SuperAdmin {
			return httpx.E(httpx.CodeForbidden, "only super admins may do this")
		}
		rt.Handler.ServeHTTP(w, r.WithContext(ctx))
		return nil
	})
}

// sameOrigin judges a browser request by what the browser says of it: an
// Origin other than the console's, or Sec-Fetch-Site other than
// same-origin or none (typed in the address bar), is another page's doing.
// A request with neither header is no browser's and is judged by its
// credentials alone.
func (s *Service) sameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" && !slices.Contains(s.ConsoleOrigins, o) {
		return false
	}
	site := r.Header.Get("Sec-Fetch-Site")
	return site == "" || site == "same-origin" || site == "none"
}

// mfaSetupRoutes are all a session with a pending second factor may call
// (a production super admin without TOTP): enough to set it up or leave.
var mfaSetupRoutes = map[string]bool{
	"GET /api/v1/me":              true,
	"POST /api/v1/me/totp/setup":  true,
	"POST /api/v1/me/totp/enable": true,
	"POST /api/v1/auth/logout":    true,
}

// cleanPathValues reports whether every wildcard of the route's pattern
// holds clean text: no id of ours has NUL or invalid UTF-8, and PostgreSQL
// refuses such text (a 500), so a path holding it names nothing.
func cleanPathValues(r *http.Request, pattern string) bool {
	for rest := pattern; ; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			return true
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return true
		}
		if !cleanText(r.PathValue(strings.TrimSuffix(rest[i+1:i+j], "..."))) {
			return false
		}
		rest = rest[i+j+1:]
	}
}

func (s *Service) featureOn(ctx context.Context, accountID, feature, role string) bool {
	if s.Features == nil {
		return false
	}
	on, err := s.Features.Enabled(ctx, accountID, feature, role)
	return err == nil && on
}

// ResolveAccess decides what p may do in accountID. Not being a member, or
// an account that does not exist, is the same 404.
func (s *Service) ResolveAccess(ctx context.Context, p *Principal, accountID string) (*Access, error) {
	if accountID == "" || len(accountID) > 64 || !cleanText(accountID) {
		return nil, httpx.NotFound()
	}
	row, err := s.accessRow(ctx, accountID, p.UserID)
	if err != nil {
		return nil, err
	}
	if !row.Exists {
		return nil, httpx.NotFound()
	}
	if p.Kind != KindUser && p.AccountID != accountID {
		return nil, httpx.NotFound()
	}
	var acc *Access
	if p.Kind == KindUser && p.SuperAdmin {
		acc = &Access{AccountID: accountID, Role: RoleAdmin, Permissions: superPermissions}
		if row.Status == "active" {
			acc.Member, acc.Role = true, row.Role
		}
		return acc, nil
	}
	if row.Status != "active" {
		return nil, httpx.NotFound()
	}
	if row.AccountStatus == "suspended" {
		return nil, httpx.E(httpx.CodeAccountSuspended, "this account is suspended")
	}
	role := row.Role
	acc = &Access{AccountID: accountID, Role: role, Permissions: RolePermissions(role), Member: true}
	if p.Kind != KindUser {
		// A key or token never exceeds what its user may do today.
		var perms []string
		for _, sc := range p.Scopes {
			if slices.Contains(acc.Permissions, sc) {
				perms = append(perms, sc)
			}
		}
		acc.Permissions = perms
	}
	return acc, nil
}

// accountOf finds the account a route acts on.
func accountOf(r *http.Request, from httpx.AccountFrom) (string, error) {
	switch from {
	case httpx.AccountPath:
		return r.PathValue("accountID"), nil
	case httpx.AccountQuery:
		return r.URL.Query().Get("account_id"), nil
	case httpx.AccountBody:
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return "", httpx.E(httpx.CodeTooLarge, "the body is too large")
			}
			return "", httpx.E(httpx.CodeBadRequest, "the body could not be read")
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		var b struct {
			AccountID string `json:"account_id"`
		}
		if json.Unmarshal(raw, &b) != nil {
			return "", httpx.E(httpx.CodeBadRequest, "the body is not valid JSON")
		}
		return b.AccountID, nil
	}
	return "", nil
}
