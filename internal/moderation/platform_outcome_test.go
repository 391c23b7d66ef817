package moderation_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/moderation"
	"steward.city/steward/internal/pdf/pdftest"
	"steward.city/steward/internal/storetest"
)

// TestPlatformOutcome: the tracking form says a comment was removed from
// the platform only when the platform did it, and otherwise that the
// removal is recorded in Steward only, and why; the transparency report
// counts removals carried out apart from those refused or not carried out.
func TestPlatformOutcome(t *testing.T) {
	e := newEnv(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	at := time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC)
	e.ingest("p1", "post", "@parks", "Splash pad opens Saturday.", "visible", at)
	for i, text := range []string{"cheap pills here", "cheap watches here", "cheap loans here", "cheap shoes here"} {
		e.ingest(fmt.Sprintf("c%d", i+1), "comment", fmt.Sprintf("@s%d@x.example", i), text, "visible", at.Add(time.Duration(i+1)*time.Minute))
	}
	e.screen(4)
	q, err := e.svc.Queue(e.ctx, civic.ActorOf(e.ana), false)
	if err != nil || len(q) != 4 {
		t.Fatalf("queue = %v, %v", q, err)
	}
	cases := []struct {
		err    error
		action civic.DecisionAction
		want   string
	}{
		{nil, civic.DecisionRemove, "removed from the platform on 2026-11-20"},
		{fmt.Errorf("mastodon: %w", civic.ErrUnsupported), civic.DecisionHide,
			"recorded in Steward; not carried out on the platform: the platform does not allow this (mastodon: the platform does not allow this)"},
		{fmt.Errorf("mastodon: HTTP 422"), civic.DecisionRemove, "recorded in Steward; not carried out on the platform: the platform call failed (mastodon: HTTP 422)"},
		{civic.Errorf(civic.KindUnavailable, "the account has no platform connection"), civic.DecisionRemove,
			"recorded in Steward; not carried out on the platform: no platform connection yet (the account has no platform connection)"},
	}
	for i, c := range cases {
		e.carrier.err = c.err
		d, err := e.svc.Decide(e.ctx, civic.ActorOf(e.ana), q[i].ID, moderation.DecideInput{Action: c.action, Code: "spam"})
		if err != nil {
			t.Fatal(err)
		}
		got := moderation.OnPlatform(d)
		if got != c.want {
			t.Errorf("decision %d: %q, want %q", i, got, c.want)
		}
		f, err := e.store.TrackingForms(e.ctx)
		if err != nil || len(f) != i+1 {
			t.Fatalf("forms %v, %v", f, err)
		}
		// The PDF says what happened on the platform, word for word.
		var pdf bytes.Buffer
		if err := moderation.WriteFormPDF(&pdf, f[0], d); err != nil {
			t.Fatal(err)
		}
		if text, ok := pdftest.Text(t, pdf.Bytes()); ok && !strings.Contains(pdftest.Normalize(text), c.want) {
			t.Errorf("decision %d: the PDF lacks %q: %s", i, c.want, text)
		}
	}
	tr, err := e.svc.Transparency(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Removals != 4 || tr.CarriedOut != 1 || tr.Refused != 2 || tr.NotCarriedOut != 1 || tr.Reversed != 0 {
		t.Errorf("transparency %+v: want 4 removals, 1 carried out, 2 refused, 1 not carried out", tr)
	}
}
