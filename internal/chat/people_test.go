package chat_test

import (
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// The directory names the account's active people to every member (an
// agent may not list users), ids and names only.
func TestPeopleDirectory(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		ana, bia := e.member(t, "Ana Souza"), e.member(t, "Bia Lima")
		gone := e.member(t, "Caio Saiu")
		e.do(t, e.tenant.Admin.Token, "DELETE", e.path("/users/"+gone.UserID), nil).Expect(t, 204)
		var got struct {
			Data []map[string]any `json:"data"`
		}
		e.do(t, ana.Token, "GET", e.chat("/people"), nil).Expect(t, 200).Decode(t, &got)
		names := map[string]string{}
		for _, p := range got.Data {
			if len(p) != 2 {
				t.Fatalf("a person carries more than id and name: %v", p)
			}
			names[p["id"].(string)] = p["name"].(string)
		}
		if names[ana.UserID] != "Ana Souza" || names[bia.UserID] != "Bia Lima" {
			t.Fatalf("directory %v lacks the members", names)
		}
		if _, ok := names[gone.UserID]; ok {
			t.Fatalf("directory %v lists a removed user", names)
		}
	})
}
