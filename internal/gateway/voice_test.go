package gateway_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// An agent's voice note to a Cloud API number: with ffmpeg on PATH it is
// converted to OGG/Opus and sent as a voice message; without it, it goes
// as a file and a private note says why. (Not parallel: it sets PATH.)
func TestCloudAPIVoiceNote(t *testing.T) {
	withFFmpeg := t.TempDir()
	fake := "#!/bin/sh\n" +
		"# stands in for ffmpeg: asked for mono Opus in OGG on stdout, it writes an OGG stream\n" +
		"case \"$*\" in *'-ac 1 -c:a libopus'*'-f ogg pipe:1') ;; *) echo \"unexpected arguments: $*\" >&2; exit 1;; esac\n" +
		"printf 'OggS converted'\n"
	if err := os.WriteFile(filepath.Join(withFFmpeg, "ffmpeg"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	without := t.TempDir()
	apptest.Each(t, func(t *testing.T, dialect string) {
		cb := newCloudBridge(t, dialect)
		b, meta := cb.bridge, cb.meta
		for i, c := range []struct {
			path  string
			voice bool
		}{{withFFmpeg, true}, {without, false}} {
			t.Setenv("PATH", c.path)
			from := "552198765007" + strconv.Itoa(i)
			b.sim(t, "POST", cb.metaURL+"/_sim/messages", map[string]any{"from": from, "text": "manda um áudio"}, 0)
			apptest.Eventually(t, "the conversation", func() bool {
				cs := b.convs()
				return len(cs) == i+1 && len(b.bySource(cs[i].DisplayID)) == 1
			})
			conv := b.convs()[i].DisplayID
			before := len(meta.Sent())
			b.sendVoice(t, conv)
			apptest.Eventually(t, "the voice send", func() bool { return len(meta.Sent()) == before+1 })
			s := meta.Sent()[before]
			if s.Media == nil {
				t.Fatalf("sent: %+v", s)
			}
			data, mime, _ := meta.MediaFile(s.Media.ID)
			note := func() string {
				for _, m := range b.cw.Messages(1, conv) {
					if m.Private {
						return m.Content
					}
				}
				return ""
			}
			if c.voice {
				if s.Type != "audio" || !s.Media.Voice || mime != "audio/ogg" || string(data) != "OggS converted" {
					t.Fatalf("converted voice note: %+v %+v %s %q", s, s.Media, mime, data)
				}
				if n := note(); n != "" {
					t.Fatalf("a voice note that went as one got a note: %q", n)
				}
				continue
			}
			if s.Type != "document" || s.Media.Voice || s.Media.Filename != "gravacao.webm" || mime != "audio/webm" || string(data) != "webm audio" {
				t.Fatalf("voice note as a file: %+v %+v %s %q", s, s.Media, mime, data)
			}
			apptest.Eventually(t, "the private note", func() bool { return strings.Contains(note(), "no ffmpeg") })
		}
	})
}

// sendVoice makes the agent record a voice note in the conversation (the
// browser's WebM, flagged is_voice_message).
func (b *bridge) sendVoice(t *testing.T, conv int) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("message_type", "outgoing")
	_ = w.WriteField("is_voice_message", "true")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="attachments[]"; filename="gravacao.webm"`)
	h.Set("Content-Type", "audio/webm")
	part, _ := w.CreatePart(h)
	_, _ = part.Write([]byte("webm audio"))
	_ = w.Close()
	req, _ := http.NewRequest("POST", b.cwURL+"/api/v1/accounts/1/conversations/"+strconv.Itoa(conv)+"/messages", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("api_access_token", b.agent)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("agent voice note: %v %v", err, res)
	}
	res.Body.Close()
}
