package providersim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

// evoHook is an open instance whose webhook (all events) reaches rc.
type evoHook struct {
	e    *Evolution
	base string
	rc   *receiver
	key  map[string]string
}

func newEvoHook(t *testing.T, opts Options, webhookBase64 bool) evoHook {
	t.Helper()
	e, base := newEvolutionWith(t, opts)
	rc := newReceiver(t, nil)
	b64 := "false"
	if webhookBase64 {
		b64 = "true"
	}
	createInstance(t, base, e.APIKey(), `{"instanceName":"n1","qrcode":true,"webhook":{"url":"`+rc.URL+`/hook","base64":`+b64+`,"events":[]}}`)
	if status, raw := call(t, "POST", base+"/_sim/instances/n1/scan", nil, `{"number":"5531999990000","profile_name":"Loja"}`); status != 200 {
		t.Fatalf("scan = %d %s", status, raw)
	}
	flush(t, e)
	return evoHook{e: e, base: base, rc: rc, key: map[string]string{"apikey": e.APIKey()}}
}

// bodies returns the decoded webhooks of event, in arrival order.
func (h evoHook) bodies(t *testing.T, event string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range h.rc.requests() {
		if m := decode(t, r.Body); m["event"] == event {
			out = append(out, m)
		}
	}
	return out
}

func (h evoHook) post(t *testing.T, path, body string) (int, map[string]any) {
	t.Helper()
	status, raw := call(t, "POST", h.base+path, h.key, body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return status, m
}

func TestEvolutionSendTextAndItsEvents(t *testing.T) {
	t.Parallel()
	h := newEvoHook(t, Options{}, false)
	status, ans := h.post(t, "/message/sendText/n1", `{"number":"+55 (31) 98765-4321","text":"Olá *Maria*","delay":0,"linkPreview":false}`)
	if status != http.StatusCreated {
		t.Fatalf("sendText = %d %v", status, ans)
	}
	key := ans["key"].(map[string]any)
	id := key["id"].(string)
	// Brazil: DDD 31 and a subscriber starting with 8 loses the 9th digit.
	if key["remoteJid"] != "553187654321@s.whatsapp.net" || key["fromMe"] != true || !strings.HasPrefix(id, "3EB0") || len(id) != 22 ||
		ans["status"] != "PENDING" || ans["messageType"] != "conversation" || ans["source"] != "web" || ans["pushName"] != "Loja" ||
		ans["message"].(map[string]any)["conversation"] != "Olá *Maria*" || ans["messageTimestamp"] != float64(fixedNow.Unix()) {
		t.Errorf("answer = %v", ans)
	}
	flush(t, h.e)
	sent := h.bodies(t, "send.message")
	if len(sent) != 1 || !jsonEq(sent[0]["data"], ans) {
		t.Fatalf("send.message = %v, want the answer %v", sent, ans)
	}
	upd := h.bodies(t, "messages.update")
	if len(upd) != 1 {
		t.Fatalf("messages.update = %v", upd)
	}
	d := upd[0]["data"].(map[string]any)
	if d["keyId"] != id || d["status"] != "SERVER_ACK" || d["remoteJid"] != "553187654321@s.whatsapp.net" || d["fromMe"] != true ||
		d["messageId"] == "" || d["instanceId"] == "" {
		t.Errorf("messages.update data = %v", d)
	}
	// São Paulo numbers keep it.
	if _, ans := h.post(t, "/message/sendText/n1", `{"number":"5511987654321","text":"x"}`); dig(ans, "key", "remoteJid") != "5511987654321@s.whatsapp.net" {
		t.Errorf("SP number = %v", ans)
	}
	list := h.e.Sent("n1")
	if len(list) != 2 || list[0].ID != id || list[0].Number != "+55 (31) 98765-4321" || list[0].To != "553187654321@s.whatsapp.net" ||
		list[0].Type != "text" || list[0].Text != "Olá *Maria*" || list[0].Status != "SERVER_ACK" {
		t.Errorf("Sent = %+v", list)
	}
	status, raw := call(t, "GET", h.base+"/_sim/instances/n1/sent", nil, "")
	var page struct {
		Data []EvolutionSend `json:"data"`
	}
	if err := json.Unmarshal(raw, &page); status != 200 || err != nil || len(page.Data) != 2 || page.Data[1].Text != "x" {
		t.Errorf("GET sent = %d %s", status, raw)
	}
}

func dig(v any, path ...string) any {
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

func jsonEq(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func TestEvolutionSendErrors(t *testing.T) {
	t.Parallel()
	h := newEvoHook(t, Options{}, false)
	h.e.SetOnWhatsApp("5531987650000", false)
	status, raw := call(t, "POST", h.base+"/message/sendText/n1", h.key, `{"number":"5531987650000","text":"x"}`)
	if want := `{"status":400,"error":"Bad Request","response":{"message":[{"exists":false,"jid":"553187650000@s.whatsapp.net","number":"5531987650000"}]}}`; status != 400 || string(raw) != want {
		t.Errorf("unknown number = %d %s", status, raw)
	}
	// Both Brazilian forms are one account.
	if status, _ := call(t, "POST", h.base+"/message/sendText/n1", h.key, `{"number":"553187650000","text":"x"}`); status != 400 {
		t.Errorf("12-digit form of an unknown number = %d", status)
	}
	call(t, "POST", h.base+"/_sim/numbers", nil, `{"number":"553187650000","exists":true}`)
	if status, _ := call(t, "POST", h.base+"/message/sendText/n1", h.key, `{"number":"5531987650000","text":"x"}`); status != 201 {
		t.Errorf("after /_sim/numbers = %d", status)
	}
	for body, want := range map[string]string{
		`{"text":"x"}`:                                      `instance requires property \"number\"`,
		`{"number":"5511987654321"}`:                        `instance requires property \"text\"`,
		`{"number":5511,"text":"x"}`:                        `number is not of a type(s) string`,
		`{"number":"5511987654321","text":"x","delay":"a"}`: `delay is not of a type(s) number`,
	} {
		if status, raw := call(t, "POST", h.base+"/message/sendText/n1", h.key, body); status != 400 || !strings.Contains(string(raw), want) {
			t.Errorf("%s = %d %s, want %s", body, status, raw, want)
		}
	}
	if status, _ := call(t, "POST", h.base+"/message/sendText/n1", map[string]string{"apikey": "nope"}, `{"number":"1","text":"x"}`); status != 401 {
		t.Errorf("bad key = %d", status)
	}
	call(t, "POST", h.base+"/_sim/instances/n1/disconnect", nil, `{"status_reason":401}`)
	if status, raw := call(t, "POST", h.base+"/message/sendText/n1", h.key, `{"number":"5511987654321","text":"x"}`); status != 400 || !strings.Contains(string(raw), "Connection Closed") {
		t.Errorf("send on a closed session = %d %s", status, raw)
	}
}

func TestEvolutionSendMediaEveryWay(t *testing.T) {
	t.Parallel()
	h := newEvoHook(t, Options{}, true)
	png := []byte("\x89PNG\r\n\x1a\nfake")
	files := http.NewServeMux()
	files.HandleFunc("/blob", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/disk/foto.png", http.StatusFound) })
	files.HandleFunc("/disk/foto.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(png)
	})
	media := newTestServer(t, files)
	status, byURL := h.post(t, "/message/sendMedia/n1", `{"number":"5511987654321","mediatype":"image","caption":"nota","media":"`+media+`/blob"}`)
	if status != 201 {
		t.Fatalf("sendMedia by URL = %d %v", status, byURL)
	}
	img := dig(byURL, "message", "imageMessage").(map[string]any)
	if byURL["messageType"] != "imageMessage" || img["mimetype"] != "image/png" || img["caption"] != "nota" || img["fileLength"] != "12" {
		t.Errorf("image answer = %v", byURL)
	}
	if _, has := dig(byURL, "message").(map[string]any)["base64"]; has {
		t.Error("the answer carries no base64")
	}
	doc := base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 boleto"))
	_, byB64 := h.post(t, "/message/sendMedia/n1", `{"number":"5511987654321","mediatype":"document","mimetype":"application/pdf","fileName":"boleto.pdf","media":"`+doc+`"}`)
	if dig(byB64, "message", "documentMessage", "fileName") != "boleto.pdf" {
		t.Errorf("document = %v", byB64)
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("number", "5511987654321")
	w.WriteField("mediatype", "video")
	fw, _ := w.CreateFormFile("file", "clip.mp4")
	fw.Write([]byte("mp4 bytes"))
	w.Close()
	status, raw := call(t, "POST", h.base+"/message/sendMedia/n1", map[string]string{"apikey": h.e.APIKey(), "Content-Type": w.FormDataContentType()}, buf.String())
	if status != 201 || !strings.Contains(string(raw), `"videoMessage"`) {
		t.Errorf("multipart sendMedia = %d %s", status, raw)
	}
	_, voice := h.post(t, "/message/sendWhatsAppAudio/n1", `{"number":"5511987654321","audio":"`+base64.StdEncoding.EncodeToString([]byte("OggS"))+`"}`)
	if dig(voice, "message", "audioMessage", "ptt") != true || dig(voice, "message", "audioMessage", "mimetype") != "audio/ogg; codecs=opus" {
		t.Errorf("voice = %v", voice)
	}
	_, sticker := h.post(t, "/message/sendSticker/n1", `{"number":"5511987654321","sticker":"`+base64.StdEncoding.EncodeToString([]byte("RIFF"))+`"}`)
	if sticker["messageType"] != "stickerMessage" {
		t.Errorf("sticker = %v", sticker)
	}
	if status, raw := call(t, "POST", h.base+"/message/sendMedia/n1", h.key, `{"number":"5511987654321","mediatype":"gif","media":"AA=="}`); status != 400 {
		t.Errorf("bad mediatype = %d %s", status, raw)
	}
	if status, raw := call(t, "POST", h.base+"/message/sendMedia/n1", h.key, `{"number":"5511987654321","mediatype":"image","media":"`+media+`/missing"}`); status != 400 {
		t.Errorf("unreachable media = %d %s", status, raw)
	}
	flush(t, h.e)
	// With the webhook's base64 on, send.message carries the bytes.
	var found bool
	for _, b := range h.bodies(t, "send.message") {
		if dig(b, "data", "key", "id") == dig(byURL, "key", "id") {
			found = dig(b, "data", "message", "base64") == base64.StdEncoding.EncodeToString(png)
		}
	}
	if !found {
		t.Error("send.message lacks message.base64")
	}
	_, got := h.post(t, "/chat/getBase64FromMediaMessage/n1", `{"message":{"key":{"id":"`+dig(byB64, "key", "id").(string)+`"}}}`)
	if got["base64"] != doc || got["mimetype"] != "application/pdf" || got["mediaType"] != "documentMessage" || got["fileName"] != "boleto.pdf" {
		t.Errorf("getBase64FromMediaMessage = %v", got)
	}
	var types []string
	for _, s := range h.e.Sent("n1") {
		types = append(types, s.Type)
	}
	if !slices.Equal(types, []string{"image", "document", "video", "ptt", "sticker"}) {
		t.Errorf("sent types = %v", types)
	}
	if s := h.e.Sent("n1")[0]; s.Media == nil || s.Media.URL != media+"/blob" || s.Media.Size != len(png) || s.Media.Mimetype != "image/png" {
		t.Errorf("sent media = %+v", s.Media)
	}
}

func TestEvolutionSendOtherTypesAndChatHelpers(t *testing.T) {
	t.Parallel()
	h := newEvoHook(t, Options{}, false)
	_, in := h.post(t, "/_sim/instances/n1/messages", `{"from":"5511987654321","text":"quero o boleto"}`)
	inID := dig(in, "key", "id").(string)
	_, reply := h.post(t, "/message/sendText/n1", `{"number":"5511987654321","text":"segue","quoted":{"key":{"id":"`+inID+`"},"message":{"conversation":"quero o boleto"}}}`)
	ctx := reply["contextInfo"].(map[string]any)
	if ctx["stanzaId"] != inID || ctx["participant"] != "5511987654321@s.whatsapp.net" || dig(ctx, "quotedMessage", "conversation") != "quero o boleto" {
		t.Errorf("quoted reply contextInfo = %v", ctx)
	}
	_, loc := h.post(t, "/message/sendLocation/n1", `{"number":"5511987654321","name":"Loja","address":"Av. Paulista","latitude":-23.56,"longitude":-46.65}`)
	if dig(loc, "message", "locationMessage", "degreesLatitude") != -23.56 {
		t.Errorf("location = %v", loc)
	}
	_, card := h.post(t, "/message/sendContact/n1", `{"number":"5511987654321","contact":[{"fullName":"Suporte","wuid":"5511900000000","phoneNumber":"+55 11 90000-0000"}]}`)
	if v, _ := dig(card, "message", "contactMessage", "vcard").(string); !strings.Contains(v, "waid=5511900000000") {
		t.Errorf("contact = %v", card)
	}
	_, react := h.post(t, "/message/sendReaction/n1", `{"key":{"remoteJid":"5511987654321@s.whatsapp.net","fromMe":false,"id":"`+inID+`"},"reaction":"👍"}`)
	if dig(react, "message", "reactionMessage", "text") != "👍" || dig(react, "message", "reactionMessage", "key", "id") != inID {
		t.Errorf("reaction = %v", react)
	}
	status, raw := call(t, "POST", h.base+"/chat/whatsappNumbers/n1", h.key, `{"numbers":["5531987654321","+55 11 98765-4321","123"]}`)
	var nums []map[string]any
	json.Unmarshal(raw, &nums)
	if status != 200 || len(nums) != 3 || nums[0]["jid"] != "553187654321@s.whatsapp.net" || nums[0]["exists"] != true ||
		nums[1]["jid"] != "5511987654321@s.whatsapp.net" || nums[2]["exists"] != false || nums[1]["number"] != "+55 11 98765-4321" {
		t.Errorf("whatsappNumbers = %d %s", status, raw)
	}
	if status, ans := h.post(t, "/chat/markMessageAsRead/n1", `{"readMessages":[{"remoteJid":"5511987654321@s.whatsapp.net","fromMe":false,"id":"`+inID+`"}]}`); status != 201 || ans["read"] != "success" {
		t.Errorf("markMessageAsRead = %d %v", status, ans)
	}
	replyID := dig(reply, "key", "id").(string)
	if status, ans := h.post(t, "/chat/updateMessage/n1", `{"number":"5511987654321","key":{"id":"`+replyID+`","remoteJid":"5511987654321@s.whatsapp.net","fromMe":true},"text":"segue o boleto"}`); status != 201 ||
		dig(ans, "message", "protocolMessage", "type") != "MESSAGE_EDIT" {
		t.Errorf("updateMessage = %d %v", status, ans)
	}
	status, raw = call(t, "DELETE", h.base+"/chat/deleteMessageForEveryone/n1", h.key, `{"id":"`+replyID+`","remoteJid":"5511987654321@s.whatsapp.net","fromMe":true}`)
	if status != 201 || !strings.Contains(string(raw), `"type":"REVOKE"`) {
		t.Errorf("deleteMessageForEveryone = %d %s", status, raw)
	}
	if status, raw = call(t, "DELETE", h.base+"/chat/deleteMessageForEveryone/n1", h.key, `{"id":"`+inID+`","remoteJid":"5511987654321@s.whatsapp.net","fromMe":false}`); status != 400 {
		t.Errorf("deleting the customer's message = %d %s", status, raw)
	}
	if status, ans := h.post(t, "/chat/sendPresence/n1", `{"number":"5511987654321","presence":"composing","delay":0}`); status != 201 || ans["presence"] != "composing" {
		t.Errorf("sendPresence = %d %v", status, ans)
	}
	status, raw = call(t, "GET", h.base+"/_sim/instances/n1/presences", nil, "")
	if status != 200 || !strings.Contains(string(raw), `"presence":"composing"`) || !strings.Contains(string(raw), `"to":"5511987654321@s.whatsapp.net"`) {
		t.Errorf("presences listed = %d %s", status, raw)
	}
	var types []string
	for _, s := range h.e.Sent("n1") {
		types = append(types, s.Type)
	}
	if !slices.Equal(types, []string{"text", "location", "contact", "reaction", "edit", "delete"}) {
		t.Errorf("sent = %v", types)
	}
	if s := h.e.Sent("n1")[0]; s.Quoted != inID {
		t.Errorf("quoted id not recorded: %+v", s)
	}
}

// inboundCase is one /_sim/ message and what its messages.upsert data must hold.
type inboundCase struct {
	name, body string
	check      func(t *testing.T, data map[string]any)
}

func TestEvolutionInboundVariety(t *testing.T) {
	t.Parallel()
	h := newEvoHook(t, Options{}, true)
	_, first := h.post(t, "/_sim/instances/n1/messages", `{"from":"5531987654321","text":"oi","id":"3A0000000000000000AA","device":"ios"}`)
	if dig(first, "key", "remoteJid") != "553187654321@s.whatsapp.net" || first["source"] != "ios" {
		t.Errorf("a Brazilian 13-digit sender arrives as WhatsApp's 12-digit JID: %v", first)
	}
	cases := []inboundCase{
		{"image with base64", `{"from":"5511987654321","type":"image","text":"olha","media":"` + base64.StdEncoding.EncodeToString([]byte("jpegdata")) + `"}`,
			func(t *testing.T, d map[string]any) {
				if d["messageType"] != "imageMessage" || dig(d, "message", "imageMessage", "caption") != "olha" ||
					dig(d, "message", "base64") != base64.StdEncoding.EncodeToString([]byte("jpegdata")) {
					t.Errorf("%v", d)
				}
			}},
		{"voice note", `{"from":"5511987654321","type":"ptt"}`, func(t *testing.T, d map[string]any) {
			if dig(d, "message", "audioMessage", "ptt") != true || dig(d, "message", "audioMessage", "mimetype") != "audio/ogg; codecs=opus" || dig(d, "message", "base64") == nil {
				t.Errorf("%v", d)
			}
		}},
		{"document", `{"from":"5511987654321","type":"document","file_name":"nf.pdf"}`, func(t *testing.T, d map[string]any) {
			if dig(d, "message", "documentMessage", "fileName") != "nf.pdf" {
				t.Errorf("%v", d)
			}
		}},
		{"video, sticker", `{"from":"5511987654321","type":"sticker"}`, func(t *testing.T, d map[string]any) {
			if d["messageType"] != "stickerMessage" {
				t.Errorf("%v", d)
			}
		}},
		{"location", `{"from":"5511987654321","type":"location","latitude":-19.9,"longitude":-43.9,"text":"Casa"}`, func(t *testing.T, d map[string]any) {
			if dig(d, "message", "locationMessage", "name") != "Casa" {
				t.Errorf("%v", d)
			}
		}},
		{"contact card", `{"from":"5511987654321","type":"contact","contact":"Zé","phone":"+55 31 98888-7777"}`, func(t *testing.T, d map[string]any) {
			if dig(d, "message", "contactMessage", "displayName") != "Zé" {
				t.Errorf("%v", d)
			}
		}},
		{"quoted reply", `{"from":"5531987654321","text":"isso","quoted":"3A0000000000000000AA"}`, func(t *testing.T, d map[string]any) {
			if dig(d, "contextInfo", "stanzaId") != "3A0000000000000000AA" || dig(d, "contextInfo", "quotedMessage", "conversation") != "oi" {
				t.Errorf("%v", d)
			}
		}},
		{"reaction", `{"from":"5531987654321","type":"reaction","react_to":"3A0000000000000000AA","text":"❤️"}`, func(t *testing.T, d map[string]any) {
			if dig(d, "message", "reactionMessage", "key", "id") != "3A0000000000000000AA" || dig(d, "message", "reactionMessage", "text") != "❤️" {
				t.Errorf("%v", d)
			}
		}},
		{"group", `{"group":"120363025246125486@g.us","from":"5511987654321","push_name":"Ana","text":"oi grupo"}`, func(t *testing.T, d map[string]any) {
			if dig(d, "key", "remoteJid") != "120363025246125486@g.us" || dig(d, "key", "participant") != "5511987654321@s.whatsapp.net" || d["pushName"] != "Ana" {
				t.Errorf("%v", d)
			}
		}},
		{"group with lid", `{"group":"120363025246125486@g.us","from":"5511987654321","lid":"123456789012345","text":"oi"}`, func(t *testing.T, d map[string]any) {
			if dig(d, "key", "participant") != "123456789012345@lid" || dig(d, "key", "participantAlt") != "5511987654321@s.whatsapp.net" {
				t.Errorf("%v", d)
			}
		}},
		{"status", `{"broadcast":true,"from":"5511987654321","type":"image"}`, func(t *testing.T, d map[string]any) {
			if dig(d, "key", "remoteJid") != "status@broadcast" || dig(d, "key", "participant") != "5511987654321@s.whatsapp.net" {
				t.Errorf("%v", d)
			}
		}},
		{"owner from the phone", `{"from":"5511987654321","from_me":true,"text":"já resolvi"}`, func(t *testing.T, d map[string]any) {
			if dig(d, "key", "fromMe") != true || d["pushName"] != "Loja" || d["status"] != "SERVER_ACK" {
				t.Errorf("%v", d)
			}
		}},
		{"lid chat (2.3.5+)", `{"from":"5511987654321","lid":"98765432109876@lid","text":"oi"}`, func(t *testing.T, d map[string]any) {
			k := d["key"].(map[string]any)
			if k["remoteJid"] != "98765432109876@lid" || k["addressingMode"] != "lid" || k["remoteJidAlt"] != "5511987654321@s.whatsapp.net" {
				t.Errorf("%v", k)
			}
		}},
	}
	for _, tc := range cases {
		status, ans := h.post(t, "/_sim/instances/n1/messages", tc.body)
		if status != 201 {
			t.Errorf("%s: %d %v", tc.name, status, ans)
			continue
		}
		flush(t, h.e)
		var data map[string]any
		for _, b := range h.bodies(t, "messages.upsert") {
			if dig(b, "data", "key", "id") == dig(ans, "key", "id") {
				data = b["data"].(map[string]any)
			}
		}
		if data == nil {
			t.Errorf("%s: no messages.upsert", tc.name)
			continue
		}
		t.Run(tc.name, func(t *testing.T) { tc.check(t, data) })
	}
	if status, _ := h.post(t, "/_sim/instances/n1/messages", `{"from":"5511987654321","type":"gif"}`); status != 400 {
		t.Errorf("unknown type = %d", status)
	}

	old := newEvoHook(t, Options{EvolutionVersion: "2.3.4"}, false)
	_, ans := old.post(t, "/_sim/instances/n1/messages", `{"from":"5511987654321","lid":"98765432109876","text":"oi"}`)
	if k := ans["key"].(map[string]any); k["remoteJid"] != "5511987654321@s.whatsapp.net" || k["previousRemoteJid"] != "98765432109876@lid" || k["addressingMode"] != nil {
		t.Errorf("2.3.4 rewrote the chat to the phone JID: %v", k)
	}
}

func TestEvolutionAcksEditsAndDeletes(t *testing.T) {
	t.Parallel()
	h := newEvoHook(t, Options{}, false)
	_, text := h.post(t, "/message/sendText/n1", `{"number":"5511987654321","text":"oi"}`)
	_, voice := h.post(t, "/message/sendWhatsAppAudio/n1", `{"number":"5511987654321","audio":"T2dnUw=="}`)
	textID, voiceID := dig(text, "key", "id").(string), dig(voice, "key", "id").(string)
	call(t, "POST", h.base+"/_sim/instances/n1/acks", nil, `{"id":"`+textID+`","status":"READ"}`)   // delivery comes first
	call(t, "POST", h.base+"/_sim/instances/n1/acks", nil, `{"id":"`+textID+`","status":"PLAYED"}`) // not a voice note
	call(t, "POST", h.base+"/_sim/instances/n1/acks", nil, `{"id":"`+textID+`","status":"DELIVERY_ACK"}`)
	if err := h.e.Ack("n1", voiceID, "PLAYED"); err != nil {
		t.Fatal(err)
	}
	flush(t, h.e)
	acks := map[string][]string{}
	for _, b := range h.bodies(t, "messages.update") {
		id := dig(b, "data", "keyId").(string)
		acks[id] = append(acks[id], dig(b, "data", "status").(string))
	}
	if !slices.Equal(acks[textID], []string{"SERVER_ACK", "DELIVERY_ACK", "READ"}) ||
		!slices.Equal(acks[voiceID], []string{"SERVER_ACK", "DELIVERY_ACK", "READ", "PLAYED"}) {
		t.Errorf("acks = %v", acks)
	}
	if s := h.e.Sent("n1"); s[0].Status != "READ" || s[1].Status != "PLAYED" {
		t.Errorf("sent statuses = %+v", s)
	}

	_, in := h.post(t, "/_sim/instances/n1/messages", `{"from":"5511987654321","text":"errado"}`)
	inID := dig(in, "key", "id").(string)
	flush(t, h.e)
	upserts := len(h.bodies(t, "messages.upsert"))
	if status, _ := h.post(t, "/_sim/instances/n1/edits", `{"id":"`+inID+`","text":"certo"}`); status != 200 {
		t.Fatal(status)
	}
	h.post(t, "/_sim/instances/n1/deletes", `{"id":"`+inID+`"}`)
	flush(t, h.e)
	edited := h.bodies(t, "messages.edited")
	deleted := h.bodies(t, "messages.delete")
	if len(edited) != 2 || dig(edited[0], "data", "type") != "MESSAGE_EDIT" || dig(edited[0], "data", "editedMessage", "conversation") != "certo" ||
		dig(edited[0], "data", "key", "id") != inID || dig(edited[1], "data", "type") != "REVOKE" {
		t.Errorf("messages.edited = %v", edited)
	}
	if len(deleted) != 1 || dig(deleted[0], "data", "id") != inID || dig(deleted[0], "data", "remoteJid") != "5511987654321@s.whatsapp.net" {
		t.Errorf("messages.delete = %v", deleted)
	}
	if len(h.bodies(t, "messages.upsert")) != upserts {
		t.Error("edits and deletes never come as messages.upsert")
	}
}

func TestEvolutionWebhookRetriesKeepChatOrder(t *testing.T) {
	t.Parallel()
	e, base := newEvolutionWith(t, Options{})
	var mu sync.Mutex
	seen := map[string]int{} // attempts per message id
	var arrived []string     // ids answered 200, in order
	release := make(chan struct{})
	var released sync.Once
	t.Cleanup(func() { released.Do(func() { close(release) }) })
	var held bool
	hook := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			Event string `json:"event"`
			Data  struct {
				Key struct {
					ID        string `json:"id"`
					RemoteJID string `json:"remoteJid"`
				} `json:"key"`
				Message struct {
					Conversation string `json:"conversation"`
				} `json:"message"`
			} `json:"data"`
		}
		raw, _ := io.ReadAll(r.Body)
		json.Unmarshal(raw, &b)
		if b.Event != "messages.upsert" {
			return
		}
		mu.Lock()
		seen[b.Data.Key.ID]++
		n := seen[b.Data.Key.ID]
		hold := b.Data.Message.Conversation == "a1" && !held
		if hold {
			held = true
		}
		mu.Unlock()
		if hold {
			<-release // chat A is stuck; chat B must not be
		}
		switch {
		case b.Data.Message.Conversation == "unprocessable":
			w.WriteHeader(http.StatusUnprocessableEntity)
			return
		case b.Data.Message.Conversation == "always":
			w.WriteHeader(http.StatusInternalServerError)
			return
		case strings.HasPrefix(b.Data.Message.Conversation, "a") && n <= 2: // every A message fails twice
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		mu.Lock()
		arrived = append(arrived, b.Data.Message.Conversation)
		mu.Unlock()
	}))
	createInstance(t, base, e.APIKey(), `{"instanceName":"n1","qrcode":true,"webhook":{"url":"`+hook+`","events":["MESSAGES_UPSERT"]}}`)
	call(t, "POST", base+"/_sim/instances/n1/scan", nil, "")
	for _, text := range []string{"a1", "a2", "a3"} {
		call(t, "POST", base+"/_sim/instances/n1/messages", nil, `{"from":"5511911110000","text":"`+text+`"}`)
	}
	call(t, "POST", base+"/_sim/instances/n1/messages", nil, `{"from":"5511922220000","text":"b1"}`)
	waitUntil(t, "chat B's message while chat A is stuck", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.Contains(arrived, "b1")
	})
	released.Do(func() { close(release) })
	call(t, "POST", base+"/_sim/instances/n1/messages", nil, `{"from":"5511933330000","text":"unprocessable"}`)
	call(t, "POST", base+"/_sim/instances/n1/messages", nil, `{"from":"5511944440000","text":"always"}`)
	flush(t, e)
	mu.Lock()
	defer mu.Unlock()
	var aOrder []string
	for _, a := range arrived {
		if strings.HasPrefix(a, "a") {
			aOrder = append(aOrder, a)
		}
	}
	if !slices.Equal(aOrder, []string{"a1", "a2", "a3"}) {
		t.Errorf("chat A arrived as %v", aOrder)
	}
	attempts := map[string]int{}
	for _, d := range e.Deliveries() {
		var b struct {
			Data struct {
				Message struct {
					Conversation string `json:"conversation"`
				} `json:"message"`
			} `json:"data"`
		}
		json.Unmarshal(d.Body, &b)
		attempts[b.Data.Message.Conversation] = d.Attempts
		if !d.Done {
			t.Errorf("delivery %s not done after Flush", b.Data.Message.Conversation)
		}
	}
	if attempts["a1"] != 3 || attempts["b1"] != 1 || attempts["unprocessable"] != 1 || attempts["always"] != 10 {
		t.Errorf("attempts = %v, want a1 3, b1 1, unprocessable 1 (422 is final), always 10", attempts)
	}
}
