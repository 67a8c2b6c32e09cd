package provider

import (
	"context"
	"database/sql"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

// Connect starts connecting the number and answers at once. The Cloud API
// verifies the number in the request; Evolution's QR code takes seconds,
// so a connect job finishes it and the QR arrives by webhook or by that
// job (GET …/qr shows it when it comes). 202 means still pending.
func (s *Service) Connect(w http.ResponseWriter, r *http.Request) error {
	i, p, a, t, err := s.load(r)
	if err != nil {
		return err
	}
	hook, err := s.webhookURL(p, true)
	if err != nil {
		return err
	}
	ctx := r.Context()
	c, err := a.Connect(ctx, t, i, hook)
	if err != nil {
		return s.upstream(r, i, err)
	}
	if !c.Pending {
		lastErr := ""
		if c.Reason != "" || c.Status == StatusError {
			lastErr = c.Details
		}
		if err := setStatus(ctx, s.DB.W, i.AccountID, i.ID, c, lastErr, s.now()); err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, c)
		return nil
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		// a new attempt: the old QR and the old reason are history
		if _, err := tx.ExecContext(ctx, `UPDATE provider_instances SET qr_code = '', pairing_code = '', disconnect_reason = '',
			last_error = '' WHERE account_id = $1 AND id = $2`, i.AccountID, i.ID); err != nil {
			return err
		}
		if err := setStatus(ctx, tx, i.AccountID, i.ID, c, "", s.now()); err != nil {
			return err
		}
		if _, err := s.Jobs.InsertTx(ctx, tx, ConnectArgs{AccountID: i.AccountID, InstanceID: i.ID}, nil); err != nil {
			return err
		}
		return s.audit(ctx, tx, r, i.AccountID, "provider_instance.connect_started", "provider_instance", i.ID, nil)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusAccepted, c)
	return nil
}

// QR shows the number's pending QR code (and pairing code) while it waits
// to be scanned; it takes providers:write, as scanning it pairs a phone.
func (s *Service) QR(w http.ResponseWriter, r *http.Request) error {
	ctx, accountID := r.Context(), iam.AccessFrom(r.Context()).AccountID
	// the QR first, then the row: the state read second is at least as
	// new as the QR, so a fresh QR never shows beside an older state
	qr, pairing, err := qrOf(ctx, s.DB.R, accountID, r.PathValue("instanceID"))
	if err != nil {
		return err
	}
	i, err := getInstance(ctx, s.DB.R, accountID, r.PathValue("instanceID"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, Connection{Status: i.Status, QRCode: qr, PairingCode: pairing, Reason: i.DisconnectReason,
		Details: i.LastError, PhoneNumber: i.PhoneNumber, ProfileName: i.ProfileName, Pending: i.Status == StatusConnecting && qr == ""})
	return nil
}

// Logout disconnects the number from its provider (Evolution ends the
// WhatsApp session) and keeps it in the hub, ready to connect again.
func (s *Service) Logout(w http.ResponseWriter, r *http.Request) error {
	i, _, a, t, err := s.load(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if err := a.Logout(ctx, t, i); err != nil {
		return s.upstream(r, i, err)
	}
	c := Connection{Status: StatusDisconnected, Reason: ReasonHubLogout}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := setStatus(ctx, tx, i.AccountID, i.ID, c, "disconnected from the hub", s.now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, r, i.AccountID, "provider_instance.logged_out", "provider_instance", i.ID, nil)
	})
	if err != nil {
		return err
	}
	return s.GetInstance(w, r)
}

// ConnectArgs finishes one pending connect.
type ConnectArgs struct {
	AccountID  string `json:"account_id"`
	InstanceID string `json:"instance_id"`
}

// Kind names the job in River.
func (ConnectArgs) Kind() string { return "provider.connect" }

// InsertOpts: one attempt; a failure is shown on the number and the admin
// connects again.
func (ConnectArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 1} }

// ConnectWorker runs FinishConnect and records what it learnt, unless the
// number moved on meanwhile (a webhook already showed the QR or the phone
// already connected): only a number still waiting takes the answer.
type ConnectWorker struct {
	river.WorkerDefaults[ConnectArgs]
	S *Service
}

// Timeout bounds one connect: Evolution's connect waits ~2 s, its create
// ~5 s; a server that hangs longer is reported as failed.
func (w *ConnectWorker) Timeout(*river.Job[ConnectArgs]) time.Duration { return 45 * time.Second }

// Work finishes the connect.
func (w *ConnectWorker) Work(ctx context.Context, job *river.Job[ConnectArgs]) error {
	s := w.S
	i, err := getInstance(ctx, s.DB.R, job.Args.AccountID, job.Args.InstanceID)
	if err != nil {
		return nil // deleted meanwhile
	}
	p, err := getProvider(ctx, s.DB.R, i.AccountID, i.ProviderID)
	if err != nil {
		return nil
	}
	a, err := s.adapter(p)
	if err != nil {
		return river.JobCancel(err)
	}
	t, err := s.target(p)
	if err != nil {
		return err
	}
	c, err := a.FinishConnect(ctx, t, i)
	lastErr := ""
	if err != nil {
		c, lastErr = Connection{Status: StatusError}, "the provider failed: "+safe(err)
	} else if c.Status == StatusError {
		lastErr = c.Details
	}
	if c.Status == StatusConnecting && c.QRCode == "" {
		return nil // the QR comes by webhook
	}
	_, err = s.DB.W.ExecContext(ctx, `UPDATE provider_instances SET `+statusSet+`, last_event_id = $11
		WHERE account_id = $9 AND id = $10 AND status = 'connecting'`, c.Status, s.now(), lastErr, c.PhoneNumber, c.ProfileName,
		c.QRCode, c.PairingCode, c.Reason, i.AccountID, i.ID, db.NewID())
	return err
}

// Status reads the number's connection from the provider and records it.
func (s *Service) Status(w http.ResponseWriter, r *http.Request) error {
	i, _, a, t, err := s.load(r)
	if err != nil {
		return err
	}
	c, err := a.Status(r.Context(), t, i)
	if err != nil {
		return s.upstream(r, i, err)
	}
	lastErr := ""
	switch {
	case c.Reason != "":
		lastErr = c.Details
	case c.Status != StatusConnected:
		lastErr = i.LastError // a poll knows less than the event that ended it
	}
	if err := setStatus(r.Context(), s.DB.W, i.AccountID, i.ID, c, lastErr, s.now()); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}
