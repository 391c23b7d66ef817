// Package notify sends Steward's notifications by e-mail through an SMTP
// server set in the configuration. The in-app list is in the store
// (civic.Notification); this package only delivers copies.
package notify

import (
	"context"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"
)

// SMTPConfig says how to reach the mail server.
type SMTPConfig struct {
	Addr     string // host:port
	From     string // sender address
	User     string // optional; with Password, PLAIN authentication (over TLS, or to localhost)
	Password string
}

// SMTP sends mail through one server.
type SMTP struct {
	c SMTPConfig
}

// NewSMTP checks c and returns a sender.
func NewSMTP(c SMTPConfig) (*SMTP, error) {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return nil, fmt.Errorf("smtp address %q: want host:port", c.Addr)
	}
	if a, err := mail.ParseAddress(c.From); err != nil || a.Address != c.From {
		return nil, fmt.Errorf("smtp sender %q is not an e-mail address", c.From)
	}
	return &SMTP{c: c}, nil
}

// Send delivers one plain-text message to one address.
func (s *SMTP) Send(ctx context.Context, to, subject, body string) error {
	if strings.ContainsAny(to+subject, "\r\n") {
		return fmt.Errorf("send mail: header with a line break")
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", s.c.Addr)
	if err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	host, _, _ := net.SplitHostPort(s.c.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("send mail: %w", err)
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	} else {
		conn.SetDeadline(time.Now().Add(30 * time.Second))
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(nil); err != nil {
			return fmt.Errorf("send mail: starttls: %w", err)
		}
	}
	if s.c.User != "" {
		if err := c.Auth(smtp.PlainAuth("", s.c.User, s.c.Password, host)); err != nil {
			return fmt.Errorf("send mail: auth: %w", err)
		}
	}
	if err := c.Mail(s.c.From); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	msg := "From: " + s.c.From + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nDate: " + time.Now().UTC().Format(time.RFC1123Z) +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n")
	if _, err := w.Write([]byte(msg)); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	return c.Quit()
}
