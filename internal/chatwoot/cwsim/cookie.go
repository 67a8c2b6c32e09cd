package cwsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// SessionCookieName is the cookie Chatwoot's SPA writes after sign-in
// (setAuthCredentials in dashboard/store/utils/api.js).
const SessionCookieName = "cw_d_session_info"

// SessionInfo is what a cw_d_session_info cookie carries: every sign-in
// response header, lower-case, of which five are devise credentials.
type SessionInfo struct {
	AccessToken string
	Client      string
	UID         string
	Expiry      string
	TokenType   string
	Headers     map[string]string // all keys, as stored
}

// EncodeSessionCookie reproduces Cookies.set(name, JSON.stringify(headers))
// from js-cookie 3: JSON without HTML escaping, then encodeURIComponent,
// then the characters js-cookie puts back (#$&+/:<=>?@[]^`{|}).
func EncodeSessionCookie(headers map[string]string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // JSON.stringify does not escape <, > or &
	_ = enc.Encode(headers)  // map keys sort like the browser's header list
	return jsCookieEncode(strings.TrimSuffix(buf.String(), "\n"))
}

func jsCookieEncode(s string) string {
	const keep = "-_.!~*'()" + "#$&+/:<=>?@[]^`{|}"
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(keep, c) >= 0) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// ParseSessionCookie decodes a cw_d_session_info value tolerantly: js-cookie
// percent-encoding, a quoted value, or Ruby CGI.escape form-encoding, then a
// JSON object whose values may be strings or numbers (the MFA path stores
// only the five auth keys). It never panics on garbage.
func ParseSessionCookie(raw string) (SessionInfo, error) {
	raw = strings.TrimSpace(raw)
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		raw = raw[1 : len(raw)-1]
	}
	if raw == "" {
		return SessionInfo{}, errors.New("empty session cookie")
	}
	// js-cookie leaves '{' and ':' literal; Ruby's CGI.escape encodes them
	// and turns spaces into '+', which js-cookie would keep as a plus.
	decode := percentDecode
	if strings.HasPrefix(strings.ToUpper(raw), "%7B") {
		decode = func(v string) string {
			if unq, qerr := url.QueryUnescape(v); qerr == nil {
				return unq
			}
			return percentDecode(v)
		}
	}
	obj, err := decodeCookieJSON(decode(raw))
	if err != nil {
		return SessionInfo{}, err
	}
	info := SessionInfo{Headers: map[string]string{}}
	for k, v := range obj {
		var str string
		switch t := v.(type) {
		case string:
			str = t
		case json.Number:
			str = t.String()
		default:
			continue
		}
		info.Headers[strings.ToLower(k)] = str
	}
	info.AccessToken, info.Client, info.UID = info.Headers["access-token"], info.Headers["client"], info.Headers["uid"]
	info.Expiry, info.TokenType = info.Headers["expiry"], info.Headers["token-type"]
	if info.AccessToken == "" || info.Client == "" || info.UID == "" {
		return SessionInfo{}, errors.New("session cookie lacks access-token, client or uid")
	}
	return info, nil
}

func decodeCookieJSON(s string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	if obj == nil || dec.More() {
		return nil, errors.New("session cookie is not one JSON object")
	}
	return obj, nil
}

// percentDecode decodes every well-formed %XX and leaves the rest, like
// js-cookie's replace(/(%[\dA-F]{2})+/gi, decodeURIComponent).
func percentDecode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// requestCookie reads a cookie from the raw Cookie header, because Go's
// parser drops values containing bytes browsers happily store.
func requestCookie(r *http.Request, name string) (string, bool) {
	for _, line := range r.Header.Values("Cookie") {
		for _, part := range strings.Split(line, ";") {
			k, v, found := strings.Cut(strings.TrimSpace(part), "=")
			if found && k == name {
				return v, true
			}
		}
	}
	return "", false
}

// SessionCookie builds the cookie the login page would set for session
// headers h (as returned by /auth/sign_in), for tests that skip the browser:
// host-only, path=/, not HttpOnly, and without SameSite, as js-cookie 3
// writes it on Chatwoot's normal sign-in path.
func SessionCookie(h http.Header) *http.Cookie {
	m := map[string]string{}
	for k, vs := range h {
		if len(vs) > 0 {
			m[strings.ToLower(k)] = strings.Join(vs, ", ")
		}
	}
	return &http.Cookie{Name: SessionCookieName, Value: EncodeSessionCookie(m), Path: "/"}
}
