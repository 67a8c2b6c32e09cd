package provider

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/whatpro/hub/internal/intake"
)

// FuzzProviderWebhook: any body routes without panicking, and only the
// exact signature of the exact body verifies.
func FuzzProviderWebhook(f *testing.F) {
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"123"},"messages":[{"id":"wamid.1"}]}}]}]}`), "sha256=00")
	f.Add([]byte(`{"event":"connection.update","instance":"vendas","data":{"state":"open"},"apikey":"x"}`), "")
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[null,{"value":7}]}]}`), "sha256=zz")
	f.Add([]byte(`[]`), "sha1=00")
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		if obj, err := intake.Decode(body); err == nil {
			route(TypeCloudAPI, obj)
			route(TypeEvolution, obj)
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
