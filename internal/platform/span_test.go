package platform

import (
	"testing"
	"time"
)

func at(h int) *time.Time {
	t := time.Date(2026, 3, 2, h, 0, 0, 0, time.UTC)
	return &t
}

func TestSpanCursor(t *testing.T) {
	c := SpanCursor("QVFIUzI", *at(9))
	if c != "QVFIUzI|2026-03-02T09:00:00Z" {
		t.Fatalf("cursor %q", c)
	}
	tok, b, ok := SplitSpanCursor(c)
	if tok != "QVFIUzI" || !ok || !b.Equal(*at(9)) {
		t.Errorf("split %q: %q %v %v", c, tok, b, ok)
	}
	// Cursors stored before spans, and tokens holding a "|" of their own,
	// are all token.
	for _, old := range []string{"QVFIUzI", "UUabc EAAaBl", "a|b", "?after=x%7Cy|notatime", ""} {
		if tok, _, ok := SplitSpanCursor(old); tok != old || ok {
			t.Errorf("split %q: %q %v", old, tok, ok)
		}
	}
	if SpanCursor("", *at(9)) != "" || SpanCursor("tok", time.Time{}) != "tok" {
		t.Error("no next page, or an unknown boundary, must not carry a time")
	}
}

func TestListingSpan(t *testing.T) {
	cases := []struct {
		name     string
		l        Listing
		nilSpan  bool
		from, to *time.Time // nil: open
		next     *time.Time // nil: zero
	}{
		{name: "newest page", l: Listing{First: true, Times: []*time.Time{at(9), at(7), at(8)}, More: true}, from: at(7), next: at(7)},
		{name: "middle page", l: Listing{To: *at(7), HasTo: true, Times: []*time.Time{at(6), at(5)}, More: true}, from: at(5), to: at(7), next: at(5)},
		{name: "last page of a whole listing", l: Listing{To: *at(5), HasTo: true, Times: []*time.Time{at(4)}, Whole: true}, to: at(5), next: at(4)},
		{name: "last page of a capped listing", l: Listing{To: *at(5), HasTo: true, Times: []*time.Time{at(4)}}, from: at(4), to: at(5), next: at(4)},
		{name: "old cursor", l: Listing{Times: []*time.Time{at(4)}, More: true}, nilSpan: true, next: at(4)},
		{name: "a post without a time", l: Listing{First: true, Times: []*time.Time{at(9), nil}, More: true}, nilSpan: true, next: at(9)},
		{name: "empty later page", l: Listing{To: *at(5), HasTo: true}, nilSpan: true, next: at(5)},
		{name: "no post at all", l: Listing{First: true, Whole: true}},
		{name: "empty first page of a capped listing", l: Listing{First: true}, nilSpan: true},
		{name: "out of order", l: Listing{To: *at(5), HasTo: true, Times: []*time.Time{at(6)}, More: true}, nilSpan: true, next: at(5)},
	}
	for _, c := range cases {
		sp, next := c.l.Span()
		if c.nilSpan != (sp == nil) {
			t.Errorf("%s: span %+v", c.name, sp)
			continue
		}
		want := func(p *time.Time) time.Time {
			if p == nil {
				return time.Time{}
			}
			return *p
		}
		if sp != nil && (!sp.From.Equal(want(c.from)) || !sp.To.Equal(want(c.to))) {
			t.Errorf("%s: span %+v, want from %v to %v", c.name, sp, want(c.from), want(c.to))
		}
		if !next.Equal(want(c.next)) {
			t.Errorf("%s: next boundary %v, want %v", c.name, next, want(c.next))
		}
	}
}
