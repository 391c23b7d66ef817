package connection

import (
	"context"
	"encoding/json"
	"fmt"

	"steward.city/steward/internal/civic"
)

// Endpoint returns the adapter of a connection's platform and an endpoint
// to call it with: the connection's address and its token, opened from the
// vault. A token that expires within refreshAhead is first renewed, where
// the adapter can, and the new one sealed in its place. A platform without
// an adapter is ErrNoAdapter; a connection without a token is a
// PlatformAuth error.
func (s *Service) Endpoint(ctx context.Context, c *civic.Connection) (civic.Platform, *civic.Endpoint, error) {
	p := s.platforms[c.Platform]
	if p == nil {
		return nil, nil, fmt.Errorf("%s: %w", c.Platform, ErrNoAdapter)
	}
	tok, err := s.Token(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	ep := &civic.Endpoint{BaseURL: c.BaseURL, RemoteID: c.RemoteID, Handle: c.Handle, Token: tok}
	if err := s.refresh(ctx, c, p, ep); err != nil {
		return nil, nil, err
	}
	return p, ep, nil
}

// Token opens a connection's sealed token, as stored: it is not refreshed
// (webhooks need only its app secret).
func (s *Service) Token(ctx context.Context, c *civic.Connection) (civic.PlatformToken, error) {
	var tok civic.PlatformToken
	if c.CredentialID == 0 {
		return tok, &civic.PlatformError{Platform: c.Platform, Kind: civic.PlatformAuth, Message: "the connection has no token: connect it again"}
	}
	cred, err := s.store.Credential(ctx, c.CredentialID)
	if err != nil {
		return tok, err
	}
	if s.vault == nil {
		return tok, civic.Errorf(civic.KindUnavailable, "the vault is not open")
	}
	b, err := s.vault.Open(cred.Sealed)
	if err != nil {
		return tok, fmt.Errorf("open the token of connection %d: %w", c.ID, err)
	}
	if err := json.Unmarshal(b, &tok); err != nil {
		return tok, fmt.Errorf("the token of connection %d is not a platform token: %w", c.ID, err)
	}
	return tok, nil
}

// seal encrypts a token with the vault, for a credential of kind
// platform_token.
func (s *Service) seal(tok civic.PlatformToken) (civic.Sealed, error) {
	if tok.AccessToken == "" {
		return civic.Sealed{}, civic.Invalid("access_token", "give the access token the platform issued for the account")
	}
	if s.vault == nil {
		return civic.Sealed{}, civic.Errorf(civic.KindUnavailable, "the vault is not open")
	}
	b, err := json.Marshal(tok)
	if err != nil {
		return civic.Sealed{}, err
	}
	return s.vault.Seal(b)
}

// refresh renews a token that expires soon, where the adapter can, and
// seals the new one as the account's credential, written by Steward
// (civic.System).
func (s *Service) refresh(ctx context.Context, c *civic.Connection, p civic.Platform, ep *civic.Endpoint) error {
	r, ok := p.(civic.Refresher)
	if !ok || ep.Token.ExpiresAt == nil || ep.Token.ExpiresAt.Sub(s.clock()) > refreshAhead {
		return nil
	}
	tok, err := r.Refresh(ctx, ep)
	if err != nil {
		return err
	}
	sealed, err := s.seal(tok)
	if err != nil {
		return err
	}
	if err := s.store.Update(ctx, civic.System, func(tx civic.Tx) error {
		// The refreshed token stays in the custody of whoever stored it.
		old, err := tx.Credential(ctx, c.CredentialID)
		if err != nil {
			return err
		}
		return tx.PutCredential(ctx, &civic.Credential{AccountID: c.AccountID, Kind: civic.CredentialPlatformToken, Sealed: sealed, StoredBy: old.StoredBy})
	}); err != nil {
		return err
	}
	s.log.Info("platform token refreshed", "connection", c.ID, "account", c.Ref())
	ep.Token = tok
	return nil
}
