package civic

import (
	"context"
	"time"
)

// RegistryReader reads the registry of official accounts (ACC-*, PPL-2,
// PPL-4, PPL-5, CVT-*, CND-1).
type RegistryReader interface {
	GovernanceReader
	CovertAccessReader

	Account(ctx context.Context, id int64) (*Account, error)
	Accounts(ctx context.Context, f AccountFilter) ([]*Account, error)
	// AccountCounts counts inventory accounts by department and platform.
	AccountCounts(ctx context.Context) ([]AccountCount, error)
	Approvals(ctx context.Context, accountID int64) ([]*Approval, error)
	// ApprovalChain returns the chain configured for a department, or
	// DefaultChain when it has none.
	ApprovalChain(ctx context.Context, departmentID int64) ([]ApprovalStep, error)

	Poster(ctx context.Context, id int64) (*Poster, error)
	Posters(ctx context.Context, f PosterFilter) ([]*Poster, error)

	Credential(ctx context.Context, id int64) (*Credential, error)
	// Credentials lists the credentials of an account, or of a covert
	// profile when covertID is set.
	Credentials(ctx context.Context, accountID, covertID int64) ([]*Credential, error)
	// AllCredentials lists every credential, for key rotation.
	AllCredentials(ctx context.Context) ([]*Credential, error)
	// VaultCheck returns the sealed check value written when the vault was
	// first used, or nil.
	VaultCheck(ctx context.Context) (*Sealed, error)

	CovertProfile(ctx context.Context, id int64) (*CovertProfile, error)
	// CovertProfiles lists every covert profile, or those one user
	// maintains when maintainerID is set. Callers decide who may see them.
	CovertProfiles(ctx context.Context, maintainerID int64) ([]*CovertProfile, error)
	CovertAudits(ctx context.Context, profileID int64) ([]*CovertAudit, error)

	Notifications(ctx context.Context, userID int64) ([]*Notification, error)
	// Notification returns one notification; not found is KindNotFound.
	Notification(ctx context.Context, id int64) (*Notification, error)

	// StandIns lists the designees, delegations, next roles and fallback
	// second reviewers, oldest first.
	StandIns(ctx context.Context) ([]*StandIn, error)
}

// RegistryWriter changes the registry; each write records its audit event.
type RegistryWriter interface {
	GovernanceWriter
	CovertAccessWriter

	// CreateAccount stores a new request (status requested).
	CreateAccount(ctx context.Context, a *Account) error
	// UpdateAccount stores a's status, dates, profile and inventory fields,
	// recording action ("account.suspend", …) as its audit event.
	UpdateAccount(ctx context.Context, a *Account, action string) error
	CreateApproval(ctx context.Context, ap *Approval) error
	SetApprovalChain(ctx context.Context, departmentID int64, steps []ApprovalStep) error

	CreatePoster(ctx context.Context, p *Poster) error
	UpdatePoster(ctx context.Context, p *Poster, action string) error

	// PutCredential stores a sealed credential, replacing the one of the
	// same kind on the same account or profile.
	PutCredential(ctx context.Context, c *Credential) error
	// ResealCredential replaces the sealed form of a credential after key
	// rotation; it records no audit event per row (the rotation does).
	ResealCredential(ctx context.Context, id int64, s Sealed) error
	// FlagCredential marks a credential for rotation with a reason.
	FlagCredential(ctx context.Context, id int64, reason string) error
	SetVaultCheck(ctx context.Context, s Sealed) error

	CreateCovertProfile(ctx context.Context, p *CovertProfile) error
	UpdateCovertProfile(ctx context.Context, p *CovertProfile, action string) error
	CreateCovertAudit(ctx context.Context, a *CovertAudit, next time.Time) error

	// Notify adds a notification for a user; it records no audit event.
	Notify(ctx context.Context, n *Notification) error
	MarkNotificationsRead(ctx context.Context, userID int64) error

	// CreateStandIn stores a fallback (validated, its users checked).
	CreateStandIn(ctx context.Context, s *StandIn) error
	// DeleteStandIn removes one; the audit event keeps what it was.
	DeleteStandIn(ctx context.Context, id int64) error
}
