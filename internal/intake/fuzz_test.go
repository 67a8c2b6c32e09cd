package intake

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var fuzzNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// FuzzVerifySignature feeds arbitrary headers and bodies to the signature
// check: it never panics, only the exact signature of a fresh timestamp
// passes, and any change to a correct one fails.
func FuzzVerifySignature(f *testing.F) {
	ts := strconv.FormatInt(fuzzNow.Unix(), 10)
	body := []byte(`{"event":"message_created","id":1}`)
	f.Add("s3cret", ts, Sign("s3cret", ts, body), body, int64(0))
	f.Add("s3cret", ts, "sha256=", body, int64(299))
	f.Add("", "", "", []byte{}, int64(-301))
	f.Add("k", "+1714564800", "sha256=00", []byte("{}"), int64(600))
	f.Add("k", ts+" ", strings.ToUpper(Sign("k", ts, body)), body, int64(-300))
	f.Fuzz(func(t *testing.T, secret, timestamp, signature string, body []byte, skew int64) {
		err := verifySignature(secret, timestamp, signature, body, fuzzNow)
		if err == nil {
			if signature != Sign(secret, timestamp, body) {
				t.Fatalf("accepted a signature that is not the exact one: %q", signature)
			}
			n, ok := parseUnix(timestamp)
			if !ok || n < fuzzNow.Unix()-300 || n > fuzzNow.Unix()+300 {
				t.Fatalf("accepted timestamp %q outside the window", timestamp)
			}
		}
		// A correct signature at a given skew passes exactly within ±5 min.
		skew %= 1000
		good := strconv.FormatInt(fuzzNow.Unix()+skew, 10)
		sig := Sign(secret, good, body)
		err = verifySignature(secret, good, sig, body, fuzzNow)
		if inWindow := skew >= -300 && skew <= 300; (err == nil) != inWindow {
			t.Fatalf("skew %ds: err = %v", skew, err)
		}
		if skew < -300 || skew > 300 {
			return
		}
		// Any single-byte change of signature or body, or another secret, fails.
		for i := range len(sig) {
			b := []byte(sig)
			b[i] ^= 0x01
			if verifySignature(secret, good, string(b), body, fuzzNow) == nil {
				t.Fatalf("signature changed at %d still passes", i)
			}
		}
		if len(body) > 0 {
			b := bytes.Clone(body)
			b[len(b)/2] ^= 0x20
			if verifySignature(secret, good, sig, b, fuzzNow) == nil {
				t.Fatal("a changed body still passes")
			}
		}
		if verifySignature(secret+"x", good, sig, body, fuzzNow) == nil {
			t.Fatal("another secret passes")
		}
		if verifySignature(secret, good, sig+"0", body, fuzzNow) == nil || verifySignature(secret, good, "", body, fuzzNow) == nil {
			t.Fatal("a longer or empty signature passes")
		}
	})
}

// FuzzParsePayload feeds arbitrary bodies to the payload parser: it never
// panics, and whatever it accepts stores as a JSON object, valid UTF-8
// without NUL bytes, naming the same event, with no secret left in clear.
func FuzzParsePayload(f *testing.F) {
	for _, s := range []string{
		`{"event":"message_created","id":1,"content":"Olá <b>x</b>","conversation":{"contact_inbox":{"pubsub_token":"p"}}}`,
		`{"event":"inbox_updated","channel":{"hmac_token":"h","secret":"s","identifier":"i","webhook_url":"https://u:p@h/x?token=t#f","provider_config":{"api_key":"k"}}}`,
		`{"event":"x","big":123456789012345678901234567890,"n":1e400,"s":"\u0000\ud800"}`,
		`{"event":"a","event":"b"}`, `{"secret":"s","secret":null,"event":"e"}`,
		`[]`, `{"event":`, `{"event":"a"} {}`, "{\"event\":\"a\",\"c\":\"\xff\"}",
		`{"event":"inbox_created","channel":{"webhook_url":"%zz"}}`, `{"event":"e","WebHook_URL":7}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		event, stored, err := parsePayload(body)
		if err != nil {
			return
		}
		if !validEvent(event) {
			t.Fatalf("accepted event %q", event)
		}
		if !utf8.Valid(stored) || bytes.IndexByte(stored, 0) >= 0 {
			t.Fatalf("stored text is not clean UTF-8: %q", stored)
		}
		dec := json.NewDecoder(bytes.NewReader(stored))
		dec.UseNumber()
		var v map[string]any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("stored payload is not a JSON object: %v: %s", err, stored)
		}
		if v["event"] != event {
			t.Fatalf("stored event %v, parsed %q", v["event"], event)
		}
		assertRedacted(t, v, strings.HasPrefix(event, "inbox_"), stored)
		// Storing is stable: what was stored parses to the same text.
		again, stored2, err := parsePayload(stored)
		if err != nil || again != event || !bytes.Equal(stored, stored2) {
			t.Fatalf("re-parsing the stored payload: %v\n%s\n%s", err, stored, stored2)
		}
	})
}

func assertRedacted(t *testing.T, v any, inbox bool, stored []byte) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && strings.Contains(s, "://") && strings.ContainsAny(s, "@") && redactURL(s) != s {
				t.Fatalf("key %q kept a URL's userinfo: %s", k, stored)
			}
			if secretName(k) && val != nil && val != Redacted && !isObject(val) && !isArray(val) && !isBool(val) {
				t.Fatalf("key %q kept %v in %s", k, val, stored)
			}
			if inbox && strings.EqualFold(k, "channel") {
				if ch, ok := val.(map[string]any); ok && ch["identifier"] != nil && ch["identifier"] != Redacted {
					t.Fatalf("channel identifier kept in %s", stored)
				}
			}
			assertRedacted(t, val, inbox, stored)
		}
	case []any:
		for _, e := range x {
			assertRedacted(t, e, inbox, stored)
		}
	}
}

// parsePayload is the Chatwoot intake's parse and its displayed form.
func parsePayload(body []byte) (string, []byte, error) {
	event, obj, err := parseChatwoot(body)
	if err != nil {
		return "", nil, err
	}
	display, _, err := prepare(SourceChatwoot, event, obj)
	return event, display, err
}

// FuzzPrepareProvider: whatever a provider sends, neither stored copy
// keeps a URL's userinfo or a secret-named value, the displayed copy keeps
// no URL query, and both are JSON objects.
func FuzzPrepareProvider(f *testing.F) {
	for _, s := range []string{
		`{"event":"messages.upsert","destination":"https://h/x?token=t","data":{"key":{"id":"A"},"url":"https://u:p@cdn/x?oh=1"}}`,
		`{"entry":[{"changes":[{"value":{"metadata":{"phone_number_id":"1"},"messages":[{"id":"wamid.1"}]}}]}]}`,
		`{"a":["https://u:p@h/?q","x"],"pin":1234,"otp":"9","hmac_verified":true,"session_id":"s"}`,
		`{"destination":5,"key":"k","Set-Cookie":"c=1"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		obj, err := Decode(body)
		if err != nil {
			return
		}
		display, job, err := prepare(SourceProvider, "messages.upsert", obj)
		if err != nil {
			return
		}
		for name, copy := range map[string][]byte{"display": display, "job": job} {
			var v map[string]any
			dec := json.NewDecoder(bytes.NewReader(copy))
			dec.UseNumber()
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("%s copy is not a JSON object: %v: %s", name, err, copy)
			}
			assertRedacted(t, v, false, copy)
			if name == "display" {
				assertNoQuery(t, v, copy)
			}
		}
	})
}

func assertNoQuery(t *testing.T, v any, stored []byte) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		for _, val := range x {
			assertNoQuery(t, val, stored)
		}
	case []any:
		for _, e := range x {
			assertNoQuery(t, e, stored)
		}
	case string:
		if redactURL(x) != x {
			t.Fatalf("displayed copy keeps a URL's query or userinfo %q: %s", x, stored)
		}
	}
}
