// Package mailtest runs a real SMTP server in the test process
// (emersion/go-smtp) and keeps what it receives, so tests read the mail
// the hub sent instead of mocking the sender.
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mail is one received message, decoded.
type Mail struct {
	From, To string
	Subject  string
	Text     string
	HTML     string
	Header   mail.Header
	Authed   string // the user that logged in, or ""
	TLS      bool   // the session was encrypted
}

// Server is an SMTP server on a loopback port.
type Server struct {
	Addr     string // host:port
	User     string
	Password string
	CertPool *x509.CertPool // trusts the server's certificate (TLS modes)

	mu    sync.Mutex
	mails []Mail
	srv   *smtp.Server
	down  bool
}

// Mode is how clients reach the server.
type Mode int

const (
	Plain    Mode = iota // no TLS at all (loopback only)
	StartTLS             // STARTTLS offered
	Implicit             // TLS from the first byte (smtps)
)

// New starts a server that requires AUTH PLAIN as user/password.
func New(t testing.TB, mode Mode) *Server {
	t.Helper()
	s := &Server{User: "hub", Password: "smtp-test-secret"}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout, s.srv.WriteTimeout = 30*time.Second, 30*time.Second
	s.srv.AllowInsecureAuth = mode == Plain
	var l net.Listener
	var err error
	if mode != Plain {
		cert, pool := selfSigned(t)
		s.CertPool = pool
		s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	if mode == Implicit {
		l, err = tls.Listen("tcp", "127.0.0.1:0", s.srv.TLSConfig)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = l.Addr().String()
	go func() { _ = s.srv.Serve(l) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// URL is the WHATPRO_SMTP_URL that reaches the server.
func (s *Server) URL(scheme string) string {
	return scheme + "://" + s.User + ":" + s.Password + "@" + s.Addr
}

// SetDown makes the server refuse every message (a mail server outage)
// until SetDown(false).
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	s.down = down
	s.mu.Unlock()
}

// Mails returns what was received so far.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// To returns the mails received for addr.
func (s *Server) To(addr string) []Mail {
	var out []Mail
	for _, m := range s.Mails() {
		if strings.EqualFold(m.To, addr) {
			out = append(out, m)
		}
	}
	return out
}

var linkRE = regexp.MustCompile(`https?://[^\s"<>]+`)

// Link is the first URL in the text part.
func (m Mail) Link() string { return linkRE.FindString(m.Text) }

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, conn: c}, nil
}

type session struct {
	s        *Server
	conn     *smtp.Conn
	from, to string
	user     string
}

func (x *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.s.User || pass != x.s.Password {
			return errors.New("invalid credentials")
		}
		x.user = user
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.user == "" {
		return smtp.ErrAuthRequired
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error { x.to = to; return nil }

func (x *session) Data(r io.Reader) error {
	x.s.mu.Lock()
	down := x.s.down
	x.s.mu.Unlock()
	if down {
		_, _ = io.Copy(io.Discard, r)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
	m := Mail{From: x.from, To: x.to, Subject: subject, Header: msg.Header, Authed: x.user}
	_, m.TLS = x.conn.TLSConnectionState()
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return err
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		body, err := io.ReadAll(p) // multipart decodes quoted-printable, not base64
		if err != nil {
			return err
		}
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
			body, err = decodeBase64(body)
			if err != nil {
				return err
			}
		}
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			m.Text = string(body)
		case "text/html":
			m.HTML = string(body)
		}
	}
	x.s.mu.Lock()
	x.s.mails = append(x.s.mails, m)
	x.s.mu.Unlock()
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", "" }
func (x *session) Logout() error { return nil }

func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "whatpro mailtest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func decodeBase64(b []byte) ([]byte, error) {
	return io.ReadAll(base64Reader(bytes.NewReader(b)))
}
