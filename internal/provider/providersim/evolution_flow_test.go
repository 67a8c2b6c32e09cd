package providersim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// envelopeKeys are the top-level keys of Evolution's webhook body.
var envelopeKeys = []string{"apikey", "data", "date_time", "destination", "event", "instance", "sender", "server_url"}

func topKeys(t *testing.T, raw []byte) []string {
	t.Helper()
	keys := []string{}
	for k := range decode(t, raw) {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// events lists the event names a receiver got, with the state for
// connection.update.
func events(t *testing.T, got []received) []string {
	t.Helper()
	var out []string
	for _, r := range got {
		m := decode(t, r.Body)
		name := m["event"].(string)
		if name == "connection.update" {
			name += ":" + m["data"].(map[string]any)["state"].(string)
		}
		out = append(out, name)
	}
	return out
}

func TestEvolutionConnectionStateCloseIsHTTP200(t *testing.T) {
	t.Parallel()
	e, base := newEvolution(t)
	key := map[string]string{"apikey": e.APIKey()}
	createInstance(t, base, e.APIKey(), `{"instanceName":"n1"}`)
	status, raw := call(t, "GET", base+"/instance/connectionState/n1", key, "")
	if want := `{"instance":{"instanceName":"n1","state":"close"}}`; status != 200 || string(raw) != want {
		t.Errorf("connectionState = %d %s, want 200 %s", status, raw, want)
	}
	var codes []string
	for i := 1; i <= 2; i++ { // while connecting, connect hands out the QR shown now
		status, raw = call(t, "GET", base+"/instance/connect/n1", key, "")
		qr := decode(t, raw)
		if status != 200 || qr["count"] != float64(1) || qr["pairingCode"] != nil {
			t.Fatalf("connect #%d = %d %s", i, status, raw)
		}
		decodeQR(t, qr["base64"].(string))
		codes = append(codes, qr["code"].(string))
	}
	if codes[0] != codes[1] {
		t.Error("a second connect while connecting made a new QR")
	}
	if status, raw = call(t, "POST", base+"/_sim/instances/n1/qr", nil, ""); status != 200 || decode(t, raw)["count"] != float64(2) {
		t.Fatalf("next QR = %d %s", status, raw)
	}
	if _, raw = call(t, "GET", base+"/instance/connect/n1", key, ""); decode(t, raw)["code"] == codes[0] {
		t.Error("the rotated QR is not what connect hands out")
	}
	if err := e.SetState("n1", StateClose); err != nil {
		t.Fatal(err)
	}
	status, raw = call(t, "GET", base+"/instance/connect/n1?number=5511999990002", key, "")
	if p, _ := decode(t, raw)["pairingCode"].(string); status != 200 || len(p) != 8 || decode(t, raw)["count"] != float64(1) {
		t.Errorf("connect?number= on close = %d %s", status, raw)
	}
	if err := e.SetState("n1", StateClose); err != nil {
		t.Fatal(err)
	}
	status, raw = call(t, "GET", base+"/instance/connectionState/n1", key, "")
	if status != 200 || !strings.Contains(string(raw), `"state":"close"`) {
		t.Errorf("after SetState(close) = %d %s", status, raw)
	}
	if e.SetState("n1", "broken") == nil || e.SetState("ghost", StateOpen) == nil {
		t.Error("SetState accepted a bad state or an unknown instance")
	}
	if status, _ = call(t, "GET", base+"/instance/connect/ghost", key, ""); status != 404 {
		t.Errorf("connect unknown = %d", status)
	}
}

func TestEvolutionScanSendsConnectionUpdate(t *testing.T) {
	t.Parallel()
	e, base := newEvolution(t)
	rc := newReceiver(t, nil)
	hook := rc.URL + "/webhooks/providers/7?token=s3cret"
	out := createInstance(t, base, e.APIKey(), `{"instanceName":"n1","qrcode":true,"webhook":{"url":"`+hook+
		`","byEvents":false,"base64":false,"events":["CONNECTION_UPDATE","QRCODE_UPDATED","MESSAGES_UPSERT"]}}`)
	status, raw := call(t, "POST", base+"/_sim/instances/n1/scan", nil, `{"number":"5511988887777","profile_name":"Loja"}`)
	if status != 200 {
		t.Fatalf("scan = %d %s", status, raw)
	}
	flush(t, e)
	got := rc.requests()
	if want := []string{"connection.update:connecting", "qrcode.updated", "connection.update:open"}; !slices.Equal(events(t, got), want) {
		t.Fatalf("events = %v, want %v", events(t, got), want)
	}
	last := got[2]
	if last.Path != "/webhooks/providers/7" || last.Query != "token=s3cret" || last.Header.Get("Content-Type") != "application/json" {
		t.Errorf("delivered to %s?%s with %v", last.Path, last.Query, last.Header)
	}
	if keys := topKeys(t, last.Body); !slices.Equal(keys, envelopeKeys) {
		t.Errorf("envelope keys = %v, want %v", keys, envelopeKeys)
	}
	env := decode(t, last.Body)
	data := env["data"].(map[string]any)
	// apikey is null without AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES, and
	// date_time is São Paulo's wall clock (UTC-3) labelled "Z".
	_ = out
	want := map[string]any{"event": "connection.update", "instance": "n1", "destination": hook, "apikey": nil,
		"server_url": base, "date_time": "2025-11-21T18:25:03.966Z", "sender": "5511988887777@s.whatsapp.net"}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("envelope %s = %v, want %v", k, env[k], v)
		}
	}
	if data["instance"] != "n1" || data["state"] != "open" || data["statusReason"] != float64(200) ||
		data["wuid"] != "5511988887777@s.whatsapp.net" || data["profileName"] != "Loja" {
		t.Errorf("data = %v", data)
	}
	qrData := decode(t, got[1].Body)["data"].(map[string]any)["qrcode"].(map[string]any)
	if qrData["instance"] != "n1" || !strings.HasPrefix(qrData["base64"].(string), "data:image/png;base64,") {
		t.Errorf("qrcode.updated data = %v", qrData)
	}
	if _, has := decode(t, got[0].Body)["sender"]; has {
		t.Error("sender sent before the number was paired")
	}
	if st, _ := e.State("n1"); st != StateOpen {
		t.Errorf("state after scan = %q", st)
	}
	if status, _ = call(t, "POST", base+"/_sim/instances/n1/scan", nil, ""); status != http.StatusConflict {
		t.Errorf("second scan = %d, want 409", status)
	}
}

// openInstance creates name with a webhook to hook and pairs it.
func openInstance(t *testing.T, e *Evolution, base, name, hook string) {
	t.Helper()
	createInstance(t, base, e.APIKey(), `{"instanceName":"`+name+`","qrcode":true,"webhook":{"url":"`+hook+`","events":[]}}`)
	if status, raw := call(t, "POST", base+"/_sim/instances/"+name+"/scan", nil, ""); status != 200 {
		t.Fatalf("scan = %d %s", status, raw)
	}
}

func TestEvolutionMessagesUpsertMatchesFixture(t *testing.T) {
	t.Parallel()
	e, base := newEvolution(t)
	rc := newReceiver(t, nil)
	openInstance(t, e, base, "n1", rc.URL+"/hook")
	status, raw := call(t, "POST", base+"/_sim/instances/n1/messages", nil, `{"from":"+55 81 9708-8404","text":"Olá <b>&</b>"}`)
	if status != http.StatusCreated {
		t.Fatalf("message = %d %s", status, raw)
	}
	flush(t, e)
	var upsert []byte
	for _, d := range e.Deliveries() {
		if d.Event == "messages.upsert" {
			upsert = d.Body
		}
	}
	if upsert == nil {
		t.Fatal("no messages.upsert delivered")
	}
	if got, want := bodyPaths(t, upsert), fixturePaths(t, "evolution-messages-upsert-text.json"); !slices.Equal(got, want) {
		t.Errorf("messages.upsert keys = %v\nfixture keys      = %v", got, want)
	}
	data := decode(t, upsert)["data"].(map[string]any)
	key := data["key"].(map[string]any)
	if key["remoteJid"] != "558197088404@s.whatsapp.net" || key["fromMe"] != false ||
		data["message"].(map[string]any)["conversation"] != "Olá <b>&</b>" || data["messageType"] != "conversation" ||
		data["messageTimestamp"] != float64(fixedNow.Unix()) {
		t.Errorf("data = %v", data)
	}
	if !strings.Contains(string(upsert), `"Olá <b>&</b>"`) {
		t.Errorf("body escapes like Go, not like JSON.stringify: %s", upsert)
	}
	if err := e.SetState("n1", StateClose); err != nil {
		t.Fatal(err)
	}
	if status, _ = call(t, "POST", base+"/_sim/instances/n1/messages", nil, `{"from":"5581","text":"x"}`); status != 400 {
		t.Errorf("message from a short number = %d", status)
	}
	if status, _ = call(t, "POST", base+"/_sim/instances/n1/messages", nil, `{"from":"558197088404","text":"x"}`); status != http.StatusConflict {
		t.Errorf("message to a closed session = %d, want 409", status)
	}
}

func TestEvolutionDisconnectLogoutDelete(t *testing.T) {
	t.Parallel()
	e, base := newEvolution(t)
	key := map[string]string{"apikey": e.APIKey()}
	rc := newReceiver(t, nil)
	openInstance(t, e, base, "n1", rc.URL)
	if status, raw := call(t, "POST", base+"/_sim/instances/n1/disconnect", nil, `{"status_reason":401}`); status != 200 {
		t.Fatalf("disconnect = %d %s", status, raw)
	}
	flush(t, e)
	got := rc.requests()
	last := decode(t, got[len(got)-1].Body)["data"].(map[string]any)
	if last["state"] != "close" || last["statusReason"] != float64(401) {
		t.Errorf("last connection.update = %v", last)
	}
	status, raw := call(t, "DELETE", base+"/instance/logout/n1", key, "")
	if want := `{"status":400,"error":"Bad Request","response":{"message":["The \"n1\" instance is not connected"]}}`; status != 400 || string(raw) != want {
		t.Errorf("logout of a closed instance = %d %s", status, raw)
	}
	status, raw = call(t, "GET", base+"/instance/fetchInstances?instanceName=n1", key, "")
	var list []map[string]any
	if err := json.Unmarshal(raw, &list); err != nil || status != 200 || len(list) != 1 ||
		list[0]["connectionStatus"] != "close" || list[0]["disconnectionReasonCode"] != float64(401) {
		t.Errorf("fetchInstances = %d %s", status, raw)
	}
	status, raw = call(t, "DELETE", base+"/instance/delete/n1", key, "")
	if want := `{"status":"SUCCESS","error":false,"response":{"message":"Instance deleted"}}`; status != 200 || string(raw) != want {
		t.Errorf("delete = %d %s", status, raw)
	}
	if status, _ = call(t, "GET", base+"/instance/connectionState/n1", key, ""); status != 404 {
		t.Errorf("state after delete = %d", status)
	}
	if status, _ = call(t, "GET", base+"/instance/fetchInstances?instanceName=n1", key, ""); status != 404 {
		t.Errorf("fetchInstances of a deleted instance = %d", status)
	}

	openInstance(t, e, base, "n2", rc.URL)
	status, raw = call(t, "DELETE", base+"/instance/logout/n2", key, "")
	if status != 200 || !strings.Contains(string(raw), "Instance logged out") {
		t.Errorf("logout = %d %s", status, raw)
	}
}

func TestEvolutionWebhookSetAndFind(t *testing.T) {
	t.Parallel()
	e, base := newEvolution(t)
	key := map[string]string{"apikey": e.APIKey()}
	rc := newReceiver(t, nil)
	createInstance(t, base, e.APIKey(), `{"instanceName":"n1"}`)
	if status, raw := call(t, "GET", base+"/webhook/find/n1", key, ""); status != 200 || string(raw) != "null" {
		t.Errorf("find before set = %d %s", status, raw)
	}
	bad := []struct{ body, msg string }{
		{`{"webhook":{"enabled":true,"url":"ftp://x"}}`, `Invalid \"url\" property`},
		{`{"webhook":{"enabled":true,"url":"http://x","events":["NOPE"]}}`, `webhook.events[0] is not one of enum values`},
		{`{"webhook":{"url":"http://x"}}`, `requires property \"enabled\"`},
		{`{}`, `requires property \"webhook\"`},
		{`{"webhook":{"enabled":"yes","url":"http://x"}}`, `webhook.enabled is not of a type(s) boolean`},
		{`{"webhook":`, `unexpected end of JSON input`},
	}
	for _, b := range bad {
		if status, raw := call(t, "POST", base+"/webhook/set/n1", key, b.body); status != 400 || !strings.Contains(string(raw), b.msg) {
			t.Errorf("set %s = %d %s, want 400 with %s", b.body, status, raw, b.msg)
		}
	}
	hook := rc.URL + "/hook?token=abc"
	status, raw := call(t, "POST", base+"/webhook/set/n1", key,
		`{"webhook":{"enabled":true,"url":"`+hook+`","byEvents":true,"base64":false,"events":[],"headers":{"X-Extra":"1"}}}`)
	set := decode(t, raw)
	if status != http.StatusCreated || set["url"] != hook || set["webhookByEvents"] != true || len(set["events"].([]any)) != len(evoEvents) {
		t.Fatalf("set = %d %s", status, raw)
	}
	status, raw = call(t, "GET", base+"/webhook/find/n1", key, "")
	if status != 200 || decode(t, raw)["id"] != set["id"] {
		t.Errorf("find = %d %s", status, raw)
	}
	if status, raw = call(t, "GET", base+"/instance/connect/n1", key, ""); status != 200 {
		t.Fatalf("connect = %d %s", status, raw)
	}
	flush(t, e)
	got := rc.requests()
	if len(got) != 2 {
		t.Fatalf("got %d deliveries, want connection.update and qrcode.updated", len(got))
	}
	// byEvents appends the event to the URL string, query string and all.
	if q, _ := url.ParseQuery(got[0].Query); q.Get("token") != "abc/connection-update" || got[0].Header.Get("X-Extra") != "1" {
		t.Errorf("byEvents delivery to %s?%s headers %v", got[0].Path, got[0].Query, got[0].Header)
	}
	if wh, ok := e.Webhook("n1"); !ok || !wh.ByEvents || wh.URL != hook {
		t.Errorf("Webhook() = %+v %v", wh, ok)
	}
	call(t, "POST", base+"/webhook/set/n1", key, `{"webhook":{"enabled":false,"url":"`+hook+`","events":["CONNECTION_UPDATE"]}}`)
	call(t, "GET", base+"/instance/connect/n1", key, "")
	flush(t, e)
	if n := len(rc.requests()); n != 2 {
		t.Errorf("a disabled webhook still delivered (%d requests)", n)
	}
}
