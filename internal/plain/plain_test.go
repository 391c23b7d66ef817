package plain_test

import (
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/plain"
)

func chicago(t *testing.T) *time.Location {
	t.Helper()
	loc, err := plain.Zone("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestZone(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "  ", "Local", "America/Chicgo", "CST6", "../../etc/passwd"} {
		if _, err := plain.Zone(bad); err == nil {
			t.Errorf("Zone(%q) accepted", bad)
		} else if !strings.Contains(err.Error(), "time zone") {
			t.Errorf("Zone(%q) = %v, want an error naming the time zone", bad, err)
		}
	}
	for _, good := range []string{"America/Chicago", "UTC", "Europe/Paris", " Pacific/Auckland "} {
		if _, err := plain.Zone(good); err != nil {
			t.Errorf("Zone(%q) = %v", good, err)
		}
	}
}

func TestTimeInCityZone(t *testing.T) {
	t.Parallel()
	loc := chicago(t)
	for _, c := range []struct {
		utc       time.Time
		time      string
		date      string
		long      string
		day       string
		nilZoneAt string
	}{
		// A comment posted Dec 2 at 6:22 PM Central is Dec 3 in UTC.
		{time.Date(2026, 12, 3, 0, 22, 0, 0, time.UTC), "Dec 2, 2026, 6:22 PM CST", "Dec 2, 2026", "Wednesday, December 2, 2026", "2026-12-02", "Dec 3, 2026, 12:22 AM UTC"},
		// Summer: daylight time.
		{time.Date(2026, 7, 4, 14, 5, 0, 0, time.UTC), "Jul 4, 2026, 9:05 AM CDT", "Jul 4, 2026", "Saturday, July 4, 2026", "2026-07-04", "Jul 4, 2026, 2:05 PM UTC"},
		// The hour after the clocks go back is CST, the hour before CDT.
		{time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC), "Nov 1, 2026, 1:30 AM CDT", "Nov 1, 2026", "Sunday, November 1, 2026", "2026-11-01", "Nov 1, 2026, 6:30 AM UTC"},
		{time.Date(2026, 11, 1, 7, 30, 0, 0, time.UTC), "Nov 1, 2026, 1:30 AM CST", "Nov 1, 2026", "Sunday, November 1, 2026", "2026-11-01", "Nov 1, 2026, 7:30 AM UTC"},
	} {
		if got := plain.Time(c.utc, loc); got != c.time {
			t.Errorf("Time(%s) = %q, want %q", c.utc, got, c.time)
		}
		if got := plain.Time(c.utc.In(time.FixedZone("X", 3600)), loc); got != c.time {
			t.Errorf("Time(%s in another zone) = %q, want %q", c.utc, got, c.time)
		}
		if got := plain.Date(c.utc, loc); got != c.date {
			t.Errorf("Date(%s) = %q, want %q", c.utc, got, c.date)
		}
		if got := plain.LongDate(c.utc, loc); got != c.long {
			t.Errorf("LongDate(%s) = %q, want %q", c.utc, got, c.long)
		}
		if got := plain.CityDay(c.utc, loc).Format(time.RFC3339); got != c.day+"T00:00:00Z" {
			t.Errorf("CityDay(%s) = %s, want %s", c.utc, got, c.day)
		}
		if got := plain.Time(c.utc, nil); got != c.nilZoneAt {
			t.Errorf("Time(%s, nil) = %q, want %q", c.utc, got, c.nilZoneAt)
		}
	}
	if plain.Time(time.Time{}, loc) != "" || plain.Date(time.Time{}, loc) != "" || plain.Day(time.Time{}) != "" {
		t.Error("the zero time is not empty")
	}
}

func TestDayIsNotConverted(t *testing.T) {
	t.Parallel()
	// A due date typed into a form is stored as midnight UTC; shown in
	// Chicago it must not become the day before.
	d := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	if got := plain.Day(d); got != "Dec 2, 2026" {
		t.Errorf("Day = %q", got)
	}
	if got := plain.LongDay(d); got != "Wednesday, December 2, 2026" {
		t.Errorf("LongDay = %q", got)
	}
}

func TestEndOfDay(t *testing.T) {
	t.Parallel()
	loc := chicago(t)
	for _, c := range []struct {
		day  string
		want string
	}{
		{"2026-12-16", "2026-12-17T05:59:59.999999Z"}, // CST, UTC-6
		{"2026-07-04", "2026-07-05T04:59:59.999999Z"}, // CDT, UTC-5
		{"2026-03-08", "2026-03-09T04:59:59.999999Z"}, // the 23-hour day ends in CDT
		{"2026-11-01", "2026-11-02T05:59:59.999999Z"}, // the 25-hour day ends in CST
	} {
		d, _ := time.Parse(time.DateOnly, c.day)
		if got := plain.EndOfDay(d, loc).Format(time.RFC3339Nano); got != c.want {
			t.Errorf("EndOfDay(%s) = %s, want %s", c.day, got, c.want)
		}
		if got := plain.CityDay(plain.EndOfDay(d, loc), loc); !got.Equal(d) {
			t.Errorf("the end of %s is on %s", c.day, got)
		}
	}
}

func TestDuration(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		0:                                     "less than a second",
		500 * time.Millisecond:                "less than a second",
		time.Second:                           "1 second",
		45 * time.Second:                      "45 seconds",
		10 * time.Minute:                      "10 minutes",
		time.Minute + 30*time.Second:          "1 minute 30 seconds",
		90 * time.Minute:                      "1 hour 30 minutes",
		time.Hour:                             "1 hour",
		time.Hour + 30*time.Second:            "1 hour",
		2*time.Hour + time.Minute:             "2 hours 1 minute",
		24 * time.Hour:                        "1 day",
		51 * time.Hour:                        "2 days 3 hours",
		-10 * time.Minute:                     "10 minutes",
		365 * 24 * time.Hour:                  "365 days",
		10*time.Minute + 999*time.Millisecond: "10 minutes",
	} {
		if got := plain.Duration(d); got != want {
			t.Errorf("Duration(%s) = %q, want %q", d, got, want)
		}
		if strings.ContainsAny(plain.Duration(d), "0123456789") && strings.Contains(plain.Duration(d), "m0s") {
			t.Errorf("Duration(%s) reads like Go", d)
		}
	}
}

func TestCount(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 items"}, {1, "1 item"}, {2, "2 items"}, {1234, "1,234 items"}, {-1, "-1 item"}, {1000000, "1,000,000 items"}, {-1500, "-1,500 items"}} {
		if got := plain.Count(c.n, "item", "items"); got != c.want {
			t.Errorf("Count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n    int64
		want string
	}{{0, "0 bytes"}, {1, "1 byte"}, {999, "999 bytes"}, {1000, "1.0 kB (1,000 bytes)"}, {8349548, "8.3 MB (8,349,548 bytes)"},
		{999949, "999.9 kB (999,949 bytes)"}, {999950, "1.0 MB (999,950 bytes)"}, {4213000000, "4.2 GB (4,213,000,000 bytes)"}} {
		if got := plain.Size(c.n); got != c.want {
			t.Errorf("Size(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]time.Duration{
		"10m": 10 * time.Minute, "1h30m": 90 * time.Minute, "10 minutes": 10 * time.Minute, "1 minute": time.Minute,
		"1 hour 30 minutes": 90 * time.Minute, "90 min": 90 * time.Minute, " 2 Hours ": 2 * time.Hour, "1 hour, 5 minutes": 65 * time.Minute,
		"1 day": 24 * time.Hour, "10minutes": 10 * time.Minute, "1 hour and 2 minutes": 62 * time.Minute,
	} {
		if got, err := plain.ParseDuration(s); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %s, %v; want %s", s, got, err, want)
		}
	}
	for _, bad := range []string{"", "ten minutes", "10", "minutes", "10 fortnights", "1 hour 30", "-5 minutes", "99999999999 hours"} {
		if d, err := plain.ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) = %s, want an error", bad, d)
		}
	}
	// What Duration writes, ParseDuration reads.
	for _, d := range []time.Duration{time.Minute, 10 * time.Minute, 90 * time.Minute, 24 * time.Hour, 51 * time.Hour} {
		if got, err := plain.ParseDuration(plain.Duration(d)); err != nil || got != d {
			t.Errorf("round trip of %s: %s, %v", d, got, err)
		}
	}
}
