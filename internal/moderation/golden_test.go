package moderation_test

import (
	"bytes"
	"flag"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/moderation"
	"steward.city/steward/internal/pdf/pdftest"
	"steward.city/steward/internal/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with what the tests produce")

// golden compares got with testdata/name, or with -update writes it there.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	storetest.Golden(t, *update, name, got)
}

// TestFormPDFGolden removes a comment naming an official, with a second
// reviewer, at a fixed time, and compares the Removed Comments Tracking
// Form's PDF with testdata/tracking_form.pdf. Every engine must write the
// same PDF.
func TestFormPDFGolden(t *testing.T) {
	t.Parallel()
	var first []byte
	for _, eng := range storetest.Engines(t) {
		e := newEnv(t, eng)
		at := time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC)
		e.ingest("p1", "post", "@parks", "Splash pad opens Saturday.", "visible", at)
		e.ingest("c2", "comment", "@troll@bad.example", "Hana Yusuf is an idiot", "visible", at.Add(2*time.Minute))
		e.screen(1)
		q, err := e.svc.Queue(e.ctx, civic.ActorOf(e.ana), false)
		if err != nil || len(q) != 1 {
			t.Fatalf("%s: queue = %v, %v", eng.Name, q, err)
		}
		d, err := e.svc.Decide(e.ctx, civic.ActorOf(e.ana), q[0].ID, moderation.DecideInput{Action: civic.DecisionRemove, Code: "harassment", Note: "personal attack"})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour)
		if d, err = e.svc.Second(e.ctx, civic.ActorOf(e.ben), d.ID, true, "agreed"); err != nil {
			t.Fatal(err)
		}
		forms, err := e.svc.Forms(e.ctx, civic.ActorOf(e.ana))
		if err != nil || len(forms) != 1 {
			t.Fatalf("%s: forms = %v, %v", eng.Name, forms, err)
		}
		var out bytes.Buffer
		if err := moderation.WriteFormPDF(&out, forms[0], d, time.UTC); err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = out.Bytes()
			golden(t, "tracking_form.pdf", first)
		} else if !bytes.Equal(out.Bytes(), first) {
			t.Errorf("%s writes another tracking form than sqlite", eng.Name)
		}
	}
}

// TestFormShowsCityDates: a comment posted and removed on the evening of
// Dec 2 in Chicago (Dec 3 in UTC) reads Dec 2 on the form and its PDF.
func TestFormShowsCityDates(t *testing.T) {
	t.Parallel()
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	evening := time.Date(2026, 12, 3, 0, 22, 0, 0, time.UTC) // 6:22 PM CST, Dec 2
	carried := evening.Add(time.Hour)
	f := &civic.TrackingForm{ID: 7, Site: "mastodon:@parks", PostedAt: &evening, ScreenName: "troll", Comment: "spam",
		Reason: "spam", RemovedAt: evening, RemovedBy: "Ana", ReceivedAt: evening}
	d := &civic.ModerationDecision{Action: civic.DecisionRemove, CarryStatus: moderation.CarryDone, CarriedOutAt: &carried}
	for _, kv := range moderation.FormFields(f, chicago) {
		if strings.Contains(kv[0], "Date") && kv[1] != "Dec 2, 2026" {
			t.Errorf("%s: %q, want Dec 2, 2026", kv[0], kv[1])
		}
	}
	if got := moderation.OnPlatform(d, chicago); got != "removed from the platform on Dec 2, 2026" {
		t.Errorf("on the platform: %q", got)
	}
	var pdf bytes.Buffer
	if err := moderation.WriteFormPDF(&pdf, f, d, chicago); err != nil {
		t.Fatal(err)
	}
	if text, ok := pdftest.Text(t, pdf.Bytes()); ok {
		if n := strings.Count(text, "Dec 2, 2026"); n < 3 || strings.Contains(text, "Dec 3") {
			t.Errorf("the PDF has Dec 2 %d times (want posted, removed and received at least, and no Dec 3): %s", n, text)
		}
	}
	// In UTC the same instants are Dec 3: the zone is what changed.
	if got := moderation.OnPlatform(d, time.UTC); got != "removed from the platform on Dec 3, 2026" {
		t.Errorf("on the platform in UTC: %q", got)
	}
}
