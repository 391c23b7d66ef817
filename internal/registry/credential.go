package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/vault"
)

// Unlock checks the vault's key against the database before Steward
// serves: on first use it stores a check value sealed with the key; after
// that a key that cannot open the check value is vault.ErrWrongKey, and
// nothing is written.
func Unlock(ctx context.Context, store civic.Store, v *vault.Vault) error {
	chk, err := store.VaultCheck(ctx)
	if err != nil {
		return err
	}
	if chk != nil {
		return v.Check(*chk)
	}
	// No check value but secrets (it was lost): the key must open them
	// before it is trusted with a new check value.
	cs, err := store.AllCredentials(ctx)
	if err != nil {
		return err
	}
	if len(cs) > 0 {
		if _, err := v.Open(cs[0].Sealed); err != nil {
			return vault.ErrWrongKey
		}
	}
	sealed, err := v.SealCheck()
	if err != nil {
		return err
	}
	return store.Update(ctx, civic.System, func(tx civic.Tx) error { return tx.SetVaultCheck(ctx, sealed) })
}

// Rotate makes a new key current and re-wraps every data key and the check
// value with it, one row per transaction, then drops the old key. The
// secrets themselves are not decrypted. Servers that are running read the
// key file again when they meet the new key id, so nothing stops.
func Rotate(ctx context.Context, store civic.Store, v *vault.Vault, newKey []byte) (int, error) {
	if err := Unlock(ctx, store, v); err != nil {
		return 0, err
	}
	var err error
	if newKey != nil {
		_, err = v.Use(newKey)
	} else {
		_, err = v.BeginRotation()
	}
	if err != nil {
		return 0, err
	}
	cs, err := store.AllCredentials(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cs {
		if c.Sealed.KeyID == v.CurrentKeyID() {
			continue
		}
		s, err := v.Rewrap(c.Sealed)
		if err != nil {
			return n, fmt.Errorf("credential %d: %w", c.ID, err)
		}
		if err := store.Update(ctx, civic.CLI, func(tx civic.Tx) error { return tx.ResealCredential(ctx, c.ID, s) }); err != nil {
			return n, err
		}
		n++
	}
	chk, err := v.SealCheck()
	if err != nil {
		return n, err
	}
	if err := store.Update(ctx, civic.CLI, func(tx civic.Tx) error {
		if err := tx.SetVaultCheck(ctx, chk); err != nil {
			return err
		}
		return tx.Record(ctx, civic.Change{Action: "vault.rotate_key", ObjectType: "vault", ObjectID: "1", After: map[string]any{"key_id": chk.KeyID, "rewrapped": n}})
	}); err != nil {
		return n, err
	}
	return n, v.FinishRotation()
}

// StoreCredential seals secret and keeps it as the account's credential of
// kind, replacing the one before. IT holds custody.
func (s *Service) StoreCredential(ctx context.Context, actor civic.Actor, accountID int64, kind civic.CredentialKind, secret string) (*civic.Credential, error) {
	if err := require(actor, civic.PermCredentialsStore); err != nil {
		return nil, err
	}
	if !slices.Contains(civic.CredentialKinds, kind) {
		return nil, civic.Invalid("kind", "kind must be password, recovery_codes or totp_seed")
	}
	if strings.TrimSpace(secret) == "" {
		return nil, civic.Invalid("secret", "give the secret to keep")
	}
	sealed, err := s.vault.Seal([]byte(secret))
	if err != nil {
		return nil, err
	}
	c := &civic.Credential{AccountID: accountID, Kind: kind, Sealed: sealed, StoredBy: actor.UserID}
	err = s.update(ctx, actor, func(tx civic.Tx) error {
		a, err := tx.Account(ctx, accountID)
		if err != nil {
			return err
		}
		if a.Status == civic.AccountRetired || a.Status == civic.AccountRefused || a.Status == civic.AccountWithdrawn {
			return conflict("the account is %s: nothing is kept for it any more", a.Status)
		}
		return tx.PutCredential(ctx, c)
	})
	return c, err
}

// MayReveal reports whether u may reveal the credentials of account a: IT,
// which holds custody, and the account's named administrators.
func MayReveal(u *civic.User, a *civic.Account) bool {
	if u == nil || u.DisabledAt != nil {
		return false
	}
	return u.Has(civic.RoleIT) || slices.Contains(a.AdminIDs, u.PersonID)
}

// RevealCredential decrypts a credential for actor, who gives a reason.
// The reveal is an audit event with the reason; the secret is in no log.
// A retired account's credentials are not revealed.
func (s *Service) RevealCredential(ctx context.Context, actor civic.Actor, credentialID int64, reason string) (string, *civic.Credential, error) {
	reason = strings.TrimSpace(reason)
	var secret []byte
	var c *civic.Credential
	err := s.update(ctx, actor, func(tx civic.Tx) error {
		var err error
		if c, err = tx.Credential(ctx, credentialID); err != nil {
			return err
		}
		if c.CovertID != 0 {
			p, err := tx.CovertProfile(ctx, c.CovertID)
			if err != nil {
				return err
			}
			if !mayKnowCovert(actor, p) {
				return civic.Errorf(civic.KindNotFound, "credential not found")
			}
		} else {
			a, err := tx.Account(ctx, c.AccountID)
			if err != nil {
				return err
			}
			if !actor.Trusted() && !MayReveal(actor.User(), a) {
				return forbidden("only IT and the account's administrators reveal its credentials")
			}
			if a.Status == civic.AccountRetired {
				return conflict("the account is retired: its credentials are no longer revealed")
			}
		}
		if reason == "" {
			return civic.Invalid("reason", "say why you need the secret")
		}
		if secret, err = s.vault.Open(c.Sealed); err != nil {
			return &civic.Error{Kind: civic.KindInternal, Message: "the secret cannot be opened", Err: err}
		}
		return tx.Record(ctx, civic.Change{Action: "credential.reveal", ObjectType: c.ObjectType(), ObjectID: id(c.ID),
			After: map[string]any{"kind": c.Kind, "reason": reason}})
	})
	if err != nil {
		return "", nil, err
	}
	return string(secret), c, nil
}

// OnDisable runs in the transaction that disables u. It refuses to disable
// the last enabled SIC commander, so the covert registry always has one,
// and flags for rotation every credential u could reveal: all account
// credentials for IT, those of the accounts u administers, and the covert
// passwords u maintains (every one, for a commander).
func (s *Service) OnDisable(ctx context.Context, tx civic.Tx, u *civic.User) error {
	if err := keepCommander(ctx, tx, u); err != nil {
		return err
	}
	cs, err := tx.AllCredentials(ctx)
	if err != nil {
		return err
	}
	reason := fmt.Sprintf("%s, who could reveal it, was disabled", u.Email)
	accounts := map[int64]*civic.Account{}
	covert := map[int64]*civic.CovertProfile{}
	var flagged []*civic.Credential
	for _, c := range cs {
		could := false
		if c.CovertID != 0 {
			p, ok := covert[c.CovertID]
			if !ok {
				if p, err = tx.CovertProfile(ctx, c.CovertID); err != nil {
					return err
				}
				covert[c.CovertID] = p
			}
			could = mayKnowCovert(civic.ActorOf(u), p)
		} else {
			a, ok := accounts[c.AccountID]
			if !ok {
				if a, err = tx.Account(ctx, c.AccountID); err != nil {
					return err
				}
				accounts[c.AccountID] = a
			}
			could = u.Has(civic.RoleIT) || slices.Contains(a.AdminIDs, u.PersonID)
		}
		if could && c.RotationNeeded == nil {
			if err := tx.FlagCredential(ctx, c.ID, reason); err != nil {
				return err
			}
			flagged = append(flagged, c)
		}
	}
	if len(flagged) == 0 {
		return nil
	}
	// IT rotates account credentials; commanders and maintainers covert ones.
	it, err := usersWhere(ctx, tx, func(o *civic.User) bool { return o.ID != u.ID && o.Has(civic.RoleIT) })
	if err != nil {
		return err
	}
	for _, c := range flagged {
		var to []*civic.User
		link := "/accounts/" + id(c.AccountID)
		if c.CovertID != 0 {
			p := covert[c.CovertID]
			link = "/covert?profile=" + id(p.ID)
			to, err = usersWhere(ctx, tx, func(o *civic.User) bool { return o.ID != u.ID && mayKnowCovert(civic.ActorOf(o), p) })
			if err != nil {
				return err
			}
		} else {
			to = it
		}
		if err := s.notify(ctx, tx, to, "rotation_needed", fmt.Sprintf("A %s must be changed: %s.", c.Kind.Label(), reason), link); err != nil {
			return err
		}
	}
	return nil
}

// keepCommander refuses to leave the city without an enabled SIC
// commander when u, one of them, is disabled or loses the role.
func keepCommander(ctx context.Context, tx civic.Tx, u *civic.User) error {
	if !u.Has(civic.RoleSICCommander) {
		return nil
	}
	others, err := usersWhere(ctx, tx, func(o *civic.User) bool { return o.ID != u.ID && o.Has(civic.RoleSICCommander) })
	if err != nil {
		return err
	}
	if len(others) == 0 {
		return conflict("%s is the only SIC commander: give another user the sic_commander role first, so that covert profiles and their audits always have a commander", u.Email)
	}
	return nil
}

// OnSetRoles runs in the transaction that replaces u's roles: giving or
// taking the sic_commander role there is refused (and recorded in the
// covert audit log): covert access is given by a commander's proposal and
// the covert approver's approval, and taken by a commander's revocation.
func (s *Service) OnSetRoles(ctx context.Context, tx civic.Tx, u *civic.User, next []civic.Grant) error {
	if u.Has(civic.RoleSICCommander) != slices.ContainsFunc(next, func(g civic.Grant) bool { return g.Role == civic.RoleSICCommander }) {
		return civic.RefuseCovert("set_roles", u.ID, "the sic_commander role is not given or taken here: a SIC commander proposes covert access and the covert approver approves it on the Covert access page, and a commander revokes it there")
	}
	return nil
}
