package registry_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/demo"
	"steward.city/steward/internal/notify"
	"steward.city/steward/internal/notify/smtptest"
	"steward.city/steward/internal/registry"
	"steward.city/steward/internal/storetest"
	"steward.city/steward/internal/vault"
)

// TestNotificationsByMail: a request waiting for a director shows in the
// director's notifications; its mail job (MailNotification) sends it to a
// real SMTP listener with the absolute link; nothing is mailed before the
// job runs, a disabled user gets no mail, and a mail server that is down
// is an error, so that the job is tried again.
func TestNotificationsByMail(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	s := storetest.OpenSQLite(t, clock.Now)
	if _, err := demo.Seed(ctx, s); err != nil {
		t.Fatal(err)
	}
	srv := smtptest.Start(t)
	m, err := notify.NewSMTP(notify.SMTPConfig{Addr: srv.Addr, From: "steward@demo-city.example"})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := vault.New(bytes.Repeat([]byte{3}, vault.KeySize))
	r := registry.New(registry.Config{Store: s, Vault: v, Mailer: m, PublicURL: "https://steward.demo-city.example/", Logger: nil, Clock: clock.Now})
	comms, _ := s.UserByEmail(ctx, "communications@demo-city.example")
	director, _ := s.UserByEmail(ctx, "director@demo-city.example")
	pw, _ := s.DepartmentBySlug(ctx, "public-works")
	people, _ := s.People(ctx, civic.PersonFilter{DepartmentID: pw.ID})
	a := &civic.Account{DepartmentID: pw.ID, Platform: "youtube", Handle: "PWvideos", DisplayName: "Public Works", Purpose: "how-to videos", Audience: "residents",
		Categories: []string{"information"}, AdminIDs: []int64{people[0].ID, comms.PersonID}, WebsiteURL: "https://www.demo-city.example/", ProfileText: "Official.", Institutional: &[]bool{true}[0]}
	if err := r.RequestAccount(ctx, civic.ActorOf(comms), a); err != nil {
		t.Fatal(err)
	}
	ns, err := s.Notifications(ctx, director.ID)
	if err != nil || len(ns) == 0 || ns[0].Kind != "approval_waiting" || !strings.Contains(ns[0].Message, "PWvideos") {
		t.Fatalf("director's notifications %+v %v", ns, err)
	}
	if ns, _ := s.Notifications(ctx, comms.ID); len(ns) != 0 {
		t.Fatalf("the requester was notified of their own request: %+v", ns)
	}
	time.Sleep(50 * time.Millisecond)
	if got := srv.Messages(); len(got) != 0 {
		t.Fatalf("mailed before the job ran: %+v", got)
	}
	if err := r.MailNotification(ctx, ns[0].ID); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	link := fmt.Sprintf("https://steward.demo-city.example/accounts/%d", a.ID)
	if len(got) != 1 || got[0].To[0] != director.Email || !strings.Contains(got[0].Data, "Subject: Steward: The request for PWvideos") || !strings.Contains(got[0].Data, link) {
		t.Fatalf("mail %+v, want one to %s linking %s", got, director.Email, link)
	}

	// A disabled user is skipped: the job completes, nothing is sent.
	if err := s.Update(ctx, civic.CLI, func(tx civic.Tx) error { return tx.SetUserDisabled(ctx, director.ID, true) }); err != nil {
		t.Fatal(err)
	}
	if err := r.MailNotification(ctx, ns[0].ID); err != nil {
		t.Fatalf("a disabled user's mail: %v", err)
	}
	if got := srv.Messages(); len(got) != 1 {
		t.Fatalf("a disabled user was mailed: %+v", got[1:])
	}
	// A message that tries to start a header of its own stays in the
	// subject's one line.
	evil := &civic.Notification{UserID: comms.ID, Kind: "test", Message: "Hi\r\nBcc: thief@elsewhere.example\r\n", Link: "/drafts/1"}
	if err := s.Update(ctx, civic.CLI, func(tx civic.Tx) error { return tx.Notify(ctx, evil) }); err != nil {
		t.Fatal(err)
	}
	if err := r.MailNotification(ctx, evil.ID); err != nil {
		t.Fatal(err)
	}
	if got := srv.Messages(); len(got) != 2 || len(got[1].To) != 1 || got[1].To[0] != comms.Email ||
		!strings.Contains(got[1].Data, "Subject: Steward: Hi Bcc: thief@elsewhere.example\r\n") || strings.Contains(strings.SplitN(got[1].Data, "\r\n\r\n", 2)[0], "\nBcc:") {
		t.Fatalf("a message with line breaks: %+v", got[1:])
	}
	// A notification that does not exist is skipped too.
	if err := r.MailNotification(ctx, ns[0].ID+1000); err != nil {
		t.Fatalf("a missing notification: %v", err)
	}

	// A mail server that is down is an error: the job is tried again.
	if err := s.Update(ctx, civic.CLI, func(tx civic.Tx) error { return tx.SetUserDisabled(ctx, director.ID, false) }); err != nil {
		t.Fatal(err)
	}
	down, err := notify.NewSMTP(notify.SMTPConfig{Addr: "127.0.0.1:1", From: "steward@demo-city.example"})
	if err != nil {
		t.Fatal(err)
	}
	if err := registry.New(registry.Config{Store: s, Mailer: down, Clock: clock.Now}).MailNotification(ctx, ns[0].ID); err == nil {
		t.Fatal("a mail server that is down was not an error")
	}
	if err := registry.New(registry.Config{Store: s, Clock: clock.Now}).MailNotification(ctx, ns[0].ID); err == nil {
		t.Fatal("no mailer was not an error")
	}
}

// TestUnlock: the first start stores a check value; a wrong key is refused
// and writes nothing, even when the check value was lost.
func TestUnlock(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenSQLite(t, time.Now)
	if _, err := demo.Seed(ctx, s); err != nil {
		t.Fatal(err)
	}
	right, _ := vault.New(bytes.Repeat([]byte{4}, vault.KeySize))
	wrong, _ := vault.New(bytes.Repeat([]byte{5}, vault.KeySize))
	if err := registry.Unlock(ctx, s, right); err != nil {
		t.Fatal(err)
	}
	as, _ := s.Accounts(ctx, civic.AccountFilter{Status: civic.AccountActive})
	if _, err := registry.New(registry.Config{Store: s, Vault: right, Mailer: nil, Logger: nil, Clock: time.Now}).StoreCredential(ctx, civic.CLI, as[0].ID, civic.CredentialTOTPSeed, "JBSWY3DPEHPK3PXP"); err != nil {
		t.Fatal(err)
	}
	head, _, _ := s.AuditHead(ctx)
	if err := registry.Unlock(ctx, s, wrong); err != vault.ErrWrongKey {
		t.Fatalf("wrong key: %v", err)
	}
	if _, err := s.DB().ExecContext(ctx, `DELETE FROM vault_check`); err != nil {
		t.Fatal(err)
	}
	if err := registry.Unlock(ctx, s, wrong); err != vault.ErrWrongKey {
		t.Fatalf("wrong key without a check value: %v", err)
	}
	if after, _, _ := s.AuditHead(ctx); after != head {
		t.Fatal("a refused unlock wrote audit events")
	}
	if err := registry.Unlock(ctx, s, right); err != nil {
		t.Fatalf("right key without a check value: %v", err)
	}
}
