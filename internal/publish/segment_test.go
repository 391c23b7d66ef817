package publish_test

import (
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/draftscreen"
	"steward.city/steward/internal/publish"
)

// TestSegments: the page marks exactly the findings' words; a finding
// about the whole draft, one past the text's end and one overlapping an
// earlier one mark nothing more.
func TestSegments(t *testing.T) {
	text := "Call Ann at 651-555-0142 or ann@example.org."
	fs := []draftscreen.Finding{
		{Code: "contact_info", Start: 28, End: 43},
		{Code: "contact_info", Start: 12, End: 24},
		{Code: "image_without_alt"},
		{Code: "private_person_name", Start: 14, End: 30}, // overlaps the phone
		{Code: "bogus", Start: 40, End: 99},
	}
	var got []string
	var marked []string
	for _, s := range publish.Segments(text, fs) {
		got = append(got, s.Text)
		if s.Finding != nil {
			marked = append(marked, s.Text)
		}
	}
	joined := ""
	for _, g := range got {
		joined += g
	}
	if joined != text {
		t.Fatalf("segments %q do not rebuild the text", got)
	}
	if len(marked) != 2 || marked[0] != "651-555-0142" || marked[1] != "ann@example.org" {
		t.Fatalf("marked %q", marked)
	}
}

// TestOutgoing: links the text does not hold are added on their own line.
func TestOutgoing(t *testing.T) {
	r := &civic.DraftRevision{Text: "Jobs: https://city.example/jobs", Links: []string{"https://city.example/jobs", "https://city.example/pool"}}
	if got := publish.Outgoing(r); got != "Jobs: https://city.example/jobs\nhttps://city.example/pool" {
		t.Fatalf("outgoing %q", got)
	}
}
