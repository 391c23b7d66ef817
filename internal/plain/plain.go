// Package plain writes what people read: times in the city's time zone
// with its abbreviation, calendar days, durations and counts in English.
// Stored times stay UTC; only what is shown is converted.
package plain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Zone loads the IANA time zone name (America/Chicago), refusing an empty
// name and "Local", which would depend on the machine Steward runs on.
func Zone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	switch name {
	case "":
		return nil, fmt.Errorf("time zone: give the city's IANA time zone name, such as America/Chicago")
	case "Local":
		return nil, fmt.Errorf("time zone %q: give the city's IANA time zone name, such as America/Chicago, not the machine's", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q is not a known IANA time zone name (such as America/Chicago or Europe/Paris)", name)
	}
	return loc, nil
}

func in(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc)
}

// Time writes an instant in the city's zone with the zone's abbreviation:
// "Dec 2, 2026, 6:22 PM CST". The zero time is "".
func Time(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return in(t, loc).Format("Jan 2, 2006, 3:04 PM MST")
}

// Stamp writes an instant to the second, for records that list several
// versions a minute apart: "Dec 2, 2026, 6:22:05 PM CST".
func Stamp(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return in(t, loc).Format("Jan 2, 2006, 3:04:05 PM MST")
}

// Date writes the city's calendar day of an instant: "Dec 2, 2026".
func Date(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return in(t, loc).Format("Jan 2, 2006")
}

// LongDate writes the city's calendar day of an instant in words, for
// residents: "Wednesday, December 2, 2026".
func LongDate(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return in(t, loc).Format("Monday, January 2, 2006")
}

// Day writes a calendar day stored as midnight UTC (a due date, a date
// typed into a form): "Dec 2, 2026". It is not converted: the day is
// already the city's.
func Day(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return d.UTC().Format("Jan 2, 2006")
}

// LongDay writes a calendar day stored as midnight UTC in words.
func LongDay(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return d.UTC().Format("Monday, January 2, 2006")
}

// CityDay returns the city's calendar day of the instant t, as calendar
// days are stored: midnight UTC of that day. Dec 2, 11:30 PM CST (Dec 3,
// 05:30 UTC) is Dec 2.
func CityDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := in(t, loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// EndOfDay returns the last moment of the calendar day d (stored as
// midnight UTC) in the city: 11:59:59.999999 PM there, in UTC. A day
// that is due is due until then, whatever its length across a change of
// daylight saving time.
func EndOfDay(d time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	y, m, dd := d.UTC().Date()
	return time.Date(y, m, dd+1, 0, 0, 0, 0, loc).Add(-time.Microsecond).UTC()
}

// Duration writes a duration in English, to the largest two units that
// matter: "10 minutes", "1 hour 30 minutes", "2 days 3 hours",
// "45 seconds", "less than a second". Never Go's "10m0s".
func Duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d < time.Second {
		return "less than a second"
	}
	units := []struct {
		size      time.Duration
		one, many string
	}{
		{24 * time.Hour, "day", "days"},
		{time.Hour, "hour", "hours"},
		{time.Minute, "minute", "minutes"},
		{time.Second, "second", "seconds"},
	}
	var parts []string
	for i, u := range units {
		n := d / u.size
		if n == 0 {
			if len(parts) > 0 {
				break
			}
			continue
		}
		d -= n * u.size
		parts = append(parts, Count(int(n), u.one, u.many))
		if len(parts) == 2 || i == len(units)-1 {
			break
		}
	}
	return strings.Join(parts, " ")
}

// Count writes a number with the right form of its noun: "1 item",
// "0 items", "1,234 items".
func Count(n int, one, many string) string {
	if n == 1 || n == -1 {
		return Number(n) + " " + one
	}
	return Number(n) + " " + many
}

// Size writes a file's size as people read it, in decimal units as disks
// and downloads count them, with the exact bytes beside a rounded size:
// "512 bytes", "8.3 MB (8,349,548 bytes)".
func Size(n int64) string {
	exact := Count(int(n), "byte", "bytes")
	if n < 1000 {
		return exact
	}
	v, unit := float64(n)/1e3, "kB"
	for _, u := range []string{"MB", "GB", "TB"} {
		if v < 999.95 {
			break
		}
		v, unit = v/1e3, u
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + unit + " (" + exact + ")"
}

// Number writes an integer with thousands separators: 1,234,567.
func Number(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// durationUnits are the English units ParseDuration reads.
var durationUnits = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
}

// ParseDuration reads a duration as people write it, "10 minutes",
// "1 hour 30 minutes", "90 min", "2h", as well as Go's "1h30m".
func ParseDuration(s string) (time.Duration, error) {
	in := strings.TrimSpace(strings.ToLower(s))
	if d, err := time.ParseDuration(in); err == nil {
		return d, nil
	}
	fields := strings.Fields(strings.NewReplacer(",", " ", " and ", " ").Replace(in))
	// Split "10minutes" into "10" "minutes".
	var words []string
	for _, f := range fields {
		i := strings.IndexFunc(f, func(r rune) bool { return r < '0' || r > '9' })
		if i > 0 {
			words = append(words, f[:i], f[i:])
		} else {
			words = append(words, f)
		}
	}
	if len(words) == 0 || len(words)%2 != 0 {
		return 0, fmt.Errorf("%q is not a duration such as 10 minutes or 1 hour 30 minutes", s)
	}
	var total time.Duration
	for i := 0; i < len(words); i += 2 {
		n, err := strconv.Atoi(words[i])
		u, ok := durationUnits[words[i+1]]
		if err != nil || !ok || n < 0 || n > 100000 {
			return 0, fmt.Errorf("%q is not a duration such as 10 minutes or 1 hour 30 minutes", s)
		}
		total += time.Duration(n) * u
	}
	return total, nil
}
