// Package registry is the governance half of Steward: account requests and
// their approval chains, the inventory of official accounts, authorized
// posters, credentials in custody and covert profiles (ACC-*, PPL-2, PPL-5,
// CVT-*). Routes check the coarse permission; the service checks it again
// and adds what depends on the object: nobody approves their own request,
// only the director of the account's department grants posting, only a
// profile's maintainer and the SIC commanders know a covert profile exists.
package registry

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/plain"
	"steward.city/steward/internal/vault"
)

// Mailer sends a notification by e-mail (MailNotification).
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Service is the registry.
type Service struct {
	store  civic.Store
	vault  *vault.Vault
	mailer Mailer
	// publicURL is the address people open Steward at, which links in
	// e-mail start with; "": links stay relative.
	publicURL string
	log       *slog.Logger
	now       func() time.Time
	loc       *time.Location
	// approver is the slug of the department whose directors approve
	// covert access; see SetCovertApprover.
	approver string
}

// Config is what the registry needs. It reads across the directory, the
// registry and the audit log (citations), so it takes the whole store.
type Config struct {
	Store  civic.Store
	Clock  func() time.Time // nil: time.Now
	Logger *slog.Logger     // nil: discard
	Vault  *vault.Vault     // seals credentials; nil: none are stored or revealed
	Mailer Mailer           // sends MailNotification's e-mail; nil: it fails
	// PublicURL is the address people open Steward at, without a trailing
	// slash; a notification's e-mail links to it. "": the link is the
	// path alone.
	PublicURL string
	// Location is the city's time zone: "today" for expiry and audit
	// dates is the city's day, and notices show its dates; nil: UTC.
	Location *time.Location
}

// New returns the registry.
func New(c Config) *Service {
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	return &Service{store: c.Store, vault: c.Vault, mailer: c.Mailer, publicURL: strings.TrimRight(c.PublicURL, "/"), log: c.Logger, now: c.Clock, loc: c.Location}
}

func (s *Service) update(ctx context.Context, actor civic.Actor, fn func(civic.Tx) error) error {
	return s.store.Update(ctx, actor, fn)
}

func forbidden(format string, args ...any) error {
	return civic.Errorf(civic.KindForbidden, format, args...)
}

func conflict(format string, args ...any) error {
	return civic.Errorf(civic.KindConflict, format, args...)
}

func id(v int64) string { return strconv.FormatInt(v, 10) }

var require = civic.Require

// notify adds a notification for each enabled user in the transaction.
// Their e-mail, when a mailer is configured, is queued in the same
// transaction by the store's notify hook (see MailNotification): nothing
// here sends mail.
func (s *Service) notify(ctx context.Context, tx civic.Tx, users []*civic.User, kind, msg, link string) error {
	for _, u := range users {
		if u.DisabledAt != nil {
			continue
		}
		if err := tx.Notify(ctx, &civic.Notification{UserID: u.ID, Kind: kind, Message: msg, Link: link}); err != nil {
			return err
		}
	}
	return nil
}

// usersWhere returns the enabled users for whom keep is true.
func usersWhere(ctx context.Context, r civic.Reader, keep func(*civic.User) bool) ([]*civic.User, error) {
	us, err := r.Users(ctx)
	if err != nil {
		return nil, err
	}
	var out []*civic.User
	for _, u := range us {
		if u.DisabledAt == nil && keep(u) {
			out = append(out, u)
		}
	}
	return out, nil
}

// isDirectorOf reports whether u directs department dept.
func isDirectorOf(u *civic.User, dept int64) bool {
	return civic.ApprovalStep{Role: civic.RoleDirector, DepartmentID: dept}.Holds(u, dept)
}

// day returns a calendar day typed in (stored as midnight UTC) without
// its time of day.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// today returns the city's calendar day of the instant now, as calendar
// days are stored.
func (s *Service) today(now time.Time) time.Time { return plain.CityDay(now, s.loc) }
