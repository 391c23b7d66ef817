package notify_test

import (
	"context"
	"strings"
	"testing"

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
