package moderation_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/moderation"
	"steward.city/steward/internal/pdf/pdftest"
	"steward.city/steward/internal/storetest"
)

// carrier records what it is asked and answers with err.
type carrier struct {
	calls []string
	err   error
}

func (c *carrier) Carry(ctx context.Context, itemID int64, a civic.PlatformAction) error {
	c.calls = append(c.calls, fmt.Sprintf("%d:%s", itemID, a))
	return c.err
}

type mailer struct{ sent []string }

func (m *mailer) Send(ctx context.Context, to, subject, body string) error {
	m.sent = append(m.sent, to+"|"+body)
	return nil
}

type env struct {
	t          *testing.T
	ctx        context.Context
	store      civic.Store
	clock      *storetest.Clock
	arch       *archive.Service
	svc        *moderation.Service
	carrier    *carrier
	mail       *mailer
	ana, ben   *civic.User // Communications
	staff, dir *civic.User
}

var words = moderation.Words{"harassment": {"idiot"}, "spam": {"cheap"}, "vulgar": {"damn"}}

func newEnv(t *testing.T, e storetest.Engine) *env {
	clock := storetest.NewClock(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	s := e.Open(t, clock.Now)
	en := &env{t: t, ctx: context.Background(), store: s, clock: clock, carrier: &carrier{}, mail: &mailer{}}
	en.arch = archive.New(archive.Config{Store: s, Clock: clock.Now})
	en.svc = moderation.New(moderation.Config{Store: s, Screener: words, Carrier: en.carrier, Mailer: en.mail, Clock: clock.Now})
	err := s.Update(en.ctx, civic.System, func(tx civic.Tx) error {
		d := &civic.Department{Slug: "parks", Name: "Parks"}
		if err := tx.CreateDepartment(en.ctx, d); err != nil {
			return err
		}
		mk := func(name, email string, gs ...civic.Grant) (*civic.User, error) {
			p := &civic.Person{Name: name, Kind: civic.KindEmployee, DepartmentID: d.ID}
			if err := tx.CreatePerson(en.ctx, p); err != nil {
				return nil, err
			}
			u := &civic.User{PersonID: p.ID, Email: email, Grants: gs}
			return u, tx.CreateUser(en.ctx, u)
		}
		var err error
		if en.ana, err = mk("Ana", "ana@city.example", civic.Grant{Role: civic.RoleCommunications}); err != nil {
			return err
		}
		if en.ben, err = mk("Ben", "ben@city.example", civic.Grant{Role: civic.RoleCommunications}); err != nil {
			return err
		}
		if en.staff, err = mk("Sam", "sam@city.example", civic.Grant{Role: civic.RoleStaff}); err != nil {
			return err
		}
		if en.dir, err = mk("Dee", "dee@city.example", civic.Grant{Role: civic.RoleDirector, DepartmentID: d.ID}); err != nil {
			return err
		}
		en.staff.DepartmentID = d.ID
		return tx.CreatePerson(en.ctx, &civic.Person{Name: "Hana Yusuf", Kind: civic.KindElectedOfficial, DepartmentID: d.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	return en
}

const acct = "mastodon:@parks@city.example"

func (e *env) ingest(id, kind, handle, text, state string, at time.Time) {
	e.t.Helper()
	r := archive.Record{Account: acct, ID: id, Kind: kind, Thread: "p1", CapturedAt: at.Format(time.RFC3339Nano), PlatformTime: at.Add(-time.Minute).Format(time.RFC3339),
		Author: civic.Author{ID: handle, Handle: handle, Name: handle}, Text: text, State: state, Raw: []byte(`{"id":"` + id + `"}`)}
	if kind != "post" {
		r.Parent = "p1"
	}
	if _, err := e.arch.Ingest(e.ctx, civic.CLI, []archive.Record{r}, nil); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) screen(want int) {
	e.t.Helper()
	n, err := e.svc.ScreenNew(e.ctx)
	if err != nil || n != want {
		e.t.Fatalf("ScreenNew = %d, %v; want %d", n, err, want)
	}
}

func wantKind(t *testing.T, err error, kind civic.Kind, field string) {
	t.Helper()
	if civic.ErrorKind(err) != kind || civic.ErrorField(err) != field {
		t.Fatalf("error %v (kind %s, field %q), want kind %s field %q", err, civic.ErrorKind(err), civic.ErrorField(err), kind, field)
	}
}

func TestModeration(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) { testModeration(t, newEnv(t, eng)) })
	}
}

func testModeration(t *testing.T, e *env) {
	at := time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC)
	e.ingest("p1", "post", "@parks", "Splash pad opens Saturday. Damn hot out!", "visible", at)
	e.ingest("c1", "comment", "@lena@social.example", "Will the fountain work?", "visible", at.Add(time.Minute))
	e.ingest("c2", "comment", "@troll@bad.example", "Hana Yusuf is an idiot", "visible", at.Add(2*time.Minute))
	e.ingest("c3", "comment", "@spam@bad.example", "cheap sunglasses", "visible", at.Add(3*time.Minute))
	e.ingest("c4", "reply", "@parks", "damn right", "visible", at.Add(4*time.Minute))
	e.ingest("c5", "comment", "@edit@social.example", "damn potholes", "visible", at.Add(5*time.Minute))
	// The official post and reply are not screened; c2, c3 and c5 are flagged.
	e.screen(3)
	e.screen(0)
	q, err := e.svc.Queue(e.ctx, civic.ActorOf(e.ana), false)
	if err != nil || len(q) != 3 {
		t.Fatalf("queue = %v, %v", q, err)
	}
	c2, c3, c5 := q[0], q[1], q[2]
	if c2.Account != acct || c2.Author.Handle != "@troll@bad.example" || fmt.Sprint(c2.Labels) != "[harassment]" || c2.Scores["harassment"] != 1 ||
		len(c2.Evidence) != 1 || c2.Evidence[0].Text != "idiot" || c2.PostedAt == nil {
		t.Errorf("queued entry = %+v", c2)
	}
	view, err := e.svc.Review(e.ctx, civic.ActorOf(e.ana), c2.ID)
	if err != nil || !strings.Contains(view.PostText, "Splash pad") || len(view.Segments) != 2 || view.Segments[1].Code != "harassment" {
		t.Errorf("review view = %+v, %v", view, err)
	}

	// An edit is screened again and replaces the entry; a deletion closes it.
	e.ingest("c5", "comment", "@edit@social.example", "damn potholes everywhere", "visible", at.Add(6*time.Minute))
	e.screen(1)
	old, _ := e.store.Review(e.ctx, c5.ID)
	if old.Status != civic.ReviewClosed || !strings.Contains(old.CloseReason, "edited") {
		t.Errorf("after the edit the old entry is %s (%s)", old.Status, old.CloseReason)
	}
	e.ingest("c5", "comment", "@edit@social.example", "damn potholes everywhere", "deleted", at.Add(7*time.Minute))
	e.screen(0)
	if q, _ = e.svc.Queue(e.ctx, civic.ActorOf(e.ana), false); len(q) != 2 {
		t.Errorf("after the deletion %d entries wait, want 2", len(q))
	}
	all, _ := e.svc.Queue(e.ctx, civic.ActorOf(e.ana), true)
	if last := all[len(all)-1]; last.Status != civic.ReviewClosed || last.CloseReason != "gone from the platform" {
		t.Errorf("the deleted comment's entry is %s (%s)", last.Status, last.CloseReason)
	}

	// Bad decisions are refused.
	_, err = e.svc.Decide(e.ctx, civic.ActorOf(e.ana), c2.ID, moderation.DecideInput{Action: civic.DecisionRemove})
	wantKind(t, err, civic.KindInvalid, "code")
	_, err = e.svc.Decide(e.ctx, civic.ActorOf(e.ana), c2.ID, moderation.DecideInput{Action: "edit", Code: "harassment"})
	wantKind(t, err, civic.KindInvalid, "action")
	_, err = e.svc.Decide(e.ctx, civic.ActorOf(e.ana), c2.ID, moderation.DecideInput{Action: civic.DecisionRemove, Code: "nonsense"})
	wantKind(t, err, civic.KindInvalid, "code")
	_, err = e.svc.Decide(e.ctx, civic.ActorOf(e.staff), c2.ID, moderation.DecideInput{Action: civic.DecisionRemove, Code: "harassment"})
	wantKind(t, err, civic.KindForbidden, "")

	// A removal for harassment naming an official waits for a second reviewer.
	d, err := e.svc.Decide(e.ctx, civic.ActorOf(e.ana), c2.ID, moderation.DecideInput{Action: civic.DecisionRemove, Code: "harassment", Note: "personal attack"})
	if err != nil || d.Status != civic.DecisionPending || !d.NeedsSecond || d.NamesOfficial != "Hana Yusuf" {
		t.Fatalf("decision = %+v, %v", d, err)
	}
	if len(e.carrier.calls) != 0 {
		t.Errorf("a pending decision was carried out: %v", e.carrier.calls)
	}
	_, err = e.svc.Second(e.ctx, civic.ActorOf(e.ana), d.ID, true, "")
	wantKind(t, err, civic.KindConflict, "")
	if forms, _ := e.svc.Forms(e.ctx, civic.ActorOf(e.ana)); len(forms) != 0 {
		t.Errorf("a form was filled before the second review")
	}
	d, err = e.svc.Second(e.ctx, civic.ActorOf(e.ben), d.ID, true, "agreed")
	if err != nil || d.Status != civic.DecisionFinal || d.CarryStatus != moderation.CarryDone || d.CarriedOutAt == nil {
		t.Fatalf("after the second review = %+v, %v", d, err)
	}
	if fmt.Sprint(e.carrier.calls) != fmt.Sprintf("[%d:delete]", c2.ItemID) {
		t.Errorf("carrier calls = %v", e.carrier.calls)
	}
	forms, _ := e.svc.Forms(e.ctx, civic.ActorOf(e.ana))
	if len(forms) != 1 {
		t.Fatalf("%d forms, want 1", len(forms))
	}
	f := forms[0]
	if f.Site != acct || f.ScreenName != "@troll@bad.example" || f.Comment != "Hana Yusuf is an idiot" || !strings.Contains(f.Reason, "personal attacks") ||
		!strings.Contains(f.RemovedBy, "ana@city.example") || !strings.Contains(f.RemovedBy, "ben@city.example") || f.PostedAt == nil ||
		!strings.Contains(f.Other, "personal attack") || f.ContentHash != moderation.FormHash(f) {
		t.Errorf("form = %+v", f)
	}
	var pdf bytes.Buffer
	if err := moderation.WriteFormPDF(&pdf, f, d); err != nil || !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-1.")) {
		t.Errorf("PDF: %v %q", err, pdf.Bytes()[:min(pdf.Len(), 40)])
	}
	if text, ok := pdftest.Text(t, pdf.Bytes()); ok && !strings.Contains(pdftest.Normalize(text), "Hana Yusuf is an idiot") {
		t.Errorf("the form's PDF does not read the comment: %s", text)
	}

	// The platform cannot hide: the decision is recorded all the same.
	e.carrier.err = fmt.Errorf("mastodon: %w", civic.ErrUnsupported)
	d3, err := e.svc.Decide(e.ctx, civic.ActorOf(e.ana), c3.ID, moderation.DecideInput{Action: civic.DecisionHide, Code: "spam"})
	if err != nil || d3.Status != civic.DecisionFinal || d3.CarryStatus != moderation.CarryUnsupported || d3.CarriedOutAt != nil {
		t.Fatalf("hide on a platform that cannot = %+v, %v", d3, err)
	}
	if got, _ := e.store.Decision(e.ctx, d3.ID); got.CarryStatus != moderation.CarryUnsupported {
		t.Errorf("stored carry status %q", got.CarryStatus)
	}
	_, err = e.svc.Decide(e.ctx, civic.ActorOf(e.ana), c3.ID, moderation.DecideInput{Action: civic.DecisionKeep, Code: "spam"})
	wantKind(t, err, civic.KindConflict, "")
	e.carrier.err = nil

	// Public inquiries: one about a comment that was not removed is filed
	// unmatched, for Communications to find the comment.
	unmatched, err := e.svc.FileInquiry(e.ctx, "192.0.2.9", moderation.InquiryInput{Account: acct, ScreenName: "@lena@social.example", Name: "Lena", Contact: "lena@example.org", Question: "Why?"})
	if err != nil || unmatched.FormID != 0 || unmatched.Matched || unmatched.Reference != "INQ-2026-0001" || !unmatched.DueAt.Equal(unmatched.ReceivedAt.AddDate(0, 0, 10)) {
		t.Errorf("inquiry about a kept comment = %+v, %v", unmatched, err)
	}
	if len(e.mail.sent) != 1 || !strings.HasPrefix(e.mail.sent[0], "lena@example.org|") || !strings.Contains(e.mail.sent[0], "reference number is INQ-2026-0001") || !strings.Contains(e.mail.sent[0], "by "+unmatched.DueAt.Format("Monday, January 2, 2006")) {
		t.Errorf("acknowledgement = %q", e.mail.sent)
	}
	if open, _ := e.svc.Inquiries(e.ctx, civic.ActorOf(e.ana), true); len(open) != 1 || open[0].ID != unmatched.ID || open[0].ScreenName != "@lena@social.example" {
		t.Errorf("open inquiries = %+v", open)
	}
	if uv, err := e.svc.Inquiry(e.ctx, civic.ActorOf(e.ana), unmatched.ID); err != nil || uv.Form != nil || uv.Decision != nil {
		t.Errorf("unmatched inquiry view = %+v, %v", uv, err)
	}
	_, err = e.svc.Answer(e.ctx, civic.ActorOf(e.ana), unmatched.ID, "We found no such comment.", moderation.OutcomeUpheld)
	wantKind(t, err, civic.KindInvalid, "outcome")
	_, err = e.svc.LinkInquiry(e.ctx, civic.ActorOf(e.ana), unmatched.ID, "form", "9999")
	wantKind(t, err, civic.KindInvalid, "number")
	_, err = e.svc.LinkInquiry(e.ctx, civic.ActorOf(e.ana), unmatched.ID, "decision", "x")
	wantKind(t, err, civic.KindInvalid, "number")
	_, err = e.svc.LinkInquiry(e.ctx, civic.Public, unmatched.ID, "form", strconv.FormatInt(f.ID, 10))
	wantKind(t, err, civic.KindForbidden, "")
	if _, err := e.svc.Answer(e.ctx, civic.ActorOf(e.ana), unmatched.ID, "We found no such comment; nothing of yours was removed.", moderation.OutcomeAnswered); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.LinkInquiry(e.ctx, civic.ActorOf(e.ana), unmatched.ID, "form", strconv.FormatInt(f.ID, 10))
	wantKind(t, err, civic.KindConflict, "")
	e.mail.sent = nil
	_, err = e.svc.FileInquiry(e.ctx, "192.0.2.9", moderation.InquiryInput{Account: acct, ScreenName: "troll", Name: "", Contact: "t@example.org", Question: "Why?"})
	wantKind(t, err, civic.KindInvalid, "name")
	inq, err := e.svc.FileInquiry(e.ctx, "192.0.2.9", moderation.InquiryInput{Account: acct, ScreenName: "troll", PostedOn: "2026-11-19", Name: "T. Roll", Contact: "troll@example.org", Question: "Why was my comment removed?"})
	if err != nil || inq.FormID != f.ID || !inq.Matched || inq.Reference != "INQ-2026-0002" || !inq.DueAt.Equal(inq.ReceivedAt.AddDate(0, 0, 10)) {
		t.Fatalf("inquiry = %+v, %v", inq, err)
	}
	e.mail.sent = nil // the acknowledgement
	iv, err := e.svc.Inquiry(e.ctx, civic.ActorOf(e.ana), inq.ID)
	if err != nil || iv.Form.ID != f.ID || iv.Decision.ID != d.ID {
		t.Errorf("inquiry view = %+v, %v", iv, err)
	}
	_, err = e.svc.Answer(e.ctx, civic.ActorOf(e.ana), inq.ID, "", moderation.OutcomeUpheld)
	wantKind(t, err, civic.KindInvalid, "response")
	if _, err = e.svc.Answer(e.ctx, civic.ActorOf(e.ana), inq.ID, "On review, the comment criticises an official and stays in the record; we reversed the removal.", moderation.OutcomeReversed); err != nil {
		t.Fatal(err)
	}
	got, _ := e.store.Inquiry(e.ctx, inq.ID)
	if got.AnsweredAt == nil || got.EmailedAt == nil || len(e.mail.sent) != 1 || !strings.HasPrefix(e.mail.sent[0], "troll@example.org|") || !strings.Contains(e.mail.sent[0], "INQ-2026-0002") {
		t.Errorf("answered inquiry = %+v, mail %v", got, e.mail.sent)
	}
	_, err = e.svc.Answer(e.ctx, civic.ActorOf(e.ana), inq.ID, "again", moderation.OutcomeUpheld)
	wantKind(t, err, civic.KindConflict, "")
	if rd, _ := e.store.Decision(e.ctx, d.ID); rd.Status != civic.DecisionReversed || rd.InquiryID != inq.ID {
		t.Errorf("reversed decision = %+v", rd)
	}

	tr, err := e.svc.Transparency(e.ctx)
	if err != nil || tr.Removals != 2 || tr.Reversed != 1 || len(tr.ByReason) != 2 || tr.ByReason[0].Key != "harassment" || len(tr.ByMonth) != 1 ||
		tr.ByMonth[0].Label != "November 2026" || tr.ByAccount[0].N != 2 || tr.Inquiries != 2 || tr.Answered != 2 {
		t.Errorf("transparency = %+v, %v", tr, err)
	}
	times, open, err := e.svc.ReviewTimes(e.ctx, civic.ActorOf(e.ana))
	if err != nil || open != 0 || len(times) != 1 || times[0].Reviewed != 2 || times[0].Median <= 0 {
		t.Errorf("review times = %+v, %d, %v", times, open, err)
	}

	// Staff report c1 to their supervisor: it enters the queue, the director is notified.
	items, _ := e.store.ArchiveThread(e.ctx, c2.ItemID)
	var c1 int64
	for _, it := range items {
		if it.PlatformID == "c1" {
			c1 = it.ID
		}
	}
	_, err = e.svc.Report(e.ctx, civic.ActorOf(e.staff), moderation.ReportInput{ItemID: c1, To: "supervisor"})
	wantKind(t, err, civic.KindInvalid, "note")
	rp, err := e.svc.Report(e.ctx, civic.ActorOf(e.staff), moderation.ReportInput{ItemID: c1, To: "supervisor", Note: "looks like a threat to me"})
	if err != nil || rp.ReviewID == 0 {
		t.Fatalf("report = %+v, %v", rp, err)
	}
	ns, _ := e.store.Notifications(e.ctx, e.dir.ID)
	if len(ns) != 1 || !strings.Contains(ns[0].Message, "sam@city.example") {
		t.Errorf("director's notifications = %+v", ns)
	}
	if rs, _ := e.svc.Reports(e.ctx, civic.ActorOf(e.dir)); len(rs) != 1 {
		t.Errorf("the director sees %d reports", len(rs))
	}
	if _, err := e.svc.CloseReport(e.ctx, civic.ActorOf(e.staff), rp.ID); civic.ErrorKind(err) != civic.KindForbidden {
		t.Errorf("the reporter closed their own report: %v", err)
	}

	// A year later the clerk disposes of the form; the comment stays archived.
	_, err = e.svc.ProposeFormDisposal(e.ctx, civic.CLI, time.Time{})
	wantKind(t, err, civic.KindConflict, "")
	e.clock.Advance(366 * 24 * time.Hour)
	prop, err := e.svc.ProposeFormDisposal(e.ctx, civic.CLI, time.Time{})
	if err != nil || len(prop.FormIDs) != 2 {
		t.Fatalf("proposal = %+v, %v", prop, err)
	}
	if n, err := e.svc.ApproveFormDisposal(e.ctx, civic.CLI, prop.ID); err != nil || n != 2 {
		t.Fatalf("approve = %d, %v", n, err)
	}
	df, _ := e.store.TrackingForm(e.ctx, f.ID)
	if df.Comment != civic.FormTombstone || df.DisposedAt == nil || df.ContentHash != f.ContentHash {
		t.Errorf("disposed form = %+v", df)
	}
	if it, _ := e.store.ArchiveItem(e.ctx, c2.ItemID); it.Text != "Hana Yusuf is an idiot" {
		t.Errorf("the archived comment reads %q after the form's disposal", it.Text)
	}
	if _, err := e.svc.ApproveFormDisposal(e.ctx, civic.CLI, prop.ID); civic.ErrorKind(err) != civic.KindConflict {
		t.Errorf("approving twice: %v", err)
	}
}

func TestInquiryRateLimit(t *testing.T) {
	e := newEnv(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	in := moderation.InquiryInput{Account: acct, ScreenName: "x", Name: "X", Contact: "x@example.org", Question: "?"}
	for i := range 6 {
		_, err := e.svc.FileInquiry(e.ctx, "198.51.100.1", in)
		if i == 5 {
			wantKind(t, err, civic.KindTooMany, "")
		} else if err != nil {
			t.Errorf("inquiry %d: %v", i, err)
		}
	}
	if _, err := e.svc.FileInquiry(e.ctx, "198.51.100.2", in); err != nil {
		t.Errorf("another address: %v", err)
	}
	e.clock.Advance(61 * time.Minute)
	if _, err := e.svc.FileInquiry(e.ctx, "198.51.100.1", in); err != nil {
		t.Errorf("an hour later: %v", err)
	}
}

func TestSegmentsAndHold(t *testing.T) {
	segs := moderation.Segments("ab cd ef", []civic.Evidence{{Code: "x", Start: 3, End: 5}, {Code: "y", Start: 4, End: 6}, {Code: "z", Start: 6, End: 99}})
	if len(segs) != 3 || segs[1].Text != "cd" || segs[1].Code != "x" || segs[2].Text != " ef" {
		t.Errorf("segments = %+v", segs)
	}
	e := newEnv(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	at := time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC)
	e.ingest("p1", "post", "@parks", "Hello", "visible", at)
	if _, err := e.svc.SetHold(e.ctx, civic.ActorOf(e.ana), acct, civic.HoldAll); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetHold(e.ctx, civic.ActorOf(e.ana), acct, "sometimes"); civic.ErrorField(err) != "mode" {
		t.Errorf("bad mode: %v", err)
	}
	// Held by the platform and every comment held: both wait for a person.
	e.ingest("c1", "comment", "@a@x.example", "nice", "held", at.Add(time.Minute))
	e.ingest("c2", "comment", "@b@x.example", "lovely", "visible", at.Add(2*time.Minute))
	e.screen(2)
	q, _ := e.svc.Queue(e.ctx, civic.ActorOf(e.ana), false)
	if len(q) != 2 || !q[0].Held || q[0].Source != "held" || q[1].Source != "hold_all" {
		t.Fatalf("queue = %+v", q)
	}
	d, err := e.svc.Decide(e.ctx, civic.ActorOf(e.ana), q[0].ID, moderation.DecideInput{Action: civic.DecisionKeep, Code: "off_topic"})
	if err != nil || d.Status != civic.DecisionFinal || fmt.Sprint(e.carrier.calls) != fmt.Sprintf("[%d:approve]", q[0].ItemID) {
		t.Errorf("keep a held comment = %+v, %v, calls %v", d, err, e.carrier.calls)
	}
	// Without a carrier, a decision is recorded as not yet carried out.
	svc := moderation.New(moderation.Config{Store: e.store, Clock: e.clock.Now})
	d, err = svc.Decide(e.ctx, civic.ActorOf(e.ana), q[1].ID, moderation.DecideInput{Action: civic.DecisionHide, Code: "spam"})
	if err != nil || d.CarryStatus != moderation.CarryNoConnection {
		t.Errorf("without a carrier = %+v, %v", d, err)
	}
}
