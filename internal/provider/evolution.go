package provider

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/whatpro/hub/internal/outbound"
)

// evolution speaks Evolution API v2: the global key in the apikey header;
// a number's connection is its instance's state, and only "open" means
// connected (HTTP 200 with "close" is a disconnected number).
type evolution struct{ http *outbound.Client }

var evolutionEvents = []string{"CONNECTION_UPDATE", "QRCODE_UPDATED", "MESSAGES_UPSERT", "MESSAGES_UPDATE", "MESSAGES_EDITED",
	"MESSAGES_DELETE", "SEND_MESSAGE"}

func (e *evolution) CheckCredentials(c Credentials) error {
	if strings.TrimSpace(c.APIKey) == "" || c.AccessToken != "" || c.AppSecret != "" {
		return errors.New("an Evolution provider takes {api_key}")
	}
	return nil
}

func (e *evolution) hdr(t Target) http.Header { return http.Header{"apikey": {t.Creds.APIKey}} }

func (e *evolution) url(t Target, path string) string {
	return strings.TrimSuffix(t.BaseURL, "/") + path
}

func (e *evolution) Test(ctx context.Context, t Target) Health {
	var list []map[string]any
	d, err := call(ctx, e.http, "GET", e.url(t, "/instance/fetchInstances"), e.hdr(t), nil, &list)
	return health(d, err, "the server answered and accepted the API key")
}

type evoQR struct {
	Code        string `json:"code"`
	Base64      string `json:"base64"`
	PairingCode string `json:"pairingCode"`
}

func (e *evolution) Connect(ctx context.Context, t Target, inst *Instance, webhookURL string) (Connection, error) {
	state, err := e.state(ctx, t, inst.Name)
	var se *outbound.StatusError
	if errors.As(err, &se) && se.Status == http.StatusNotFound {
		var created struct {
			QRCode evoQR `json:"qrcode"`
		}
		body := map[string]any{"instanceName": inst.Name, "qrcode": true, "integration": "WHATSAPP-BAILEYS",
			"webhook": map[string]any{"url": webhookURL, "byEvents": false, "base64": true, "events": evolutionEvents}}
		if _, err := call(ctx, e.http, "POST", e.url(t, "/instance/create"), e.hdr(t), body, &created); err != nil {
			return Connection{}, err
		}
		return Connection{Status: StatusQRRequired, QRCode: created.QRCode.Base64, PairingCode: created.QRCode.PairingCode}, nil
	}
	if err != nil {
		return Connection{}, err
	}
	if state == "open" {
		return Connection{Status: StatusConnected}, nil
	}
	// Re-point the webhook (the URL token may have rotated), then ask for a
	// fresh QR code.
	hook := map[string]any{"webhook": map[string]any{"enabled": true, "url": webhookURL, "byEvents": false, "base64": true, "events": evolutionEvents}}
	if _, err := call(ctx, e.http, "POST", e.url(t, "/webhook/set/"+url.PathEscape(inst.Name)), e.hdr(t), hook, nil); err != nil {
		return Connection{}, err
	}
	var qr evoQR
	if _, err := call(ctx, e.http, "GET", e.url(t, "/instance/connect/"+url.PathEscape(inst.Name)), e.hdr(t), nil, &qr); err != nil {
		return Connection{}, err
	}
	return Connection{Status: StatusQRRequired, QRCode: qr.Base64, PairingCode: qr.PairingCode}, nil
}

func (e *evolution) state(ctx context.Context, t Target, name string) (string, error) {
	var out struct {
		Instance struct {
			State string `json:"state"`
		} `json:"instance"`
	}
	_, err := call(ctx, e.http, "GET", e.url(t, "/instance/connectionState/"+url.PathEscape(name)), e.hdr(t), nil, &out)
	return out.Instance.State, err
}

func (e *evolution) Status(ctx context.Context, t Target, inst *Instance) (Connection, error) {
	state, err := e.state(ctx, t, inst.Name)
	var se *outbound.StatusError
	if errors.As(err, &se) && se.Status == http.StatusNotFound {
		return Connection{Status: StatusDisconnected, Details: "the instance does not exist on the server yet; connect it"}, nil
	}
	if err != nil {
		return Connection{}, err
	}
	return Connection{Status: EvolutionStatus(state), Details: "state " + state}, nil
}

// EvolutionStatus maps an instance state to the hub's status.
func EvolutionStatus(state string) string {
	switch state {
	case "open":
		return StatusConnected
	case "connecting":
		return StatusConnecting
	case "close":
		return StatusDisconnected
	}
	return StatusError
}
