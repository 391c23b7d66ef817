package archive

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/merkle"
)

// Problem is one thing Verify found wrong.
type Problem struct {
	Kind      string `json:"kind"` // altered, missing, reordered, disposal, checkpoint, head, index, public_flag
	VersionID int64  `json:"version_id,omitempty"`
	Message   string `json:"message"`
}

// Report is what Verify found.
type Report struct {
	Versions    int64     `json:"versions"`
	Size        int64     `json:"size"` // of the recomputed tree, missing versions included
	Checkpoints int       `json:"checkpoints"`
	Root        string    `json:"root"` // base64, as in checkpoints
	Problems    []Problem `json:"problems"`
}

// OK reports whether nothing was found wrong.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// maxProblems bounds the report; the first problems are the useful ones.
const maxProblems = 1000

// Verify recomputes the Merkle log from the database (REC-5): every
// version's hash from its content, the leaf the log holds at its index, the
// root at the size of every signed checkpoint, and the final root. It
// reports an altered version (its content no longer matches its hash), a
// missing one (a gap in the log, or a log shorter than its head or a
// checkpoint), a reordered one (the log holds another record at its
// index), a tombstone without an approved disposition, a checkpoint
// whose signature or root does not match, and a search or date index that
// disagrees with the versions (checkIndexes). vkey is the checkpoint
// verifier key; "" uses the published one.
func (s *Service) Verify(ctx context.Context, vkey string) (*Report, error) {
	rep := &Report{}
	add := func(kind string, id int64, format string, args ...any) {
		if len(rep.Problems) < maxProblems {
			rep.Problems = append(rep.Problems, Problem{Kind: kind, VersionID: id, Message: fmt.Sprintf(format, args...)})
		}
	}
	if vkey == "" {
		var err error
		if vkey, err = s.Verifier(ctx); err != nil {
			return nil, err
		}
	}
	cps, err := s.store.ArchiveCheckpoints(ctx, 0)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(cps, func(a, b *civic.Checkpoint) int { return int(a.Size - b.Size) })
	rep.Checkpoints = len(cps)
	if len(cps) == 0 {
		add("checkpoint", 0, "no signed checkpoint: nothing proves that the log was not rewritten whole (steward serve signs one every --checkpoint-interval)")
	}
	for _, c := range cps {
		if vkey == "" {
			add("checkpoint", 0, "checkpoint %d (size %d): no verifier key is published to check its signature", c.ID, c.Size)
			continue
		}
		if err := openCheckpoint(c, vkey); err != nil {
			add("checkpoint", 0, "checkpoint %d (size %d): %v", c.ID, c.Size, err)
		}
	}
	headSize, headRoot, err := s.store.ArchiveLogHead(ctx)
	if err != nil {
		return nil, err
	}
	var f merkle.Frontier
	days := map[string]*civic.DayRange{}
	next := 0 // next checkpoint to compare
	checkRoots := func() {
		for next < len(cps) && cps[next].Size <= f.Size {
			if cps[next].Size == f.Size {
				root := f.Root()
				if base64.StdEncoding.EncodeToString(root[:]) != cps[next].RootHash {
					add("checkpoint", 0, "the log's first %d records do not hash to the root signed in checkpoint %d: a record before it was altered, removed or reordered", f.Size, cps[next].ID)
				}
			}
			next++
		}
	}
	checkRoots() // checkpoints of the empty tree
	err = s.store.WalkVersions(ctx, 0, func(v *civic.Version, leaf []byte) error {
		for f.Size+1 < v.ID { // a gap: versions f.Size+1 … v.ID-1 are missing
			add("missing", f.Size+1, "version %d is missing from the database", f.Size+1)
			f.Append(tlog.Hash{})
			checkRoots()
		}
		hash := v.Hash
		if v.DisposedAt == nil {
			if got := v.ComputeHash(); got != v.Hash {
				add("altered", v.ID, "version %d (item %d) was altered: its content hashes to %s, its record says %s", v.ID, v.ItemID, got[:12], short(v.Hash))
				hash = got
			}
		} else {
			ok, err := s.store.DisposedVersion(ctx, v.ID)
			if err != nil {
				return err
			}
			if !ok {
				add("disposal", v.ID, "version %d is a tombstone, but no approved disposition run disposed of it", v.ID)
			}
		}
		hb, err := hex.DecodeString(hash)
		if err != nil || len(hb) != 32 {
			add("altered", v.ID, "version %d has a malformed hash", v.ID)
			hb = make([]byte, 32)
		}
		lh := merkle.LeafHash(hb)
		switch {
		case leaf == nil:
			add("missing", v.ID, "version %d is not in the Merkle log", v.ID)
		case !bytes.Equal(leaf, lh[:]):
			add("reordered", v.ID, "the Merkle log holds a different record at index %d than version %d: records were reordered or replaced", v.ID-1, v.ID)
		}
		f.Append(lh)
		checkRoots()
		rep.Versions++
		day := v.At().UTC().Format(time.DateOnly)
		if d := days[day]; d == nil {
			days[day] = &civic.DayRange{Day: day, MinID: v.ID, MaxID: v.ID}
		} else {
			d.MinID, d.MaxID = min(d.MinID, v.ID), max(d.MaxID, v.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if f.Size < headSize {
		add("missing", f.Size+1, "the log head records %d versions; the database holds %d: the last %d are missing", headSize, f.Size, headSize-f.Size)
	}
	for ; next < len(cps); next++ {
		add("missing", 0, "checkpoint %d signed %d records; the database holds %d", cps[next].ID, cps[next].Size, f.Size)
	}
	if err := s.checkIndexes(ctx, days, add); err != nil {
		return nil, err
	}
	root := f.Root()
	rep.Size = f.Size
	rep.Root = base64.StdEncoding.EncodeToString(root[:])
	if f.Size == headSize && headSize > 0 && !bytes.Equal(root[:], headRoot) {
		add("head", 0, "the recomputed root differs from the root recorded at the last append")
	}
	return rep, nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
