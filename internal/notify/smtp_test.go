package notify_test

import (
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/notify"
	"steward.city/steward/internal/notify/smtptest"
)

func TestSMTP(t *testing.T) {
	srv := smtptest.Start(t)
	m, err := notify.NewSMTP(notify.SMTPConfig{Addr: srv.Addr, From: "steward@city.example"})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(context.Background(), "director@city.example", "Steward: approval waiting", "A request waits.\n/accounts/3"); err != nil {
		t.Fatal(err)
	}
	ms := srv.Messages()
	if len(ms) != 1 || ms[0].From != "steward@city.example" || ms[0].To[0] != "director@city.example" ||
		!strings.Contains(ms[0].Data, "Subject: Steward: approval waiting") || !strings.Contains(ms[0].Data, "/accounts/3") {
		t.Fatalf("received %+v", ms)
	}
	if err := m.Send(context.Background(), "x@city.example\r\nBcc: y@evil.example", "s", "b"); err == nil {
		t.Fatal("a header with a line break was sent")
	}
	for _, c := range []notify.SMTPConfig{{Addr: "no-port", From: "a@b.example"}, {Addr: "127.0.0.1:25", From: "Steward <a@b>"}} {
		if _, err := notify.NewSMTP(c); err == nil {
			t.Errorf("config %+v accepted", c)
		}
	}
	down, _ := notify.NewSMTP(notify.SMTPConfig{Addr: "127.0.0.1:1", From: "a@b.example"})
	if err := down.Send(context.Background(), "x@city.example", "s", "b"); err == nil {
		t.Fatal("sending to a closed port succeeded")
	}
}

// TestSMTPMessage reads back, with the standard library's readers, the
// headers and body a real SMTP listener received.
func TestSMTPMessage(t *testing.T) {
	srv := smtptest.Start(t)
	m, err := notify.NewSMTP(notify.SMTPConfig{Addr: srv.Addr, From: "steward@city.example"})
	if err != nil {
		t.Fatal(err)
	}
	subject := "Steward: é — Ø 😀 " + strings.Repeat("long subject ", 8)
	body := "Dear Zoë,\n\n" + strings.Repeat("a line longer than seventy-six characters, ", 3) + "\n.a dot first\nx = y + 1\ntrailing space \nend"
	before := time.Now().Add(-time.Second)
	if err := m.Send(context.Background(), "Zoë Ng <zoe@city.example>", subject, body); err != nil {
		t.Fatal(err)
	}
	ms := srv.Messages()
	if len(ms) != 1 || ms[0].From != "steward@city.example" || len(ms[0].To) != 1 || ms[0].To[0] != "zoe@city.example" {
		t.Fatalf("received %+v", ms)
	}
	msg, err := mail.ReadMessage(strings.NewReader(ms[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	if from, err := h.AddressList("From"); err != nil || len(from) != 1 || from[0].Address != "steward@city.example" {
		t.Errorf("From %q: %v %v", h.Get("From"), from, err)
	}
	if to, err := h.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != "zoe@city.example" || to[0].Name != "Zoë Ng" {
		t.Errorf("To %q: %v %v", h.Get("To"), to, err)
	}
	if got, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject")); err != nil || got != subject {
		t.Errorf("Subject %q decodes to %q, %v", h.Get("Subject"), got, err)
	}
	if d, err := h.Date(); err != nil || d.Before(before) || d.After(time.Now().Add(time.Second)) {
		t.Errorf("Date %q: %v %v", h.Get("Date"), d, err)
	}
	if id := h.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@city.example>") || len(id) < len("<@city.example>")+16 {
		t.Errorf("Message-ID %q", id)
	}
	if mt, params, err := mime.ParseMediaType(h.Get("Content-Type")); err != nil || mt != "text/plain" || params["charset"] != "utf-8" || h.Get("MIME-Version") != "1.0" {
		t.Errorf("Content-Type %q, MIME-Version %q", h.Get("Content-Type"), h.Get("MIME-Version"))
	}
	if h.Get("Content-Transfer-Encoding") != "quoted-printable" {
		t.Errorf("Content-Transfer-Encoding %q", h.Get("Content-Transfer-Encoding"))
	}
	for _, line := range strings.Split(ms[0].Data, "\r\n") {
		if len(line) > 78+len("Subject: ") {
			t.Errorf("line of %d bytes: %q", len(line), line)
		}
	}
	got, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	// The transport ends the data with a line break.
	if err != nil || strings.TrimSuffix(strings.ReplaceAll(string(got), "\r\n", "\n"), "\n") != body {
		t.Errorf("body %q, %v; want %q", got, err, body)
	}
}

// TestSMTPRefuses checks that a line break in an address or a subject (a
// header of its own) and an address that is none are refused as invalid
// input before anything is sent.
func TestSMTPRefuses(t *testing.T) {
	srv := smtptest.Start(t)
	m, err := notify.NewSMTP(notify.SMTPConfig{Addr: srv.Addr, From: "steward@city.example"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ to, subject string }{
		{"x@city.example\r\nBcc: y@evil.example", "s"},
		{"x@city.example\nBcc: y@evil.example", "s"},
		{"x@city.example\r", "s"},
		{"x@city.example", "hello\r\nBcc: y@evil.example"},
		{"x@city.example", "hello\nBcc: y@evil.example"},
		{"x@city.example", "hello\r"},
		{"not an address", "s"},
		{"x@city.example, y@evil.example", "s"},
		{"", "s"},
	} {
		err := m.Send(context.Background(), c.to, c.subject, "b")
		if civic.ErrorKind(err) != civic.KindInvalid {
			t.Errorf("Send(%q, %q): %v, want an error of kind invalid", c.to, c.subject, err)
		}
	}
	if ms := srv.Messages(); len(ms) != 0 {
		t.Fatalf("sent %+v", ms)
	}
}
