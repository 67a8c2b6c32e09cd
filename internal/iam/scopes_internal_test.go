package iam

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/whatpro/hub/internal/httpx"
)

// No role below admin holds keys:write today, so the rule that a key's
// scopes are a subset of its creator's permissions cannot be reached over
// HTTP by a user; it is checked here against the handler itself, before
// any store is touched.
func TestCreateAPIKeyRefusesScopesBeyondTheCreator(t *testing.T) {
	t.Parallel()
	s := &Service{Now: time.Now}
	for _, tc := range []struct {
		scopes string
		code   string
	}{
		{`["users:read","audit:read"]`, ""}, // within a supervisor's permissions: passes this check
		{`["users:read","users:write"]`, httpx.CodeForbidden},
		{`["keys:write"]`, httpx.CodeForbidden},
	} {
		req := httptest.NewRequest("POST", "/api/v1/accounts/a/api-keys", strings.NewReader(`{"name":"k","scopes":`+tc.scopes+`}`))
		req.Header.Set("Content-Type", "application/json")
		ctx := WithPrincipal(req.Context(), &Principal{Kind: KindUser, UserID: "u"})
		ctx = context.WithValue(ctx, keyAccess, &Access{AccountID: "a", Role: RoleSupervisor, Permissions: RolePermissions(RoleSupervisor), Member: false})
		err := s.CreateAPIKey(httptest.NewRecorder(), req.WithContext(ctx))
		var he *httpx.Error
		if !errors.As(err, &he) {
			t.Fatalf("scopes %s: err %v", tc.scopes, err)
		}
		// Member=false makes an allowed request stop at the next check
		// (also 403, but with its own message) instead of reaching the DB.
		subsetRefused := strings.Contains(he.Message, "scopes its creator does not have")
		if (tc.code != "") != subsetRefused || he.Code != httpx.CodeForbidden {
			t.Errorf("scopes %s: %v, want subset refusal=%v", tc.scopes, err, tc.code != "")
		}
	}
}

func TestTruncateKeepsValidUTF8(t *testing.T) {
	t.Parallel()
	for _, s := range []string{strings.Repeat("a", 299) + "é", "ok\xff\xfe", strings.Repeat("日本", 200)} {
		got := truncate(s, 300)
		if len(got) > 300 || !utf8.ValidString(got) {
			t.Errorf("truncate(%q) = %q: over 300 bytes or invalid UTF-8", s, got)
		}
	}
	if truncate("short", 300) != "short" {
		t.Error("truncate changed a short string")
	}
}
