package cwsim

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestEncodeSessionCookieMatchesJSCookie(t *testing.T) {
	t.Parallel()
	// Expected value computed in node with js-cookie 3's write converter:
	// encodeURIComponent(JSON.stringify(h)).replace(/%(2[346BF]|3[AC-F]|40|5[BDE]|60|7[BCD])/g, decodeURIComponent)
	h := map[string]string{
		"access-token":  "tok+/=",
		"cache-control": "max-age=0, private, must-revalidate",
		"client":        "cli",
		"expiry":        "1786874400",
		"token-type":    "Bearer",
		"uid":           "ana@acme.test",
	}
	got := EncodeSessionCookie(h)
	want := `{%22access-token%22:%22tok+/=%22%2C%22cache-control%22:%22max-age=0%2C%20private%2C%20must-revalidate%22%2C` +
		`%22client%22:%22cli%22%2C%22expiry%22:%221786874400%22%2C%22token-type%22:%22Bearer%22%2C%22uid%22:%22ana@acme.test%22}`
	if got != want {
		t.Errorf("encoded\n got %s\nwant %s", got, want)
	}
	info, err := ParseSessionCookie(got)
	if err != nil || info.AccessToken != "tok+/=" || info.UID != "ana@acme.test" || info.Headers["cache-control"] != h["cache-control"] {
		t.Errorf("round trip = %+v, %v", info, err)
	}
}

func TestParseSessionCookieVariants(t *testing.T) {
	t.Parallel()
	json := `{"access-token":"a b","client":"c","uid":"u@x.test","expiry":1786874400,"token-type":"Bearer"}`
	ok := []struct{ name, raw string }{
		{"js-cookie", jsCookieEncode(json)},
		{"plain JSON", json},
		{"quoted", `"` + jsCookieEncode(json) + `"`},
		{"CGI.escape", url.QueryEscape(json)},
		{"lower-case escapes", strings.NewReplacer("%2C", "%2c", "%20", "%20").Replace(jsCookieEncode(json))},
	}
	for _, tc := range ok {
		info, err := ParseSessionCookie(tc.raw)
		if err != nil || info.AccessToken != "a b" || info.Client != "c" || info.Expiry != "1786874400" {
			t.Errorf("%s: %+v %v", tc.name, info, err)
		}
	}
	bad := []string{"", "%7B", "null", "[]", `{"access-token":"a"}`, "%E0%A4%A", `{} {}`}
	for _, raw := range bad {
		if _, err := ParseSessionCookie(raw); err == nil {
			t.Errorf("ParseSessionCookie(%q) accepted garbage", raw)
		}
	}
}

func TestSessionCookieFromSignIn(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	r := signIn(t, s, adminAcme)
	c := SessionCookie(r.header)
	if c.Name != "cw_d_session_info" || c.Path != "/" || c.SameSite != 0 || strings.Contains(c.String(), "SameSite") || c.HttpOnly {
		t.Errorf("cookie attributes = %+v", c)
	}
	info, err := ParseSessionCookie(c.Value)
	if err != nil || info.AccessToken != r.header.Get("access-token") || info.Headers["content-type"] == "" {
		t.Errorf("cookie carries %+v (%v); want every response header", info, err)
	}
}

func FuzzParseSessionCookie(f *testing.F) {
	f.Add(EncodeSessionCookie(map[string]string{"access-token": "a", "client": "c", "uid": "u"}))
	f.Add(`{"access-token":"a","client":"c","uid":"u"}`)
	f.Add("%")
	f.Add(`"`)
	f.Add("%7B%22a%22:1}")
	f.Fuzz(func(t *testing.T, raw string) {
		info, err := ParseSessionCookie(raw)
		if err == nil && (info.AccessToken == "" || info.Client == "" || info.UID == "") {
			t.Fatalf("accepted a cookie without credentials: %q", raw)
		}
	})
}

// FuzzSignIn throws arbitrary bodies and content types at /auth/sign_in:
// the handler must answer, never panic, and only 200 for real credentials.
func FuzzSignIn(f *testing.F) {
	s := New(DefaultSeed(), Options{})
	u := s.Seed().Users[0]
	f.Add("application/json", `{"email":"`+u.Email+`","password":"`+u.Password+`"}`)
	f.Add("application/json", `{"email":["x"],"password":{"a":1}}`)
	f.Add("application/x-www-form-urlencoded", "email=%zz&password=")
	f.Add("multipart/form-data; boundary=x", "--x\r\n")
	f.Add("text/plain", "\x00\xff")
	f.Fuzz(func(t *testing.T, ctype, body string) {
		req, _ := http.NewRequest("POST", "/auth/sign_in", strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 400, 401, 413:
		default:
			t.Fatalf("status %d for %q %q", rec.Code, ctype, body)
		}
		if rec.Code == 200 && !strings.Contains(body, u.Password) {
			t.Fatalf("signed in without the password: %q", body)
		}
	})
}
