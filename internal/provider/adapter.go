// Package provider owns the WhatsApp API backends an account uses (Meta's
// Cloud API, Evolution API; one adapter each, so Uazapi or Z-API are one
// more file), their instances (one number each), the connection of a
// number, the Chatwoot inbox it feeds, health checks and the providers'
// inbound webhooks.
package provider

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/outbound"
)

// Provider types.
const (
	TypeCloudAPI  = "cloud_api"
	TypeEvolution = "evolution"
)

// Instance statuses.
const (
	StatusDisconnected = "disconnected"
	StatusConnecting   = "connecting"
	StatusQRRequired   = "qr_required"
	StatusConnected    = "connected"
	StatusError        = "error"
)

// Credentials are the decrypted, write-only secrets of a provider.
type Credentials struct {
	APIKey      string `json:"api_key,omitempty"`      // Evolution
	AccessToken string `json:"access_token,omitempty"` // Cloud API
	AppSecret   string `json:"app_secret,omitempty"`   // Cloud API
}

// Target is what an adapter needs to call a provider.
type Target struct {
	BaseURL string
	Creds   Credentials
}

// Health is the answer of a provider test.
type Health struct {
	Status    string `json:"status"` // healthy | unhealthy
	LatencyMS int64  `json:"latency_ms"`
	Details   string `json:"details"`
}

// Reasons a number is not connected, as the provider gave them
// (Instance.DisconnectReason).
const (
	ReasonLoggedOut = "logged_out" // the phone (or the hub) ended the session
	ReasonQRLimit   = "qr_limit"   // no QR code was scanned before the provider gave up
	ReasonRefused   = "refused"    // the provider refused to connect the number
	ReasonDropped   = "dropped"    // the session dropped; the provider reconnects by itself
	ReasonHubLogout = "hub_logout" // an admin disconnected it from the hub
)

// Connection is the state of one number after connect or status.
type Connection struct {
	Status      string `json:"status"`
	QRCode      string `json:"qr_code,omitempty"` // image data URL
	PairingCode string `json:"pairing_code,omitempty"`
	PhoneNumber string `json:"phone_number,omitempty"`
	ProfileName string `json:"profile_name,omitempty"`
	// Reason is one of the Reason constants when the number is not
	// connected because of something the provider reported.
	Reason  string `json:"disconnect_reason,omitempty"`
	Details string `json:"details,omitempty"`
	// Pending means the provider finishes connecting in the background:
	// its QR code (or its refusal) arrives by webhook or by polling.
	Pending bool `json:"pending,omitempty"`
}

// WebhookSecrets are what a delivery is authenticated with.
type WebhookSecrets struct {
	AppSecret string // Cloud API: the Meta app secret (X-Hub-Signature-256)
	URLToken  string // Evolution: the hub's ?token= in the callback URL
}

// Part is one event of an authenticated provider webhook, as it is stored:
// a Cloud API POST carries many (per entry, number, message and status),
// an Evolution POST one.
type Part struct {
	// SourceID is "<provider id>:<instance key>" (Evolution's instance
	// name, Meta's phone_number_id).
	SourceID string
	Key      string // the instance key alone; "" when the part names none
	Event    string // Evolution's event; Cloud API "messages", "statuses" or the change field
	// Dedupe identifies the event across redeliveries: the wamid, the
	// wamid and status, or a hash of the part.
	Dedupe  string
	Payload map[string]any // only this event's part of the body
	// Ignore, when set, is why the part routes to no number.
	Ignore string
	// OrderKey is the chat the part belongs to (intake.Incoming.OrderKey),
	// "" when it cannot be told.
	OrderKey string
}

// Adapter speaks one provider's API.
type Adapter interface {
	// Test checks the server answers and the credentials are accepted.
	Test(ctx context.Context, t Target) Health
	// Connect starts (or resumes) connecting a number; webhookURL is where
	// the provider must send its events.
	Connect(ctx context.Context, t Target, inst *Instance, webhookURL string) (Connection, error)
	// FinishConnect completes a connect that answered Pending, in a job:
	// it may block for seconds (Evolution's socket and first QR).
	FinishConnect(ctx context.Context, t Target, inst *Instance) (Connection, error)
	// Status reads the number's connection with the provider's semantics.
	Status(ctx context.Context, t Target, inst *Instance) (Connection, error)
	// Logout ends the number's session with the provider; the number
	// stays in the hub and can be connected again.
	Logout(ctx context.Context, t Target, inst *Instance) error
	// CheckCredentials validates the credentials' shape for the type.
	CheckCredentials(c Credentials) error
	// CheckInstance validates a new number's provider-specific fields.
	CheckInstance(phoneNumberID string) []httpx.FieldError

	// Authenticate verifies a webhook delivery over its exact body.
	Authenticate(r *http.Request, raw []byte, s WebhookSecrets) bool
	// Challenge answers the provider's subscription check (Meta's GET
	// hub.challenge); ok is false to refuse it.
	Challenge(q url.Values, verifyToken string) (challenge string, ok bool)
	// UsesVerifyToken reports whether admins need the verify token.
	UsesVerifyToken() bool
	// CallbackQuery is what the callback URL carries after its path.
	CallbackQuery(urlToken string) string
	// Split cuts an authenticated webhook body into its events. It is pure:
	// no I/O, no clock, the same parts for the same body.
	Split(providerID string, raw []byte, obj map[string]any) []Part
}

// ErrRefused means the provider rejected the credentials.
var ErrRefused = errors.New("the provider refused the credentials")

// adapters are the provider types the hub speaks; any other type is
// refused everywhere, webhooks included.
var adapters = map[string]func(*outbound.Client) Adapter{
	TypeEvolution: func(c *outbound.Client) Adapter { return &evolution{http: c} },
	TypeCloudAPI:  func(c *outbound.Client) Adapter { return &cloudAPI{http: c} },
}

// ErrUnknownType means a provider row names a type the hub does not speak.
var ErrUnknownType = errors.New("the provider type is not supported")

// adapterFor returns the type's adapter, or ErrUnknownType.
func adapterFor(typ string, client *outbound.Client) (Adapter, error) {
	mk := adapters[typ]
	if mk == nil {
		return nil, ErrUnknownType
	}
	return mk(client), nil
}

// call wraps the outbound client, mapping 401/403 to ErrRefused.
func call(ctx context.Context, c *outbound.Client, method, url string, hdr http.Header, body, out any) (time.Duration, error) {
	start := time.Now()
	_, _, err := c.JSON(ctx, method, url, hdr, body, out)
	d := time.Since(start)
	var se *outbound.StatusError
	if errors.As(err, &se) && (se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden) {
		return d, ErrRefused
	}
	return d, err
}

func health(d time.Duration, err error, okDetails string) Health {
	h := Health{Status: "healthy", LatencyMS: d.Milliseconds(), Details: okDetails}
	if err != nil {
		h.Status, h.Details = "unhealthy", safe(err)
	}
	return h
}

func safe(err error) string {
	s := err.Error()
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}
