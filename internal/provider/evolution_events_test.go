package provider

import "testing"

// What each connection.update means: only Baileys' 401, 402, 403 and 406
// are a logout; any other close is a drop Evolution reconnects; refused is
// the QR limit.
func TestConnectionEventMeaning(t *testing.T) {
	cases := []struct {
		data           string
		status, reason string
	}{
		{`{"state":"open","statusReason":200,"wuid":"5511988887777:3@s.whatsapp.net","profileName":"Loja"}`, StatusConnected, ""},
		{`{"state":"connecting","statusReason":200}`, StatusConnecting, ""},
		{`{"state":"close","statusReason":401}`, StatusDisconnected, ReasonLoggedOut},
		{`{"state":"close","statusReason":402}`, StatusDisconnected, ReasonLoggedOut},
		{`{"state":"close","statusReason":403}`, StatusDisconnected, ReasonLoggedOut},
		{`{"state":"close","statusReason":406}`, StatusDisconnected, ReasonLoggedOut},
		{`{"state":"close","statusReason":408}`, StatusConnecting, ReasonDropped},
		{`{"state":"close","statusReason":428}`, StatusConnecting, ReasonDropped},
		{`{"state":"close","statusReason":440}`, StatusConnecting, ReasonDropped},
		{`{"state":"close","statusReason":500}`, StatusConnecting, ReasonDropped},
		{`{"state":"close","statusReason":515}`, StatusConnecting, ReasonDropped},
		{`{"state":"refused","statusReason":428}`, StatusDisconnected, ReasonQRLimit},
		{`{"state":"weird"}`, StatusError, ""},
	}
	for _, c := range cases {
		got, err := connectionEvent([]byte(`{"event":"connection.update","instance":"x","data":` + c.data + `}`))
		if err != nil {
			t.Fatalf("%s: %v", c.data, err)
		}
		if got.Status != c.status || got.Reason != c.reason {
			t.Errorf("%s = %s/%s, want %s/%s", c.data, got.Status, got.Reason, c.status, c.reason)
		}
	}
	open, _ := connectionEvent([]byte(`{"data":{"state":"open","wuid":"5511988887777:3@s.whatsapp.net","profileName":"Loja"}}`))
	if open.PhoneNumber != "+5511988887777" || open.ProfileName != "Loja" {
		t.Errorf("open: %+v", open)
	}
	if _, err := connectionEvent([]byte(`not json`)); err == nil {
		t.Error("a broken payload must fail")
	}
}

func TestJIDPhone(t *testing.T) {
	for in, want := range map[string]string{"5511988887777@s.whatsapp.net": "+5511988887777", "5511988887777:12@s.whatsapp.net": "+5511988887777",
		"123@lid": "", "5511988887777": "", "5511988887777@c.us": "+5511988887777", "": "", "abc@s.whatsapp.net": "", "@s.whatsapp.net": ""} {
		if got := jidPhone(in); got != want {
			t.Errorf("jidPhone(%q) = %q, want %q", in, got, want)
		}
	}
}
