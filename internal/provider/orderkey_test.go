package provider

import (
	"testing"

	"github.com/whatpro/hub/internal/intake"
)

// Every Evolution message event is keyed by its chat, read where each
// event puts it; one person gives one key under both Brazilian forms of
// their phone and under a @lid with the phone beside it.
func TestEvolutionSplitOrderKey(t *testing.T) {
	const ana = "chat:5511987654321" // the 13-digit form
	cases := []struct{ name, body, want string }{
		{"upsert", `{"event":"messages.upsert","instance":"v","data":{"key":{"remoteJid":"5511987654321@s.whatsapp.net","id":"A"}}}`, ana},
		{"upsert without the 9th digit", `{"event":"messages.upsert","instance":"v","data":{"key":{"remoteJid":"551187654321@s.whatsapp.net","id":"B"}}}`, ana},
		{"upsert from a device", `{"event":"messages.upsert","instance":"v","data":{"key":{"remoteJid":"551187654321:12@s.whatsapp.net","id":"B"}}}`, ana},
		{"legacy c.us", `{"event":"messages.upsert","instance":"v","data":{"key":{"remoteJid":"5511987654321@c.us","id":"B"}}}`, ana},
		{"lid with remoteJidAlt", `{"event":"messages.upsert","instance":"v","data":{"key":{"remoteJid":"123456789012345@lid","remoteJidAlt":"551187654321@s.whatsapp.net","addressingMode":"lid","id":"C"}}}`, ana},
		{"lid with senderPn", `{"event":"messages.upsert","instance":"v","data":{"key":{"remoteJid":"123456789012345@lid","senderPn":"5511987654321@s.whatsapp.net","id":"D"}}}`, ana},
		{"bare lid", `{"event":"messages.upsert","instance":"v","data":{"key":{"remoteJid":"123456789012345@lid","id":"E"}}}`, ""},
		{"send.message", `{"event":"send.message","instance":"v","data":{"key":{"remoteJid":"5511987654321@s.whatsapp.net","fromMe":true,"id":"F"}}}`, ana},
		{"group", `{"event":"messages.upsert","instance":"v","data":{"key":{"remoteJid":"120363040000000000@g.us","participant":"5511987654321@s.whatsapp.net","id":"G"}}}`, "chat:120363040000000000@g.us"},
		{"old-style group", `{"event":"messages.upsert","instance":"v","data":{"key":{"remoteJid":"5511987654321-1500000000@g.us","id":"G"}}}`, "chat:5511987654321-1500000000@g.us"},
		{"edited", `{"event":"messages.edited","instance":"v","data":{"key":{"remoteJid":"551187654321@s.whatsapp.net","id":"H"},"type":"MESSAGE_EDIT","editedMessage":{"conversation":"x"}}}`, ana},
		{"delete (data is the key)", `{"event":"messages.delete","instance":"v","data":{"remoteJid":"5511987654321@s.whatsapp.net","fromMe":false,"id":"I"}}`, ana},
		{"delete with a nested key", `{"event":"messages.delete","instance":"v","data":{"key":{"remoteJid":"5511987654321@s.whatsapp.net","id":"I"}}}`, ana},
		{"update", `{"event":"messages.update","instance":"v","data":{"keyId":"J","remoteJid":"551187654321@s.whatsapp.net","fromMe":true,"status":"READ"}}`, ana},
		{"a list of one chat", `{"event":"messages.upsert","instance":"v","data":[{"key":{"remoteJid":"5511987654321@s.whatsapp.net","id":"K1"}},{"key":{"remoteJid":"551187654321@s.whatsapp.net","id":"K2"}}]}`, ana},
		{"a list of two chats", `{"event":"messages.upsert","instance":"v","data":[{"key":{"remoteJid":"5511987654321@s.whatsapp.net","id":"L1"}},{"key":{"remoteJid":"5521987654321@s.whatsapp.net","id":"L2"}}]}`, ""},
		{"a landline keeps its form", `{"event":"messages.upsert","instance":"v","data":{"key":{"remoteJid":"551132654321@s.whatsapp.net","id":"M"}}}`, "chat:551132654321"},
		{"another country", `{"event":"messages.upsert","instance":"v","data":{"key":{"remoteJid":"14155550123@s.whatsapp.net","id":"N"}}}`, "chat:14155550123"},
		{"broadcast", `{"event":"messages.upsert","instance":"v","data":{"key":{"remoteJid":"status@broadcast","id":"O"}}}`, ""},
		{"newsletter", `{"event":"messages.upsert","instance":"v","data":{"key":{"remoteJid":"120363000000000000@newsletter","id":"P"}}}`, ""},
		{"no key", `{"event":"messages.upsert","instance":"v","data":{"message":{}}}`, ""},
		{"not a jid", `{"event":"messages.upsert","instance":"v","data":{"key":{"remoteJid":"abc def@s.whatsapp.net","id":"Q"}}}`, ""},
		{"not a message event", `{"event":"connection.update","instance":"v","data":{"remoteJid":"5511987654321@s.whatsapp.net"}}`, ""},
	}
	for _, c := range cases {
		obj, err := intake.Decode([]byte(c.body))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		parts := (&evolution{}).Split("p1", []byte(c.body), obj)
		checkParts(t, TypeEvolution, "p1", parts)
		if len(parts) != 1 || parts[0].OrderKey != c.want {
			t.Errorf("%s: order key %q, want %q", c.name, parts[0].OrderKey, c.want)
		}
	}
}

// Cloud API parts are keyed by the customer: a message's sender, a
// status's recipient, an echo's addressee; both Brazilian forms are one.
func TestCloudAPISplitOrderKey(t *testing.T) {
	body := `{"object":"whatsapp_business_account","entry":[{"id":"W","changes":[
{"field":"messages","value":{"metadata":{"phone_number_id":"111"},
 "messages":[{"from":"5511987654321","id":"wamid.A"},{"from":"551187654321","id":"wamid.B"},{"from_user_id":"BR.1x","id":"wamid.C"}],
 "statuses":[{"id":"wamid.S","status":"read","recipient_id":"551187654321"},{"id":"wamid.T","status":"sent"}]}},
{"field":"smb_message_echoes","value":{"metadata":{"phone_number_id":"111"},"message_echoes":[{"from":"5511999990000","to":"+55 11 8765-4321","id":"wamid.E"}]}},
{"field":"account_update","value":{"metadata":{"phone_number_id":"111"},"event":"X"}}]}]}`
	obj, err := intake.Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	parts := (&cloudAPI{}).Split("p1", []byte(body), obj)
	checkParts(t, TypeCloudAPI, "p1", parts)
	const ana = "chat:5511987654321"
	wants := []struct{ dedupe, key string }{
		{"wamid:wamid.A", ana}, {"wamid:wamid.B", ana}, {"wamid:wamid.C", ""},
		{"status:wamid.S:read", ana}, {"status:wamid.T:sent", ""},
		{"echo:wamid.E", ana}, {"", ""},
	}
	if len(parts) != len(wants) {
		t.Fatalf("%d parts, want %d: %+v", len(parts), len(wants), parts)
	}
	for i, w := range wants {
		if (w.dedupe != "" && parts[i].Dedupe != w.dedupe) || parts[i].OrderKey != w.key {
			t.Errorf("part %d: %s key %q, want %+v", i, parts[i].Dedupe, parts[i].OrderKey, w)
		}
	}
}
