package provider

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/outbound"
)

// evolution speaks Evolution API v2: the global key in the apikey header;
// a number's connection is its instance's state, and only "open" means
// connected (HTTP 200 with "close" is a disconnected number). Connecting
// is asynchronous: POST /instance/create with a QR blocks for seconds and
// GET /instance/connect may answer without a QR, so Connect answers at
// once and the QR arrives by qrcode.updated or by the connect job.
type evolution struct{ http *outbound.Client }

var evolutionEvents = []string{"CONNECTION_UPDATE", "QRCODE_UPDATED", "MESSAGES_UPSERT", "MESSAGES_UPDATE",
	"MESSAGES_EDITED", "MESSAGES_DELETE", "SEND_MESSAGE"}

// loggedOutCodes are Baileys' disconnect codes after which Evolution gives
// the session up (logged out, 402, forbidden, 406); on any other code it
// reconnects by itself.
var loggedOutCodes = []int{401, 402, 403, 406}

func (e *evolution) CheckCredentials(c Credentials) error {
	if strings.TrimSpace(c.APIKey) == "" || c.AccessToken != "" || c.AppSecret != "" {
		return errors.New("an Evolution provider takes {api_key}")
	}
	return nil
}

func (e *evolution) CheckInstance(phoneNumberID string) []httpx.FieldError {
	if phoneNumberID != "" {
		return []httpx.FieldError{{Field: "phone_number_id", Code: httpx.FieldNotAllowed, Message: "is only for the Cloud API"}}
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
	Count       int    `json:"count"`
	// An exception while starting the socket is HTTP 200 {error:true}.
	Error   bool   `json:"error"`
	Message string `json:"message"`
	// A connected instance answers its state instead of a QR.
	Instance struct {
		State string `json:"state"`
	} `json:"instance"`
}

func (e *evolution) hook(webhookURL string) map[string]any {
	return map[string]any{"enabled": true, "url": webhookURL, "byEvents": false, "base64": true, "events": evolutionEvents}
}

// Connect creates the instance when the server does not have it (without
// a QR, which would block) or re-points its webhook (the URL token may
// have rotated), and leaves the QR to FinishConnect and the webhooks.
func (e *evolution) Connect(ctx context.Context, t Target, inst *Instance, webhookURL string) (Connection, error) {
	f, err := e.fetch(ctx, t, inst.Name)
	if errors.Is(err, errNoInstance) {
		body := map[string]any{"instanceName": inst.Name, "qrcode": false, "integration": "WHATSAPP-BAILEYS", "webhook": e.hook(webhookURL)}
		if _, err := call(ctx, e.http, "POST", e.url(t, "/instance/create"), e.hdr(t), body, nil); err != nil {
			return Connection{}, err
		}
		return Connection{Status: StatusConnecting, Pending: true}, nil
	}
	if err != nil {
		return Connection{}, err
	}
	if f.ConnectionStatus == "open" {
		return f.connection(), nil
	}
	if _, err := call(ctx, e.http, "POST", e.url(t, "/webhook/set/"+url.PathEscape(inst.Name)), e.hdr(t),
		map[string]any{"webhook": e.hook(webhookURL)}, nil); err != nil {
		return Connection{}, err
	}
	return Connection{Status: StatusConnecting, Pending: true}, nil
}

// FinishConnect asks the server to start the socket and hands out the QR
// it has by then, if any (it may take seconds, answer without a QR, or
// answer HTTP 200 {error:true}).
func (e *evolution) FinishConnect(ctx context.Context, t Target, inst *Instance) (Connection, error) {
	var qr evoQR
	if _, err := call(ctx, e.http, "GET", e.url(t, "/instance/connect/"+url.PathEscape(inst.Name)), e.hdr(t), nil, &qr); err != nil {
		return Connection{}, err
	}
	switch {
	case qr.Error:
		msg := qr.Message
		if msg == "" {
			msg = "Evolution could not start the session"
		}
		return Connection{Status: StatusError, Reason: ReasonRefused, Details: "Evolution: " + clipText(msg)}, nil
	case qr.Instance.State == "open":
		return Connection{Status: StatusConnected}, nil
	case qr.Base64 != "":
		return Connection{Status: StatusQRRequired, QRCode: qr.Base64, PairingCode: qr.PairingCode}, nil
	}
	return Connection{Status: StatusConnecting, Details: "waiting for Evolution's QR code"}, nil
}

var errNoInstance = errors.New("the instance does not exist on the server")

// evoInstance is the part of a fetchInstances row the hub reads.
type evoInstance struct {
	ConnectionStatus        string `json:"connectionStatus"`
	OwnerJID                string `json:"ownerJid"`
	ProfileName             string `json:"profileName"`
	DisconnectionReasonCode *int   `json:"disconnectionReasonCode"`
}

func (e *evolution) fetch(ctx context.Context, t Target, name string) (*evoInstance, error) {
	var list []evoInstance
	_, err := call(ctx, e.http, "GET", e.url(t, "/instance/fetchInstances?instanceName="+url.QueryEscape(name)), e.hdr(t), nil, &list)
	var se *outbound.StatusError
	if errors.As(err, &se) && se.Status == http.StatusNotFound || err == nil && len(list) == 0 {
		return nil, errNoInstance
	}
	if err != nil {
		return nil, err
	}
	return &list[0], nil
}

// connection maps an instance row: its owner's number and profile, and
// why it is closed when Evolution recorded a disconnect code.
func (f *evoInstance) connection() Connection {
	c := Connection{Status: EvolutionStatus(f.ConnectionStatus), PhoneNumber: jidPhone(f.OwnerJID), ProfileName: f.ProfileName,
		Details: "state " + f.ConnectionStatus}
	if f.ConnectionStatus == "close" && f.DisconnectionReasonCode != nil {
		c.Status, c.Reason, c.Details = closed(*f.DisconnectionReasonCode)
	}
	return c
}

// closed is what a close with Baileys' code means.
func closed(code int) (status, reason, details string) {
	if slices.Contains(loggedOutCodes, code) {
		return StatusDisconnected, ReasonLoggedOut, "the WhatsApp session was logged out (code " + strconv.Itoa(code) + ")"
	}
	return StatusConnecting, ReasonDropped, "the WhatsApp session dropped (code " + strconv.Itoa(code) + "); Evolution reconnects by itself"
}

func (e *evolution) Status(ctx context.Context, t Target, inst *Instance) (Connection, error) {
	f, err := e.fetch(ctx, t, inst.Name)
	if errors.Is(err, errNoInstance) {
		return Connection{Status: StatusDisconnected, Details: "the instance does not exist on the server yet; connect it"}, nil
	}
	if err != nil {
		return Connection{}, err
	}
	return f.connection(), nil
}

// Logout ends the WhatsApp session; an instance that is not connected (or
// no longer exists) is already logged out.
func (e *evolution) Logout(ctx context.Context, t Target, inst *Instance) error {
	_, err := call(ctx, e.http, "DELETE", e.url(t, "/instance/logout/"+url.PathEscape(inst.Name)), e.hdr(t), nil, nil)
	var se *outbound.StatusError
	if errors.As(err, &se) && (se.Status == http.StatusBadRequest || se.Status == http.StatusNotFound) {
		return nil
	}
	return err
}

// EvolutionStatus maps an instance state to the hub's status.
func EvolutionStatus(state string) string {
	switch state {
	case "open":
		return StatusConnected
	case "connecting":
		return StatusConnecting
	case "close", "refused":
		return StatusDisconnected
	}
	return StatusError
}

// jidPhone turns Evolution's owner JID ("5511988887777:12@s.whatsapp.net",
// device suffix optional) into "+5511988887777". A LID (…@lid) is no
// phone number and gives "".
func jidPhone(jid string) string {
	user, server, _ := strings.Cut(jid, "@")
	if server != "s.whatsapp.net" && server != "c.us" {
		return ""
	}
	user, _, _ = strings.Cut(user, ":")
	for _, r := range user {
		if r < '0' || r > '9' {
			return ""
		}
	}
	if user == "" {
		return ""
	}
	return "+" + user
}

func clipText(s string) string {
	if len(s) > 300 {
		s = strings.ToValidUTF8(s[:300], "")
	}
	return s
}
