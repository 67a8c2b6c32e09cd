package providersim

import (
	"bytes"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// cloudHook is a Cloud API app whose verified callback reaches rc.
type cloudHook struct {
	a    *CloudAPI
	base string
	rc   *receiver
	auth map[string]string
	send string // POST URL of the first number's messages
}

func newCloudHook(t *testing.T, opts Options, answer func(http.ResponseWriter, *http.Request)) cloudHook {
	t.Helper()
	opts.Now = clock
	if opts.WebhookTimeout == 0 {
		opts.WebhookTimeout = 5 * time.Second
	}
	a := NewCloudAPI(opts)
	base := newTestServer(t, a.Handler())
	a.SetBaseURL(base)
	t.Cleanup(a.Close)
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			_, _ = w.Write([]byte(r.URL.Query().Get("hub.challenge")))
			return
		}
		if answer != nil {
			answer(w, r)
		}
	})
	if status, raw := register(t, base, rc.URL+"/meta", "vt"); status != 200 {
		t.Fatalf("register = %d %s", status, raw)
	}
	return cloudHook{a: a, base: base, rc: rc, auth: bearer(a.AccessToken()), send: base + "/v21.0/" + a.PhoneNumberID() + "/messages"}
}

// posts returns the decoded webhook bodies, in arrival order.
func (h cloudHook) posts(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range h.rc.requests() {
		if r.Method == http.MethodPost {
			out = append(out, decode(t, r.Body))
		}
	}
	return out
}

// values flattens every change value of every post.
func (h cloudHook) values(t *testing.T) []map[string]any {
	var out []map[string]any
	for _, n := range h.posts(t) {
		for _, e := range n["entry"].([]any) {
			for _, c := range e.(map[string]any)["changes"].([]any) {
				out = append(out, c.(map[string]any)["value"].(map[string]any))
			}
		}
	}
	return out
}

// statusesOf lists status+code of a wamid, in arrival order.
func (h cloudHook) statusesOf(t *testing.T, id string) []string {
	var out []string
	for _, v := range h.values(t) {
		for _, s := range asList(v["statuses"]) {
			st := s.(map[string]any)
			if st["id"] == id {
				name := st["status"].(string)
				if errs := asList(st["errors"]); len(errs) > 0 {
					name += ":" + itoa(int(errs[0].(map[string]any)["code"].(float64)))
				}
				out = append(out, name)
			}
		}
	}
	return out
}

func asList(v any) []any { l, _ := v.([]any); return l }

func (h cloudHook) inbound(t *testing.T, body string) string {
	t.Helper()
	status, raw := call(t, "POST", h.base+"/_sim/messages", nil, body)
	if status != http.StatusCreated {
		t.Fatalf("inbound %s = %d %s", body, status, raw)
	}
	return decode(t, raw)["message_id"].(string)
}

func TestCloudAPISendTextAndStatuses(t *testing.T) {
	t.Parallel()
	h := newCloudHook(t, Options{AutoStatus: "delivered"}, nil)
	h.inbound(t, `{"from":"553187654321","text":"oi"}`) // opens the 24-hour window
	status, raw := call(t, "POST", h.send, h.auth, `{"messaging_product":"whatsapp","recipient_type":"individual","to":"5531987654321",
		"type":"text","text":{"body":"olá","preview_url":false},"biz_opaque_callback_data":"order-7"}`)
	if status != 200 {
		t.Fatalf("send = %d %s", status, raw)
	}
	ans := decode(t, raw)
	c := ans["contacts"].([]any)[0].(map[string]any)
	id := ans["messages"].([]any)[0].(map[string]any)["id"].(string)
	// Brazil: the account WhatsApp knows is the 12-digit form.
	if ans["messaging_product"] != "whatsapp" || c["input"] != "5531987654321" || c["wa_id"] != "553187654321" || !strings.HasPrefix(id, "wamid.") {
		t.Errorf("answer = %s", raw)
	}
	flush(t, h.a)
	if got := h.statusesOf(t, id); !slices.Equal(got, []string{"sent", "delivered"}) {
		t.Errorf("statuses = %v", got)
	}
	for _, v := range h.values(t) {
		for _, s := range asList(v["statuses"]) {
			if st := s.(map[string]any); st["biz_opaque_callback_data"] != "order-7" || st["recipient_id"] != "553187654321" {
				t.Errorf("status = %v", st)
			}
		}
	}
	call(t, "POST", h.base+"/_sim/statuses", nil, `{"message_id":"`+id+`","status":"read"}`)
	flush(t, h.a)
	sent := h.a.Sent()
	if len(sent) != 1 || sent[0].ID != id || sent[0].To != "5531987654321" || sent[0].WaID != "553187654321" || sent[0].Text != "olá" || sent[0].Status != "read" {
		t.Errorf("Sent = %+v", sent)
	}
	status, raw = call(t, "GET", h.base+"/_sim/sent", nil, "")
	if status != 200 || !strings.Contains(string(raw), `"data":[{"id":"`+id+`"`) {
		t.Errorf("GET /_sim/sent = %d %s", status, raw)
	}
}

func TestCloudAPIWindowUnknownNumbersAndRate(t *testing.T) {
	t.Parallel()
	h := newCloudHook(t, Options{}, nil)
	text := `{"messaging_product":"whatsapp","to":"5511987654321","type":"text","text":{"body":"oi"}}`
	_, raw := call(t, "POST", h.send, h.auth, text)
	outside := decode(t, raw)["messages"].([]any)[0].(map[string]any)["id"].(string)
	template := `{"messaging_product":"whatsapp","to":"5511987654321","type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}`
	_, raw = call(t, "POST", h.send, h.auth, template)
	tm := decode(t, raw)["messages"].([]any)[0].(map[string]any)
	if tm["message_status"] != "accepted" {
		t.Errorf("template answer = %s", raw)
	}
	h.a.SetOnWhatsApp("5511900000000", false)
	_, raw = call(t, "POST", h.send, h.auth, `{"messaging_product":"whatsapp","to":"5511900000000","type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}`)
	nowhere := decode(t, raw)["messages"].([]any)[0].(map[string]any)["id"].(string)
	h.a.OpenWindow(h.a.PhoneNumberID(), "5511987654321", fixedNow.Add(-25*time.Hour)) // an old conversation
	_, raw = call(t, "POST", h.send, h.auth, text)
	stale := decode(t, raw)["messages"].([]any)[0].(map[string]any)["id"].(string)
	h.inbound(t, `{"from":"5511987654321","text":"voltei"}`)
	_, raw = call(t, "POST", h.send, h.auth, text)
	open := decode(t, raw)["messages"].([]any)[0].(map[string]any)["id"].(string)
	flush(t, h.a)
	for id, want := range map[string][]string{outside: {"failed:131047"}, tm["id"].(string): {"sent"}, nowhere: {"failed:131026"},
		stale: {"failed:131047"}, open: {"sent"}} {
		if got := h.statusesOf(t, id); !slices.Equal(got, want) {
			t.Errorf("%s: statuses %v, want %v", id, got, want)
		}
	}
	for _, v := range h.values(t) {
		for _, s := range asList(v["statuses"]) {
			if st := s.(map[string]any); st["id"] == outside {
				e := st["errors"].([]any)[0].(map[string]any)
				if e["title"] != "Re-engagement message" || !strings.Contains(dig(e, "error_data", "details").(string), "24 hours") {
					t.Errorf("131047 status error = %v", e)
				}
			}
		}
	}

	strict := newCloudHook(t, Options{SyncSendErrors: true, MessagesPerSecond: 0.001}, nil)
	status, raw := call(t, "POST", strict.send, strict.auth, text)
	if status != 400 {
		t.Fatalf("sync window error = %d %s", status, raw)
	}
	sameError(t, raw, map[string]any{"message": "(#131047) Re-engagement message", "type": "OAuthException", "code": float64(131047),
		"error_data": map[string]any{"messaging_product": "whatsapp",
			"details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."}})
	// The throughput: one message per 1000 s, and the first went above.
	status, raw = call(t, "POST", strict.send, strict.auth, template)
	if status != 400 || withoutTrace(t, raw)["code"] != float64(130429) {
		t.Errorf("over the throughput = %d %s", status, raw)
	}
}

func TestCloudAPISendValidation(t *testing.T) {
	t.Parallel()
	h := newCloudHook(t, Options{}, nil)
	for body, detail := range map[string]string{
		`{"to":"5511987654321","type":"text","text":{"body":"x"}}`:                              "messaging_product",
		`{"messaging_product":"whatsapp","type":"text","text":{"body":"x"}}`:                    "parameter to",
		`{"messaging_product":"whatsapp","to":"5511987654321","type":"fax"}`:                    "Param type must be one of",
		`{"messaging_product":"whatsapp","to":"5511987654321","type":"text","text":{}}`:         "text['body']",
		`{"messaging_product":"whatsapp","to":"5511987654321","type":"image","image":{}}`:       "either an id or a link",
		`{"messaging_product":"whatsapp","to":"5511987654321","type":"template","template":{}}`: "template['name']",
		`{"messaging_product":"whatsapp","status":"seen","message_id":"w"}`:                     "status must be read",
		`not json`: "not valid JSON",
	} {
		status, raw := call(t, "POST", h.send, h.auth, body)
		e := withoutTrace(t, raw)
		if status != 400 || e["code"] != float64(100) || !strings.Contains(dig(e, "error_data", "details").(string), detail) {
			t.Errorf("%s = %d %s, want (#100) with %q", body, status, raw, detail)
		}
	}
	status, raw := call(t, "POST", h.send, h.auth, `{"messaging_product":"whatsapp","to":"5511987654321","type":"image","image":{"id":"404"}}`)
	if status != 400 || withoutTrace(t, raw)["code"] != float64(131053) {
		t.Errorf("unknown media id = %d %s", status, raw)
	}
	if status, _ := call(t, "POST", h.send, bearer("wrong"), `{}`); status != 401 {
		t.Errorf("bad token = %d", status)
	}
	if status, raw := call(t, "POST", h.base+"/v21.0/999/messages", h.auth, `{}`); status != 400 || withoutTrace(t, raw)["code"] != float64(100) {
		t.Errorf("unknown number = %d %s", status, raw)
	}
	status, raw = call(t, "POST", h.send, h.auth, `{"messaging_product":"whatsapp","status":"read","message_id":"wamid.X","typing_indicator":{"type":"text"}}`)
	if status != 200 || string(raw) != `{"success":true}` {
		t.Errorf("mark read = %d %s", status, raw)
	}
	if r := h.a.Reads(); len(r) != 1 || r[0].MessageID != "wamid.X" || !r[0].Typing {
		t.Errorf("Reads = %+v", r)
	}
}

func TestCloudAPIMedia(t *testing.T) {
	t.Parallel()
	h := newCloudHook(t, Options{}, nil)
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("messaging_product", "whatsapp")
	w.WriteField("type", "audio/ogg")
	fw, _ := w.CreateFormFile("file", "voz.ogg")
	fw.Write([]byte("OggS voice"))
	w.Close()
	upload := h.base + "/v21.0/" + h.a.PhoneNumberID() + "/media"
	status, raw := call(t, "POST", upload, map[string]string{"Authorization": "Bearer " + h.a.AccessToken(), "Content-Type": w.FormDataContentType()}, buf.String())
	if status != 200 {
		t.Fatalf("upload = %d %s", status, raw)
	}
	mediaID := decode(t, raw)["id"].(string)
	h.inbound(t, `{"from":"5511987654321","text":"oi"}`)
	status, raw = call(t, "POST", h.send, h.auth, `{"messaging_product":"whatsapp","to":"5511987654321","type":"audio","audio":{"id":"`+mediaID+`","voice":true}}`)
	if status != 200 {
		t.Fatalf("send by id = %d %s", status, raw)
	}
	call(t, "POST", h.send, h.auth, `{"messaging_product":"whatsapp","to":"5511987654321","type":"document","document":{"link":"https://cw.test/blob","filename":"nf.pdf","caption":"nota"}}`)
	if s := h.a.Sent(); len(s) != 2 || s[0].Media.ID != mediaID || !s[0].Media.Voice || s[1].Media.Link != "https://cw.test/blob" || s[1].Media.Filename != "nf.pdf" {
		t.Errorf("sent media = %+v %+v", s[0].Media, s[1].Media)
	}

	// Inbound media: the node, then the URL, both with the bearer.
	id := h.inbound(t, `{"from":"5511987654321","type":"image","text":"foto","media":"`+base64.StdEncoding.EncodeToString([]byte("jpeg bytes"))+`"}`)
	flush(t, h.a)
	var img map[string]any
	for _, v := range h.values(t) {
		for _, m := range asList(v["messages"]) {
			if mm := m.(map[string]any); mm["id"] == id {
				img = mm["image"].(map[string]any)
			}
		}
	}
	if img == nil || img["caption"] != "foto" || img["mime_type"] != "image/jpeg" || img["sha256"] == "" {
		t.Fatalf("image = %v", img)
	}
	status, raw = call(t, "GET", h.base+"/v21.0/"+img["id"].(string), h.auth, "")
	node := decode(t, raw)
	if status != 200 || node["file_size"] != float64(len("jpeg bytes")) || node["sha256"] != img["sha256"] || node["messaging_product"] != "whatsapp" {
		t.Fatalf("media node = %d %s", status, raw)
	}
	url := node["url"].(string)
	if status, _ := call(t, "GET", url, nil, ""); status == 200 {
		t.Error("the media URL needs the bearer token too")
	}
	if status, raw := call(t, "GET", url, h.auth, ""); status != 200 || string(raw) != "jpeg bytes" {
		t.Errorf("download = %d %q", status, raw)
	}
	if status, _ := call(t, "GET", strings.Replace(url, "hash=", "hash=x", 1), h.auth, ""); status != 404 {
		t.Errorf("a forged URL = %d", status)
	}
	if status, _ := call(t, "DELETE", h.base+"/v21.0/"+img["id"].(string), h.auth, ""); status != 200 {
		t.Errorf("delete media = %d", status)
	}
	if status, _ := call(t, "GET", url, h.auth, ""); status != 404 {
		t.Errorf("deleted media still downloads: %d", status)
	}

	short := newCloudHook(t, Options{MediaURLTTL: time.Nanosecond}, nil)
	mid := short.a.UploadMedia(short.a.PhoneNumberID(), []byte("x"), "image/png")
	_, raw = call(t, "GET", short.base+"/v21.0/"+mid, short.auth, "")
	if status, body := call(t, "GET", decode(t, raw)["url"].(string), short.auth, ""); status != 404 || string(body) != "URL signature expired" {
		t.Errorf("expired URL = %d %s", status, body)
	}
}

func TestCloudAPIInboundVariety(t *testing.T) {
	t.Parallel()
	h := newCloudHook(t, Options{}, nil)
	first := h.inbound(t, `{"from":"5511987654321","text":"oi"}`)
	cases := []struct {
		body  string
		check func(m, contact map[string]any) bool
	}{
		{`{"from":"5511987654321","type":"audio","voice":true}`, func(m, _ map[string]any) bool {
			return dig(m, "audio", "voice") == true && dig(m, "audio", "mime_type") == "audio/ogg; codecs=opus" && dig(m, "audio", "id") != nil
		}},
		{`{"from":"5511987654321","type":"video","text":"vid"}`, func(m, _ map[string]any) bool { return dig(m, "video", "caption") == "vid" }},
		{`{"from":"5511987654321","type":"document","filename":"nf.pdf"}`, func(m, _ map[string]any) bool { return dig(m, "document", "filename") == "nf.pdf" }},
		{`{"from":"5511987654321","type":"sticker"}`, func(m, _ map[string]any) bool { return dig(m, "sticker", "animated") == false }},
		{`{"from":"5511987654321","text":"isso","context":"` + first + `"}`, func(m, _ map[string]any) bool { return dig(m, "context", "id") == first }},
		{`{"from":"5511987654321","type":"reaction","react_to":"` + first + `","text":"👍"}`, func(m, _ map[string]any) bool {
			return dig(m, "reaction", "message_id") == first && dig(m, "reaction", "emoji") == "👍"
		}},
		{`{"from":"5511987654321","type":"interactive","payload":"opt-1","text":"Sim"}`, func(m, _ map[string]any) bool {
			return dig(m, "interactive", "type") == "button_reply" && dig(m, "interactive", "button_reply", "id") == "opt-1"
		}},
		{`{"from":"5511987654321","type":"interactive","list":true,"payload":"row-2","text":"Boleto"}`, func(m, _ map[string]any) bool {
			return dig(m, "interactive", "list_reply", "title") == "Boleto"
		}},
		{`{"from":"5511987654321","type":"button","payload":"STOP","text":"Parar","context":"wamid.T"}`, func(m, _ map[string]any) bool {
			return dig(m, "button", "payload") == "STOP" && dig(m, "context", "id") == "wamid.T"
		}},
		{`{"from":"5511987654321","type":"location","latitude":-23.5,"longitude":-46.6,"text":"Loja"}`, func(m, _ map[string]any) bool {
			return dig(m, "location", "name") == "Loja"
		}},
		{`{"from":"5511987654321","type":"contacts","text":"Zé","payload":"+55 31 98888-7777"}`, func(m, _ map[string]any) bool {
			return len(asList(m["contacts"])) == 1
		}},
		{`{"from":"5511987654321","type":"unsupported"}`, func(m, _ map[string]any) bool {
			return asList(m["errors"])[0].(map[string]any)["code"] == float64(131051)
		}},
		{`{"from":"5511987654321","text":"vi o anúncio","referral":true}`, func(m, _ map[string]any) bool {
			return dig(m, "referral", "source_type") == "ad" && dig(m, "referral", "ctwa_clid") != nil
		}},
		{`{"user_id":"BR.ABC123xyz","username":"maria.s","name":"Maria","text":"oi"}`, func(m, c map[string]any) bool {
			_, hasFrom := m["from"]
			_, hasWaID := c["wa_id"]
			return !hasFrom && !hasWaID && m["from_user_id"] == "BR.ABC123xyz" && c["user_id"] == "BR.ABC123xyz" && dig(c, "profile", "username") == "maria.s"
		}},
	}
	for _, tc := range cases {
		id := h.inbound(t, tc.body)
		flush(t, h.a)
		var m, contact map[string]any
		for _, v := range h.values(t) {
			for i, x := range asList(v["messages"]) {
				if xm := x.(map[string]any); xm["id"] == id {
					m, contact = xm, asList(v["contacts"])[i].(map[string]any)
				}
			}
		}
		if m == nil || !tc.check(m, contact) {
			t.Errorf("%s → %v / %v", tc.body, m, contact)
		}
	}
	status, raw := call(t, "POST", h.base+"/_sim/echoes", nil, `{"to":"5511987654321","text":"respondi pelo app"}`)
	if status != 201 {
		t.Fatalf("echo = %d %s", status, raw)
	}
	flush(t, h.a)
	posts := h.posts(t)
	last := posts[len(posts)-1]["entry"].([]any)[0].(map[string]any)["changes"].([]any)[0].(map[string]any)
	if last["field"] != "smb_message_echoes" || dig(last, "value", "message_echoes") == nil {
		t.Errorf("echo = %v", last)
	}
}

func TestCloudAPIBatchAndRedelivery(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	attempts := 0
	h := newCloudHook(t, Options{}, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		attempts++
		if attempts <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable) // Meta redelivers the same body
		}
	})
	second := h.a.AddPhoneNumber(PhoneNumber{DisplayPhoneNumber: "5511955550000"})
	status, raw := call(t, "POST", h.base+"/_sim/batch", nil, `{"messages":[{"from":"5511911110000","text":"a"},
		{"from":"5511922220000","text":"b","phone_number_id":"`+second+`"},{"from":"5511933330000","text":"c"}],
		"statuses":[{"message_id":"wamid.HBgNNTUxMTkxMTExMDAwMA==","recipient_id":"5511911110000","status":"delivered"}]}`)
	if status != 201 {
		t.Fatalf("batch = %d %s", status, raw)
	}
	flush(t, h.a)
	var bodies [][]byte
	for _, r := range h.rc.requests() {
		if r.Method == http.MethodPost {
			checkSigned(t, h.a.AppSecret(), r)
			bodies = append(bodies, r.Body)
		}
	}
	if len(bodies) != 3 || !bytes.Equal(bodies[0], bodies[2]) || !bytes.Equal(bodies[1], bodies[2]) {
		t.Fatalf("want the same body three times (two 503s, then 200), got %d posts", len(bodies))
	}
	n := decode(t, bodies[0])
	numbers := map[string]int{}
	var statuses int
	for _, e := range n["entry"].([]any) {
		for _, c := range e.(map[string]any)["changes"].([]any) {
			v := c.(map[string]any)["value"].(map[string]any)
			numbers[dig(v, "metadata", "phone_number_id").(string)] += len(asList(v["messages"]))
			statuses += len(asList(v["statuses"]))
		}
	}
	if numbers[h.a.PhoneNumberID()] != 2 || numbers[second] != 1 || statuses != 1 || len(n["entry"].([]any)) != 3 {
		t.Errorf("batch layout: messages per number %v, statuses %d, entries %d: %s", numbers, statuses, len(n["entry"].([]any)), bodies[0])
	}
	if d := h.a.Deliveries(); len(d) != 1 || d[0].Attempts != 3 || d[0].StatusCode != 200 {
		t.Errorf("Deliveries = %+v", d)
	}
	status, raw = call(t, "POST", h.base+"/_sim/batch", nil, `{"messages":[{"from":"5511911110000","text":"x"},{"from":"5511922220000","text":"y"}],"split":"entry"}`)
	flush(t, h.a)
	if status != 201 || decode(t, raw)["entries"] != float64(2) {
		t.Errorf("split entry = %d %s", status, raw)
	}
}
