package cwsim

import (
	"net/http"
	"testing"
)

func TestDashboardAppsCRUD(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	agent := tokenHeader(s, agentAcme) // 4.15 has no policy: agents may manage apps too
	base := "/api/v1/accounts/1/dashboard_apps"
	bad := []struct {
		body any
		raw  string
	}{
		{map[string]any{"title": "", "content": []any{map[string]any{"type": "frame", "url": "https://hub.test"}}},
			`{"attributes":["title"],"message":"Title can't be blank"}`},
		{map[string]any{"title": "Hub", "content": []any{map[string]any{"type": "frame", "url": "javascript:alert(1)"}}},
			`{"attributes":["content"],"message":"Content : Invalid data"}`},
		{map[string]any{"title": "Hub", "content": []any{}}, `{"attributes":["content"],"message":"Content : Invalid data"}`},
	}
	for _, b := range bad {
		r := do(t, s, "POST", base, agent, b.body)
		if r.status != http.StatusUnprocessableEntity || string(r.raw) != b.raw {
			t.Errorf("%v: %d %s", b.body, r.status, r.raw)
		}
	}
	created := do(t, s, "POST", base, agent, map[string]any{"dashboard_app": map[string]any{"title": "Hub",
		"content": []any{map[string]any{"type": "frame", "url": "https://hub.test/app"}}}})
	want(t, created, 200)
	id := itoa(num(created.json(t)["id"]))
	if dig(t, created.json(t), "content", 0, "url") != "https://hub.test/app" || created.json(t)["created_at"] == nil {
		t.Errorf("created = %s", created.raw)
	}
	want(t, do(t, s, "PATCH", base+"/"+id, agent, map[string]any{"title": "Hub 2"}), 200)
	list := do(t, s, "GET", base, agent, nil)
	if l := list.list(t); len(l) != 1 || dig(t, l, 0, "title") != "Hub 2" {
		t.Errorf("list = %s", list.raw)
	}
	want(t, do(t, s, "GET", "/api/v1/accounts/2/dashboard_apps", agent, nil), 401)
	want(t, do(t, s, "DELETE", base+"/"+id, agent, nil), 204)
	want(t, do(t, s, "GET", base+"/"+id, agent, nil), 404)
}
