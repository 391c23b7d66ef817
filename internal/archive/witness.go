package archive

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/merkle"
)

// Witness cosigns the archive's checkpoints (C2SP tlog-witness): it keeps
// the last tree it cosigned and cosigns a new checkpoint only with a proof
// that the new tree extends it.
type Witness interface {
	// Name is the witness's key name, as in its cosignature lines.
	Name() string
	// Cosign submits signed, a checkpoint of a tree of size leaves signed
	// by the log, and returns the witness's verified cosignature lines,
	// each ending in a newline. prove returns the consistency proof from
	// an older size to size, for the size the witness last cosigned.
	Cosign(ctx context.Context, size int64, signed []byte, prove func(ctx context.Context, old int64) (tlog.TreeProof, error)) (string, error)
}

// witnessTimeout bounds one witness's answer; a checkpoint is kept with
// the cosignatures that arrived in time.
const witnessTimeout = 15 * time.Second

// cosign asks every witness, at once, to cosign signed and returns the
// cosignature lines that came back, in the order of the witnesses. A
// witness that fails or refuses is logged and left out.
func (s *Service) cosign(ctx context.Context, size int64, signed []byte) string {
	lines := make([]string, len(s.witnesses))
	var wg sync.WaitGroup
	for i, w := range s.witnesses {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, witnessTimeout)
			defer cancel()
			l, err := w.Cosign(ctx, size, signed, func(ctx context.Context, old int64) (tlog.TreeProof, error) {
				return s.ConsistencyProof(ctx, old, size)
			})
			if err != nil {
				s.log.Error("witness did not cosign the checkpoint", "witness", w.Name(), "size", size, "err", err)
				return
			}
			lines[i] = l
		})
	}
	wg.Wait()
	return strings.Join(lines, "")
}

// ConsistencyProof returns the RFC 6962 proof, from the log's stored nodes,
// that its tree of newSize records extends its tree of oldSize records. A
// size beyond the log is KindInvalid.
func (s *Service) ConsistencyProof(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error) {
	size, _, err := s.store.ArchiveLogHead(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case oldSize < 0 || newSize < 0:
		return nil, civic.Invalid("old", "sizes are whole numbers")
	case oldSize > newSize:
		return nil, civic.Invalid("old", "the old size %d is larger than the new size %d", oldSize, newSize)
	case newSize > size:
		return nil, civic.Invalid("new", "the log holds %d records, fewer than %d", size, newSize)
	}
	p, err := merkle.ProveConsistency(oldSize, newSize, &nodeReader{ctx: ctx, store: s.store})
	if err != nil {
		return nil, fmt.Errorf("consistency proof from %d to %d: %w", oldSize, newSize, err)
	}
	return p, nil
}

// nodeReader reads the log's stored nodes by tlog's storage index.
type nodeReader struct {
	ctx   context.Context
	store civic.RecordsReader
}

func (r *nodeReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	want := make([]civic.LogNode, len(indexes))
	for i, x := range indexes {
		level, n := tlog.SplitStoredHashIndex(x)
		want[i] = civic.LogNode{Level: level, Index: n}
	}
	got, err := r.store.ArchiveLogNodes(r.ctx, want)
	if err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(got))
	for i, h := range got {
		if len(h) != tlog.HashSize {
			return nil, fmt.Errorf("log node %d/%d is not a hash", want[i].Level, want[i].Index)
		}
		copy(out[i][:], h)
	}
	return out, nil
}
