package storetest

import (
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
)

// moderationCases test reason codes, the queue, decisions, tracking forms,
// inquiries and staff reports.
var moderationCases = []testCase{
	{"ModerationSettings", testModerationSettings},
	{"ModerationQueue", testModerationQueue},
	{"InquiryReferences", testInquiryReferences},
}

func testModerationSettings(t *testing.T, f *fixture) {
	c := &civic.ReasonCode{Code: "spam", Label: "Advertising", Description: "ads", SecondReview: true}
	f.update(t, func(tx civic.Tx) error { return tx.SetReasonCode(f.ctx, c) })
	c.Label = "Ads"
	f.update(t, func(tx civic.Tx) error { return tx.SetReasonCode(f.ctx, c) })
	cs, err := f.s.ReasonCodeSettings(f.ctx)
	if err != nil || len(cs) != 1 || cs[0].Label != "Ads" || !cs[0].SecondReview || cs[0].UpdatedBy != "suite" {
		t.Errorf("code settings = %+v, %v", cs, err)
	}
	if e := f.lastEvent(t); e.Action != "moderation.code_set" || e.ObjectID != "spam" {
		t.Errorf("audit event %+v", e)
	}
	v := version("youtube:@city", "1", "hello", time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC))
	f.ingest(t, v)
	h := &civic.HoldSetting{AccountID: v.AccountID, Mode: civic.HoldAll}
	f.update(t, func(tx civic.Tx) error { return tx.SetHoldSetting(f.ctx, h) })
	hs, _ := f.s.HoldSettings(f.ctx)
	if len(hs) != 1 || hs[0].Account != "youtube:@city" || hs[0].Mode != civic.HoldAll {
		t.Errorf("holds = %+v", hs)
	}
	h.Mode = civic.HoldOff
	f.update(t, func(tx civic.Tx) error { return tx.SetHoldSetting(f.ctx, h) })
	if hs, _ = f.s.HoldSettings(f.ctx); len(hs) != 0 {
		t.Errorf("hold off left %+v", hs)
	}
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.SetHoldSetting(f.ctx, &civic.HoldSetting{AccountID: 999, Mode: civic.HoldAll})
	})
	wantErr(t, err, civic.KindInvalid, "")
}

func testModerationQueue(t *testing.T, f *fixture) {
	at := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	v := version("x:@city", "c1", "you idiot", at)
	f.ingest(t, v)
	r := &civic.Review{ItemID: v.ItemID, VersionID: v.ID, AccountID: v.AccountID, Labels: []string{"harassment"}, Scores: map[string]float64{"harassment": 0.9},
		Evidence: []civic.Evidence{{Code: "harassment", Start: 4, End: 9, Text: "idiot", Rule: "wordlist"}}, Source: "screening", PostedAt: &at, CapturedAt: at}
	f.update(t, func(tx civic.Tx) error { return tx.QueueReview(f.ctx, r) })
	got, err := f.s.Review(f.ctx, r.ID)
	if err != nil || got.Text != "you idiot" || got.Author.Handle != "@resident" || got.Account != "x:@city" || got.Scores["harassment"] != 0.9 ||
		len(got.Evidence) != 1 || got.Evidence[0].Text != "idiot" || got.Status != civic.ReviewOpen || !got.PostedAt.Equal(at) {
		t.Errorf("review = %+v, %v", got, err)
	}
	open, _ := f.s.OpenReviewsOfItem(f.ctx, v.ItemID)
	if len(open) != 1 {
		t.Errorf("%d open reviews of the item", len(open))
	}
	d := &civic.ModerationDecision{ReviewID: r.ID, ItemID: v.ItemID, Action: civic.DecisionRemove, Code: "harassment", Status: civic.DecisionPending, NeedsSecond: true, DecidedByID: 7}
	f.update(t, func(tx civic.Tx) error { return tx.CreateDecision(f.ctx, d) })
	now := at.Add(time.Hour)
	d.Status, d.SecondBy, d.SecondByID, d.SecondAt, d.FinalAt, d.CarryStatus = civic.DecisionFinal, "b@x", 8, &now, &now, "carried out"
	got.Status, got.ReviewedAt = civic.ReviewDecided, &now
	fm := &civic.TrackingForm{ItemID: v.ItemID, Site: "x:@city", ScreenName: "@resident", Comment: "you idiot", Reason: "harassment", RemovedAt: now, RemovedBy: "a, b",
		ReceivedAt: now, Code: "harassment", ContentHash: "abc"}
	f.update(t, func(tx civic.Tx) error {
		if err := tx.UpdateDecision(f.ctx, d); err != nil {
			return err
		}
		if err := tx.UpdateReview(f.ctx, got); err != nil {
			return err
		}
		fm.DecisionID = d.ID
		return tx.CreateTrackingForm(f.ctx, fm)
	})
	ds, _ := f.s.Decisions(f.ctx, r.ID)
	if len(ds) != 1 || ds[0].Status != civic.DecisionFinal || ds[0].SecondBy != "b@x" || ds[0].DecidedBy != "suite" || ds[0].Account != "x:@city" || ds[0].FinalAt == nil {
		t.Errorf("decisions = %+v", ds)
	}
	if open, _ = f.s.OpenReviewsOfItem(f.ctx, v.ItemID); len(open) != 0 {
		t.Errorf("a decided review is still open")
	}
	// A second form for the same decision is refused.
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error { dup := *fm; return tx.CreateTrackingForm(f.ctx, &dup) })
	wantErr(t, err, civic.KindConflict, "")

	q := &civic.Inquiry{FormID: fm.ID, Name: "R", Contact: "r@example.org", Question: "why?", ReceivedAt: now, DueAt: now.AddDate(0, 0, 10)}
	f.update(t, func(tx civic.Tx) error { return tx.CreateInquiry(f.ctx, q) })
	q.Response, q.Outcome, q.AnsweredAt, q.AnsweredBy = "because", "upheld", &now, "a@x"
	f.update(t, func(tx civic.Tx) error { return tx.UpdateInquiry(f.ctx, q) })
	if open, _ := f.s.Inquiries(f.ctx, true); len(open) != 0 {
		t.Errorf("an answered inquiry is open")
	}
	if all, _ := f.s.Inquiries(f.ctx, false); len(all) != 1 || all[0].Response != "because" || !all[0].Matched || all[0].FormID != fm.ID {
		t.Errorf("inquiries = %+v", all)
	}

	rp := &civic.StaffReport{ItemID: v.ItemID, Note: "bad", To: "communications", ReporterID: 3}
	f.update(t, func(tx civic.Tx) error { return tx.CreateStaffReport(f.ctx, rp) })
	rp.Status, rp.ClosedBy, rp.ClosedAt = "closed", "a@x", &now
	f.update(t, func(tx civic.Tx) error { return tx.UpdateStaffReport(f.ctx, rp) })
	if rs, _ := f.s.StaffReports(f.ctx); len(rs) != 1 || rs[0].Status != "closed" || rs[0].ReportedBy != "suite" {
		t.Errorf("reports = %+v", rs)
	}

	dis := &civic.FormDisposal{AsOf: now, FormIDs: []int64{fm.ID}}
	f.update(t, func(tx civic.Tx) error { return tx.CreateFormDisposal(f.ctx, dis) })
	var n int
	f.update(t, func(tx civic.Tx) error { var err error; n, err = tx.ExecuteFormDisposal(f.ctx, dis.ID); return err })
	gf, _ := f.s.TrackingForm(f.ctx, fm.ID)
	if n != 1 || gf.Comment != civic.FormTombstone || gf.ContentHash != "abc" || gf.DisposalID != dis.ID || gf.DisposedAt == nil {
		t.Errorf("disposed %d; form = %+v", n, gf)
	}
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error { _, err := tx.ExecuteFormDisposal(f.ctx, dis.ID); return err })
	wantErr(t, err, civic.KindConflict, "")
	if it, _ := f.s.ArchiveItem(f.ctx, v.ItemID); it.Text != "you idiot" {
		t.Errorf("the archived comment reads %q after the form's disposal", it.Text)
	}
}

// testInquiryReferences: unmatched inquiries are stored without a form, and
// reference numbers run 1, 2, … within each year, starting again at 1.
func testInquiryReferences(t *testing.T, f *fixture) {
	file := func(at time.Time) *civic.Inquiry {
		q := &civic.Inquiry{Account: "x:@city", ScreenName: "@r", Name: "R", Contact: "r@example.org", Question: "why?", ReceivedAt: at, DueAt: at.AddDate(0, 0, 10)}
		f.update(t, func(tx civic.Tx) error { return tx.CreateInquiry(f.ctx, q) })
		return q
	}
	dec31 := time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)
	var got []string
	for _, at := range []time.Time{dec31, dec31.Add(30 * time.Minute), dec31.Add(2 * time.Hour), dec31.Add(3 * time.Hour)} {
		got = append(got, file(at).Reference)
	}
	want := []string{"INQ-2026-0001", "INQ-2026-0002", "INQ-2027-0001", "INQ-2027-0002"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("references = %v, want %v", got, want)
	}
	all, err := f.s.Inquiries(f.ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	for i, q := range all {
		if q.Reference != want[i] || q.Matched || q.FormID != 0 || q.ScreenName != "@r" || q.Account != "x:@city" {
			t.Errorf("stored inquiry %d = %+v", i, q)
		}
	}
	if len(all) != len(want) {
		t.Errorf("%d inquiries stored, want %d", len(all), len(want))
	}
}
