package archive

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"steward.city/steward/internal/checkpoint"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/merkle"
)

// The public portal's integrity reads (REC-7): inclusion proofs of the
// versions of items the portal shows, the history of signed checkpoints and
// consistency proofs between them, and the dispositions of what the portal
// may show. A proof carries hashes only; the sibling hashes of an audit
// path are hashes of hashes, and tell nothing of any record.

// PublicProof returns the inclusion proof of every version of the item
// against the newest signed checkpoint, with the item as the portal shows
// it. An item the portal does not show is KindNotFound, as one that does
// not exist; a withheld item is proven too, since its hashes tell nothing
// of its content. Versions appended after the checkpoint are Pending.
func (s *Service) PublicProof(ctx context.Context, id int64) (*checkpoint.ItemProof, *PublicItem, *civic.PublicAccount, error) {
	it, a, err := s.PublicItem(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	p := &checkpoint.ItemProof{ItemID: it.ID, Versions: []checkpoint.LeafProof{}}
	cps, err := s.store.ArchiveCheckpoints(ctx, 1)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(cps) > 0 {
		p.Checkpoint, p.TreeSize, p.RootHash = cps[0].Note, cps[0].Size, cps[0].RootHash
	}
	hr := &nodeReader{ctx: ctx, store: s.store}
	for _, v := range it.Versions {
		raw, err := hex.DecodeString(v.SHA256)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("version %d: stored hash: %w", v.ID, err)
		}
		leaf := merkle.LeafHash(raw)
		lp := checkpoint.LeafProof{VersionID: v.ID, SHA256: v.SHA256, LeafHash: base64.StdEncoding.EncodeToString(leaf[:]), LeafIndex: v.ID - 1, Path: []string{}}
		if lp.LeafIndex >= p.TreeSize {
			lp.Pending = true
		} else {
			path, err := tlog.ProveRecord(p.TreeSize, lp.LeafIndex, hr)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("prove version %d: %w", v.ID, err)
			}
			lp.Path = checkpoint.EncodeHashes(path)
		}
		p.Versions = append(p.Versions, lp)
	}
	return p, it, a, nil
}

// PublicCheckpoints returns one page of the signed checkpoints, newest
// first, and how many there are.
func (s *Service) PublicCheckpoints(ctx context.Context, offset, limit int) ([]*civic.Checkpoint, int, error) {
	all, err := s.store.ArchiveCheckpoints(ctx, 0)
	if err != nil {
		return nil, 0, err
	}
	if offset > len(all) {
		offset = len(all)
	}
	return all[offset:min(offset+limit, len(all))], len(all), nil
}

// PublicConsistency returns the consistency proof from the tree of from
// records to the tree of to records, both at most the newest signed
// checkpoint's size: the public sees no tree the city has not signed.
func (s *Service) PublicConsistency(ctx context.Context, from, to int64) (*checkpoint.ConsistencyProof, error) {
	cps, err := s.store.ArchiveCheckpoints(ctx, 1)
	if err != nil {
		return nil, err
	}
	var signed int64
	if len(cps) > 0 {
		signed = cps[0].Size
	}
	switch {
	case from < 0:
		return nil, civic.Invalid("from", "from must be a whole number, 0 or more")
	case to < from:
		return nil, civic.Invalid("to", "to (%d) must not be smaller than from (%d)", to, from)
	case to > signed:
		return nil, civic.Invalid("to", "the newest signed checkpoint has %d records, fewer than %d", signed, to)
	}
	p, err := s.ConsistencyProof(ctx, from, to)
	if err != nil {
		return nil, err
	}
	hr := &nodeReader{ctx: ctx, store: s.store}
	root := func(n int64) (string, error) {
		h := merkle.EmptyRoot()
		if n > 0 {
			if h, err = tlog.TreeHash(n, hr); err != nil {
				return "", fmt.Errorf("tree hash of %d: %w", n, err)
			}
		}
		return base64.StdEncoding.EncodeToString(h[:]), nil
	}
	c := &checkpoint.ConsistencyProof{From: from, To: to, Proof: checkpoint.EncodeHashes(p)}
	if c.FromRoot, err = root(from); err != nil {
		return nil, err
	}
	if c.ToRoot, err = root(to); err != nil {
		return nil, err
	}
	return c, nil
}

// PublicDisposition is one disposed item as the public reads it.
type PublicDisposition struct {
	ItemID     int64
	Kind       civic.ItemKind
	AccountID  int64 // the registry's
	Account    string
	Rule       string // the retention class
	EligibleAt time.Time
	DisposedAt time.Time
	RunID      int64
	Tombstones []string // the hex SHA-256 of each version, kept in the log
}

// publicDisposedKinds are the kinds the published list names one by one:
// those the account itself wrote. Once disposed of, a comment keeps no
// author, so the archive can no longer tell a covert profile's comment
// from a resident's; comments and replies are therefore neither listed nor
// counted.
var publicDisposedKinds = []civic.ItemKind{civic.ItemPost, civic.ItemMedia, civic.ItemProfile}

// PublicDispositions lists, newest first, the items of accounts the portal
// shows that executed disposition runs destroyed, with the rule, the date
// and the hashes kept in the log.
func (s *Service) PublicDispositions(ctx context.Context) ([]*PublicDisposition, error) {
	as, err := s.store.PublicAccounts(ctx)
	if err != nil {
		return nil, err
	}
	runs, err := s.store.DispositionRuns(ctx)
	if err != nil {
		return nil, err
	}
	var out []*PublicDisposition
	for _, r := range runs {
		if r.Status != "executed" {
			continue
		}
		es, err := s.store.DispositionEntries(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			if e.DisposedAt == nil || !slices.Contains(publicDisposedKinds, e.Kind) {
				continue
			}
			it, err := s.store.ArchiveItem(ctx, e.ItemID)
			if err != nil {
				return nil, err
			}
			i := slices.IndexFunc(as, func(a *civic.PublicAccount) bool { return a.ArchiveID != 0 && a.ArchiveID == it.AccountID })
			if i < 0 {
				continue
			}
			vs, err := s.store.ArchiveVersions(ctx, e.ItemID)
			if err != nil {
				return nil, err
			}
			d := &PublicDisposition{ItemID: e.ItemID, Kind: e.Kind, AccountID: as[i].ID, Account: as[i].DisplayName, Rule: e.Class,
				EligibleAt: e.EligibleAt, DisposedAt: *e.DisposedAt, RunID: r.ID}
			for _, v := range vs {
				d.Tombstones = append(d.Tombstones, v.Hash)
			}
			out = append(out, d)
		}
	}
	slices.SortStableFunc(out, func(a, b *PublicDisposition) int { return b.DisposedAt.Compare(a.DisposedAt) })
	return out, nil
}
