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
	"time"

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

// Connection is the state of one number after connect or status.
type Connection struct {
	Status      string `json:"status"`
	QRCode      string `json:"qr_code,omitempty"` // image data URL
	PairingCode string `json:"pairing_code,omitempty"`
	PhoneNumber string `json:"phone_number,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	Details     string `json:"details,omitempty"`
}

// Adapter speaks one provider's API.
type Adapter interface {
	// Test checks the server answers and the credentials are accepted.
	Test(ctx context.Context, t Target) Health
	// Connect starts (or resumes) connecting a number; webhookURL is where
	// the provider must send its events.
	Connect(ctx context.Context, t Target, inst *Instance, webhookURL string) (Connection, error)
	// Status reads the number's connection with the provider's semantics.
	Status(ctx context.Context, t Target, inst *Instance) (Connection, error)
	// CheckCredentials validates the credentials' shape for the type.
	CheckCredentials(c Credentials) error
}

// ErrRefused means the provider rejected the credentials.
var ErrRefused = errors.New("the provider refused the credentials")

func adapterFor(typ string, client *outbound.Client) Adapter {
	switch typ {
	case TypeEvolution:
		return &evolution{http: client}
	case TypeCloudAPI:
		return &cloudAPI{http: client}
	}
	return nil
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
