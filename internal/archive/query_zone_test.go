package archive_test

import (
	"testing"
	"time"

	"steward.city/steward/internal/archive"
)

// TestQueryDaysInCityZone: from: and to: days are the city's: Dec 2 in
// Chicago runs from 06:00 UTC to 06:00 UTC the next day, and the day the
// clocks change is 23 or 25 hours long. RFC 3339 times stay as given.
func TestQueryDaysInCityZone(t *testing.T) {
	t.Parallel()
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q, from, until string
	}{
		{"from:2026-12-02 to:2026-12-02", "2026-12-02T06:00:00Z", "2026-12-03T06:00:00Z"},
		{"from:2026-03-08 to:2026-03-08", "2026-03-08T06:00:00Z", "2026-03-09T05:00:00Z"},
		{"from:2026-11-01 to:2026-11-01", "2026-11-01T05:00:00Z", "2026-11-02T06:00:00Z"},
		{"from:2026-12-03T00:22:00Z to:2026-12-03T01:00:00-06:00", "2026-12-03T00:22:00Z", "2026-12-03T07:00:00Z"},
	} {
		q, err := archive.ParseQueryIn(c.q, chicago)
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		if got := q.From.Format(time.RFC3339); got != c.from {
			t.Errorf("%s: from %s, want %s", c.q, got, c.from)
		}
		if got := q.Until.Format(time.RFC3339); got != c.until {
			t.Errorf("%s: until %s, want %s", c.q, got, c.until)
		}
	}
	// ParseQuery is UTC's calendar.
	q, err := archive.ParseQuery("from:2026-12-02 to:2026-12-02")
	if err != nil || q.From.Format(time.RFC3339) != "2026-12-02T00:00:00Z" || q.Until.Format(time.RFC3339) != "2026-12-03T00:00:00Z" {
		t.Errorf("UTC days: %+v, %v", q, err)
	}
}
