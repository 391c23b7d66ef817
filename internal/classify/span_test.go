package classify

import (
	"slices"
	"testing"
)

// TestSpansForOtherScreens checks the rules other screens import: the
// spans are the ones the comment screen finds, in text order.
func TestSpansForOtherScreens(t *testing.T) {
	t.Parallel()
	s := "Text me at 612-555-0148 or mail a.b@example.com; I'm at 1420 Foxmoor Dr SW, plate KPX 417."
	var got []string
	for _, h := range RuleSpans(s) {
		got = append(got, h.Rule+":"+s[h.Start:h.End])
	}
	want := []string{"phone:612-555-0148", "email:a.b@example.com", "address:1420 Foxmoor Dr SW", "plate:KPX 417"}
	if !slices.Equal(got, want) {
		t.Errorf("RuleSpans = %q, want %q", got, want)
	}
	w := "What the f*ck, this is crap. Scunthorpe is fine."
	got = nil
	for _, h := range WordSpans(w, "vulgar") {
		got = append(got, w[h.Start:h.End])
	}
	if !slices.Equal(got, []string{"f*ck", "crap"}) {
		t.Errorf("WordSpans = %q", got)
	}
	if WordSpans(w, "no-such-code") != nil {
		t.Error("an unknown code matched")
	}
	if !CampaignCue("Re-elect Mayor Ortiz!") || CampaignCue("Where do I vote?") {
		t.Error("CampaignCue")
	}
}
