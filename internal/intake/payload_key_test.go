package intake

import (
	"strings"
	"testing"
)

// Evolution names a message by data.key (and a reaction or a delete by
// the key inside it); those objects are not secrets and must be stored
// whole, while a key that holds a value still is.
func TestMessageKeysKeptIntact(t *testing.T) {
	body := `{"event":"messages.upsert","instance":"acme","apikey":"evo-secret-1","data":{
		"key":{"remoteJid":"5531988887777@s.whatsapp.net","fromMe":false,"id":"3EB0AAAA"},
		"message":{"reactionMessage":{"key":{"remoteJid":"5531988887777@s.whatsapp.net","id":"3EB0BBBB"},"text":"👍"},
			"protocolMessage":{"key":{"id":"3EB0CCCC"},"type":0}},
		"config":{"key":"plain-secret-2"}}}`
	_, stored, err := parsePayload([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	s := string(stored)
	for _, want := range []string{`"remoteJid":"5531988887777@s.whatsapp.net"`, `"id":"3EB0AAAA"`, `"fromMe":false`, `"id":"3EB0BBBB"`, `"id":"3EB0CCCC"`} {
		if !strings.Contains(s, want) {
			t.Errorf("stored payload lost %s: %s", want, s)
		}
	}
	for _, secret := range []string{"evo-secret-1", "plain-secret-2"} {
		if strings.Contains(s, secret) {
			t.Errorf("stored payload keeps %q: %s", secret, s)
		}
	}
}
