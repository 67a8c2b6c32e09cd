package provider

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/intake"
)

// Handlers are the dispatcher's handlers for provider events: Evolution's
// connection and QR events move the number's state; message events have
// none until the gateway lands, so they end visibly ignored.
func (s *Service) Handlers() map[string]intake.EventHandler {
	return map[string]intake.EventHandler{
		"provider:connection.update": s.onConnection,
		"provider:qrcode.updated":    s.onQRCode,
	}
}

func (s *Service) instanceOf(ctx context.Context, ex *intake.Execution) (*Instance, error) {
	providerID, key, _ := strings.Cut(ex.SourceID, ":")
	i, err := instanceByKey(ctx, s.DB.R, providerID, key)
	if err != nil || i.AccountID != ex.AccountID {
		// the number was deleted after the event arrived: nothing to move
		return nil, river.JobCancel(errors.New("no number of this provider is named " + key))
	}
	return i, nil
}

// connectionEvent reads connection.update: the state, Baileys' status
// code, and once open the owner's JID and profile name.
func connectionEvent(payload []byte) (Connection, error) {
	var ev struct {
		Data struct {
			State        string          `json:"state"`
			StatusReason json.RawMessage `json:"statusReason"`
			WUID         string          `json:"wuid"`
			ProfileName  string          `json:"profileName"`
		} `json:"data"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return Connection{}, river.JobCancel(err)
	}
	d := ev.Data
	code, _ := strconv.Atoi(string(d.StatusReason))
	switch d.State {
	case "open":
		return Connection{Status: StatusConnected, PhoneNumber: jidPhone(d.WUID), ProfileName: d.ProfileName}, nil
	case "connecting":
		return Connection{Status: StatusConnecting}, nil
	case "close":
		st, reason, details := closed(code)
		return Connection{Status: st, Reason: reason, Details: details}, nil
	case "refused":
		// the QR limit: Baileys gave up waiting for a scan
		return Connection{Status: StatusDisconnected, Reason: ReasonQRLimit,
			Details: "no QR code was scanned before Evolution's limit; connect again"}, nil
	}
	return Connection{Status: StatusError, Details: "Evolution reported the state " + strconv.Quote(clipText(d.State))}, nil
}

func (s *Service) onConnection(ctx context.Context, ex *intake.Execution) error {
	c, err := connectionEvent(ex.Payload)
	if err != nil {
		return err
	}
	return s.applyEvent(ctx, ex, c)
}

// onQRCode stores a new QR code; a qrcode.updated without one is the QR
// limit, a clear end of the attempt rather than a QR to wait for.
func (s *Service) onQRCode(ctx context.Context, ex *intake.Execution) error {
	var ev struct {
		Data struct {
			QRCode struct {
				Base64      string `json:"base64"`
				PairingCode string `json:"pairingCode"`
			} `json:"qrcode"`
			Message string `json:"message"`
		} `json:"data"`
	}
	if err := json.Unmarshal(ex.Payload, &ev); err != nil {
		return river.JobCancel(err)
	}
	q := ev.Data.QRCode
	if q.Base64 == "" {
		details := "no QR code was scanned before Evolution's limit; connect again"
		if m := ev.Data.Message; m != "" {
			details = "Evolution: " + clipText(m)
		}
		return s.applyEvent(ctx, ex, Connection{Status: StatusDisconnected, Reason: ReasonQRLimit, Details: details})
	}
	return s.applyEvent(ctx, ex, Connection{Status: StatusQRRequired, QRCode: q.Base64, PairingCode: q.PairingCode})
}

// applyEvent records an event's connection unless a later event was
// applied already. Jobs run concurrently, so a QR update sent before the
// phone connected may finish after the "open" event; events are ordered
// by arrival (the execution id is a UUIDv7 taken when it was stored),
// never by Evolution's date_time, which is local time with a "Z".
func (s *Service) applyEvent(ctx context.Context, ex *intake.Execution, c Connection) error {
	i, err := s.instanceOf(ctx, ex)
	if err != nil {
		return err
	}
	return applyConnectionEvent(ctx, s.DB.W, i.AccountID, i.ID, ex.ID, c, s.now())
}
