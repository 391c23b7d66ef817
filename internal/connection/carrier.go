package connection

import (
	"context"
	"fmt"

	"steward.city/steward/internal/civic"
)

// Carry implements civic.Carrier: it carries out a moderation decision on
// the platform an archived item came from, through its account's
// connection and the platform's adapter (Moderate), with the connection's
// token refreshed if it expires soon. The item must be in the archive
// (capture comes before moderation); it returns an error wrapping
// civic.ErrUnsupported when the platform cannot, and a KindUnavailable
// error when the account is not connected or its connection is broken.
func (s *Service) Carry(ctx context.Context, itemID int64, action civic.PlatformAction) error {
	it, err := s.store.ArchiveItem(ctx, itemID)
	if err != nil {
		if civic.ErrorKind(err) == civic.KindNotFound {
			return civic.Errorf(civic.KindNotFound, "item %d is not in the archive: capture it before acting on it", itemID)
		}
		return err
	}
	cs, err := s.store.Connections(ctx)
	if err != nil {
		return err
	}
	var c *civic.Connection
	for _, x := range cs {
		if x.Ref() == it.Account {
			c = x
		}
	}
	if c == nil {
		return civic.Errorf(civic.KindUnavailable, "the account %s is not connected", it.Account)
	}
	if c.Status == civic.ConnectionBroken {
		return civic.Errorf(civic.KindUnavailable, "the connection of %s is broken: %s", it.Account, c.LastError)
	}
	p := s.platforms[c.Platform]
	if p == nil {
		return civic.Errorf(civic.KindUnavailable, "Steward has no adapter for %s", civic.PlatformName(c.Platform))
	}
	need := map[civic.PlatformAction]civic.Capability{civic.ActionHide: civic.CapHide, civic.ActionUnhide: civic.CapHide, civic.ActionDelete: civic.CapDelete, civic.ActionApprove: civic.CapHold}[action]
	if need == "" {
		return civic.Invalid("action", "unknown platform action %q", action)
	}
	if !p.Capabilities().Has(need) {
		return fmt.Errorf("%s cannot %s a comment: %w", civic.PlatformName(c.Platform), action, civic.ErrUnsupported)
	}
	_, ep, err := s.Endpoint(ctx, c)
	if err != nil {
		return err
	}
	if err := p.Moderate(ctx, ep, it.PlatformID, action); err != nil {
		return fmt.Errorf("%s %s on %s: %w", action, it.PlatformID, c.Platform, err)
	}
	return nil
}

var _ civic.Carrier = (*Service)(nil)
