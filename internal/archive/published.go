package archive

import (
	"context"
	"fmt"

	"steward.city/steward/internal/checkpoint"
	"steward.city/steward/internal/merkle"
)

// CheckPublished checks a checkpoint published earlier (kept by a witness,
// a resident, a newspaper) against the log as Verify recomputed it in rep:
// that vkey signed it, and that the recomputed tree extends it, by an RFC
// 6962 consistency proof from the log's stored nodes to the recomputed
// root. A log cut back, or rewritten before the published size, fails,
// even when its own checkpoints were signed again with the same key.
// Problems are added to rep (kind "published"); an error means published
// is not a checkpoint at all.
func (s *Service) CheckPublished(ctx context.Context, published []byte, vkey string, rep *Report) error {
	if _, err := checkpoint.ParseNote(published); err != nil {
		return fmt.Errorf("published checkpoint: %w", err)
	}
	add := func(format string, args ...any) {
		rep.Problems = append(rep.Problems, Problem{Kind: "published", Message: fmt.Sprintf(format, args...)})
	}
	if vkey == "" {
		add("no verifier key is trusted here to check the published checkpoint's signature")
		return nil
	}
	body, err := checkpoint.Open(published, vkey)
	if err != nil {
		add("the published checkpoint does not verify with the key trusted here (%v): the archive's key was changed, or the checkpoint is not this archive's", err)
		return nil
	}
	if body.Size > rep.Size {
		add("the published checkpoint signed %d records; the log holds %d: records were removed from its end", body.Size, rep.Size)
		return nil
	}
	root, err := merkle.ParseHash(rep.Root)
	if err != nil {
		return fmt.Errorf("recomputed root: %w", err)
	}
	proof, err := s.ConsistencyProof(ctx, body.Size, rep.Size)
	if err == nil {
		err = merkle.CheckConsistency(proof, body.Size, body.Root, rep.Size, root)
	}
	if err != nil {
		add("the log does not extend the checkpoint published at size %d: records up to it were rewritten, removed or reordered, or its nodes altered (%v)", body.Size, err)
	}
	return nil
}
