package mail

import (
	"bytes"
	"encoding/base64"
	"mime"
	"net/mail"
	"strings"
	"time"
)

// Message is one e-mail: a subject and the same text as plain text and
// HTML.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// bytes renders the message as RFC 5322 with a multipart/alternative
// body; both parts are base64 so any UTF-8 survives any server.
func (m Message) bytes(from *mail.Address, now time.Time) []byte {
	var b bytes.Buffer
	bound := boundary()
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", from.String())
	h("To", (&mail.Address{Address: m.To}).String())
	h("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	h("Date", now.UTC().Format(time.RFC1123Z))
	h("Message-ID", "<"+boundary()+"@"+domainOf(from.Address)+">")
	h("MIME-Version", "1.0")
	h("Auto-Submitted", "auto-generated")
	h("Content-Type", `multipart/alternative; boundary="`+bound+`"`)
	b.WriteString("\r\n")
	part := func(ct, body string) {
		b.WriteString("--" + bound + "\r\n")
		h("Content-Type", ct+"; charset=utf-8")
		h("Content-Transfer-Encoding", "base64")
		b.WriteString("\r\n")
		enc := base64.StdEncoding.EncodeToString([]byte(body))
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	part("text/plain", strings.ReplaceAll(m.Text, "\n", "\r\n"))
	part("text/html", m.HTML)
	b.WriteString("--" + bound + "--\r\n")
	return b.Bytes()
}
