package civic

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// CovertAccessKind is what a grant of covert access gives: the
// sic_commander role (every covert profile) or the right to be named the
// maintainer of covert profiles (those profiles only).
type CovertAccessKind string

// The kinds of covert access.
const (
	CovertCommander  CovertAccessKind = "commander"
	CovertMaintainer CovertAccessKind = "maintainer"
)

// Label returns the kind in plain words.
func (k CovertAccessKind) Label() string {
	switch k {
	case CovertCommander:
		return "SIC commander"
	case CovertMaintainer:
		return "covert profile maintainer"
	}
	return string(k)
}

// CovertAccessStatus is where a grant of covert access is.
type CovertAccessStatus string

// The statuses: a proposal is approved, refused or withdrawn; an approved
// grant is revoked.
const (
	CovertProposed  CovertAccessStatus = "proposed"
	CovertApproved  CovertAccessStatus = "approved"
	CovertRefused   CovertAccessStatus = "refused"
	CovertWithdrawn CovertAccessStatus = "withdrawn"
	CovertRevoked   CovertAccessStatus = "revoked"
)

// DefaultCovertApprover is the slug of the department whose director
// approves covert access when the city names none: Police Administration
// (MPD 5-108 IV.B).
const DefaultCovertApprover = "police"

// CovertAccess is one grant of covert access, from its proposal to its
// revocation. A SIC commander proposes it; the covert approver (a director
// of the department the city names) approves it: two different people,
// neither of them the user who gets the access. A grant without a proposer
// is the city's first commander, made with the command line while there
// was none, or access held before migration 007.
type CovertAccess struct {
	ID           int64              `json:"id"`
	UserID       int64              `json:"user_id"`
	Kind         CovertAccessKind   `json:"kind"`
	Status       CovertAccessStatus `json:"status"`
	Reason       string             `json:"reason"`
	ProposedBy   int64              `json:"proposed_by,omitempty"`
	ProposedAt   time.Time          `json:"proposed_at"`
	DecidedBy    int64              `json:"decided_by,omitempty"`
	DecidedAt    *time.Time         `json:"decided_at,omitempty"`
	DecisionNote string             `json:"decision_note"`
	RevokedBy    int64              `json:"revoked_by,omitempty"`
	RevokedAt    *time.Time         `json:"revoked_at,omitempty"`
	RevokeReason string             `json:"revoke_reason"`

	// E-mail addresses, read for display.
	User     string `json:"user"`
	Proposer string `json:"proposer,omitempty"`
	Decider  string `json:"decider,omitempty"`
	Revoker  string `json:"revoker,omitempty"`
}

// Validate reports the first field of a new proposal that is wrong.
func (a *CovertAccess) Validate() error {
	a.Reason = strings.TrimSpace(a.Reason)
	switch {
	case a.UserID <= 0:
		return Invalid("user_id", "choose the user who is to get covert access")
	case a.Kind != CovertCommander && a.Kind != CovertMaintainer:
		return Invalid("kind", "choose commander or maintainer")
	case a.Reason == "":
		return Invalid("reason", "say why this user needs covert access")
	case len(a.Reason) > 2000:
		return Invalid("reason", "the reason is longer than 2,000 characters")
	}
	return nil
}

// CovertAccessFilter selects grants. Zero fields match all.
type CovertAccessFilter struct {
	UserID int64
	Status CovertAccessStatus
}

// CovertAccessReader reads grants of covert access.
type CovertAccessReader interface {
	CovertAccess(ctx context.Context, id int64) (*CovertAccess, error)
	// CovertAccesses lists grants, newest first.
	CovertAccesses(ctx context.Context, f CovertAccessFilter) ([]*CovertAccess, error)
	// HoldsCovertAccess reports whether a user holds the sic_commander role
	// or approved maintainer access.
	HoldsCovertAccess(ctx context.Context, userID int64) (bool, error)
}

// CovertAccessWriter changes grants of covert access. The store, not only
// the services, keeps the two-person rule: the proposer is the Tx's actor
// and never the user; the decider is the Tx's actor and neither the
// proposer nor the user. The sic_commander role is written only by
// DecideCovertAccess and BootstrapCommander and taken only by
// RevokeCovertAccess: CreateUser and SetUserGrants refuse to add or drop it.
type CovertAccessWriter interface {
	// ProposeCovertAccess stores a proposal by the Tx's actor.
	ProposeCovertAccess(ctx context.Context, a *CovertAccess) error
	// DecideCovertAccess approves, refuses or withdraws a proposal as the
	// Tx's actor. Approving a commander gives the sic_commander role.
	DecideCovertAccess(ctx context.Context, id int64, to CovertAccessStatus, note string) error
	// RevokeCovertAccess ends an approved grant; revoking a commander takes
	// the sic_commander role.
	RevokeCovertAccess(ctx context.Context, id int64, reason string) error
	// BootstrapCommander makes userID the city's first SIC commander. It is
	// refused once any user holds the sic_commander role.
	BootstrapCommander(ctx context.Context, userID int64, reason string) error
}

// CovertAccessObject is the audit object type of grants of covert access
// and of refused attempts on covert users; only SIC commanders list them.
const CovertAccessObject = "covert_access"

// CovertRefusal is the cause of an error that refused an attempt on covert
// access: giving or taking the sic_commander role outside the two-person
// flow, or acting for a user who holds covert access (resetting their
// password, making or revoking their tokens, starting their sessions,
// linking their single sign-on). The store records each refused attempt in
// the covert audit log after rolling the transaction back.
type CovertRefusal struct {
	Attempt string // "reset_password", "create_token", "set_roles"…
	UserID  int64  // the user the attempt was on
}

func (r *CovertRefusal) Error() string {
	return fmt.Sprintf("covert access: %s on user %d refused", r.Attempt, r.UserID)
}

// RefuseCovert returns a KindForbidden error with a client-safe message
// whose cause is a CovertRefusal.
func RefuseCovert(attempt string, userID int64, format string, args ...any) error {
	return &Error{Kind: KindForbidden, Message: fmt.Sprintf(format, args...), Err: &CovertRefusal{Attempt: attempt, UserID: userID}}
}

// ManagesUsers reports whether gs allow managing users, administrators or
// every user's tokens (today: admin, it). Such a user never holds covert
// access at the same time: whoever can reset passwords must not also see
// the covert registry, and the reverse.
func ManagesUsers(gs []Grant) bool {
	return Allowed(PermUsersManage, gs) || Allowed(PermAdminManage, gs) || Allowed(PermTokensAll, gs)
}

// HoldsCovert reports whether u holds covert access: the sic_commander role
// or approved maintainer access.
func (u *User) HoldsCovert() bool {
	return u != nil && (u.Has(RoleSICCommander) || u.CovertMaintainer)
}
