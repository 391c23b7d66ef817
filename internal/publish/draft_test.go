package publish_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/draftscreen"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/bluesky"
	"steward.city/steward/internal/platform/mastodon"
	"steward.city/steward/internal/platform/x"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/storetest"
)

func engines(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			clock := storetest.NewClock(time.Date(2026, 6, 1, 15, 0, 0, 0, time.UTC))
			fn(t, newEnv(t, eng.Open(t, clock.Now), clock, map[string]civic.Platform{mastodon.Name: mastodon.New(platform.Config{}),
				bluesky.Name: bluesky.New(platform.Config{}), x.Name: x.New(platform.Config{})}, "@parks"))
		})
	}
}

func wantErr(t *testing.T, err error, kind civic.Kind, field, words string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s on %q", kind, field)
	}
	if civic.ErrorKind(err) != kind || civic.ErrorField(err) != field || !strings.Contains(civic.ErrorMessage(err), words) {
		t.Fatalf("error %v (kind %s, field %q), want %s on %q saying %q", err, civic.ErrorKind(err), civic.ErrorField(err), kind, field, words)
	}
}

func codes(r draftscreen.Result) []string {
	var cs []string
	for _, f := range r.Findings {
		cs = append(cs, f.Code)
	}
	return cs
}

// TestDraftNeedsGrant: only an active poster grant lets someone draft for
// an account (PPL-2); the refusal names the account; nothing is stored.
func TestDraftNeedsGrant(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		in := publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Text: "The pool opens Saturday at 10.", Category: "announcement"}
		for _, u := range []*civic.User{e.stranger, e.expired, e.revoked, e.director} {
			_, err := e.svc.CreateDraft(e.ctx, e.as(u), in)
			wantErr(t, err, civic.KindForbidden, "account_ids", "@parks on Mastodon")
		}
		// A grant for one account is not a grant for another.
		_, err := e.svc.CreateDraft(e.ctx, e.as(e.author), publish.DraftInput{AccountIDs: []int64{e.acct.ID, e.other.ID}, Text: in.Text, Category: in.Category})
		wantErr(t, err, civic.KindForbidden, "account_ids", "@police on Mastodon")
		if _, err := e.svc.CreateDraft(e.ctx, civic.Anonymous, in); civic.ErrorKind(err) != civic.KindUnauthorized && civic.ErrorKind(err) != civic.KindForbidden {
			t.Fatalf("anonymous draft: %v", err)
		}
		if ds, _ := e.store.Drafts(e.ctx, civic.DraftFilter{}); len(ds) != 0 {
			t.Fatalf("%d drafts stored by refused attempts", len(ds))
		}
		d, err := e.svc.CreateDraft(e.ctx, e.as(e.author), in)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != civic.DraftOpen || d.Revision != 1 || len(d.Accounts) != 1 || d.Accounts[0].GrantID != e.grant.ID {
			t.Fatalf("draft %+v", d)
		}
		// A stranger cannot read it either: it is not found.
		if _, err := e.svc.Get(e.ctx, e.as(e.stranger), d.ID); civic.ErrorKind(err) != civic.KindNotFound {
			t.Fatalf("a stranger reads the draft: %v", err)
		}
	})
}

// TestDraftBadInput: each bad field is named; nothing is stored.
func TestDraftBadInput(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ok := publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Text: "The pool opens Saturday.", Category: "announcement"}
		past := e.clock.Now().Add(-time.Minute)
		cases := []struct {
			name  string
			edit  func(*publish.DraftInput)
			field string
			words string
		}{
			{"over Mastodon's limit", func(in *publish.DraftInput) { in.Text = strings.Repeat("pool ", 101) }, "text", "Mastodon allows 500"},
			{"links count", func(in *publish.DraftInput) {
				in.Text = strings.Repeat("a", 480)
				in.Links = []string{"https://www.city.example/parks/pool-schedule"}
			}, "text", "Mastodon allows 500"},
			{"empty text", func(in *publish.DraftInput) { in.Text = "  " }, "text", "write"},
			{"category", func(in *publish.DraftInput) { in.Category = "opinion" }, "category", "press_release"},
			{"past time", func(in *publish.DraftInput) { in.ScheduledAt = &past }, "scheduled_at", "in the past"},
			{"media kind", func(in *publish.DraftInput) { in.Media = []civic.DraftMedia{{File: "a.exe", Kind: "program"}} }, "media[0].kind", "not a kind"},
			{"media never uploaded", func(in *publish.DraftInput) { in.Media = []civic.DraftMedia{{File: "a.jpg", Kind: "image", Alt: "x"}} }, "media[0].sha256", "upload the file first"},
			{"link", func(in *publish.DraftInput) { in.Links = []string{"javascript:alert(1)"} }, "links[0]", "web address"},
			{"no account", func(in *publish.DraftInput) { in.AccountIDs = nil }, "account_ids", "choose"},
			{"unknown account", func(in *publish.DraftInput) { in.AccountIDs = []int64{999} }, "account_ids", "does not exist"},
			{"twice", func(in *publish.DraftInput) { in.AccountIDs = []int64{e.acct.ID, e.acct.ID} }, "account_ids", "twice"},
		}
		for _, c := range cases {
			in := ok
			c.edit(&in)
			_, err := e.svc.CreateDraft(e.ctx, e.as(e.author), in)
			if err == nil {
				t.Fatalf("%s: accepted", c.name)
			}
			if civic.ErrorField(err) != c.field || !strings.Contains(civic.ErrorMessage(err), c.words) {
				t.Errorf("%s: %v (field %q), want field %q saying %q", c.name, err, civic.ErrorField(err), c.field, c.words)
			}
		}
		if ds, _ := e.store.Drafts(e.ctx, civic.DraftFilter{}); len(ds) != 0 {
			t.Fatalf("%d drafts stored by bad input", len(ds))
		}
	})
}

// TestReviewRules: the screen's findings on every revision; an approval
// with a blocking accessibility finding needs a recorded reason; no one
// approves their own draft or an account they do not approve for; a change
// after approval voids it; every revision is kept; the author is notified.
func TestReviewRules(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		author, director := e.as(e.author), e.as(e.director)
		splash := e.upload(e.author, "splash.png", pngOf(t, 4, 3, 1))
		in := publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: "announcement",
			Text:  "The splash pad opens Saturday. Questions? Text our volunteer lead at 651-555-0142.",
			Media: []civic.DraftMedia{{SHA256: splash.SHA256, Kind: "image"}}}
		d, err := e.svc.CreateDraft(e.ctx, author, in)
		if err != nil {
			t.Fatal(err)
		}
		v, err := e.svc.Get(e.ctx, director, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cs := codes(v.Screen); !slices.Contains(cs, draftscreen.ContactInfo) || !slices.Contains(cs, draftscreen.ImageNoAlt) {
			t.Fatalf("findings %v, want contact_info and image_without_alt", cs)
		}
		for _, f := range v.Screen.Findings {
			if f.Code == draftscreen.ContactInfo && (f.Text != "651-555-0142" || in.Text[f.Start:f.End] != f.Text || f.Clause == "") {
				t.Fatalf("the phone finding marks %q [%d:%d] with clause %q", f.Text, f.Start, f.End, f.Clause)
			}
		}
		// Not submitted: nothing to approve.
		if _, err := e.svc.Review(e.ctx, director, d.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove, Override: "x"}); civic.ErrorKind(err) != civic.KindConflict {
			t.Fatalf("approve before submit: %v", err)
		}
		if _, err := e.svc.Submit(e.ctx, author, d.ID); err != nil {
			t.Fatal(err)
		}
		// The author, Communications (the rule names the director) and
		// another department's director cannot approve.
		if _, err := e.svc.Review(e.ctx, author, d.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove, Override: "x"}); civic.ErrorKind(err) != civic.KindForbidden {
			t.Fatalf("self approval: %v", err)
		}
		if _, err := e.svc.Review(e.ctx, e.as(e.comms), d.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove, Override: "x"}); civic.ErrorKind(err) != civic.KindForbidden {
			t.Fatalf("communications approves a director's account: %v", err)
		}
		if _, err := e.svc.Review(e.ctx, e.as(e.policeDirector), d.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove, Override: "x"}); err == nil {
			t.Fatal("another department's director approved")
		}
		// The missing alt text blocks until the reviewer records why.
		_, err = e.svc.Review(e.ctx, director, d.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove})
		wantErr(t, err, civic.KindInvalid, "override", "image_without_alt")
		_, err = e.svc.Review(e.ctx, director, d.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewChanges})
		wantErr(t, err, civic.KindInvalid, "comment", "must change")
		if _, err := e.svc.Review(e.ctx, director, d.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewChanges, Comment: "Use the front desk's number and add alt text."}); err != nil {
			t.Fatal(err)
		}
		// The author fixes both: a second revision, screened again.
		in.Text = "The splash pad opens Saturday. Questions? Call the Parks front desk."
		in.Media[0].Alt = "Children running through the splash pad's fountains."
		d, err = e.svc.Revise(e.ctx, author, d.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if d.Revision != 2 || len(publish.Screen(d.Current).Findings) != 0 {
			t.Fatalf("revision %d with findings %v", d.Revision, codes(publish.Screen(d.Current)))
		}
		if _, err := e.svc.Submit(e.ctx, author, d.ID); err != nil {
			t.Fatal(err)
		}
		// A decision on the old revision is refused.
		_, err = e.svc.Review(e.ctx, director, d.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove})
		wantErr(t, err, civic.KindInvalid, "revision", "revision 2 is current")
		if d, err = e.svc.Review(e.ctx, director, d.ID, publish.ReviewInput{Revision: 2, Decision: civic.ReviewApprove}); err != nil || d.Status != civic.DraftApproved {
			t.Fatalf("approve: %v, %+v", err, d)
		}
		// A change after approval voids it.
		in.Text += " Bring sunscreen."
		if d, err = e.svc.Revise(e.ctx, author, d.ID, in); err != nil || d.Status != civic.DraftOpen || d.Revision != 3 {
			t.Fatalf("revise after approval: %v, %+v", err, d)
		}
		if _, err := e.svc.Publish(e.ctx, author, d.ID); civic.ErrorKind(err) != civic.KindConflict {
			t.Fatalf("publish a changed draft: %v", err)
		}
		revs, err := e.store.DraftRevisions(e.ctx, d.ID)
		if err != nil || len(revs) != 3 || !strings.Contains(revs[0].Text, "651-555-0142") || revs[0].Media[0].Alt != "" {
			t.Fatalf("revisions %d %v: the first must be kept as written", len(revs), err)
		}
		ns, err := e.store.Notifications(e.ctx, e.author.ID)
		if err != nil || len(ns) < 2 {
			t.Fatalf("the author's notifications: %d, %v", len(ns), err)
		}
		ns, err = e.store.Notifications(e.ctx, e.director.ID)
		if err != nil || len(ns) != 2 || !strings.Contains(ns[0].Message, "@parks") {
			t.Fatalf("the director's notifications: %+v, %v", ns, err)
		}
		// Every step is in the audit log.
		evs, err := e.store.AuditEvents(e.ctx, civic.AuditFilter{ObjectType: "draft", ObjectID: "1"})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, ev := range evs {
			actions = append(actions, ev.Action)
		}
		for _, want := range []string{"draft.create", "draft.submit", "draft.review.changes", "draft.revise", "draft.review.approve", "draft.approved"} {
			if !slices.Contains(actions, want) {
				t.Errorf("audit %v lacks %s", actions, want)
			}
		}
	})
}

// TestLateApproval: an approval after the scheduled time asks for
// re-confirmation; the scheduler does not publish it late.
func TestLateApproval(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		at := e.clock.Now().Add(time.Hour)
		d, err := e.svc.CreateDraft(e.ctx, e.as(e.author), publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: "announcement",
			Text: "Fireworks start at dusk in Central Park.", ScheduledAt: &at})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Submit(e.ctx, e.as(e.author), d.ID); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(2 * time.Hour)
		d, err = e.svc.Review(e.ctx, e.as(e.director), d.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove})
		if err != nil || d.Status != civic.DraftConfirm {
			t.Fatalf("late approval: %v, %+v", err, d)
		}
		if n, err := e.svc.PublishDue(e.ctx); n != 0 || err != nil {
			t.Fatalf("PublishDue published %d, %v", n, err)
		}
		if _, err := e.svc.Publish(e.ctx, e.as(e.author), d.ID); civic.ErrorKind(err) != civic.KindConflict || !strings.Contains(civic.ErrorMessage(err), "confirm") {
			t.Fatalf("publish unconfirmed: %v", err)
		}
		if d, err = e.svc.Review(e.ctx, e.as(e.director), d.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewConfirm}); err != nil || d.Status != civic.DraftApproved {
			t.Fatalf("confirm: %v, %+v", err, d)
		}
	})
}

// TestRules: an account whose rule names no approver, and real-time safety
// information from a named role, need no approval; two approvals need two
// people.
func TestRules(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		if _, err := e.svc.SetRule(e.ctx, e.as(e.author), e.acct.ID, publish.RuleInput{Approver: civic.ApproverNone}); civic.ErrorKind(err) != civic.KindForbidden {
			t.Fatalf("staff sets a rule: %v", err)
		}
		_, err := e.svc.SetRule(e.ctx, e.as(e.comms), e.acct.ID, publish.RuleInput{Approver: "mayor", Approvals: 1})
		wantErr(t, err, civic.KindInvalid, "approver", "director")
		// Real-time safety information from staff goes out without waiting.
		if _, err := e.svc.SetRule(e.ctx, e.as(e.comms), e.acct.ID, publish.RuleInput{Approver: civic.ApproverDirector, Approvals: 1, RealTimeRoles: []civic.Role{civic.RoleStaff}}); err != nil {
			t.Fatal(err)
		}
		mk := func(cat string) *civic.Draft {
			d, err := e.svc.CreateDraft(e.ctx, e.as(e.author), publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: cat, Text: "Cedar Avenue is closed at 5th Street until further notice."})
			if err != nil {
				t.Fatal(err)
			}
			if d, err = e.svc.Submit(e.ctx, e.as(e.author), d.ID); err != nil {
				t.Fatal(err)
			}
			return d
		}
		if d := mk(civic.RealTimeSafety); d.Status != civic.DraftApproved {
			t.Fatalf("real-time safety information: %s", d.Status)
		}
		if d := mk("announcement"); d.Status != civic.DraftInReview {
			t.Fatalf("an announcement: %s", d.Status)
		}
		// Two approvals by Communications: the first does not suffice.
		if _, err := e.svc.SetRule(e.ctx, e.as(e.comms), e.acct.ID, publish.RuleInput{Approver: civic.ApproverCommunications, Approvals: 2}); err != nil {
			t.Fatal(err)
		}
		d := mk("announcement")
		if d, err = e.svc.Review(e.ctx, e.as(e.comms), d.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove}); err != nil || d.Status != civic.DraftInReview {
			t.Fatalf("one of two approvals: %v %+v", err, d)
		}
		v, _ := e.svc.Get(e.ctx, e.as(e.author), d.ID)
		if !strings.Contains(v.Waiting, "1 more approval") {
			t.Fatalf("waiting: %q", v.Waiting)
		}
	})
}

// TestCovertViolence: a draft for a registered covert profile that
// promotes violence cannot be submitted, approved or published (CVT-5).
func TestCovertViolence(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		err := e.store.Update(e.ctx, civic.Actor{Label: "test"}, func(tx civic.Tx) error {
			p := &civic.Person{Name: "Sid Commander", Kind: civic.KindEmployee, DepartmentID: e.other.DepartmentID}
			if err := tx.CreatePerson(e.ctx, p); err != nil {
				return err
			}
			u := &civic.User{PersonID: p.ID, Email: "sid@city.example", PasswordHash: "x"}
			if err := tx.CreateUser(e.ctx, u); err != nil {
				return err
			}
			if err := tx.BootstrapCommander(e.ctx, u.ID, "first commander"); err != nil {
				return err
			}
			if err := tx.CreateCovertProfile(e.ctx, &civic.CovertProfile{SiteName: "Mastodon", SiteURL: "https://social.example/", Username: "police",
				ScreenName: "northside_jay", MaintainerID: u.ID, Purpose: "investigations"}); err != nil {
				return err
			}
			now := tx.Now()
			exp := now.Add(24 * time.Hour)
			g := &civic.Poster{AccountID: e.other.ID, UserID: e.author.ID, Reason: "covert work"}
			if err := tx.CreatePoster(e.ctx, g); err != nil {
				return err
			}
			g.Status, g.DecidedBy, g.DecidedAt, g.ExpiresAt = civic.PosterGranted, e.policeDirector.ID, &now, &exp
			return tx.UpdatePoster(e.ctx, g, "poster.grant")
		})
		if err != nil {
			t.Fatal(err)
		}
		d, err := e.svc.CreateDraft(e.ctx, e.as(e.author), publish.DraftInput{AccountIDs: []int64{e.other.ID}, Category: "information_sharing",
			Text: "if that clown from the gas station shows up to the party again im putting him in the hospital fr"})
		if err != nil {
			t.Fatal(err)
		}
		res := publish.Screen(d.Current)
		if !slices.Contains(codes(res), draftscreen.ViolenceOrCrime) {
			t.Fatalf("covert violence not found: %v", codes(res))
		}
		_, err = e.svc.Submit(e.ctx, e.as(e.author), d.ID)
		wantErr(t, err, civic.KindInvalid, "text", "violence_or_crime")
		if _, err := e.svc.Publish(e.ctx, e.as(e.author), d.ID); err == nil {
			t.Fatal("published")
		}
	})
}
