// Package mail owns the hub's outgoing e-mail: an SMTP client configured
// by WHATPRO_SMTP_URL (STARTTLS for smtp://, TLS for smtps://), the
// messages the hub sends (invitations, activation and password reset, in
// pt-BR and en, plain text plus HTML) and the job that sends them, so a
// slow or absent mail server never holds up a request.
package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// Config is where and as whom mail is sent.
type Config struct {
	// URL is smtp://[user:pass@]host[:port] (STARTTLS, port 587 by default)
	// or smtps://[user:pass@]host[:port] (TLS from the start, port 465).
	URL string
	// From is the sender address, e.g. "WhatPro Hub <hub@example.com>".
	From string
	// TLS, when set, replaces the default TLS settings (tests trust their
	// own certificate with it).
	TLS *tls.Config
	// Timeout bounds one delivery. Default 30s.
	Timeout time.Duration
}

// ParseURL checks an SMTP URL; the error never repeats the URL, which may
// hold a password.
func ParseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" || (u.Path != "" && u.Path != "/") ||
		u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("must be smtp://[user:password@]host[:port] or smtps://[user:password@]host[:port]")
	}
	return u, nil
}

// ParseFrom checks a sender address.
func ParseFrom(raw string) (*mail.Address, error) {
	a, err := mail.ParseAddress(raw)
	if err != nil {
		return nil, errors.New("must be an e-mail address such as \"WhatPro Hub <hub@example.com>\"")
	}
	return a, nil
}

// Sender delivers messages over SMTP.
type Sender struct {
	url  *url.URL
	from *mail.Address
	tls  *tls.Config
	wait time.Duration
}

// NewSender validates cfg.
func NewSender(cfg Config) (*Sender, error) {
	u, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("WHATPRO_SMTP_URL %w", err)
	}
	from, err := ParseFrom(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("WHATPRO_MAIL_FROM %w", err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Sender{url: u, from: from, tls: cfg.TLS, wait: cfg.Timeout}, nil
}

func (s *Sender) tlsConfig(host string) *tls.Config {
	if s.tls != nil {
		c := s.tls.Clone()
		if c.ServerName == "" {
			c.ServerName = host
		}
		return c
	}
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}

// Send delivers m to its recipient.
func (s *Sender) Send(ctx context.Context, m Message) error {
	ctx, cancel := context.WithTimeout(ctx, s.wait)
	defer cancel()
	host, port := s.url.Hostname(), s.url.Port()
	implicit := s.url.Scheme == "smtps"
	if port == "" {
		port = "587"
		if implicit {
			port = "465"
		}
	}
	addr := net.JoinHostPort(host, port)
	var conn net.Conn
	var err error
	d := &net.Dialer{}
	if implicit {
		conn, err = (&tls.Dialer{NetDialer: d, Config: s.tlsConfig(host)}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("mail: connect to the SMTP server: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: SMTP greeting: %w", err)
	}
	defer c.Close()
	if !implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(s.tlsConfig(host)); err != nil {
				return fmt.Errorf("mail: STARTTLS: %w", err)
			}
		} else if !loopback(host) {
			// The messages carry one-time links: never in clear over a network.
			return errors.New("mail: the SMTP server does not offer STARTTLS; use smtps:// or a server that does")
		}
	}
	if s.url.User != nil {
		pass, _ := s.url.User.Password()
		// PlainAuth refuses to send credentials without TLS, except to
		// a server on this machine.
		if err := c.Auth(smtp.PlainAuth("", s.url.User.Username(), pass, host)); err != nil {
			return fmt.Errorf("mail: SMTP login: %w", err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("mail: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if _, err := w.Write(m.bytes(s.from, time.Now())); err != nil {
		return fmt.Errorf("mail: write message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: the server refused the message: %w", err)
	}
	return c.Quit()
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

func boundary() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "whatpro-" + hex.EncodeToString(b)
}

// domainOf is the part of an address after @.
func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return "localhost"
}
