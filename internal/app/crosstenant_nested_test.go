package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// alphaRows creates rows of A's behind the nested routes (a board with
// its stages, a card, a note, a chat room with a message, a dead gateway
// item, a WhatsApp number) and returns their ids by route wildcard, with the texts that must
// never show outside A.
func alphaRows(t *testing.T, h *apptest.Hub, a *tenant) (map[string]string, []string) {
	t.Helper()
	A := "/api/v1/accounts/" + a.ID
	do := func(method, path string, body any, status int, out any) {
		t.Helper()
		h.Do(apptest.Req{Method: method, Path: A + path, Token: a.Admin.Token, Body: body}).Expect(t, status).Decode(t, out)
	}
	var board struct {
		ID     string `json:"id"`
		Stages []struct {
			ID string `json:"id"`
		} `json:"stages"`
	}
	do("POST", "/boards", map[string]any{"name": "Alpha pipeline " + a.ID}, 201, &board)
	var full = board
	do("GET", "/boards/"+board.ID, nil, 200, &full)
	if len(full.Stages) == 0 {
		t.Fatalf("A's board has no stages: %+v", full)
	}
	var card, note, room, msg struct {
		ID string `json:"id"`
	}
	do("POST", "/boards/"+board.ID+"/cards", map[string]any{"title": "Alpha deal " + a.ID}, 201, &card)
	do("POST", "/boards/"+board.ID+"/cards/"+card.ID+"/notes", map[string]any{"body": "Alpha note " + a.ID}, 201, &note)
	do("POST", "/chat/rooms", map[string]any{"type": "public", "name": "alpha-room-" + a.ID[len(a.ID)-6:]}, 201, &room)
	do("POST", "/chat/rooms/"+room.ID+"/messages", map[string]any{"content": "Alpha message " + a.ID}, 201, &msg)
	workID := db.NewID()
	h.Exec(`INSERT INTO gateway_work (id, account_id, instance_id, lane, seq, dedupe_key, kind, payload, status, last_error,
		next_at, created_at, updated_at) VALUES ($1, $2, 'inst', 'in:inst:1', '1', $1, 'inbound', '{}', 'dead', 'alpha dead', $3, $3, $3)`,
		workID, a.ID, db.Now())
	// a WhatsApp number of A's (its settings must not be read or written through B)
	providerID, numberID := db.NewID(), db.NewID()
	h.Exec(`INSERT INTO providers (id, account_id, name, type, base_url, credentials, verify_token, webhook_token, created_at, updated_at)
		VALUES ($1, $2, 'alpha-evo', 'evolution', 'https://evo.example.com', '', '', '', $3, $3)`, providerID, a.ID, db.Now())
	h.Exec(`INSERT INTO provider_instances (id, account_id, provider_id, name, webhook_secret, status_changed_at, created_at, updated_at)
		VALUES ($1, $2, $3, 'alpha-number', '', $4, $4, $4)`, numberID, a.ID, providerID, db.Now())
	rows := map[string]string{"userID": a.user.ID, "keyID": a.key.ID, "sessionID": a.Admin.SessionID,
		"boardID": board.ID, "stageID": full.Stages[0].ID, "cardID": card.ID, "noteID": note.ID,
		"roomID": room.ID, "messageID": msg.ID, "workID": workID, "numberID": numberID}
	secrets := []string{board.ID, card.ID, note.ID, room.ID, msg.ID, workID, numberID, "Alpha pipeline", "Alpha deal", "Alpha note", "Alpha message"}
	return rows, secrets
}

// TestNestedRoutesRefuseForeignRows calls every route nested under an
// account with B's own account id in the path and A's row ids below it,
// as each of B's principals: a row of A's is never found through B's
// account (404; an empty body may be refused first, 400), nothing of A's
// shows, and A's rows are unchanged.
func TestNestedRoutesRefuseForeignRows(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv(
			"WHATPRO_RATE_LIMIT_ANON=100000", "WHATPRO_RATE_LIMIT_AUTH=100000")})
		super := h.LoginSuper()
		a, b := newWalkTenant(t, h, super, "Alpha"), newWalkTenant(t, h, super, "Beta")
		rows, secrets := alphaRows(t, h, a)
		secrets = append(secrets, a.secrets...)
		for i, s := range secrets {
			if s == b.ID || s == b.Name {
				secrets[i] = ""
			}
		}
		known := map[string]string{"accountID": b.ID}
		for k, v := range rows {
			known[k] = v
		}
		walked := 0
		for _, p := range bPrincipals(t, h, b) {
			for _, rt := range h.App.Routes() {
				if rt.AccountFrom != httpx.AccountPath || !strings.HasPrefix(rt.Pattern, "/api/v1/accounts/{accountID}/") {
					continue
				}
				names := wildcard.FindAllStringSubmatch(rt.Pattern, -1)
				nested, ownRows := 0, true
				for _, m := range names {
					if m[1] == "accountID" {
						continue
					}
					nested++
					if _, ok := rows[m[1]]; !ok {
						ownRows = false // an id that is not a hub row of A's (a Chatwoot id, an emoji…)
					}
				}
				if nested == 0 || !ownRows {
					continue
				}
				q := walkRequest(rt, fill(rt.Pattern, known), b.ID, p.header)
				r := h.Do(q)
				walked++
				// 404, or the empty body refused before any row is read
				// (a validation error names body fields, nothing of A's)
				refused := r.Status == http.StatusBadRequest && r.ErrorCode() == httpx.CodeValidation
				if r.Status != http.StatusNotFound && !refused {
					t.Errorf("%s: %s %s = %d %s, want 404", p.name, q.Method, q.Path, r.Status, r.Body)
				}
				if s := leaks(r.Body, secrets); s != "" {
					t.Errorf("%s: %s %s leaks %q of account A: %s", p.name, q.Method, q.Path, s, r.Body)
				}
			}
		}
		if walked < 30 {
			t.Fatalf("only %d nested calls: the walk proves little", walked)
		}
		t.Logf("walked %d nested calls with A's row ids under B", walked)
		// A's rows are as they were.
		A := "/api/v1/accounts/" + a.ID
		get := func(path string) string {
			return string(h.Do(apptest.Req{Method: "GET", Path: A + path, Token: a.Admin.Token}).Expect(t, 200).Body)
		}
		if body := get("/boards/" + rows["boardID"] + "/cards/" + rows["cardID"]); !strings.Contains(body, "Alpha deal") ||
			!strings.Contains(body, `"stage_id":"`+rows["stageID"]+`"`) {
			t.Errorf("A's card changed: %s", body)
		}
		if body := get("/chat/rooms/" + rows["roomID"] + "/messages"); !strings.Contains(body, "Alpha message") ||
			strings.Contains(body, `"deleted_at":"`) {
			t.Errorf("A's chat message changed: %s", body)
		}
		if n := h.Count(`SELECT count(*) FROM gateway_work WHERE id = '` + rows["workID"] + `' AND status = 'dead'`); n != 1 {
			t.Errorf("A's dead letter was replayed through B")
		}
		if n := h.Count(`SELECT count(*) FROM gateway_settings WHERE instance_id = '` + rows["numberID"] + `'`); n != 0 {
			t.Errorf("A's number got gateway settings through B")
		}
	})
}
