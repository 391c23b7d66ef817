package platform

import (
	"strings"
	"time"

	"steward.city/steward/internal/civic"
)

// SpanCursor is the cursor of the next page of a contiguous listing: the
// platform's paging token and the posting time where this page stopped
// ("token|time"), so that the next page's span can start there.
func SpanCursor(token string, boundary time.Time) string {
	if token == "" {
		return ""
	}
	if boundary.IsZero() {
		return token // the boundary is unknown: the next page claims no span
	}
	return token + "|" + boundary.UTC().Format(time.RFC3339Nano)
}

// SplitSpanCursor splits a cursor made by SpanCursor into the platform's
// token and the boundary time. A cursor without a time (stored before
// spans, or whose boundary was unknown) is all token, and ok is false.
func SplitSpanCursor(cursor string) (token string, boundary time.Time, ok bool) {
	i := strings.LastIndex(cursor, "|")
	if i < 0 {
		return cursor, time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, cursor[i+1:])
	if err != nil {
		return cursor, time.Time{}, false
	}
	return cursor[:i], t.UTC(), true
}

// Listing describes one page of a listing of the account's posts that
// holds every post the platform still shows, newest first.
type Listing struct {
	// First is true for the newest page (the cursor was "").
	First bool
	// To is the boundary the cursor carried, and HasTo whether it carried
	// one; a later page whose cursor has none claims no span.
	To    time.Time
	HasTo bool
	// Times are the posting times of the page's posts that bound it; a
	// post without a time makes the page claim no span.
	Times []*time.Time
	// More is true when another page follows.
	More bool
	// Whole is true when the listing reaches the account's first post,
	// so that its last page's span is open at the older end. Listings
	// capped at a number of posts (X's 3,200) are not whole.
	Whole bool
}

// Span returns the page's span (nil when none can be claimed) and the
// boundary to carry in the next page's cursor (zero when unknown). The
// span runs from the oldest time on the page up to the boundary the page
// before stopped at, so that consecutive pages leave no gap.
func (l Listing) Span() (*civic.Span, time.Time) {
	var oldest time.Time
	known := true
	for _, t := range l.Times {
		if t == nil {
			known = false
			continue
		}
		if oldest.IsZero() || t.Before(oldest) {
			oldest = *t
		}
	}
	next := oldest
	if l.HasTo && (next.IsZero() || l.To.Before(next)) {
		next = l.To // out of order: never leave a gap behind the earlier boundary
	}
	if !known || (!l.First && !l.HasTo) {
		return nil, next
	}
	if len(l.Times) == 0 && !(l.First && l.Whole) {
		return nil, next // an empty page says nothing, except that the account has no post at all
	}
	span := &civic.Span{From: oldest}
	if !l.First {
		span.To = l.To
	}
	if !l.More && l.Whole {
		span.From = time.Time{}
	}
	if !span.To.IsZero() && span.From.After(span.To) {
		return nil, next
	}
	return span, next
}
