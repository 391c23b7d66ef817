package connection

import (
	"context"

	"steward.city/steward/internal/civic"
)

// Connect links an inventory account to its platform account with its
// token, sealed in the vault as a credential of kind platform_token.
func (s *Service) Connect(ctx context.Context, actor civic.Actor, c *civic.Connection, tok civic.PlatformToken) error {
	if err := civic.Require(actor, civic.PermCaptureConnect); err != nil {
		return err
	}
	c.Normalize()
	c.Status = civic.ConnectionOK
	if err := c.Validate(); err != nil {
		return err
	}
	if s.platforms[c.Platform] == nil {
		return civic.Invalid("platform", "Steward has no adapter for %s yet", civic.PlatformName(c.Platform))
	}
	sealed, err := s.seal(tok)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, actor, func(tx civic.Tx) error {
		a, err := tx.Account(ctx, c.AccountID)
		if err != nil {
			if civic.ErrorKind(err) == civic.KindNotFound {
				return civic.Invalid("account_id", "no official account with id %d", c.AccountID)
			}
			return err
		}
		if a.Status != civic.AccountActive && a.Status != civic.AccountApproved {
			return civic.Errorf(civic.KindConflict, "the account is %s: only approved or active accounts are connected", a.Status)
		}
		if a.Platform != c.Platform {
			return civic.Invalid("platform", "the account is on %s, not %s", civic.PlatformName(a.Platform), civic.PlatformName(c.Platform))
		}
		cred := &civic.Credential{AccountID: a.ID, Kind: civic.CredentialPlatformToken, Sealed: sealed, StoredBy: actor.UserID}
		if err := tx.PutCredential(ctx, cred); err != nil {
			return err
		}
		c.CredentialID = cred.ID
		return tx.CreateConnection(ctx, c)
	})
}

// SetToken replaces a connection's token (a reconnection) and clears its
// broken state: it is due for capture at once.
func (s *Service) SetToken(ctx context.Context, actor civic.Actor, id int64, tok civic.PlatformToken) error {
	if err := civic.Require(actor, civic.PermCaptureConnect); err != nil {
		return err
	}
	sealed, err := s.seal(tok)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, actor, func(tx civic.Tx) error {
		c, err := tx.Connection(ctx, id)
		if err != nil {
			return err
		}
		cred := &civic.Credential{AccountID: c.AccountID, Kind: civic.CredentialPlatformToken, Sealed: sealed, StoredBy: actor.UserID}
		if err := tx.PutCredential(ctx, cred); err != nil {
			return err
		}
		c.CredentialID, c.Status, c.Failures, c.LastError, c.ErrorKind, c.NextRun = cred.ID, civic.ConnectionOK, 0, "", "", tx.Now()
		return tx.UpdateConnection(ctx, c, "capture.connection_token")
	})
}
