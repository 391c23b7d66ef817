package records

import (
	"context"
	"errors"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/plain"
)

// SubjectDays is how many business days a city has to answer a requester
// who is the subject of the data (Minn. Stat. 13.04, subd. 3).
const SubjectDays = 10

// FeePages is how many copied pages are charged per page; beyond, the
// actual cost is charged (Minn. Stat. 13.03, subd. 3(c)).
const FeePages = 100

// DueDate returns the day SubjectDays business days after the day
// received (a calendar day, stored as midnight UTC: see Day), skipping
// weekends and the service's holidays. The request is due until the end
// of that day in the city (DueBy).
func (s *Service) DueDate(received time.Time) time.Time {
	d := day(received)
	for n := 0; n < SubjectDays; {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday && !s.holidays[d.Format(time.DateOnly)] {
			n++
		}
	}
	return d
}

// Fee returns the fee for pages copies: per page up to FeePages pages,
// the actual cost beyond.
func (s *Service) Fee(pages int, actualCost int64) int64 {
	if pages <= FeePages {
		return int64(pages) * s.pageFee
	}
	return actualCost
}

// Day returns the city's calendar day of the instant t, as calendar days
// are stored (midnight UTC): a request received Dec 2 at 11:30 PM Central
// (Dec 3, 05:30 UTC) was received on Dec 2.
func (s *Service) Day(t time.Time) time.Time { return plain.CityDay(t, s.loc) }

// DueBy returns the last moment, in the city, of the due day d.
func (s *Service) DueBy(d time.Time) time.Time { return plain.EndOfDay(d, s.loc) }

// Today returns the city's calendar day now.
func (s *Service) Today() time.Time { return s.Day(s.now()) }

// Location returns the city's time zone.
func (s *Service) Location() *time.Location { return s.loc }

// day returns a calendar day (a date typed in, stored as midnight UTC)
// without its time of day.
func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Check reports every mistake in a request's fields at once (joined, each
// naming its field), changing nothing: a form shows them together.
func (s *Service) Check(r *civic.RecordsRequest) error {
	c := *r
	return s.normalize(&c)
}

// normalize checks a request's fields and fills in its due date (when the
// requester is the subject and none was set) and its fee.
func (s *Service) normalize(r *civic.RecordsRequest) error {
	r.Requester, r.Contact = strings.TrimSpace(r.Requester), strings.TrimSpace(r.Contact)
	r.Description, r.Notes = strings.TrimSpace(r.Description), strings.TrimSpace(r.Notes)
	// Every mistake is reported at once, each naming its field.
	var errs []error
	bad := func(field, format string, args ...any) { errs = append(errs, civic.Invalid(field, format, args...)) }
	switch {
	case r.Requester == "":
		bad("requester", "name the requester")
	case len(r.Requester) > 200:
		bad("requester", "the requester's name is longer than 200 characters")
	}
	if len(r.Contact) > 500 {
		bad("contact", "the contact is longer than 500 characters")
	}
	switch {
	case r.Description == "":
		bad("description", "describe what is requested")
	case len(r.Description) > 10000:
		bad("description", "the description is longer than 10,000 characters")
	}
	if len(r.Notes) > 10000 {
		bad("notes", "the notes are longer than 10,000 characters")
	}
	if r.ReceivedOn.IsZero() {
		bad("received_on", "give the date the request was received")
	}
	if r.Pages < 0 || r.Pages > 10_000_000 {
		bad("pages", "the number of pages is between 0 and 10,000,000")
	}
	if r.ActualCost < 0 {
		bad("actual_cost", "the actual cost may not be negative")
	}
	if r.Kind == "" {
		r.Kind = civic.RequestData
	}
	if r.Kind != civic.RequestData && r.Kind != civic.RequestSubpoena {
		bad("kind", "the kind is data or subpoena")
	}
	if r.Status == "" {
		r.Status = civic.RequestOpen
	}
	switch r.Status {
	case civic.RequestOpen, civic.RequestClosed:
		r.FulfilledOn = nil
	case civic.RequestFulfilled:
		if r.FulfilledOn == nil {
			d := s.Today()
			r.FulfilledOn = &d
		}
	default:
		bad("status", "the status is open, fulfilled or closed")
	}
	scope, scopeBad := []string{}, false
	for _, q := range r.Scope {
		if q = strings.TrimSpace(q); q == "" {
			continue
		}
		if _, err := archive.ParseQueryIn(q, s.loc); err != nil {
			bad("scope", "query %d: %s", len(scope)+1, civic.ErrorMessage(err))
			scopeBad = true
			break
		}
		scope = append(scope, q)
	}
	switch {
	case scopeBad:
	case len(scope) == 0:
		bad("scope", "give at least one archive query, one per line")
	case len(scope) > 50:
		bad("scope", "at most 50 queries")
	}
	if r.DueOn != nil && !r.ReceivedOn.IsZero() && day(*r.DueOn).Before(day(r.ReceivedOn)) {
		bad("due_on", "the due date is before the request was received")
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	r.Scope = scope
	r.ReceivedOn = day(r.ReceivedOn)
	if r.DueOn != nil {
		d := day(*r.DueOn)
		r.DueOn = &d
	} else if r.Subject {
		d := s.DueDate(r.ReceivedOn)
		r.DueOn = &d
	}
	r.Fee = s.Fee(r.Pages, r.ActualCost)
	return nil
}

// Create logs a request and returns how many items each query of its scope
// matches now. A query matching nothing is not an error: the request is
// kept, and the counts say which query to fix.
func (s *Service) Create(ctx context.Context, actor civic.Actor, r *civic.RecordsRequest) ([]int, error) {
	if err := civic.Require(actor, civic.PermRecordsManage); err != nil {
		return nil, err
	}
	if err := s.normalize(r); err != nil {
		return nil, err
	}
	if err := s.update(ctx, actor, func(tx civic.Tx) error { return tx.CreateRecordsRequest(ctx, r) }); err != nil {
		return nil, err
	}
	return s.ScopeCounts(ctx, actor, r)
}

// Update changes a request.
func (s *Service) Update(ctx context.Context, actor civic.Actor, r *civic.RecordsRequest) ([]int, error) {
	if err := civic.Require(actor, civic.PermRecordsManage); err != nil {
		return nil, err
	}
	if err := s.normalize(r); err != nil {
		return nil, err
	}
	if err := s.update(ctx, actor, func(tx civic.Tx) error { return tx.UpdateRecordsRequest(ctx, r) }); err != nil {
		return nil, err
	}
	return s.ScopeCounts(ctx, actor, r)
}

// Request returns one request.
func (s *Service) Request(ctx context.Context, actor civic.Actor, id int64) (*civic.RecordsRequest, error) {
	if err := civic.Require(actor, civic.PermRecordsView); err != nil {
		return nil, err
	}
	return s.store.RecordsRequest(ctx, id)
}

// Requests lists requests by due date; open limits them to open ones.
func (s *Service) Requests(ctx context.Context, actor civic.Actor, open bool) ([]*civic.RecordsRequest, error) {
	if err := civic.Require(actor, civic.PermRecordsView); err != nil {
		return nil, err
	}
	return s.store.RecordsRequests(ctx, open)
}

// Now is the service's clock, for pages that mark overdue requests.
func (s *Service) Now() time.Time { return s.now() }
