package audit_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

func TestHandlerList(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		e := setup(t, dialect)
		acc := db.NewID()
		e.record(login(acc, "u1"))
		e.record(audit.Entry{AccountID: acc, ActorType: audit.ActorUser, ActorID: "u1", Action: "auth.logout",
			Before: map[string]any{"session": "s1", "token": "tok"}, UserAgent: "test/1", RequestID: "req-1"})
		e.record(audit.Entry{AccountID: acc, ActorType: audit.ActorSystem, Action: "plan.changed"})
		hd := &audit.Handler{Log: e.log}

		call := func(query string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/accounts/"+acc+"/audit-logs?"+query, nil)
			req.SetPathValue("accountID", acc)
			rec := httptest.NewRecorder()
			httpx.HandlerFunc(hd.List).ServeHTTP(rec, req)
			return rec
		}

		rec := call("action=auth.*&limit=1")
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		var page struct {
			Data       []map[string]json.RawMessage `json:"data"`
			Pagination struct {
				HasMore    bool   `json:"has_more"`
				NextCursor string `json:"next_cursor"`
			} `json:"pagination"`
		}
		must(t, json.Unmarshal(rec.Body.Bytes(), &page))
		if len(page.Data) != 1 || !page.Pagination.HasMore || page.Pagination.NextCursor == "" {
			t.Fatalf("page: %s", rec.Body)
		}
		row := page.Data[0]
		var keys []string
		for k := range row {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		wantKeys := []string{"account_id", "action", "actor_id", "actor_type", "after", "before", "created_at", "id",
			"ip", "request_id", "resource_id", "resource_type", "seq", "user_agent"}
		if !slices.Equal(keys, wantKeys) {
			t.Fatalf("row keys = %v, want %v", keys, wantKeys)
		}
		var before map[string]string
		must(t, json.Unmarshal(row["before"], &before))
		if before["session"] != "s1" || before["token"] != audit.Redacted {
			t.Fatalf("before = %s, want an object with the token redacted", row["before"])
		}
		if string(row["after"]) != "null" || string(row["seq"]) != "2" || string(row["action"]) != `"auth.logout"` {
			t.Fatalf("row = %v", row)
		}
		var created string
		must(t, json.Unmarshal(row["created_at"], &created))
		if ts, err := time.Parse(time.RFC3339, created); err != nil || ts.Location() != time.UTC {
			t.Fatalf("created_at %q is not RFC 3339 UTC", created)
		}

		// The cursor leads to the older login, and then to the end.
		rec = call("action=auth.*&limit=1&cursor=" + url.QueryEscape(page.Pagination.NextCursor))
		must(t, json.Unmarshal(rec.Body.Bytes(), &page))
		if rec.Code != http.StatusOK || len(page.Data) != 1 || string(page.Data[0]["seq"]) != "1" || page.Pagination.HasMore {
			t.Fatalf("second page %d: %s", rec.Code, rec.Body)
		}

		for _, tc := range []struct{ query, field string }{
			{"from=yesterday", "from"},
			{"to=2024-13-01T00:00:00Z", "to"},
			{"from=2024-05-02T00:00:00Z&to=2024-05-01T00:00:00Z", "to"},
			{"actor_type=robot", "actor_type"},
			{"action=a*b", "action"},
			{"limit=0", "limit"},
			{"cursor=" + "LTE", "cursor"}, // base64 of "-1"
		} {
			rec := call(tc.query)
			var env struct {
				Error struct {
					Code    string             `json:"code"`
					Details []httpx.FieldError `json:"details"`
				} `json:"error"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &env)
			if rec.Code != http.StatusBadRequest || env.Error.Code != httpx.CodeValidation ||
				!slices.ContainsFunc(env.Error.Details, func(d httpx.FieldError) bool { return d.Field == tc.field }) {
				t.Errorf("%s: %d %s, want 400 VALIDATION_ERROR naming %s", tc.query, rec.Code, rec.Body, tc.field)
			}
		}
	})
}
