package civic

import (
	"slices"
	"strings"
	"time"
)

// User is someone who signs in to Steward. Every user is a covered person.
type User struct {
	ID           int64      `json:"id"`
	PersonID     int64      `json:"person_id"`
	Email        string     `json:"email"` // the sign-in name, unique, lower-case
	PasswordHash string     `json:"-"`     // argon2id encoded; empty for single-sign-on-only users
	Grants       []Grant    `json:"roles"`
	Subject      string     `json:"sso_subject,omitempty"` // issuer and subject of the OpenID Connect identity, once linked
	DisabledAt   *time.Time `json:"disabled_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`

	// PersonName and DepartmentID are read from the user's person for display.
	PersonName   string `json:"person_name,omitempty"`
	DepartmentID int64  `json:"department_id,omitempty"`
	// CovertMaintainer is read from the user's grants of covert access: it
	// holds approved maintainer access. It is never sent to clients, so
	// that the users list does not name the maintainers.
	CovertMaintainer bool `json:"-"`
}

// Can reports whether u may do p. A disabled user may do nothing.
func (u *User) Can(p Permission) bool {
	return u != nil && u.DisabledAt == nil && Allowed(p, u.Grants)
}

// Has reports whether u holds role r.
func (u *User) Has(r Role) bool {
	return slices.ContainsFunc(u.Grants, func(g Grant) bool { return g.Role == r })
}

// Normalize lower-cases the e-mail address.
func (u *User) Normalize() { u.Email = strings.ToLower(strings.TrimSpace(u.Email)) }

// Validate reports the first field of u that is wrong.
func (u *User) Validate() error {
	if u.PersonID <= 0 {
		return Invalid("person_id", "a user must be linked to a covered person")
	}
	if err := ValidateEmail(u.Email); err != nil {
		return err
	}
	gs, err := NormalizeGrants(u.Grants)
	if err != nil {
		return err
	}
	u.Grants = gs
	return nil
}

// Session is a signed-in browser. The cookie holds a random secret; the
// store keeps only its SHA-256.
type Session struct {
	Hash      []byte    `json:"-"`
	UserID    int64     `json:"user_id"`
	Method    string    `json:"method"` // "password" or "oidc"
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Token is an API bearer token belonging to a user; it acts with the user's
// roles. The store keeps only its SHA-256 and a short prefix for display.
type Token struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"user_id"`
	Name      string     `json:"name"`
	Prefix    string     `json:"prefix"`
	Hash      []byte     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	UserEmail string     `json:"user_email,omitempty"` // read for display
}

// Active reports whether t may be used at now.
func (t *Token) Active(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// Device is a browser in which a user once signed in with their password
// (OWASP "device cookies"). The cookie holds a random secret; the store
// keeps only its SHA-256. Sign-in failures from a known device count
// against that device alone, so nobody else's failures lock it out.
type Device struct {
	Hash      []byte
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Throttle counts failed sign-ins for one key (an e-mail address or a
// client address) and says until when further attempts are refused.
type Throttle struct {
	Key         string
	Failures    int
	LastFailure time.Time
	LockedUntil time.Time
}
