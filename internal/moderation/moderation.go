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
	store       civic.Store
	screener    civic.Screener
	carrier     civic.Carrier
	mailer      Mailer
	now         func() time.Time
	log         *slog.Logger
	inquiryDays int
	inquiryRate int
	formYears   int
	screening   sync.Mutex // one screening pass at a time in this process
}

// Config is what a Service needs. Screener and Carrier may be nil: without
// a screener only held comments and staff reports enter the queue; without
// a carrier decisions are recorded and marked as not yet carried out.
type Config struct {
	Store    civic.Store
	Screener civic.Screener
	Carrier  civic.Carrier
	Mailer   Mailer // sends inquiry responses; nil: none are e-mailed
	Now      func() time.Time
	Log      *slog.Logger
	// InquiryDays is how many days Communications has to answer an
	// inquiry; 0: 10.
	InquiryDays int
	// InquiryRate is how many inquiries one address may post an hour; 0: 5.
	InquiryRate int
}

// New returns a Service.
func New(c Config) *Service {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.InquiryDays == 0 {
		c.InquiryDays = 10
	}
	if c.InquiryRate == 0 {
		c.InquiryRate = 5
	}
	return &Service{store: c.Store, screener: c.Screener, carrier: c.Carrier, mailer: c.Mailer, now: c.Now, log: c.Log,
		inquiryDays: c.InquiryDays, inquiryRate: c.InquiryRate, formYears: 1}
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
