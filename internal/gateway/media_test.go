package gateway_test

import (
	"bytes"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// A voice note and a captioned image reach Chatwoot as attachments (the
// voice note as voice); an agent's image goes to WhatsApp as media with
// the text as its caption.
func TestMedia(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newBridge(t, dialect)
		b.write(t, map[string]any{"from": "5511987650040", "type": "ptt"})
		b.write(t, map[string]any{"from": "5511987650040", "type": "image", "text": "*foto* do produto"})
		apptest.Eventually(t, "two media messages", func() bool { return len(b.convs()) == 1 && len(b.bySource(b.convs()[0].DisplayID)) == 2 })
		conv := b.onlyConversation(t).DisplayID
		msgs := b.cw.Messages(1, conv)
		if len(msgs[0].Attachments) != 1 || !msgs[0].Attachments[0].VoiceNote || msgs[0].Attachments[0].FileType != "audio" {
			t.Fatalf("voice note: %+v", msgs[0])
		}
		if len(msgs[1].Attachments) != 1 || msgs[1].Attachments[0].FileType != "image" || msgs[1].Content != "**foto** do produto" {
			t.Fatalf("image: %+v", msgs[1])
		}

		png, _ := base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField("content", "**veja** a tabela")
		_ = w.WriteField("message_type", "outgoing")
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="attachments[]"; filename="tabela.png"`)
		h.Set("Content-Type", "image/png")
		part, _ := w.CreatePart(h)
		part.Write(png)
		w.Close()
		req, _ := http.NewRequest("POST", b.cwURL+"/api/v1/accounts/1/conversations/"+strconv.Itoa(conv)+"/messages", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("api_access_token", b.agent)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("agent upload: %v %v", err, res)
		}
		res.Body.Close()
		apptest.Eventually(t, "the media send", func() bool { return len(b.evo.Sent("vendas")) == 1 })
		s := b.evo.Sent("vendas")[0]
		if s.Type != "image" || s.Text != "*veja* a tabela" || s.Media == nil || s.Media.Mimetype != "image/png" {
			t.Fatalf("sent: %+v %+v", s, s.Media)
		}
	})
}
