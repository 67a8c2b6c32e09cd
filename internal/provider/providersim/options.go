package providersim

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
	_ "time/tzdata" // --timezone and the default work on hosts without zoneinfo
)

// saoPaulo is the default Evolution server zone.
var saoPaulo = func() *time.Location {
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		return time.FixedZone("-03", -3*3600)
	}
	return loc
}()

// Options tunes a simulator. The zero value is usable: credentials that are
// left empty are generated at random.
type Options struct {
	// Now is the clock used for timestamps in answers and webhooks.
	Now func() time.Time
	// HTTPClient sends outgoing webhooks and Meta's verification GET.
	HTTPClient *http.Client
	// WebhookTimeout bounds one outgoing request; default 10s.
	WebhookTimeout time.Duration
	// WebhookAttempts is how many times a webhook is posted before the
	// provider gives up (default 10, Evolution's; 1 means no retry).
	// Evolution retries transport errors and any answer but 400, 401,
	// 403, 404 and 422; Meta redelivers any non-2xx. The wait before
	// attempt n+1 is RetryBase·2^(n-1), at most RetryMax, plus up to 20%
	// jitter. RetryBase defaults to 1ms so tests stay fast (the CLI uses
	// Evolution's 5 s); RetryMax defaults to 60 RetryBase (Evolution: 300 s).
	WebhookAttempts     int
	RetryBase, RetryMax time.Duration
	// DeliveryLog bounds how many webhooks Deliveries and requests Requests
	// keep (the newest); default 10000, so a long load run stays bounded.
	DeliveryLog int
	// MessageRetention bounds how many messages an Evolution instance keeps
	// for acks, edits, deletes, media downloads and the phone page (the
	// newest; default 10000). The sent log (Sent) keeps SentLog entries per
	// instance or number (default 100000).
	MessageRetention, SentLog int
	// AutoAck is how far Evolution acknowledges each send by itself:
	// "SERVER_ACK" (default: WhatsApp's server took it), "DELIVERY_ACK"
	// (the customer's phone is online) or "READ" (and reads at once).
	// Later acks come from the phone page or /_sim/instances/{name}/acks.
	AutoAck string
	// MaxDelay caps the "delay" (typing time) a send or sendPresence may
	// ask for; default 2 minutes. Evolution has no cap, but a simulator
	// that can be told to block for hours is a hazard.
	MaxDelay time.Duration
	// Cloud API: AutoStatus is how far Meta reports each send by itself:
	// "sent" (default), "delivered" or "read"; more come from
	// /_sim/statuses. SyncSendErrors makes a send outside the 24-hour
	// window (131047) or to a number without WhatsApp (131026) fail at
	// once with a Graph error instead of the usual 200 and a "failed"
	// status. MessagesPerSecond is the number's throughput (0: unlimited;
	// Meta's default tier is 80): beyond it a send fails with 130429.
	// MediaURLTTL is how long a media download URL works (5 minutes).
	AutoStatus        string
	SyncSendErrors    bool
	MessagesPerSecond float64
	MediaURLTTL       time.Duration
	// EvolutionVersion is the Evolution release played (default "2.3.6").
	// Before 2.3.5, a chat with an @lid contact is rewritten to the phone
	// JID (the LID kept in previousRemoteJid); from 2.3.5 on remoteJid is
	// the LID with addressingMode "lid" and the phone in remoteJidAlt.
	EvolutionVersion string
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

	// Evolution's timing, all zero by default so tests stay fast; the CLI
	// uses the real values (see Main).
	//
	// CreateDelay is how long POST /instance/create with qrcode:true
	// blocks before answering (Evolution waits 5 s after starting the
	// socket). ConnectDelay is the wait of GET /instance/connect on a
	// closed instance (2 s). FirstQRDelay is how long Baileys takes to
	// produce the first QR after a connect starts; when it exceeds the
	// delay above, the answer has no QR yet ({count:0}) and the QR comes
	// only as qrcode.updated. Negative means never by itself: only
	// POST /_sim/instances/{name}/qr shows one. QRRefresh rotates the QR
	// while the session waits (Baileys: every ~20 s); zero never rotates.
	// ReconnectDelay is how long a session dropped with a reconnectable
	// code stays "close" before Evolution reconnects (3 s).
	CreateDelay, ConnectDelay, FirstQRDelay, QRRefresh, ReconnectDelay time.Duration
	// QRCodeLimit is QRCODE_LIMIT (default 30): the QR after that many
	// ends the attempt with a qrcode.updated carrying no QR and
	// connection.update "refused".
	QRCodeLimit int
	// TimeZone is the Evolution server's TZ. Its webhooks' date_time is
	// that zone's wall-clock time with a literal "Z" (new Date(Date.now() -
	// tzoffset).toISOString()). Default America/Sao_Paulo, where most
	// Evolution servers of the hub's users run.
	TimeZone *time.Location
	// ExposeAPIKey is AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES=true: only
	// then does the webhook body's apikey carry the instance token; by
	// default it is null.
	ExposeAPIKey bool
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPClient == nil {
		// Every chat has its own delivery worker: keep enough idle
		// connections to the hub that they do not reconnect per webhook.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns, t.MaxIdleConnsPerHost = 512, 128
		o.HTTPClient = &http.Client{Transport: t}
	}
	if o.WebhookTimeout <= 0 {
		o.WebhookTimeout = 10 * time.Second
	}
	if o.WebhookAttempts <= 0 {
		o.WebhookAttempts = 10
	}
	if o.RetryBase <= 0 {
		o.RetryBase = time.Millisecond
	}
	if o.RetryMax <= 0 {
		o.RetryMax = 60 * o.RetryBase
	}
	if o.DeliveryLog <= 0 {
		o.DeliveryLog = 10000
	}
	if o.MessageRetention <= 0 {
		o.MessageRetention = 10000
	}
	if o.SentLog <= 0 {
		o.SentLog = 100000
	}
	if statusRank(o.AutoStatus) < 1 {
		o.AutoStatus = "sent"
	}
	if o.MediaURLTTL <= 0 {
		o.MediaURLTTL = 5 * time.Minute
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 2 * time.Minute
	}
	if ackRank(o.AutoAck) < 1 || ackRank(o.AutoAck) > 3 {
		o.AutoAck = "SERVER_ACK"
	}
	if o.EvolutionVersion == "" {
		o.EvolutionVersion = "2.3.6"
	}
	if o.QRCodeLimit <= 0 {
		o.QRCodeLimit = 30
	}
	if o.TimeZone == nil {
		o.TimeZone = saoPaulo
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
