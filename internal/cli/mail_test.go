package cli_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/cli"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/notify"
	"steward.city/steward/internal/notify/smtptest"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/sqlstore"
	"steward.city/steward/internal/storetest"
)

// mailCity is a store with the services on it, a job queue, the Parks
// department, its director, an author allowed to post for its active
// account, and a disabled user.
type mailCity struct {
	s                          *sqlstore.Store
	q                          *jobs.Queue
	svcs                       *cli.Services
	acct                       *civic.Account
	author, director, disabled *civic.User
}

func newMailCity(t *testing.T, e storetest.Engine, mailer cli.Mailer) *mailCity {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	s := e.Open(t, clock.Now)
	url := ""
	if e.Name == "postgres" {
		url = storetest.PostgresURL(t, s)
	}
	q, err := jobs.New(jobs.Config{Engine: s.Engine(), DB: s.DB(), URL: url, Store: s, FetchPoll: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c := &mailCity{s: s, q: q}
	c.svcs = cli.NewServices(cli.ServicesConfig{Store: s, Clock: clock.Now, Jobs: q, Mailer: mailer, PublicURL: "https://steward.city.example"})
	err = s.Update(ctx, civic.CLI, func(tx civic.Tx) error {
		dept := &civic.Department{Slug: "parks", Name: "Parks"}
		if err := tx.CreateDepartment(ctx, dept); err != nil {
			return err
		}
		var err error
		user := func(name, email string, g civic.Grant) *civic.User {
			if err != nil {
				return nil
			}
			p := &civic.Person{Name: name, Kind: civic.KindEmployee, DepartmentID: dept.ID}
			if err = tx.CreatePerson(ctx, p); err != nil {
				return nil
			}
			u := &civic.User{PersonID: p.ID, Email: email, PasswordHash: "x", Grants: []civic.Grant{g}}
			err = tx.CreateUser(ctx, u)
			return u
		}
		c.author = user("Sam Staff", "sam@city.example", civic.Grant{Role: civic.RoleStaff})
		c.director = user("Dana Director", "dana@city.example", civic.Grant{Role: civic.RoleDirector, DepartmentID: dept.ID})
		c.disabled = user("Dee Parted", "dee@city.example", civic.Grant{Role: civic.RoleStaff})
		if err != nil {
			return err
		}
		if err := tx.SetUserDisabled(ctx, c.disabled.ID, true); err != nil {
			return err
		}
		c.acct = &civic.Account{DepartmentID: dept.ID, Platform: "mastodon", Handle: "@parks", DisplayName: "City Parks", Purpose: "news", Audience: "residents",
			Categories: []string{"announcements"}, WebsiteURL: "https://www.city.example/", ProfileText: "Official. Call 9-1-1.", RequestedBy: c.director.ID,
			AdminIDs: []int64{c.author.PersonID, c.director.PersonID}}
		if err := tx.CreateAccount(ctx, c.acct); err != nil {
			return err
		}
		c.acct.Status = civic.AccountActive
		if err := tx.UpdateAccount(ctx, c.acct, "account.activate"); err != nil {
			return err
		}
		now, expires := tx.Now(), tx.Now().Add(90*24*time.Hour)
		p := &civic.Poster{AccountID: c.acct.ID, UserID: c.author.ID, Reason: "I post the department's news."}
		if err := tx.CreatePoster(ctx, p); err != nil {
			return err
		}
		p.Status, p.DecidedBy, p.DecidedAt, p.ExpiresAt = civic.PosterGranted, c.director.ID, &now, &expires
		return tx.UpdatePoster(ctx, p, "poster.grant")
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// jobs returns the queue's notification_mail jobs in any state.
func (c *mailCity) jobs(t *testing.T) []jobs.Job {
	t.Helper()
	all, err := c.q.List(context.Background(), jobsAdmin, "available", "running", "completed", "retryable", "discarded", "scheduled", "cancelled")
	if err != nil {
		t.Fatal(err)
	}
	var out []jobs.Job
	for _, j := range all {
		if j.Kind == "notification_mail" {
			out = append(out, j)
		}
	}
	return out
}

func (c *mailCity) start(t *testing.T) {
	t.Helper()
	if err := c.q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c.q.Stop(ctx)
	})
}

// wait waits until ok holds for the notification_mail jobs.
func (c *mailCity) wait(t *testing.T, what string, ok func([]jobs.Job) bool) []jobs.Job {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		js := c.jobs(t)
		if ok(js) {
			return js
		}
		if time.Now().After(deadline) {
			t.Fatalf("want %s, got %+v", what, js)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// notifyIn stores a notification for u in a transaction of its own that
// returns fail (nil: it commits).
func (c *mailCity) notifyIn(u *civic.User, msg string, fail error) (*civic.Notification, error) {
	n := &civic.Notification{UserID: u.ID, Kind: "test", Message: msg, Link: "/notifications"}
	err := c.s.Update(context.Background(), civic.CLI, func(tx civic.Tx) error {
		if err := tx.Notify(context.Background(), n); err != nil {
			return err
		}
		return fail
	})
	return n, err
}

// TestNotificationMail: submitting a draft notifies its approver, and the
// notification_mail job queued in the same transaction e-mails them with
// the absolute link; a transaction that rolls back after Notify leaves
// neither the notification nor a job; a disabled user's job completes
// without sending.
func TestNotificationMail(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			srv := smtptest.Start(t)
			m, err := notify.NewSMTP(notify.SMTPConfig{Addr: srv.Addr, From: "steward@city.example"})
			if err != nil {
				t.Fatal(err)
			}
			c := newMailCity(t, e, m)
			author, err := c.s.User(ctx, c.author.ID)
			if err != nil {
				t.Fatal(err)
			}
			d, err := c.svcs.Publish.CreateDraft(ctx, civic.ActorOf(author), publish.DraftInput{AccountIDs: []int64{c.acct.ID}, Text: "The pool opens Monday.", Category: "announcement"})
			if err != nil {
				t.Fatal(err)
			}
			if js := c.jobs(t); len(js) != 0 {
				t.Fatalf("a draft that notifies nobody queued mail: %+v", js)
			}
			if _, err := c.svcs.Publish.Submit(ctx, civic.ActorOf(author), d.ID); err != nil {
				t.Fatal(err)
			}
			ns, err := c.s.Notifications(ctx, c.director.ID)
			if err != nil || len(ns) != 1 || ns[0].Kind != "draft_review" {
				t.Fatalf("the director's notifications: %+v %v", ns, err)
			}
			js := c.jobs(t)
			if len(js) != 1 || strings.ReplaceAll(js[0].Args, " ", "") != fmt.Sprintf(`{"notification":%d}`, ns[0].ID) {
				t.Fatalf("want one mail job for notification %d, got %+v", ns[0].ID, js)
			}

			// Rolled back after Notify: no notification, no job.
			boom := errors.New("boom")
			if _, err := c.notifyIn(c.director, "Lost", boom); !errors.Is(err, boom) {
				t.Fatalf("the failing transaction: %v", err)
			}
			if ns, _ := c.s.Notifications(ctx, c.director.ID); len(ns) != 1 {
				t.Fatalf("a rolled-back notification stayed: %+v", ns)
			}
			if js := c.jobs(t); len(js) != 1 {
				t.Fatalf("a rolled-back transaction queued mail: %+v", js)
			}
			// A disabled user's notification queues a job that sends nothing.
			if _, err := c.notifyIn(c.disabled, "Not for you", nil); err != nil {
				t.Fatal(err)
			}
			if len(srv.Messages()) != 0 {
				t.Fatal("mailed before a worker ran")
			}

			c.start(t)
			c.wait(t, "both mail jobs completed", func(js []jobs.Job) bool {
				done := 0
				for _, j := range js {
					if j.State == "completed" {
						done++
					}
				}
				return len(js) == 2 && done == 2
			})
			got := srv.Messages()
			link := fmt.Sprintf("https://steward.city.example/drafts/%d", d.ID)
			if len(got) != 1 || len(got[0].To) != 1 || got[0].To[0] != c.director.Email ||
				!strings.Contains(got[0].Data, "Subject: Steward: A draft for @parks waits for your review.") || !strings.Contains(got[0].Data, link) {
				t.Fatalf("want one mail to %s linking %s, got %+v", c.director.Email, link, got)
			}
		})
	}
}

// TestNotificationMailRetries: when the mail server is down the job waits
// to be tried again with the error, and the notification stays.
func TestNotificationMailRetries(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			down, err := notify.NewSMTP(notify.SMTPConfig{Addr: "127.0.0.1:1", From: "steward@city.example"})
			if err != nil {
				t.Fatal(err)
			}
			c := newMailCity(t, e, down)
			n, err := c.notifyIn(c.director, "Please look", nil)
			if err != nil {
				t.Fatal(err)
			}
			c.start(t)
			js := c.wait(t, "the mail job retryable with its error", func(js []jobs.Job) bool {
				return len(js) == 1 && js[0].State == "retryable" && len(js[0].Errors) > 0
			})
			if msg := js[0].Errors[0].Error; !strings.Contains(msg, "send mail") || !strings.Contains(msg, fmt.Sprint(n.ID)) {
				t.Fatalf("the job's error %q does not say the mail failed", msg)
			}
			if ns, err := c.s.Notifications(context.Background(), c.director.ID); err != nil || len(ns) != 1 || ns[0].ID != n.ID {
				t.Fatalf("the notification did not stay: %+v %v", ns, err)
			}
		})
	}
}

// TestNotificationMailNeedsMailer: without a mail server nothing is
// queued; the notification is stored all the same.
func TestNotificationMailNeedsMailer(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			c := newMailCity(t, e, nil)
			if _, err := c.notifyIn(c.director, "Please look", nil); err != nil {
				t.Fatal(err)
			}
			if ns, err := c.s.Notifications(context.Background(), c.director.ID); err != nil || len(ns) != 1 {
				t.Fatalf("notifications %+v %v", ns, err)
			}
			if js := c.jobs(t); len(js) != 0 {
				t.Fatalf("mail queued without a mail server: %+v", js)
			}
		})
	}
}
