package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/whatpro/hub/internal/chatwoot/cwsim"
	"github.com/whatpro/hub/internal/provider/providersim"
)

// customers of the demo: they have a conversation in Chatwoot and a deal.
var customers = []struct {
	name, phone, says, deal string
	cents                   int
}{
	{"Mariana Souza", "5511987650001", "Oi! Vocês entregam em Campinas?", "Pedido Mariana", 45900},
	{"João Pereira", "5521987650002", "Queria um orçamento para 20 unidades", "Orçamento João — 20 un.", 189000},
	{"Beatriz Lima", "5531987650003", "Meu pedido chega amanhã?", "Reposição Beatriz", 12900},
}

// client calls one JSON API with a header credential.
type client struct {
	base, header, token string
}

func (c client) do(ctx context.Context, method, path string, body, out any, want ...int) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set(c.header, c.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	okStatus := res.StatusCode >= 200 && res.StatusCode < 300
	if len(want) > 0 {
		okStatus = false
		for _, w := range want {
			okStatus = okStatus || res.StatusCode == w
		}
	}
	if !okStatus {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, bytes.TrimSpace(raw))
	}
	if out != nil && len(raw) > 0 {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// world is what the traffic player drives: the customers' conversations
// in Chatwoot, their deals and the board's stages.
type world struct {
	hubURL, evoURL, cwURL, chatwootToken, accountID, boardID string
	conversations                                            []int
	cards, stages                                            []string
}

// setup builds the demo account through the hub's API (as its admin
// would) and the simulators' APIs (as Chatwoot and the phone would).
func setup(ctx context.Context, hubURL, cwURL, evoURL string, cw *cwsim.Sim, evo *providersim.Evolution) (*Summary, *world, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var ana cwsim.SeedUser
	var logins []Login
	for _, u := range cw.Seed().Users {
		if u.Email == "ana@acme.test" {
			ana = u
		}
		for _, m := range u.Accounts {
			if m.ID == 1 {
				logins = append(logins, Login{Email: u.Email, Password: u.Password, Role: m.Role})
			}
		}
	}
	hub := client{base: hubURL}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := hub.do(ctx, "POST", "/api/v1/auth/login", map[string]string{"email": AdminEmail, "password": AdminPassword}, &tok); err != nil {
		return nil, nil, err
	}
	hub = client{base: hubURL, header: "Authorization", token: "Bearer " + tok.AccessToken}
	var acct struct{ ID string }
	if err := hub.do(ctx, "POST", "/api/v1/accounts", map[string]string{"name": "Loja Demo"}, &acct); err != nil {
		return nil, nil, err
	}
	A := "/api/v1/accounts/" + acct.ID
	steps := []struct {
		method, path string
		body         any
	}{
		{"PUT", A + "/chatwoot", map[string]any{"base_url": cwURL, "chatwoot_account_id": 1, "api_access_token": ana.APIAccessToken}},
		{"POST", A + "/chatwoot/install", nil},
	}
	for _, s := range steps {
		if err := hub.do(ctx, s.method, s.path, s.body, nil); err != nil {
			return nil, nil, err
		}
	}
	// The number: an Evolution provider, its instance, the phone scanning
	// the QR code, and its Chatwoot API inbox.
	var prov, inst struct{ ID string }
	if err := hub.do(ctx, "POST", A+"/providers", map[string]any{"name": "Evolution (simulador)", "type": "evolution", "base_url": evoURL,
		"credentials": map[string]string{"api_key": evo.APIKey()}}, &prov); err != nil {
		return nil, nil, err
	}
	if err := hub.do(ctx, "POST", A+"/provider-instances", map[string]any{"provider_id": prov.ID, "name": Instance, "display_name": "Vendas"}, &inst); err != nil {
		return nil, nil, err
	}
	if err := hub.do(ctx, "POST", A+"/provider-instances/"+inst.ID+"/connect", nil, nil); err != nil {
		return nil, nil, err
	}
	// connecting is asynchronous: the QR arrives by event, then the phone scans it
	if err := waitFor(ctx, func() (bool, error) {
		var qr struct {
			QRCode string `json:"qr_code"`
		}
		err := hub.do(ctx, "GET", A+"/provider-instances/"+inst.ID+"/qr", nil, &qr)
		return qr.QRCode != "", err
	}); err != nil {
		return nil, nil, fmt.Errorf("the number's QR code never came: %w", err)
	}
	if err := (client{base: evoURL}).do(ctx, "POST", "/_sim/instances/"+Instance+"/scan", map[string]string{"number": "5511900000000", "profile_name": "Loja Demo"}, nil); err != nil {
		return nil, nil, err
	}
	if err := waitFor(ctx, func() (bool, error) {
		var st struct{ Status string }
		err := hub.do(ctx, "GET", A+"/provider-instances/"+inst.ID, nil, &st)
		return st.Status == "connected", err
	}); err != nil {
		return nil, nil, fmt.Errorf("the number did not connect: %w", err)
	}
	var ib struct {
		ChatwootInboxID int `json:"chatwoot_inbox_id"`
	}
	if err := hub.do(ctx, "POST", A+"/provider-instances/"+inst.ID+"/inbox", map[string]any{"name": "WhatsApp Vendas"}, &ib); err != nil {
		return nil, nil, err
	}
	// The default board (the console creates it on first use; every
	// inbox's new conversations enter it), named for the demo.
	var boards struct {
		Data []struct {
			ID        string `json:"id"`
			IsDefault bool   `json:"is_default"`
			Version   int64  `json:"version"`
		} `json:"data"`
	}
	if err := hub.do(ctx, "GET", A+"/boards", nil, &boards); err != nil {
		return nil, nil, err
	}
	var board struct{ ID string }
	for _, b := range boards.Data {
		if b.IsDefault {
			board.ID = b.ID
			if err := hub.do(ctx, "PATCH", A+"/boards/"+b.ID, map[string]any{"name": "Vendas", "version": b.Version}, nil); err != nil {
				return nil, nil, err
			}
		}
	}
	if board.ID == "" {
		return nil, nil, fmt.Errorf("the account has no default board")
	}
	var full struct {
		Stages []struct{ ID, Kind string } `json:"stages"`
	}
	if err := hub.do(ctx, "GET", A+"/boards/"+board.ID, nil, &full); err != nil {
		return nil, nil, err
	}
	// Customers who wrote in, as Chatwoot records them, and their deals.
	chatwoot := client{base: cwURL, header: "api_access_token", token: ana.APIAccessToken}
	C := "/api/v1/accounts/1"
	var phones []string
	w := &world{hubURL: hubURL, evoURL: evoURL, cwURL: cwURL, chatwootToken: ana.APIAccessToken, accountID: acct.ID, boardID: board.ID}
	for _, st := range full.Stages {
		if st.Kind == "open" {
			w.stages = append(w.stages, st.ID)
		}
	}
	for i, cu := range customers {
		var ct struct {
			Payload struct {
				Contact      struct{ ID int } `json:"contact"`
				ContactInbox struct {
					SourceID string `json:"source_id"`
				} `json:"contact_inbox"`
			} `json:"payload"`
		}
		if err := chatwoot.do(ctx, "POST", C+"/contacts", map[string]any{"name": cu.name, "phone_number": "+" + cu.phone,
			"inbox_id": ib.ChatwootInboxID}, &ct); err != nil {
			return nil, nil, err
		}
		var conv struct{ ID int }
		if err := chatwoot.do(ctx, "POST", C+"/conversations", map[string]any{"source_id": ct.Payload.ContactInbox.SourceID,
			"inbox_id": ib.ChatwootInboxID, "contact_id": ct.Payload.Contact.ID}, &conv); err != nil {
			return nil, nil, err
		}
		if err := chatwoot.do(ctx, "POST", fmt.Sprintf("%s/conversations/%d/messages", C, conv.ID),
			map[string]any{"content": cu.says, "message_type": "incoming"}, nil); err != nil {
			return nil, nil, err
		}
		// The conversation opens the customer's deal on the board (its
		// webhook reaches the hub); the seller names and prices it.
		made, err := w.dealOf(ctx, hub, ct.Payload.Contact.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("the deal of %s never appeared: %w", cu.name, err)
		}
		path := A + "/boards/" + board.ID + "/cards/" + made.ID
		if err := hub.do(ctx, "PATCH", path, map[string]any{"title": cu.deal, "value_cents": cu.cents, "version": made.Version}, &made); err != nil {
			return nil, nil, err
		}
		if len(w.stages) > 0 {
			if stage := w.stages[min(i, len(w.stages)-1)]; stage != made.StageID {
				if err := hub.do(ctx, "POST", path+"/move", map[string]any{"stage_id": stage, "version": made.Version}, nil); err != nil {
					return nil, nil, err
				}
			}
		}
		phones = append(phones, cu.phone)
		w.conversations = append(w.conversations, conv.ID)
		w.cards = append(w.cards, made.ID)
	}
	return &Summary{ConsoleURL: hubURL + "/", ChatwootURL: cwURL + "/app/accounts/1/dashboard", ProviderURL: evoURL,
		PhoneURL: evoURL + "/_sim/instances/" + Instance + "/phone", Console: Login{Email: AdminEmail, Password: AdminPassword},
		Chatwoot: logins, AccountID: acct.ID, BoardID: board.ID, InstanceID: inst.ID, InboxID: ib.ChatwootInboxID, Customers: phones}, w, nil
}

// deal is a card as the demo reads it.
type deal struct {
	ID             string `json:"id"`
	StageID        string `json:"stage_id"`
	Version        int64  `json:"version"`
	ConversationID *int   `json:"conversation_id"`
	Contact        *struct {
		ID int `json:"id"`
	} `json:"contact"`
}

// dealOf waits for the contact's deal, linked to its conversation, on the
// demo board.
func (w *world) dealOf(ctx context.Context, hub client, contactID int) (*deal, error) {
	var found *deal
	err := waitFor(ctx, func() (bool, error) {
		var page struct {
			Data []deal `json:"data"`
		}
		if err := hub.do(ctx, "GET", "/api/v1/accounts/"+w.accountID+"/boards/"+w.boardID+"/cards?limit=200", nil, &page); err != nil {
			return false, err
		}
		for i, c := range page.Data {
			if c.Contact != nil && c.Contact.ID == contactID && c.ConversationID != nil {
				found = &page.Data[i]
				return true, nil
			}
		}
		return false, nil
	})
	return found, err
}

func waitFor(ctx context.Context, cond func() (bool, error)) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := cond()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			if err != nil {
				return err
			}
			return ctx.Err()
		case <-tick.C:
		}
	}
}
