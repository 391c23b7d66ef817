// Package notify sends Steward's notifications by e-mail through an SMTP
// server set in the configuration. The in-app list is in the store
// (civic.Notification); this package only delivers copies.
package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
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

// Send delivers one plain-text message to one address. The address and the
// subject may not hold a line break (which would start a header of its
// own): that, or an address net/mail cannot parse, is an error of kind
// invalid, and nothing is sent. The subject is written as RFC 2047 encoded
// words when it is not ASCII, the body as quoted-printable UTF-8; the message
// has a Date (now, UTC) and a random Message-ID at the sender's domain.
func (s *SMTP) Send(ctx context.Context, to, subject, body string) error {
	if strings.ContainsAny(to, "\r\n") {
		return civic.Invalid("to", "the address holds a line break")
	}
	if strings.ContainsAny(subject, "\r\n") {
		return civic.Invalid("subject", "the subject holds a line break")
	}
	rcpt, err := mail.ParseAddress(to)
	if err != nil {
		return civic.Invalid("to", "%q is not an e-mail address", to)
	}
	msg, err := s.message(rcpt, subject, body, time.Now())
	if err != nil {
		return fmt.Errorf("send mail: %w", err)
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
	if err := c.Rcpt(rcpt.Address); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	return c.Quit()
}

// message returns the headers and the quoted-printable body of a message
// from the configured sender to rcpt, dated now. The body's new lines become
// CRLF; lines longer than 76 bytes are broken with soft line breaks.
func (s *SMTP) message(rcpt *mail.Address, subject, body string, now time.Time) ([]byte, error) {
	from := &mail.Address{Address: s.c.From}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", from)
	fmt.Fprintf(&b, "To: %s\r\n", rcpt)
	// A subject that is not ASCII becomes encoded words one space apart,
	// each at most 75 bytes; a line break before each keeps lines short.
	fmt.Fprintf(&b, "Subject: %s\r\n", strings.ReplaceAll(mime.QEncoding.Encode("utf-8", subject), "?= =?", "?=\r\n =?"))
	fmt.Fprintf(&b, "Date: %s\r\n", now.UTC().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", rand.Text(), s.c.From[strings.LastIndexByte(s.c.From, '@')+1:])
	b.WriteString("MIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	b.WriteString("Content-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(body)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
