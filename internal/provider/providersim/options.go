package providersim

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// Options tunes a simulator. The zero value is usable: credentials that are
// left empty are generated at random.
type Options struct {
	// Now is the clock used for timestamps in answers and webhooks.
	Now func() time.Time
	// HTTPClient sends outgoing webhooks and Meta's verification GET.
	HTTPClient *http.Client
	// WebhookTimeout bounds one outgoing request; default 10s.
	WebhookTimeout time.Duration
	// APIKey is Evolution's global key (AUTHENTICATION_API_KEY).
	APIKey string
	// AccessToken, AppSecret and PhoneNumberID are the Cloud API
	// credentials and the one phone number the simulated app owns.
	AccessToken   string
	AppSecret     string
	PhoneNumberID string
	// BaseURL is the simulator's own address, reported as Evolution's
	// server_url. Empty means "learn it from the first request's Host";
	// SetBaseURL changes it after listening.
	BaseURL string
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	if o.WebhookTimeout <= 0 {
		o.WebhookTimeout = 10 * time.Second
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	return o
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// randomHex returns n random bytes as lower-case hex.
func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }

// randomDigits returns n random decimal digits, the first never 0, the shape
// of Graph object ids.
func randomDigits(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	if b[0] == '0' {
		b[0] = '1'
	}
	return string(b)
}

// randomFrom returns n random characters from alphabet.
func randomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// uuidV4 is how Evolution names instances (instanceId) and, upper-cased,
// instance tokens.
func uuidV4() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// digitsOnly keeps the decimal digits of a phone number as typed ("+55 11 9…").
func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
