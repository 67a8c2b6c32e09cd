package mail

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/secret"
)

// SendArgs is one message to send. The link is sealed with the key ring:
// the token it carries is stored only hashed, and a job row must not hold
// it in clear either.
type SendArgs struct {
	Message    string `json:"message"`
	To         string `json:"to"`
	Locale     string `json:"locale"`
	SealedLink string `json:"sealed_link"`
	Data       Data   `json:"data"` // Link left empty
}

// Kind names the job in River.
func (SendArgs) Kind() string { return "mail.send" }

// InsertOpts: a mail server that is down is retried for about a day.
func (SendArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 12} }

func aad(to string) string { return string(secret.AAD("mail_jobs", "link", to)) }

// Seal prepares the arguments of a message whose link holds a secret.
func Seal(keys *secret.Ring, kind, to, locale, link string, d Data) (SendArgs, error) {
	sealed, err := keys.EncryptString(link, aad(to))
	if err != nil {
		return SendArgs{}, err
	}
	d.Link = ""
	return SendArgs{Message: kind, To: to, Locale: locale, SealedLink: sealed, Data: d}, nil
}

// Worker sends the messages.
type Worker struct {
	river.WorkerDefaults[SendArgs]
	Sender *Sender
	Keys   *secret.Ring
}

// Timeout leaves room for a slow server.
func (w *Worker) Timeout(*river.Job[SendArgs]) time.Duration { return time.Minute }

// Work renders and sends one message.
func (w *Worker) Work(ctx context.Context, j *river.Job[SendArgs]) error {
	if w.Sender == nil {
		return river.JobCancel(errors.New("mail is not configured (WHATPRO_SMTP_URL)"))
	}
	link, err := w.Keys.DecryptString(j.Args.SealedLink, aad(j.Args.To))
	if err != nil {
		return river.JobCancel(err)
	}
	d := j.Args.Data
	d.Link = link
	m, err := Render(j.Args.Message, j.Args.Locale, j.Args.To, d)
	if err != nil {
		return river.JobCancel(err)
	}
	return w.Sender.Send(ctx, m)
}
