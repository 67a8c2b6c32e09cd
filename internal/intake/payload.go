package intake

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strings"

	"github.com/whatpro/hub/internal/httpx"
)

// Redacted replaces every secret value before a payload is stored.
const Redacted = "[redacted]"

const maxEventLen = 100

// parsePayload checks that body is one JSON object naming its event and
// returns the event and the JSON to store: re-encoded from the parsed
// value (so what is stored is exactly what was checked) with secrets
// masked. Numbers keep their literal text.
func parsePayload(body []byte) (event string, stored []byte, err error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", nil, httpx.E(httpx.CodeBadRequest, "the body is not valid JSON")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return "", nil, httpx.E(httpx.CodeBadRequest, "the body must hold a single JSON value")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return "", nil, httpx.E(httpx.CodeBadRequest, "the body must be a JSON object")
	}
	event, _ = obj["event"].(string)
	if !validEvent(event) {
		return "", nil, httpx.Invalid(httpx.FieldError{Field: "event",
			Message: "must be a Chatwoot event name such as message_created"})
	}
	redact(obj, strings.HasPrefix(event, "inbox_"))
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep message content readable: "<" stays "<"
	if err := enc.Encode(obj); err != nil {
		return "", nil, httpx.E(httpx.CodeBadRequest, "the body is not valid JSON")
	}
	return event, bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// validEvent accepts Chatwoot's event names (lower snake case) and, to
// stay forward compatible, dots, colons and dashes; nothing else reaches
// the database or the logs.
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

// secretName reports whether a key names a credential: Chatwoot's channel
// rows carry hmac_token, secret, website_token, bot_token, page_access_token,
// api_key, imap_password…, and conversation payloads carry the contact's
// pubsub_token. Keys are compared lowercased without '_' and '-'.
func secretName(k string) bool {
	n := strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(k))
	for _, s := range []string{"token", "secret", "password", "apikey", "privatekey", "credential", "authorization"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return n == "key"
}

func isObject(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}

// redact masks secrets in place. In inbox_* events the channel record's
// identifier (the API channel's public-API credential) goes too.
func redact(v any, inboxEvent bool) {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			n := strings.ToLower(k)
			switch {
			case val == nil:
			case strings.EqualFold(k, "key") && isObject(val):
				// Evolution's data.key, reactionMessage.key and
				// protocolMessage.key name a message (remoteJid, id,
				// fromMe); only a key that holds a value is a secret.
				redact(val, inboxEvent)
			case secretName(k):
				t[k] = Redacted
			case strings.Contains(n, "webhook") && strings.HasSuffix(n, "url"):
				if s, ok := val.(string); ok {
					t[k] = redactURL(s)
				} else {
					redact(val, inboxEvent)
				}
			case inboxEvent && n == "channel":
				if ch, ok := val.(map[string]any); ok {
					if id, ok := ch["identifier"]; ok && id != nil {
						ch["identifier"] = Redacted
					}
				}
				redact(val, inboxEvent)
			default:
				redact(val, inboxEvent)
			}
		}
	case []any:
		for _, e := range t {
			redact(e, inboxEvent)
		}
	}
}

// redactURL keeps a webhook URL's scheme, host and path (useful to see
// where Chatwoot posts) and masks its query values and password, where
// URL tokens live. What cannot be parsed is masked whole.
func redactURL(s string) string {
	if s == "" || s == Redacted {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return Redacted
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), Redacted)
	}
	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			q = url.Values{"redacted": {Redacted}}
		} else {
			for k := range q {
				q[k] = []string{Redacted}
			}
		}
		u.RawQuery = q.Encode()
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}
