package provider

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/intake"
)

// FuzzProviderWebhook: any body splits without panicking into parts that
// each name their provider, a plain event and, unless ignored with a
// reason, a number; a Cloud API part holds at most one message or status;
// splitting is deterministic; only the exact signature of the exact body
// verifies.
func FuzzProviderWebhook(f *testing.F) {
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"123"},"messages":[{"id":"wamid.1"}]}}]}]}`), "sha256=00")
	f.Add([]byte(batched), "")
	f.Add([]byte(`{"event":"connection.update","instance":"vendas","data":{"state":"open"},"apikey":"x"}`), "")
	f.Add([]byte(`{"event":"messages.upsert","instance":"a b","data":{"key":{"id":7}}}`), "")
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[null,{"value":7},{"value":{"statuses":[1,{"id":"x"}]}}]}]}`), "sha256=zz")
	f.Add([]byte(`[]`), "sha1=00")
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"smb_message_echoes","value":{"metadata":{"phone_number_id":"9"},"message_echoes":[{"id":"wamid.E1"},{"id":"wamid.E2"}]}}]}]}`), "")
	f.Add([]byte(`{"event":"messages.upsert","instance":"v","data":{"key":{"remoteJid":"1234@lid","remoteJidAlt":"551187654321@s.whatsapp.net","id":"C"}}}`), "")
	f.Add([]byte(`{"event":"messages.delete","instance":"v","data":[{"remoteJid":"5511987654321:3@s.whatsapp.net","id":"I"},{"key":{"remoteJid":"x@g.us"}}]}`), "")
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"9"},"statuses":[{"id":"w","status":"read","recipient_id":"+55 (11) 8765-4321"}]}}]}]}`), "")
	adapters := map[string]Adapter{TypeCloudAPI: &cloudAPI{}, TypeEvolution: &evolution{}}
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		if obj, err := intake.Decode(body); err == nil {
			for typ, a := range adapters {
				parts := a.Split("prov", body, obj)
				if len(parts) == 0 {
					t.Fatalf("%s: no part for %s", typ, body)
				}
				checkParts(t, typ, "prov", parts)
				again, _ := intake.Decode(body)
				if !reflect.DeepEqual(parts, a.Split("prov", body, again)) {
					t.Fatalf("%s: splitting %s twice differs", typ, body)
				}
			}
		}
		m := hmac.New(sha256.New, []byte("app-secret"))
		m.Write(body)
		want := "sha256=" + hex.EncodeToString(m.Sum(nil))
		if validMetaSignature("app-secret", sig, body) != (sig == want) {
			t.Fatalf("signature %q judged wrongly", sig)
		}
		if !validMetaSignature("app-secret", want, body) || validMetaSignature("", want, body) {
			t.Fatal("the exact signature must pass, and never without a secret")
		}
	})
}

func checkParts(t *testing.T, typ, providerID string, parts []Part) {
	t.Helper()
	for _, p := range parts {
		if p.SourceID != providerID+":"+p.Key || !plainName(p.Event) || p.Dedupe == "" || p.Payload == nil {
			t.Fatalf("%s: malformed part %+v", typ, p)
		}
		if p.Key == "" && p.Ignore == "" {
			t.Fatalf("%s: a part without a number is not ignored: %+v", typ, p)
		}
		if p.Key != "" && !plainName(p.Key) {
			t.Fatalf("%s: key %q is not plain", typ, p.Key)
		}
		if p.OrderKey != "" && (!strings.HasPrefix(p.OrderKey, "chat:") || len(p.OrderKey) > 200 || strings.ContainsAny(p.OrderKey, " \t\n")) {
			t.Fatalf("%s: order key %q", typ, p.OrderKey)
		}
		if _, err := json.Marshal(p.Payload); err != nil {
			t.Fatalf("%s: payload does not encode: %v", typ, err)
		}
		if typ == TypeCloudAPI && p.Ignore == "" {
			v := valueOf(t, p)
			msgs, _ := v["messages"].([]any)
			sts, _ := v["statuses"].([]any)
			echoes, _ := v["message_echoes"].([]any)
			if len(msgs)+len(sts)+len(echoes) > 1 || (p.Event == "messages") != (len(msgs) == 1) || (p.Event == "statuses") != (len(sts) == 1) {
				t.Fatalf("cloud_api: part %s holds %d messages and %d statuses", p.Event, len(msgs), len(sts))
			}
			md, _ := v["metadata"].(map[string]any)
			if md["phone_number_id"] != p.Key {
				t.Fatalf("cloud_api: part for %q holds the change of %v", p.Key, md["phone_number_id"])
			}
			if p.Event == "messages" && !strings.HasPrefix(p.Dedupe, "wamid:") && !strings.HasPrefix(p.Dedupe, "sha256:") {
				t.Fatalf("cloud_api: message dedupe %q", p.Dedupe)
			}
		}
	}
}

func valueOf(t *testing.T, p Part) map[string]any {
	t.Helper()
	entries, _ := p.Payload["entry"].([]any)
	if len(entries) != 1 {
		t.Fatalf("part has %d entries", len(entries))
	}
	changes, _ := entries[0].(map[string]any)["changes"].([]any)
	if len(changes) != 1 {
		t.Fatalf("part has %d changes", len(changes))
	}
	v, _ := changes[0].(map[string]any)["value"].(map[string]any)
	return v
}
