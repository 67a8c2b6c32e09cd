package intake

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/whatpro/hub/internal/httpx"
)

// Redacted replaces every secret value before a payload is stored.
const Redacted = "[redacted]"

const maxEventLen = 100

// parseChatwoot checks that body is one JSON object naming its event and
// returns the event and the decoded object (numbers keep their text).
func parseChatwoot(body []byte) (string, map[string]any, error) {
	obj, err := Decode(body)
	if err != nil {
		return "", nil, err
	}
	event, _ := obj["event"].(string)
	if !validEvent(event) {
		return "", nil, httpx.Invalid(httpx.FieldError{Field: "event",
			Message: "must be a Chatwoot event name such as message_created"})
	}
	return event, obj, nil
}

// prepare redacts obj in place and returns the two stored forms: display,
// which admins read (secrets masked, and no URL keeps its query or
// userinfo), and job, which consumers read (secrets masked by name and by
// the source's known locations, other URLs intact: a WhatsApp media URL
// needs its query). They are equal for most events.
func prepare(source, event string, obj map[string]any) (display, job []byte, err error) {
	redact(obj, source, source != SourceProvider && strings.HasPrefix(event, "inbox_"))
	if job, err = encode(obj); err != nil {
		return nil, nil, err
	}
	if !stripURLs(obj) {
		return job, job, nil
	}
	display, err = encode(obj)
	return display, job, err
}

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep message content readable: "<" stays "<"
	if err := enc.Encode(v); err != nil {
		return nil, httpx.E(httpx.CodeBadRequest, "the body is not valid JSON")
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// validEvent accepts Chatwoot's event names (lower snake case), the
// providers' dotted ones and, to stay forward compatible, colons and
// dashes; nothing else reaches the database or the logs.
func validEvent(s string) bool {
	if s == "" || len(s) > maxEventLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

// Key names that hold credentials, compared lowercased without '_' and
// '-'. Chatwoot's channel rows carry hmac_token, secret, website_token,
// bot_token, page_access_token, api_key, imap_password…; conversation
// payloads carry the contact's pubsub_token; Evolution sends apikey.
var (
	secretParts = []string{"token", "secret", "password", "apikey", "privatekey", "credential", "authorization",
		"signature", "hmac", "cookie", "sessionid", "jwt", "passcode", "pwd", "bearer"}
	secretNames = map[string]bool{"key": true, "auth": true, "otp": true, "pin": true}
)

// nameFolder drops '_' and '-' from a key name; built once (a Replacer
// builds its tables on first use).
var nameFolder = strings.NewReplacer("_", "", "-", "")

func secretName(k string) bool {
	n := nameFolder.Replace(strings.ToLower(k))
	if secretNames[n] || strings.HasSuffix(n, "otp") || strings.HasSuffix(n, "auth") {
		return true
	}
	for _, s := range secretParts {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// secretURL reports whether a key of this source holds a URL whose query
// or userinfo is a credential: Chatwoot's webhook_url fields (the hub's
// ?token=), Evolution's destination and webhook url (the hub's ?token=).
func secretURL(source, key string) bool {
	n := strings.ToLower(key)
	if strings.Contains(n, "webhook") && strings.HasSuffix(n, "url") {
		return true
	}
	return source == SourceProvider && n == "destination"
}

// redact masks secrets in place. In Chatwoot's inbox_* events the channel
// record's identifier (the API channel's public-API credential) goes too.
func redact(v any, source string, inboxEvent bool) {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			switch {
			case val == nil:
			case isObject(val) || isArray(val):
				// A structure under a secret-looking name is kept and walked:
				// Evolution's data.key, reactionMessage.key and
				// protocolMessage.key name a message (remoteJid, id, fromMe).
				if inboxEvent && strings.EqualFold(k, "channel") {
					if ch := val.(map[string]any); ch["identifier"] != nil {
						ch["identifier"] = Redacted
					}
				}
				redact(val, source, inboxEvent)
			case isBool(val):
				// hmac_verified, pin_required…: a flag is no secret.
			case secretURL(source, k):
				if s, ok := val.(string); ok {
					t[k] = redactURL(s)
				} else {
					t[k] = Redacted
				}
			case secretName(k):
				t[k] = Redacted
			default:
				if str, ok := val.(string); ok {
					t[k] = stripUserinfo(str)
				}
			}
		}
	case []any:
		for i, e := range t {
			if str, ok := e.(string); ok {
				t[i] = stripUserinfo(str)
			} else {
				redact(e, source, inboxEvent)
			}
		}
	}
}

// stripUserinfo drops a URL's user and password: no consumer needs them,
// and they are credentials wherever they appear.
func stripUserinfo(s string) string {
	if !strings.Contains(s, "://") || !strings.Contains(s, "@") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return Redacted // looks like a URL with userinfo and cannot be read: masked whole
	}
	if u.Scheme == "" || u.Host == "" || u.User == nil {
		return s
	}
	u.User = nil
	return u.String()
}

func isObject(v any) bool { _, ok := v.(map[string]any); return ok }
func isArray(v any) bool  { _, ok := v.([]any); return ok }
func isBool(v any) bool   { _, ok := v.(bool); return ok }

// stripURLs removes the query, userinfo and fragment of every absolute URL
// in v, in place, and reports whether it changed anything.
func stripURLs(v any) bool {
	changed := false
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if s, ok := val.(string); ok {
				if r := redactURL(s); r != s && strings.Contains(s, "://") {
					t[k], changed = r, true
				}
			} else if stripURLs(val) {
				changed = true
			}
		}
	case []any:
		for i, e := range t {
			if s, ok := e.(string); ok {
				if r := redactURL(s); r != s && strings.Contains(s, "://") {
					t[i], changed = r, true
				}
			} else if stripURLs(e) {
				changed = true
			}
		}
	}
	return changed
}

// redactURL keeps a URL's scheme, host and path (useful to see where a
// sender posts) and drops its query, password and fragment, where URL
// tokens live. A value that is not an absolute URL is returned as is,
// unless it names one and cannot be parsed, which is masked whole.
func redactURL(s string) string {
	if !strings.Contains(s, "://") || !strings.ContainsAny(s, "?@#") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return Redacted
	}
	if u.Scheme == "" || u.Host == "" {
		return s
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	hadQuery := u.RawQuery != "" || u.ForceQuery
	u.RawQuery, u.ForceQuery = "", false
	if hadQuery {
		return u.String() + "?" + Redacted
	}
	return u.String()
}
