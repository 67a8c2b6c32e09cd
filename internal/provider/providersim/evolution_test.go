package providersim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"
)

const evoUnauthorized = `{"status":401,"error":"Unauthorized","response":{"message":"Unauthorized"}}`

// createInstance creates name through the API and returns the answer.
func createInstance(t *testing.T, base, key, body string) map[string]any {
	t.Helper()
	status, raw := call(t, "POST", base+"/instance/create", map[string]string{"apikey": key}, body)
	if status != http.StatusCreated {
		t.Fatalf("create = %d %s", status, raw)
	}
	return decode(t, raw)
}

func TestEvolutionAuth(t *testing.T) {
	t.Parallel()
	e, base := newEvolution(t)
	created := createInstance(t, base, e.APIKey(), `{"instanceName":"mine","integration":"WHATSAPP-BAILEYS"}`)
	createInstance(t, base, e.APIKey(), `{"instanceName":"theirs"}`)
	token := created["hash"].(string)
	cases := []struct {
		name, method, path, key, body string
		status                        int
		want                          string // exact body when set
	}{
		{"no key", "GET", "/instance/fetchInstances", "", "", 401, evoUnauthorized},
		{"wrong key", "GET", "/instance/fetchInstances", "nope", "", 401, evoUnauthorized},
		{"global key", "GET", "/instance/fetchInstances", e.APIKey(), "", 200, ""},
		{"create with wrong key", "POST", "/instance/create", "nope", `{"instanceName":"x"}`, 401, evoUnauthorized},
		{"create with instance token", "POST", "/instance/create", token, `{"instanceName":"x"}`, 401, evoUnauthorized},
		{"state without key", "GET", "/instance/connectionState/mine", "", "", 401, evoUnauthorized},
		{"state with instance token", "GET", "/instance/connectionState/mine", token, "", 200, ""},
		{"other instance with token", "GET", "/instance/connectionState/theirs", token, "", 401, evoUnauthorized},
		// instanceExistsGuard runs before authGuard.
		{"unknown instance without key", "GET", "/instance/connectionState/ghost", "", "", 404,
			`{"status":404,"error":"Not Found","response":{"message":["The \"ghost\" instance does not exist"]}}`},
		{"unknown route", "GET", "/nope?x=1", e.APIKey(), "", 404,
			`{"status":404,"error":"Not Found","response":{"message":["Cannot GET /nope?x=1"]}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.key != "" {
				hdr["apikey"] = tc.key
			}
			status, raw := call(t, tc.method, base+tc.path, hdr, tc.body)
			if status != tc.status || (tc.want != "" && string(raw) != tc.want) {
				t.Errorf("%s %s = %d %s, want %d %s", tc.method, tc.path, status, raw, tc.status, tc.want)
			}
		})
	}
	status, raw := call(t, "GET", base+"/instance/fetchInstances", map[string]string{"apikey": token}, "")
	var list []map[string]any
	if err := json.Unmarshal(raw, &list); status != 200 || err != nil || len(list) != 1 || list[0]["name"] != "mine" {
		t.Errorf("fetchInstances with an instance token = %d %s, want only that instance", status, raw)
	}
}

func TestEvolutionCreateReturnsPNGQRCode(t *testing.T) {
	t.Parallel()
	e, base := newEvolution(t)
	out := createInstance(t, base, e.APIKey(),
		`{"instanceName":"loja-1","qrcode":true,"number":"55 11 99999-0001","integration":"WHATSAPP-BAILEYS"}`)
	inst := out["instance"].(map[string]any)
	if inst["instanceName"] != "loja-1" || inst["status"] != StateConnecting || inst["instanceId"] == "" {
		t.Errorf("instance = %v", inst)
	}
	if tok, _ := e.InstanceToken("loja-1"); out["hash"] != tok || tok == "" {
		t.Errorf("hash = %v, want the instance token %q", out["hash"], tok)
	}
	qr := out["qrcode"].(map[string]any)
	pairing, _ := qr["pairingCode"].(string)
	if len(pairing) != 8 || !strings.HasPrefix(qr["code"].(string), "2@") || qr["count"] != float64(1) {
		t.Errorf("qrcode = pairing %q code %v count %v", pairing, qr["code"], qr["count"])
	}
	img := decodeQR(t, qr["base64"].(string))
	if b := img.Bounds(); b.Dx() < 100 || b.Dx() != b.Dy() {
		t.Errorf("QR image is %v", b)
	}
	if st, _ := e.State("loja-1"); st != StateConnecting {
		t.Errorf("state = %q", st)
	}

	// Without a number Baileys asks no pairing code.
	out = createInstance(t, base, e.APIKey(), `{"instanceName":"loja-2","qrcode":true}`)
	if qr := out["qrcode"].(map[string]any); qr["pairingCode"] != nil {
		t.Errorf("pairingCode without number = %v", qr["pairingCode"])
	}
	// Without qrcode the instance stays closed and no QR comes back.
	out = createInstance(t, base, e.APIKey(), `{"instanceName":"loja-3"}`)
	if _, has := out["qrcode"]; has || out["instance"].(map[string]any)["status"] != StateClose {
		t.Errorf("create without qrcode = %v", out)
	}

	status, raw := call(t, "POST", base+"/instance/create", map[string]string{"apikey": e.APIKey()}, `{"instanceName":"loja-1"}`)
	if want := `{"status":403,"error":"Forbidden","response":{"message":["This name \"loja-1\" is already in use."]}}`; status != 403 || string(raw) != want {
		t.Errorf("duplicate create = %d %s", status, raw)
	}
	status, raw = call(t, "POST", base+"/instance/create", map[string]string{"apikey": e.APIKey()}, `{"qrcode":true}`)
	if want := `{"status":400,"error":"Bad Request","response":{"message":[["requires property \"instanceName\""]]}}`; status != 400 || string(raw) != want {
		t.Errorf("create without name = %d %s", status, raw)
	}
	// Keys match exactly, as in JavaScript: "InstanceName" is not "instanceName".
	status, raw = call(t, "POST", base+"/instance/create", map[string]string{"apikey": e.APIKey()}, `{"InstanceName":"x"}`)
	if status != 400 || !strings.Contains(string(raw), `requires property \"instanceName\"`) {
		t.Errorf("create with a mis-cased key = %d %s", status, raw)
	}
	status, raw = call(t, "POST", base+"/instance/create", map[string]string{"apikey": e.APIKey()}, `[]`)
	if want := `{"status":400,"error":"Bad Request","response":{"message":[["instance is not of a type(s) object"]]}}`; status != 400 || string(raw) != want {
		t.Errorf("create with an array = %d %s", status, raw)
	}
}

func decodeQR(t *testing.T, dataURL string) image.Image {
	t.Helper()
	const prefix = "data:image/png;base64,"
	if !strings.HasPrefix(dataURL, prefix) {
		t.Fatalf("QR is not a PNG data URL: %.40s", dataURL)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(dataURL, prefix))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("QR PNG does not decode: %v", err)
	}
	return img
}
