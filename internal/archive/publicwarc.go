package archive

import (
	"context"
	"io"
	"time"

	"steward.city/steward/internal/civic"
)

// PublicMonth selects what the portal offers anyone of an official
// account's month [from, to): the versions a transfer without withheld
// versions holds (TransferSelect) — public by their classification, with
// no span redacted, not posted by a covert profile — and how many were
// left out. An account the portal does not show, or a month with nothing
// public, is not found, in the words the portal uses for any unknown
// account.
func (s *Service) PublicMonth(ctx context.Context, a *civic.PublicAccount, from, to time.Time) (*TransferSet, error) {
	if a.ArchiveID == 0 || !from.Before(to) {
		return nil, civic.Errorf(civic.KindNotFound, "nothing public is archived from this account in that month")
	}
	as, err := s.store.ArchiveAccounts(ctx)
	if err != nil {
		return nil, err
	}
	var acct *civic.ArchiveAccount
	for _, x := range as {
		if x.ID == a.ArchiveID {
			acct = x
		}
	}
	covert, err := s.store.CovertProfiles(ctx, 0)
	if err != nil {
		return nil, err
	}
	if acct == nil || covertHandle(acct.Handle, covert) {
		return nil, civic.Errorf(civic.KindNotFound, "there is no public account %d", a.ID)
	}
	set, err := s.transferSet(ctx, acct, TransferQuery{AccountID: acct.ID, From: from, To: to}, covert)
	if err != nil {
		return nil, err
	}
	if len(set.Versions) == 0 {
		return nil, civic.Errorf(civic.KindNotFound, "nothing public is archived from this account in that month")
	}
	return set, nil
}

// WritePublicWARC writes a set PublicMonth selected as a WARC file, as
// WriteWARC does: no reader's permission is needed for what the portal
// shows anyone.
func (s *Service) WritePublicWARC(ctx context.Context, set *TransferSet, filename string, w io.Writer) (*WARCStats, error) {
	for _, tv := range set.Versions {
		if tv.Withheld {
			return nil, civic.Errorf(civic.KindForbidden, "a public WARC holds no withheld version")
		}
	}
	return s.writeWARC(ctx, set, filename, w)
}
