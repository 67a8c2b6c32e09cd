package chatwoot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// FuzzPlatformVerify: arbitrary headers and bodies never panic, and only
// the exact signature of a fresh timestamp passes.
func FuzzPlatformVerify(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	f.Add("1800000000", "sha256=00", []byte(`{"type":"account.suspended","data":{"account_id":"x"}}`))
	f.Add("", "", []byte(``))
	f.Add("1799999000", "sha256=zz", []byte(`{`))
	p := &PlatformEvents{Secrets: []string{"s1", "s2"}}
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		h := http.Header{}
		h.Set("X-WhatPro-Timestamp", ts)
		h.Set("X-WhatPro-Signature", sig)
		err := p.verify(h, body, now)
		m := hmac.New(sha256.New, []byte("s1"))
		m.Write([]byte(ts + "."))
		m.Write(body)
		exact := sig == "sha256="+hex.EncodeToString(m.Sum(nil))
		sec, perr := strconv.ParseInt(ts, 10, 64)
		fresh := perr == nil && now.Sub(time.Unix(sec, 0)).Abs() <= 5*time.Minute
		if err == nil && !(fresh && exact) {
			m2 := hmac.New(sha256.New, []byte("s2"))
			m2.Write([]byte(ts + "."))
			m2.Write(body)
			if sig != "sha256="+hex.EncodeToString(m2.Sum(nil)) {
				t.Fatalf("accepted a wrong signature: ts=%q sig=%q", ts, sig)
			}
		}
		if err != nil && fresh && exact {
			t.Fatalf("refused the exact signature: ts=%q", ts)
		}
		var ev platformEvent
		_ = json.Unmarshal(body, &ev)
	})
}
