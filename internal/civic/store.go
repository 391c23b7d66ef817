package civic

import (
	"context"
	"time"
)

// Store is where Steward keeps its state. internal/sqlite and
// internal/postgres implement it, and internal/storetest holds the suite both
// must pass. Reads are on the Store; every change happens inside Update,
// which writes the change and its audit event in one transaction.
type Store interface {
	Reader
	// Update runs fn in one transaction on behalf of actor. Every write made
	// through the Tx appends an audit event to the chain in the same
	// transaction. If fn returns an error, nothing it wrote is kept; when
	// the error's cause is a CovertRefusal, Update then appends one
	// "covert_access.refused" event, so that every refused attempt on
	// covert access is in the covert audit log.
	Update(ctx context.Context, actor Actor, fn func(Tx) error) error
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Engine names the database engine: "sqlite" or "postgres".
	Engine() string
	Close() error
}

// Reader is the read side, available both on the Store and in a Tx.
type Reader interface {
	RegistryReader
	ArchiveReader
	RecordsReader
	CaptureReader
	ModerationReader
	PublicReader
	PublishReader

	Department(ctx context.Context, id int64) (*Department, error)
	DepartmentBySlug(ctx context.Context, slug string) (*Department, error)
	Departments(ctx context.Context) ([]*Department, error)

	Person(ctx context.Context, id int64) (*Person, error)
	People(ctx context.Context, f PersonFilter) ([]*Person, error)

	User(ctx context.Context, id int64) (*User, error)
	UserByEmail(ctx context.Context, email string) (*User, error)
	UserBySubject(ctx context.Context, subject string) (*User, error)
	Users(ctx context.Context) ([]*User, error)

	// SessionUser returns the session with the given hash and its user; a
	// session that has expired at now is KindUnauthorized.
	SessionUser(ctx context.Context, hash []byte, now time.Time) (*Session, *User, error)
	// TokenUser returns the active token with the given hash and its user.
	TokenUser(ctx context.Context, hash []byte, now time.Time) (*Token, *User, error)
	Token(ctx context.Context, id int64) (*Token, error)
	// Tokens lists the tokens of one user, or of every user when userID is 0.
	Tokens(ctx context.Context, userID int64) ([]*Token, error)

	Throttle(ctx context.Context, key string) (*Throttle, error)
	// PasswordReset returns the reset link with the given hash, used or
	// not; an unknown one is KindNotFound.
	PasswordReset(ctx context.Context, hash []byte) (*PasswordReset, error)
	// PersonalAccounts lists the personal accounts a person declared, or
	// every declared one when personID is 0.
	PersonalAccounts(ctx context.Context, personID int64) ([]*PersonalAccount, error)
	// Device returns the known sign-in device with the given hash; an
	// unknown or expired one is KindNotFound.
	Device(ctx context.Context, hash []byte, now time.Time) (*Device, error)
	Setting(ctx context.Context, key string) (string, error)

	// AuditEvents lists events newest first.
	AuditEvents(ctx context.Context, f AuditFilter) ([]*AuditEvent, error)
	// AuditSeqs lists, in ascending order, the sequence numbers of the
	// events about objects of the given types (empty: none).
	AuditSeqs(ctx context.Context, objectTypes []string) ([]int64, error)
	// WalkAudit calls fn for every event in chain order.
	WalkAudit(ctx context.Context, fn func(*AuditEvent) error) error
	// AuditHead returns the sequence number and hash of the last event
	// as recorded when it was appended (0 and GenesisHash when empty).
	AuditHead(ctx context.Context) (int64, string, error)
}

// Tx is one transaction. Its writes record their own audit events.
type Tx interface {
	Reader
	RegistryWriter
	ArchiveWriter
	RecordsWriter
	CaptureWriter
	ModerationWriter
	PublishWriter
	Now() time.Time

	CreateDepartment(ctx context.Context, d *Department) error
	UpdateDepartment(ctx context.Context, d *Department) error

	CreatePerson(ctx context.Context, p *Person) error
	UpdatePerson(ctx context.Context, p *Person) error

	// CreateUser stores u with its grants; u.PasswordHash may be empty.
	CreateUser(ctx context.Context, u *User) error
	SetUserGrants(ctx context.Context, userID int64, gs []Grant) error
	SetUserDisabled(ctx context.Context, userID int64, disabled bool) error
	SetUserPassword(ctx context.Context, userID int64, hash string) error
	SetUserSubject(ctx context.Context, userID int64, subject string) error

	CreateSession(ctx context.Context, s *Session) error
	DeleteSession(ctx context.Context, hash []byte) error
	// DeleteUserSessions signs a user out everywhere.
	DeleteUserSessions(ctx context.Context, userID int64) error
	// DeleteOtherSessions signs a user out everywhere but the session with
	// hash keep (the one changing its own password).
	DeleteOtherSessions(ctx context.Context, userID int64, keep []byte) error

	CreateToken(ctx context.Context, t *Token) error
	RevokeToken(ctx context.Context, id int64) error
	// RevokeUserTokens revokes every active token of a user.
	RevokeUserTokens(ctx context.Context, userID int64) error

	// CreateDevice remembers a browser a user signed in from. It is
	// bookkeeping for throttling and writes no audit event (the sign-in has
	// its own).
	CreateDevice(ctx context.Context, d *Device) error

	// SetThrottle and ClearThrottle keep sign-in failure counts. They are
	// bookkeeping and write no audit event; the sign-in service records
	// each failure with Record.
	SetThrottle(ctx context.Context, t *Throttle) error
	// CreatePasswordReset stores a reset link and records that one was
	// asked for.
	CreatePasswordReset(ctx context.Context, r *PasswordReset) error
	// UsePasswordReset marks the unused, unexpired reset link with the
	// given hash used, with every other unused link of its user, and
	// returns its user's ID; any other link is KindInvalid.
	UsePasswordReset(ctx context.Context, hash []byte) (int64, error)
	// DeclarePersonalAccount stores a person's personal account; one
	// already declared is KindConflict.
	DeclarePersonalAccount(ctx context.Context, a *PersonalAccount) error
	ClearThrottle(ctx context.Context, key string) error

	// PurgeExpired deletes sessions and known devices that have expired and
	// throttles whose last failure is before staleBefore and that are no
	// longer locked, recording one audit event when it deleted anything. It returns how
	// many sessions it deleted.
	PurgeExpired(ctx context.Context, staleBefore time.Time) (int64, error)

	SetSetting(ctx context.Context, key, value string) error

	// Record appends an audit event for a change that is not a row written
	// through the Tx (a sign-in, a failed sign-in, an export).
	Record(ctx context.Context, c Change) error
}

// PersonFilter selects covered persons. Zero fields match all.
type PersonFilter struct {
	DepartmentID int64
	Kind         PersonKind
	Query        string // part of the name or e-mail address
}

// Updater runs changes: Store.Update. A service that writes takes it with
// the readers of the areas it reads, so that its constructor says which
// tables it touches.
type Updater interface {
	Update(ctx context.Context, actor Actor, fn func(Tx) error) error
}
