package provider

import (
	"testing"

	"github.com/whatpro/hub/internal/intake"
)

// batched is one Meta POST for two numbers in two entries: two messages
// from two senders on the first, a message and two statuses of one
// message on the second, and a change without a number.
const batched = `{"object":"whatsapp_business_account","entry":[
{"id":"WABA1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"5511","phone_number_id":"111"},
 "contacts":[{"profile":{"name":"Ana"},"wa_id":"5511999"},{"profile":{"name":"Bia"},"wa_id":"5511888"}],
 "messages":[{"from":"5511999","id":"wamid.A","type":"text","text":{"body":"oi"}},{"from":"5511888","id":"wamid.B","type":"text","text":{"body":"olá"}}]}}]},
{"id":"WABA2","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"222"},
 "contacts":[{"profile":{"name":"Caio"},"wa_id":"5521777"}],
 "messages":[{"from":"5521777","id":"wamid.C","type":"text","text":{"body":"bom dia"}}],
 "statuses":[{"id":"wamid.S","status":"sent","recipient_id":"5521777"},{"id":"wamid.S","status":"delivered","recipient_id":"5521777"}]}},
 {"field":"messages","value":{"messaging_product":"whatsapp","messages":[{"from":"1","id":"wamid.X"}]}}]}]}`

func TestCloudAPISplitBatched(t *testing.T) {
	obj, err := intake.Decode([]byte(batched))
	if err != nil {
		t.Fatal(err)
	}
	parts := (&cloudAPI{}).Split("p1", []byte(batched), obj)
	type want struct{ source, event, dedupe, ignore, contact string }
	wants := []want{
		{"p1:111", "messages", "wamid:wamid.A", "", "Ana"},
		{"p1:111", "messages", "wamid:wamid.B", "", "Bia"},
		{"p1:222", "messages", "wamid:wamid.C", "", "Caio"},
		{"p1:222", "statuses", "status:wamid.S:sent", "", ""},
		{"p1:222", "statuses", "status:wamid.S:delivered", "", ""},
		{"p1:", "messages", "wamid:wamid.X", "the change names no metadata.phone_number_id", ""},
	}
	if len(parts) != len(wants) {
		t.Fatalf("%d parts, want %d: %+v", len(parts), len(wants), parts)
	}
	checkParts(t, TypeCloudAPI, "p1", parts)
	for i, w := range wants {
		p := parts[i]
		if p.SourceID != w.source || p.Event != w.event || p.Dedupe != w.dedupe || p.Ignore != w.ignore {
			t.Errorf("part %d = %s %s %s %q, want %+v", i, p.SourceID, p.Event, p.Dedupe, p.Ignore, w)
		}
		v := valueOf(t, p)
		contacts, _ := v["contacts"].([]any)
		switch {
		case w.contact == "" && contacts != nil:
			t.Errorf("part %d keeps contacts %v", i, contacts)
		case w.contact != "":
			if len(contacts) != 1 || contacts[0].(map[string]any)["profile"].(map[string]any)["name"] != w.contact {
				t.Errorf("part %d contacts = %v, want only %s", i, contacts, w.contact)
			}
		}
		if v["messaging_product"] != "whatsapp" {
			t.Errorf("part %d lost the value's other fields: %v", i, v)
		}
	}
	if id := parts[0].Payload["entry"].([]any)[0].(map[string]any)["id"]; id != "WABA1" {
		t.Errorf("the entry id is %v", id)
	}
}

func TestCloudAPISplitEchoes(t *testing.T) {
	body := `{"object":"whatsapp_business_account","entry":[{"id":"W","changes":[{"field":"smb_message_echoes","value":{"metadata":{"phone_number_id":"9"},` +
		`"message_echoes":[{"from":"5511","to":"5521","id":"wamid.E1"},{"from":"5511","to":"5522","id":"wamid.E2"}]}}]}]}`
	obj, _ := intake.Decode([]byte(body))
	parts := (&cloudAPI{}).Split("p1", []byte(body), obj)
	if len(parts) != 2 || parts[0].Event != "smb_message_echoes" || parts[0].Dedupe != "echo:wamid.E1" || parts[1].Dedupe != "echo:wamid.E2" ||
		parts[0].SourceID != "p1:9" {
		t.Fatalf("echoes: %+v", parts)
	}
	if n := len(valueOf(t, parts[1])["message_echoes"].([]any)); n != 1 {
		t.Fatalf("an echo part holds %d echoes", n)
	}
}

func TestEvolutionSplit(t *testing.T) {
	cases := []struct{ body, source, event, dedupe, ignore string }{
		{`{"event":"messages.upsert","instance":"vendas","data":{"key":{"remoteJid":"55@s.whatsapp.net","id":"3EB0"}}}`,
			"p1:vendas", "messages.upsert", "messages.upsert:3EB0", ""},
		{`{"event":"connection.update","instance":"vendas","data":{"state":"open"}}`, "p1:vendas", "connection.update", "", ""},
		{`{"event":"connection.update","data":{"state":"open"}}`, "p1:", "connection.update", "", "the event names no instance"},
		{`{"instance":"vendas"}`, "p1:", "unrouted", "", "not an Evolution event: no event name"},
		{`{"event":"x y","instance":"vendas"}`, "p1:vendas", "unrouted", "", "the event has no usable name"},
	}
	for _, c := range cases {
		obj, err := intake.Decode([]byte(c.body))
		if err != nil {
			t.Fatal(err)
		}
		parts := (&evolution{}).Split("p1", []byte(c.body), obj)
		if len(parts) != 1 {
			t.Fatalf("%s: %d parts", c.body, len(parts))
		}
		p := parts[0]
		if p.SourceID != c.source || p.Event != c.event || p.Ignore != c.ignore || (c.dedupe != "" && p.Dedupe != c.dedupe) || p.Dedupe == "" {
			t.Errorf("%s: got %+v", c.body, p)
		}
	}
}

// BenchmarkCloudAPISplit measures cutting a six-part Meta POST (decode
// included, as Receive does).
func BenchmarkCloudAPISplit(b *testing.B) {
	raw := []byte(batched)
	a := &cloudAPI{}
	b.ReportAllocs()
	for b.Loop() {
		obj, err := intake.Decode(raw)
		if err != nil {
			b.Fatal(err)
		}
		if len(a.Split("p1", raw, obj)) != 6 {
			b.Fatal("parts")
		}
	}
}
