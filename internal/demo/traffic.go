package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

var lines = []string{
	"Oi, tudo bem?", "Qual o prazo de entrega?", "Vocês aceitam Pix?", "Pode me mandar o catálogo?",
	"Obrigada pelo retorno!", "Consegue um desconto para pagamento à vista?", "Chegou certinho, valeu!",
}

// play makes the demo's customers write on "WhatsApp" (the Evolution
// simulator's inbound messages) at perMinute, until ctx ends. The hub
// receives them as Evolution webhooks; the gateway carries them to
// Chatwoot.
func play(ctx context.Context, evoURL string, phones []string, perMinute float64, log io.Writer) {
	every := time.Duration(float64(time.Minute) / perMinute)
	tick := time.NewTicker(every)
	defer tick.Stop()
	evo := client{base: evoURL}
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		i := rand.IntN(len(phones))
		cu := customers[i%len(customers)]
		body := map[string]any{"from": phones[i], "push_name": cu.name, "text": lines[n%len(lines)]}
		if err := evo.do(ctx, "POST", "/_sim/instances/"+Instance+"/messages", body, nil); err != nil && ctx.Err() == nil {
			fmt.Fprintln(log, "demo traffic:", err)
		}
	}
}
