// Package moderation is public-comment moderation (MOD-1..7): every
// captured public comment is screened, flagged ones wait in a queue with
// the codes, scores and words that flagged them, and a person keeps, hides
// or removes each with a reason code from the policy. Removals for
// viewpoint-sensitive reasons need a second reviewer. Every hide or removal
// fills the Removed Comments Tracking Form; members of the public ask about
// removals in writing; staff report content; a public page counts it all.
// Nothing is hidden or removed automatically, and there is no edit or
// block action anywhere.
package moderation

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"steward.city/steward/internal/civic"
)

// Mailer sends the response to an inquiry by e-mail.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Service is moderation, shared by the pages, the API and the command
// line. Each method takes who is acting and checks it against the policy.
type Service struct {
	store       Store
	screener    civic.Screener
	carrier     civic.Carrier
	mailer      Mailer
	now         func() time.Time
	log         *slog.Logger
	inquiryDays int
	inquiryRate int
	formYears   int
	loc         *time.Location
	screening   sync.Mutex // one screening pass at a time in this process
}

// Store is what moderation reads and writes: the queue, decisions, forms
// and inquiries, the archived comments they are about, and the directory
// (who reviews, who is told of a staff report).
type Store interface {
	civic.Updater
	civic.ModerationReader
	civic.ArchiveReader
	Users(ctx context.Context) ([]*civic.User, error)
	StandIns(ctx context.Context) ([]*civic.StandIn, error)
	People(ctx context.Context, f civic.PersonFilter) ([]*civic.Person, error)
	Setting(ctx context.Context, key string) (string, error)
}

// Config is what a Service needs. Screener and Carrier may be nil: without
// a screener only held comments and staff reports enter the queue; without
// a carrier decisions are recorded and marked as not yet carried out.
type Config struct {
	Store    Store
	Screener civic.Screener
	Carrier  civic.Carrier
	Mailer   Mailer // sends inquiry responses; nil: none are e-mailed
	Clock    func() time.Time
	Logger   *slog.Logger
	// InquiryDays is how many days Communications has to answer an
	// inquiry; 0: 10.
	InquiryDays int
	// InquiryRate is how many inquiries one address may post an hour; 0: 5.
	InquiryRate int
	// Location is the city's time zone: an inquiry is due at the end of a
	// city day, and e-mails and the form show the city's dates; nil: UTC.
	Location *time.Location
}

// New returns a Service.
func New(c Config) *Service {
	if c.Location == nil {
		c.Location = time.UTC
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.InquiryDays == 0 {
		c.InquiryDays = 10
	}
	if c.InquiryRate == 0 {
		c.InquiryRate = 5
	}
	return &Service{store: c.Store, screener: c.Screener, carrier: c.Carrier, mailer: c.Mailer, now: c.Clock, log: c.Logger,
		inquiryDays: c.InquiryDays, inquiryRate: c.InquiryRate, formYears: 1, loc: c.Location}
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

func (s *Service) update(ctx context.Context, actor civic.Actor, fn func(civic.Tx) error) error {
	return s.store.Update(ctx, actor, fn)
}

// person requires a signed-in person: decisions are made by people.
func person(actor civic.Actor) error {
	if !actor.IsUser() {
		return civic.Errorf(civic.KindForbidden, "a person decides: sign in to review comments")
	}
	return nil
}

// Location returns the city's time zone.
func (s *Service) Location() *time.Location { return s.loc }
