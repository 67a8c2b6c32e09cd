package provider_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/provider/providersim"
)

// A key with providers:write cannot re-point a provider to its own server and have the hub send
// the stored credentials there: moving base_url to another origin takes the credentials again in
// the same request, the hub's webhook token is re-made, and the change is audited as sensitive.
func TestStoredCredentialsCannotBeSentElsewhere(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		evo := providersim.NewEvolution(providersim.Options{})
		evoURL := serve(t, evo.Handler())
		evo.SetBaseURL(evoURL)
		var mu sync.Mutex
		var heard []string
		listener := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			heard = append(heard, r.URL.String()+" "+strings.Join(r.Header.Values("apikey"), ",")+" "+r.Header.Get("Authorization")+" "+string(body))
			mu.Unlock()
			if r.URL.Path == "/instance/fetchInstances" { // answers like an Evolution server with no instances
				_, _ = io.WriteString(w, "[]")
				return
			}
			w.WriteHeader(404)
		}))
		pid := f.do(t, "POST", "/providers", map[string]any{"name": "Evo", "type": "evolution", "base_url": evoURL,
			"credentials": map[string]string{"api_key": evo.APIKey()}}).Expect(t, 201).JSON(t)["id"].(string)
		var tokenBefore string
		if err := f.h.App.DB.R.QueryRow(`SELECT webhook_token FROM providers WHERE id = $1`, pid).Scan(&tokenBefore); err != nil {
			t.Fatal(err)
		}
		key := f.h.CreateAPIKey(f.ten.Admin.Token, f.ten.ID, "integrator", "providers:write", "providers:read")
		path := "/api/v1/accounts/" + f.ten.ID + "/providers/" + pid
		u, _ := url.Parse(evoURL)
		apptest.Run(t, f.h, []apptest.Scenario{
			{Name: "re-point without credentials", Method: "PATCH", Path: path, Header: apptest.KeyHeader(key.Key),
				Body: map[string]any{"base_url": listener}, Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"credentials"`}},
			{Name: "another spelling of the same server needs none", Method: "PATCH", Path: path, Header: apptest.KeyHeader(key.Key),
				Body: map[string]any{"base_url": "HTTP://" + strings.ToUpper(u.Host) + "/"}, Status: 200},
			{Name: "test still reaches the real server", Method: "POST", Path: path + "/test", Header: apptest.KeyHeader(key.Key), Status: 200,
				Contains: []string{`"status":"healthy"`}},
		})
		mu.Lock()
		if len(heard) != 0 {
			t.Fatalf("the listener heard %v", heard)
		}
		mu.Unlock()

		// With credentials of its own, the key may move it: only those go to the new server.
		f.h.Do(apptest.Req{Method: "PATCH", Path: path, Header: apptest.KeyHeader(key.Key),
			Body: map[string]any{"base_url": listener, "credentials": map[string]string{"api_key": "the-integrators-own-key"}}}).Expect(t, 200)
		f.h.Do(apptest.Req{Method: "POST", Path: path + "/test", Header: apptest.KeyHeader(key.Key)}).Expect(t, 200)
		var tokenAfter string
		if err := f.h.App.DB.R.QueryRow(`SELECT webhook_token FROM providers WHERE id = $1`, pid).Scan(&tokenAfter); err != nil {
			t.Fatal(err)
		}
		if tokenAfter == tokenBefore {
			t.Error("the webhook token was not re-made when the server changed")
		}
		mu.Lock()
		for _, h := range heard {
			if strings.Contains(h, evo.APIKey()) {
				t.Errorf("the stored key reached the new server: %s", h)
			}
		}
		mu.Unlock()
		rows := f.h.AuditLog(f.ten.Admin.Token, f.ten.ID, url.Values{"action": {"provider.origin_changed"}})
		if len(rows) != 1 || !strings.Contains(string(rows[0].After), `"sensitive":true`) || !strings.Contains(string(rows[0].Before), evoURL) {
			t.Fatalf("audit: %+v", rows)
		}
	})
}
