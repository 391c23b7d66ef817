package records_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/records"
)

func TestDueDateAndFee(t *testing.T) {
	t.Parallel()
	svc := records.New(records.Config{Holidays: []time.Time{time.Date(2026, 12, 25, 0, 0, 0, 0, time.UTC)}})
	for received, want := range map[string]string{
		"2026-11-02": "2026-11-16", // a Monday: two full weeks
		"2026-11-07": "2026-11-20", // a Saturday: counted from Monday
		"2026-12-17": "2027-01-01", // Christmas skipped (New Year's Day is not in this list)
	} {
		d, _ := time.Parse(time.DateOnly, received)
		if got := svc.DueDate(d).Format(time.DateOnly); got != want {
			t.Errorf("DueDate(%s) = %s, want %s", received, got, want)
		}
	}
	for _, c := range []struct {
		pages      int
		cost, want int64
	}{{0, 0, 0}, {10, 0, 250}, {100, 999, 2500}, {101, 4200, 4200}} {
		if got := svc.Fee(c.pages, c.cost); got != c.want {
			t.Errorf("Fee(%d, %d) = %d, want %d", c.pages, c.cost, got, c.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		"call (651) 555-0123 or 651.555.0199":  "[{5 19 13.356 (651) 555-0123} {23 35 13.356 651.555.0199}]",
		"write to kim.lee@example.org today":   "[{9 28 13.356 kim.lee@example.org}]",
		"my ssn is 123-45-6789":                "[{10 21 13.355 123-45-6789}]",
		"the 2026 budget is 1,234,567 dollars": "[]",
	} {
		if got := fmt.Sprint(records.Suggest(text)); got != want {
			t.Errorf("Suggest(%q) = %s, want %s", text, got, want)
		}
	}
}

// TestDueDateOnCityCalendar counts business days on the city's calendar:
// a request received late in the evening was received that day, not on
// the next day in UTC, and is due until the end of the due day there,
// across a change of daylight saving time.
func TestDueDateOnCityCalendar(t *testing.T) {
	t.Parallel()
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	svc := records.New(records.Config{Location: chicago})
	utc := records.New(records.Config{})
	for _, c := range []struct {
		name     string
		received time.Time // an instant, in UTC
		day      string    // the city's day it was received
		due      string    // the due day
		by       string    // the end of the due day, in UTC
		utcDue   string    // what counting in UTC would have said
	}{
		// Wed Dec 2, 11:30 PM CST is Thu Dec 3, 05:30 UTC.
		{"late evening", time.Date(2026, 12, 3, 5, 30, 0, 0, time.UTC), "2026-12-02", "2026-12-16", "2026-12-17T05:59:59.999999Z", "2026-12-17"},
		// Sat Mar 7, 11:30 PM CST; the clocks go forward Sun Mar 8; due
		// Fri Mar 20, which ends at midnight CDT (UTC-5).
		{"spring forward", time.Date(2026, 3, 8, 5, 30, 0, 0, time.UTC), "2026-03-07", "2026-03-20", "2026-03-21T04:59:59.999999Z", "2026-03-20"},
		// Sat Oct 31, 11:30 PM CDT; the clocks go back Sun Nov 1; due
		// Fri Nov 13, which ends at midnight CST (UTC-6).
		{"fall back", time.Date(2026, 11, 1, 4, 30, 0, 0, time.UTC), "2026-10-31", "2026-11-13", "2026-11-14T05:59:59.999999Z", "2026-11-13"},
		// Mon Nov 2, 00:30 CST (06:30 UTC) is Monday in both.
		{"after midnight", time.Date(2026, 11, 2, 6, 30, 0, 0, time.UTC), "2026-11-02", "2026-11-16", "2026-11-17T05:59:59.999999Z", "2026-11-16"},
	} {
		d := svc.Day(c.received)
		if got := d.Format(time.RFC3339); got != c.day+"T00:00:00Z" {
			t.Errorf("%s: received on %s, want %s", c.name, got, c.day)
		}
		due := svc.DueDate(d)
		if got := due.Format(time.DateOnly); got != c.due {
			t.Errorf("%s: due %s, want %s", c.name, got, c.due)
		}
		if got := svc.DueBy(due).Format(time.RFC3339Nano); got != c.by {
			t.Errorf("%s: due by %s, want %s", c.name, got, c.by)
		}
		if got := utc.DueDate(utc.Day(c.received)).Format(time.DateOnly); got != c.utcDue {
			t.Errorf("%s: in UTC due %s, want %s", c.name, got, c.utcDue)
		}
	}
}

// TestCheckReportsEveryField: an empty request names every field to fix at
// once, not the first only.
func TestCheckReportsEveryField(t *testing.T) {
	t.Parallel()
	svc := records.New(records.Config{})
	r := &civic.RecordsRequest{Pages: -1, ActualCost: -5, Kind: "rumor", Status: "lost"}
	err := svc.Check(r)
	var fields []string
	for _, e := range civic.Errors(err) {
		fields = append(fields, e.Field)
	}
	want := "requester description received_on pages actual_cost kind status scope"
	if got := strings.Join(fields, " "); got != want {
		t.Errorf("fields = %q, want %q", got, want)
	}
	if civic.ErrorKind(err) != civic.KindInvalid || civic.ErrorField(err) != "requester" {
		t.Errorf("the joined error is %v, field %q: want invalid, the first field", civic.ErrorKind(err), civic.ErrorField(err))
	}
	if r.Kind != "rumor" || r.Status != "lost" {
		t.Errorf("Check changed the request: %+v", r)
	}
}
