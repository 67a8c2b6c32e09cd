package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

var (
	asks = []string{
		"Oi, tudo bem?", "Qual o prazo de entrega?", "Vocês aceitam Pix?", "Pode me mandar o catálogo?",
		"Consegue um desconto para pagamento à vista?", "Chegou certinho, valeu!",
	}
	answers = []string{
		"Olá! Tudo ótimo, como posso ajudar?", "Entregamos em até 3 dias úteis.", "Aceitamos Pix, sim!",
		"Vou te mandar o catálogo agora.", "Consigo 5% à vista.", "Que bom! Obrigado pela compra.",
	}
)

// play makes the demo live at perMinute actions until ctx ends: mostly a
// customer writing on "WhatsApp" (an inbound message of the Evolution
// simulator, which reaches the hub as Evolution's webhook and Chatwoot
// through the gateway), an agent replying in Chatwoot (its API, which
// reaches the hub as Chatwoot's webhook and the phone through the
// gateway), and now and then a deal moving to the next stage (the hub's
// API, seen live on the board).
func play(ctx context.Context, w *world, phones []string, perMinute float64, log io.Writer) {
	tick := time.NewTicker(time.Duration(float64(time.Minute) / perMinute))
	defer tick.Stop()
	evo := client{base: w.evoURL}
	chatwoot := client{base: w.cwURL, header: "api_access_token", token: w.chatwootToken}
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		i := rand.IntN(len(phones))
		var err error
		switch {
		case n%5 == 4:
			err = w.moveCard(ctx, i)
		case n%2 == 1:
			err = chatwoot.do(ctx, "POST", fmt.Sprintf("/api/v1/accounts/1/conversations/%d/messages", w.conversations[i]),
				map[string]any{"content": answers[n%len(answers)], "message_type": "outgoing"}, nil)
		default:
			err = evo.do(ctx, "POST", "/_sim/instances/"+Instance+"/messages",
				map[string]any{"from": phones[i], "push_name": customers[i%len(customers)].name, "text": asks[n%len(asks)]}, nil)
		}
		if err != nil && ctx.Err() == nil {
			fmt.Fprintln(log, "demo traffic:", err)
		}
	}
}

// moveCard moves customer i's deal to the next open stage (back to the
// first after the last), signed in afresh (access tokens are short).
func (w *world) moveCard(ctx context.Context, i int) error {
	if len(w.stages) < 2 {
		return nil // one open stage: nowhere to move
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := (client{base: w.hubURL}).do(ctx, "POST", "/api/v1/auth/login", map[string]string{"email": AdminEmail, "password": AdminPassword}, &tok); err != nil {
		return err
	}
	hub := client{base: w.hubURL, header: "Authorization", token: "Bearer " + tok.AccessToken}
	path := "/api/v1/accounts/" + w.accountID + "/boards/" + w.boardID + "/cards/" + w.cards[i]
	var card struct {
		StageID string `json:"stage_id"`
		Version int64  `json:"version"`
		Status  string `json:"status"`
	}
	if err := hub.do(ctx, "GET", path, nil, &card); err != nil || card.Status != "open" {
		return err
	}
	next := w.stages[0]
	for k, st := range w.stages[:len(w.stages)-1] {
		if st == card.StageID {
			next = w.stages[k+1]
		}
	}
	return hub.do(ctx, "POST", path+"/move", map[string]any{"stage_id": next, "version": card.Version}, nil)
}
