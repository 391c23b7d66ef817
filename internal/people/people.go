// Package people manages departments, covered persons and users (PPL-1,
// PPL-3): the operations the web pages, the API and the command line share,
// each checked against the authorization policy in package civic.
package people

import (
	"context"
	"slices"

	"steward.city/steward/internal/auth"
	"steward.city/steward/internal/civic"
)

// Service changes the directory. Every method takes who is acting
// (civic.Actor) and checks it against the authorization policy.
type Service struct {
	store civic.Updater
	// onDisable runs in the transaction that disables a user; see OnDisable.
	onDisable func(ctx context.Context, tx civic.Tx, u *civic.User) error
	// onSetRoles runs in the transaction that replaces a user's roles; see OnSetRoles.
	onSetRoles func(ctx context.Context, tx civic.Tx, u *civic.User, next []civic.Grant) error
}

// OnSetRoles sets fn to run in the transaction that replaces u's roles with
// next, before they are replaced; its error refuses the change. The
// registry uses it to keep at least one SIC commander.
func (s *Service) OnSetRoles(fn func(ctx context.Context, tx civic.Tx, u *civic.User, next []civic.Grant) error) {
	s.onSetRoles = fn
}

// OnDisable sets fn to run in the transaction that disables a user, after
// the user is disabled; its error undoes the disabling. The registry uses
// it to flag for rotation the credentials the user could reveal.
func (s *Service) OnDisable(fn func(ctx context.Context, tx civic.Tx, u *civic.User) error) {
	s.onDisable = fn
}

// New returns a Service on store.
// Config is what a Service needs: it only writes, each change checked in
// its transaction.
type Config struct {
	Store civic.Updater
}

// New returns a Service.
func New(c Config) *Service { return &Service{store: c.Store} }

// CreateDepartment adds a department.
func (s *Service) CreateDepartment(ctx context.Context, actor civic.Actor, d *civic.Department) error {
	if err := civic.Require(actor, civic.PermDepartmentsManage); err != nil {
		return err
	}
	return s.store.Update(ctx, actor, func(tx civic.Tx) error { return tx.CreateDepartment(ctx, d) })
}

// UpdateDepartment renames a department.
func (s *Service) UpdateDepartment(ctx context.Context, actor civic.Actor, d *civic.Department) error {
	if err := civic.Require(actor, civic.PermDepartmentsManage); err != nil {
		return err
	}
	return s.store.Update(ctx, actor, func(tx civic.Tx) error { return tx.UpdateDepartment(ctx, d) })
}

// CreatePerson adds a covered person.
func (s *Service) CreatePerson(ctx context.Context, actor civic.Actor, p *civic.Person) error {
	if err := civic.Require(actor, civic.PermPeopleManage); err != nil {
		return err
	}
	return s.store.Update(ctx, actor, func(tx civic.Tx) error { return tx.CreatePerson(ctx, p) })
}

// UpdatePerson changes a covered person.
func (s *Service) UpdatePerson(ctx context.Context, actor civic.Actor, p *civic.Person) error {
	if err := civic.Require(actor, civic.PermPeopleManage); err != nil {
		return err
	}
	return s.store.Update(ctx, actor, func(tx civic.Tx) error { return tx.UpdatePerson(ctx, p) })
}

func hasAdmin(gs []civic.Grant) bool {
	return slices.ContainsFunc(gs, func(g civic.Grant) bool { return g.Role == civic.RoleAdmin })
}

func hasCommander(gs []civic.Grant) bool {
	return slices.ContainsFunc(gs, func(g civic.Grant) bool { return g.Role == civic.RoleSICCommander })
}

// firstCommander splits the sic_commander role off gs when the command line
// gives it: the command line may make the city's first SIC
// commander, which the store allows only while no user holds the role.
// Everyone else's sic_commander is left in gs, for the store to refuse.
func firstCommander(actor civic.Actor, gs []civic.Grant) ([]civic.Grant, bool) {
	if !actor.IsCLI() || !hasCommander(gs) {
		return gs, false
	}
	return slices.DeleteFunc(slices.Clone(gs), func(g civic.Grant) bool { return g.Role == civic.RoleSICCommander }), true
}

// bootstrapReason is recorded with the first commander.
const bootstrapReason = "the city's first SIC commander, made with the command line while there was none"

// prepareUser checks that actor may create u and hashes its password.
func prepareUser(actor civic.Actor, u *civic.User, password string) error {
	if err := civic.Require(actor, civic.PermUsersManage); err != nil {
		return err
	}
	if hasAdmin(u.Grants) {
		if err := civic.Require(actor, civic.PermAdminManage); err != nil {
			return err
		}
	}
	if password != "" {
		h, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		u.PasswordHash = h
	}
	return nil
}

// createUser stores u in tx; see CreateUser for the first commander.
func createUser(ctx context.Context, tx civic.Tx, actor civic.Actor, u *civic.User) error {
	gs, first := firstCommander(actor, u.Grants)
	u.Grants = gs
	if err := tx.CreateUser(ctx, u); err != nil {
		return err
	}
	if !first {
		return nil
	}
	if err := tx.BootstrapCommander(ctx, u.ID, bootstrapReason); err != nil {
		return err
	}
	u.Grants, _ = civic.NormalizeGrants(append(u.Grants, civic.Grant{Role: civic.RoleSICCommander}))
	return nil
}

// CreateUser adds a user for an existing person. password may be empty for
// a user who signs in only through single sign-on. Giving the admin role
// needs the admin.manage permission. Nobody gives the sic_commander role
// here (the store refuses it and records the attempt), except the command
// line while the city has no commander yet.
func (s *Service) CreateUser(ctx context.Context, actor civic.Actor, u *civic.User, password string) error {
	if err := prepareUser(actor, u, password); err != nil {
		return err
	}
	return s.store.Update(ctx, actor, func(tx civic.Tx) error { return createUser(ctx, tx, actor, u) })
}

// CreatePersonAndUser adds a covered person and its user in one
// transaction: either both are saved or neither.
func (s *Service) CreatePersonAndUser(ctx context.Context, actor civic.Actor, p *civic.Person, u *civic.User, password string) error {
	if err := civic.Require(actor, civic.PermPeopleManage); err != nil {
		return err
	}
	if err := prepareUser(actor, u, password); err != nil {
		return err
	}
	return s.store.Update(ctx, actor, func(tx civic.Tx) error {
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		u.PersonID = p.ID
		return createUser(ctx, tx, actor, u)
	})
}

// changeUser loads the target user, checks that actor may change it and
// runs fn in the same transaction.
func (s *Service) changeUser(ctx context.Context, actor civic.Actor, userID int64, fn func(tx civic.Tx, target *civic.User) error) error {
	if err := civic.Require(actor, civic.PermUsersManage); err != nil {
		return err
	}
	return s.store.Update(ctx, actor, func(tx civic.Tx) error {
		target, err := tx.User(ctx, userID)
		if err != nil {
			return err
		}
		if target.Has(civic.RoleAdmin) {
			if err := civic.Require(actor, civic.PermAdminManage); err != nil {
				return civic.Errorf(civic.KindForbidden, "only an administrator may change an administrator")
			}
		}
		return fn(tx, target)
	})
}

// SetRoles replaces a user's roles. Nobody gives themselves a role, and
// nobody takes the admin role from themselves, so the city is never left
// without an administrator by mistake. The sic_commander role is neither
// given nor taken here (see CreateUser for the first commander).
func (s *Service) SetRoles(ctx context.Context, actor civic.Actor, userID int64, gs []civic.Grant) error {
	if hasAdmin(gs) {
		if err := civic.Require(actor, civic.PermAdminManage); err != nil {
			return civic.Errorf(civic.KindForbidden, "only an administrator may give the admin role")
		}
	}
	gs, err := civic.NormalizeGrants(gs)
	if err != nil {
		return err
	}
	return s.changeUser(ctx, actor, userID, func(tx civic.Tx, target *civic.User) error {
		next, first := firstCommander(actor, gs)
		if first && target.Has(civic.RoleSICCommander) {
			next, first = gs, false
		}
		if s.onSetRoles != nil {
			if err := s.onSetRoles(ctx, tx, target, next); err != nil {
				return err
			}
		}
		if actor.Is(userID) {
			if target.Has(civic.RoleAdmin) && !hasAdmin(next) {
				return civic.Invalid("roles", "you cannot take the admin role from yourself")
			}
			for _, g := range next {
				if !slices.Contains(target.Grants, g) {
					return civic.Errorf(civic.KindForbidden, "nobody gives themselves a role: ask another administrator")
				}
			}
		}
		if err := tx.SetUserGrants(ctx, userID, next); err != nil {
			return err
		}
		if first {
			return tx.BootstrapCommander(ctx, userID, bootstrapReason)
		}
		return nil
	})
}

// SetDisabled disables or enables a user. Nobody disables themselves.
func (s *Service) SetDisabled(ctx context.Context, actor civic.Actor, userID int64, disabled bool) error {
	if actor.Is(userID) && disabled {
		return civic.Invalid("user", "you cannot disable yourself")
	}
	return s.changeUser(ctx, actor, userID, func(tx civic.Tx, target *civic.User) error {
		if err := tx.SetUserDisabled(ctx, userID, disabled); err != nil {
			return err
		}
		if disabled && target.DisabledAt == nil && s.onDisable != nil {
			return s.onDisable(ctx, tx, target)
		}
		return nil
	})
}

// ResetPassword sets a new password for a user, signs them out everywhere
// and revokes their API tokens. Nobody resets the password of another user
// who holds covert access (the store refuses and records the attempt).
func (s *Service) ResetPassword(ctx context.Context, actor civic.Actor, userID int64, password string) error {
	h, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return s.changeUser(ctx, actor, userID, func(tx civic.Tx, _ *civic.User) error {
		if err := tx.SetUserPassword(ctx, userID, h); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, userID); err != nil {
			return err
		}
		return tx.RevokeUserTokens(ctx, userID)
	})
}

// ChangeOwnPassword lets a signed-in user replace its password after giving
// the current one. It signs the user out of every other session (keep is
// the hash of the session making the change; nil keeps none) and revokes
// their API tokens, so that whoever learnt the old password keeps nothing.
// A user who signs in only through single sign-on has no password to
// change and cannot give itself one, which would bypass the provider's
// checks; an administrator can.
func (s *Service) ChangeOwnPassword(ctx context.Context, actor civic.Actor, current, next string, keep []byte) error {
	u := actor.User()
	if u == nil {
		return civic.Errorf(civic.KindForbidden, "sign in to change your password")
	}
	if u.PasswordHash == "" {
		return civic.Invalid("new_password", "you sign in through single sign-on and have no Steward password")
	}
	if !auth.VerifyPassword(u.PasswordHash, current) {
		return civic.Invalid("current_password", "the current password is wrong")
	}
	h, err := auth.HashPassword(next)
	if err != nil {
		return civic.Invalid("new_password", "%s", civic.ErrorMessage(err))
	}
	return s.store.Update(ctx, actor, func(tx civic.Tx) error {
		if err := tx.SetUserPassword(ctx, u.ID, h); err != nil {
			return err
		}
		if err := tx.DeleteOtherSessions(ctx, u.ID, keep); err != nil {
			return err
		}
		return tx.RevokeUserTokens(ctx, u.ID)
	})
}
