package gateway

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

func seedFile(f *testing.F, path string) {
	if raw, err := os.ReadFile(path); err == nil {
		f.Add(raw)
	}
}

func FuzzParseEvolution(f *testing.F) {
	seedFile(f, "../provider/providersim/testdata/evolution-messages-upsert-text.json")
	f.Add([]byte(`{"event":"messages.upsert","instance":"x","data":{"key":{"remoteJid":"207954848374201@lid","remoteJidAlt":"553188887777@s.whatsapp.net","addressingMode":"lid","fromMe":false,"id":"ABC"},"pushName":"M","message":{"imageMessage":{"mimetype":"image/jpeg","caption":"oi"},"base64":"AAAA"},"contextInfo":{"stanzaId":"Q1"},"messageTimestamp":1}}`))
	f.Add([]byte(`{"event":"messages.edited","data":{"key":{"remoteJid":"5511987650001@s.whatsapp.net","id":"E1"},"type":"MESSAGE_EDIT","editedMessage":{"conversation":"novo"}}}`))
	f.Add([]byte(`{"event":"messages.delete","data":{"remoteJid":"120363025555555555@g.us","id":"D1","participant":"5511987650001@s.whatsapp.net"}}`))
	f.Add([]byte(`{"event":"messages.update","data":[{"keyId":"K","remoteJid":"5511987650001@s.whatsapp.net","fromMe":true,"status":"READ"}]}`))
	f.Add([]byte(`{"event":"send.message","data":{"key":{"remoteJid":"status@broadcast","id":"S"},"message":{"reactionMessage":{"key":{"id":"T"},"text":"👍"}}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseEvolution(body)
		if err != nil {
			return
		}
		checkParsed(t, p)
	})
}

func FuzzParseCloud(f *testing.F) {
	seedFile(f, "../provider/providersim/testdata/meta-cloud-messages-text.json")
	seedFile(f, "../provider/providersim/testdata/meta-cloud-statuses-delivered.json")
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1"},"contacts":[{"user_id":"BR.1","profile":{"name":"X"}}],"messages":[{"from_user_id":"BR.1","id":"wamid.1","timestamp":"1","type":"audio","audio":{"id":"m1","mime_type":"audio/ogg","voice":true}}],"statuses":[{"id":"wamid.2","status":"failed","errors":[{"code":131047,"title":"Re-engagement"}]}]}}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseCloud(body, "")
		if err != nil {
			return
		}
		checkParsed(t, p)
	})
}

func checkParsed(t *testing.T, p *Parsed) {
	for _, m := range p.Messages {
		if m.ID == "" || m.Chat.Key() == "" || m.Kind == "" {
			t.Fatalf("a message without id, chat or kind: %+v", m)
		}
		if m.Chat.Phone != "" && strings.Trim(m.Chat.Phone, "0123456789") != "" {
			t.Fatalf("a phone that is not digits: %q", m.Chat.Phone)
		}
	}
	for _, s := range p.Statuses {
		if s.ID == "" || (statusRank(s.Status) < 0 && s.Status != "failed") {
			t.Fatalf("bad status: %+v", s)
		}
	}
}

func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{"**a** _b_ ~~c~~ `d`", "```\n*x*\n```", "[a](b) [c](d e)", "# h\n- *i*", "***", "_*~`[]()#", "\x00**\xff**"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := ToWhatsApp(s)
		back := FromWhatsApp(s)
		if utf8.ValidString(s) && (!utf8.ValidString(out) || !utf8.ValidString(back)) {
			t.Fatalf("invalid UTF-8 from valid input %q: %q %q", s, out, back)
		}
		if len(out) > 2*len(s)+2 || len(back) > 2*len(s) {
			t.Fatalf("output grew too much: %q → %q / %q", s, out, back)
		}
		if !strings.ContainsAny(s, "*_~`[#") && (out != s || back != s) {
			t.Fatalf("plain text changed: %q → %q / %q", s, out, back)
		}
	})
}

func FuzzChatwootMessage(f *testing.F) {
	f.Add([]byte(`{"event":"message_created","id":1,"content":"oi","message_type":"outgoing","private":false,"source_id":null,"conversation":{"id":2,"contact_inbox":{"source_id":"5511987650001"}},"attachments":[{"file_type":"audio","data_url":"http://x/y.ogg","meta":{"is_voice_message":true}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := ParseChatwootMessage(body)
		if err != nil {
			return
		}
		if m.ID <= 0 || m.Conversation == nil {
			t.Fatal("accepted a message without ids")
		}
		_ = planParts(m)
		_ = m.agentMessage()
	})
}
