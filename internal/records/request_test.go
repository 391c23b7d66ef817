package records_test

import (
	"fmt"
	"testing"
	"time"

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
