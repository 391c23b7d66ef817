package web

import (
	"bytes"
	"html/template"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
)

func chicago(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestTypedTimesAreTheCitys: a date-time typed into a form (it has no zone)
// is the city's, and a day typed for a legal hold starts and ends at the
// city's midnights.
func TestTypedTimesAreTheCitys(t *testing.T) {
	loc := chicago(t)
	r := httptest.NewRequest("POST", "/capture", strings.NewReader("access_token=x&expires_at=2026-12-02T18:22"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	tok, err := readToken(r, loc)
	if err != nil || tok.ExpiresAt == nil || tok.ExpiresAt.Format(time.RFC3339) != "2026-12-03T00:22:00Z" {
		t.Errorf("expiry %v, %v; want 2026-12-03T00:22:00Z", tok.ExpiresAt, err)
	}
	r = httptest.NewRequest("POST", "/capture", strings.NewReader("access_token=x&expires_at=tomorrow"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, err := readToken(r, loc); civic.ErrorField(err) != "expires_at" {
		t.Errorf("a bad expiry: %v", err)
	}
	from, err := cityDate("from", "2026-03-08", false, loc)
	if err != nil || from.Format(time.RFC3339) != "2026-03-08T06:00:00Z" {
		t.Errorf("from %v, %v", from, err)
	}
	until, err := cityDate("until", "2026-03-08", true, loc)
	if err != nil || until.Format(time.RFC3339) != "2026-03-09T05:00:00Z" {
		t.Errorf("until %v, %v (the day the clocks go forward is 23 hours long)", until, err)
	}
	if _, err := cityDate("until", "March 8", true, loc); civic.ErrorField(err) != "until" {
		t.Errorf("a bad day: %v", err)
	}
}

// TestTemplateFuncs: instants in the city's zone, calendar days as they
// are, counts with their plural, durations in words.
func TestTemplateFuncs(t *testing.T) {
	loc := chicago(t)
	evening := time.Date(2026, 12, 3, 0, 22, 0, 0, time.UTC)
	due := time.Date(2026, 12, 16, 0, 0, 0, 0, time.UTC)
	var none *time.Time
	tm := template.Must(template.New("t").Funcs(templateFuncs(loc)).Parse(
		`{{time .E}}|{{timep .P}}|{{date .E}}|{{longdate .E}}|{{day .D}}|{{day .N}}|{{day .DP}}|{{count 1 "item" "items"}}|{{count .I64 "item" "items"}}|{{plural 1 "comment" "comments"}}|{{duration .Dur}}`))
	var b bytes.Buffer
	err := tm.Execute(&b, map[string]any{"E": evening, "P": &evening, "D": due, "N": none, "DP": &due, "I64": int64(1234), "Dur": 90 * time.Minute})
	want := "Dec 2, 2026, 6:22 PM CST|Dec 2, 2026, 6:22 PM CST|Dec 2, 2026|Wednesday, December 2, 2026|Dec 16, 2026||Dec 16, 2026|1 item|1,234 items|comment|1 hour 30 minutes"
	if err != nil || b.String() != want {
		t.Errorf("got  %q, %v\nwant %q", b.String(), err, want)
	}
	if err := template.Must(template.New("t").Funcs(templateFuncs(loc)).Parse(`{{count "x" "a" "b"}}`)).Execute(&b, nil); err == nil {
		t.Error("count of a string did not fail")
	}
}

// A message naming a page links to it by name, and nothing else in the
// message becomes markup: a crafted account name stays text.
func TestLinkPages(t *testing.T) {
	got := string(linkPages(`Nobody can decide for <b>@x</b>; set one at /settings/approvals.`))
	want := `Nobody can decide for &lt;b&gt;@x&lt;/b&gt;; set one at <a href="/settings/approvals">Approval settings</a>.`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
