package providersim

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// withoutTrace drops the random fbtrace_id so Graph errors compare exactly.
func withoutTrace(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	m := decode(t, raw)
	e, ok := m["error"].(map[string]any)
	if !ok {
		t.Fatalf("not a Graph error: %s", raw)
	}
	if id, _ := e["fbtrace_id"].(string); id == "" {
		t.Errorf("Graph error without fbtrace_id: %s", raw)
	}
	delete(e, "fbtrace_id")
	return e
}

func sameError(t *testing.T, raw []byte, want map[string]any) {
	t.Helper()
	got := withoutTrace(t, raw)
	for k, v := range want {
		if !jsonEq(got[k], v) {
			t.Errorf("error.%s = %v, want %v (%s)", k, got[k], v, raw)
		}
	}
	if len(got) != len(want) {
		t.Errorf("error has keys %v, want exactly %v", keyPaths(got), keyPaths(want))
	}
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

func TestCloudAPIAuth(t *testing.T) {
	t.Parallel()
	a, base := newCloudAPI(t)
	path := base + "/v21.0/" + a.PhoneNumberID()
	status, raw := call(t, "GET", path, nil, "")
	if status != 400 {
		t.Errorf("no token = %d", status)
	}
	sameError(t, raw, map[string]any{"message": "An access token is required to request this resource.", "type": "OAuthException", "code": float64(104)})

	req, _ := http.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer wrong")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `OAuth "Facebook Platform" "invalid_token"`) {
		t.Errorf("wrong token = %d %v", resp.StatusCode, resp.Header)
	}
	status, raw = call(t, "GET", path, bearer("wrong"), "")
	if status != 401 {
		t.Errorf("wrong token = %d", status)
	}
	sameError(t, raw, map[string]any{"message": "Invalid OAuth access token - Cannot parse access token", "type": "OAuthException", "code": float64(190)})

	if status, raw = call(t, "GET", path, bearer(a.AccessToken()), ""); status != 200 {
		t.Errorf("bearer token = %d %s", status, raw)
	}
	if status, raw = call(t, "GET", path+"?access_token="+a.AccessToken(), nil, ""); status != 200 {
		t.Errorf("access_token parameter = %d %s", status, raw)
	}
}

func TestCloudAPIPhoneNumberLookup(t *testing.T) {
	t.Parallel()
	a, base := newCloudAPI(t)
	auth := bearer(a.AccessToken())
	id := a.AddPhoneNumber(PhoneNumber{DisplayPhoneNumber: "+55 11 91234-5678", VerifiedName: "Loja Centro"})
	fields := "display_phone_number,verified_name,quality_rating,code_verification_status,platform_type,throughput,status,name_status"
	req, _ := http.NewRequest("GET", base+"/v21.0/"+id+"?fields="+fields, nil)
	req.Header.Set("Authorization", "Bearer "+a.AccessToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Facebook-Api-Version") != "v21.0" {
		t.Errorf("Facebook-Api-Version = %q", resp.Header.Get("Facebook-Api-Version"))
	}
	status, raw := call(t, "GET", base+"/v21.0/"+id+"?fields="+fields, auth, "")
	want := `{"display_phone_number":"+55 11 91234-5678","verified_name":"Loja Centro","quality_rating":"GREEN",` +
		`"code_verification_status":"VERIFIED","platform_type":"CLOUD_API","throughput":{"level":"STANDARD"},` +
		`"status":"CONNECTED","name_status":"APPROVED","id":"` + id + `"}`
	if status != 200 || string(raw) != want {
		t.Errorf("lookup = %d %s\nwant %s", status, raw, want)
	}

	status, raw = call(t, "GET", base+"/v23.0/"+a.PhoneNumberID(), auth, "")
	m := decode(t, raw)
	if status != 200 || m["id"] != a.PhoneNumberID() || m["quality_rating"] != "GREEN" || m["status"] != nil {
		t.Errorf("default fields = %d %s", status, raw)
	}
	if err := a.SetState(id, "DISCONNECTED"); err != nil {
		t.Fatal(err)
	}
	if _, raw = call(t, "GET", base+"/v21.0/"+id+"?fields=status", auth, ""); string(raw) != `{"status":"DISCONNECTED","id":"`+id+`"}` {
		t.Errorf("after SetState = %s", raw)
	}
	if a.SetState(id, "SLEEPY") == nil || a.SetState("404", "CONNECTED") == nil {
		t.Error("SetState accepted a bad status or unknown number")
	}

	status, raw = call(t, "GET", base+"/v21.0/999999", auth, "")
	if status != 400 {
		t.Errorf("unknown id = %d", status)
	}
	sameError(t, raw, map[string]any{"type": "GraphMethodException", "code": float64(100), "error_subcode": float64(33),
		"message": "Unsupported get request. Object with ID '999999' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"})
	status, raw = call(t, "GET", base+"/v21.0/"+id+"?fields=status,colour", auth, "")
	if status != 400 || !strings.Contains(string(raw), "(#100) Tried accessing nonexisting field (colour) on node type (WhatsAppBusinessPhoneNumber)") {
		t.Errorf("unknown field = %d %s", status, raw)
	}
	if status, _ = call(t, "POST", base+"/v21.0/"+id+"/messages", auth, `{}`); status != 400 {
		t.Errorf("unsimulated edge = %d", status)
	}
}

func TestCloudAPITokenValidation(t *testing.T) {
	t.Parallel()
	a, base := newCloudAPI(t)
	auth := bearer(a.AccessToken())
	status, raw := call(t, "GET", base+"/v21.0/me", auth, "")
	if m := decode(t, raw); status != 200 || m["id"] == "" || m["name"] == nil {
		t.Errorf("me = %d %s", status, raw)
	}
	status, raw = call(t, "GET", base+"/v21.0/debug_token?input_token="+a.AccessToken(), auth, "")
	data := decode(t, raw)["data"].(map[string]any)
	if status != 200 || data["is_valid"] != true || data["type"] != "SYSTEM_USER" ||
		!slices.Contains(data["scopes"].([]any), any("whatsapp_business_messaging")) {
		t.Errorf("debug_token valid = %d %s", status, raw)
	}
	status, raw = call(t, "GET", base+"/v21.0/debug_token?input_token=EAAbogus", auth, "")
	data = decode(t, raw)["data"].(map[string]any)
	if status != 200 || data["is_valid"] != false || data["error"].(map[string]any)["code"] != float64(190) {
		t.Errorf("debug_token invalid = %d %s", status, raw)
	}
	if status, _ = call(t, "GET", base+"/v21.0/debug_token", auth, ""); status != 400 {
		t.Errorf("debug_token without input_token = %d", status)
	}
}
