package registry_test

import (
	"bytes"
	"context"
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
// director's notifications and reaches a real SMTP listener; a request to
// post reaches the account's director the same way.
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
	r := registry.New(registry.Config{Store: s, Vault: v, Mailer: m, Logger: nil, Clock: clock.Now})
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
	var got []smtptest.Message
	for i := 0; i < 50 && len(got) == 0; i++ {
		got = srv.Messages()
		time.Sleep(10 * time.Millisecond)
	}
	if len(got) != 1 || got[0].To[0] != director.Email || !strings.Contains(got[0].Data, "PWvideos") || !strings.Contains(got[0].Data, "/accounts/") {
		t.Fatalf("mail %+v", got)
	}
	if ns, _ := s.Notifications(ctx, comms.ID); len(ns) != 0 {
		t.Fatalf("the requester was notified of their own request: %+v", ns)
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
