package audit

import (
	"context"
	"fmt"
	"time"

	"steward.city/steward/internal/checkpoint"
	"steward.city/steward/internal/civic"
)

// Anchor is an audit chain head a signed checkpoint commits to (its
// "audit" extension line): the hash of the chain's newest event when the
// checkpoint was signed.
type Anchor struct {
	From string // the checkpoint, for messages: "the newest checkpoint (12, signed …)"
	Hash string
}

// AnchorError says the chain is not anchored: no checkpoint commits to it,
// a checkpoint's signature fails, or an event a checkpoint committed to is
// no longer in the chain.
type AnchorError struct{ Reason string }

func (e *AnchorError) Error() string { return "audit chain not anchored: " + e.Reason }

// Anchors returns the heads the chain must still hold: the one the newest
// checkpoint in r commits to and, when published is not nil, the one that
// checkpoint (kept outside the database) commits to, each checked with
// vkey. It returns an *AnchorError when there is no checkpoint, when one
// does not verify with vkey or commits to no head, and another error when
// published is not a checkpoint at all.
func Anchors(ctx context.Context, r civic.Reader, vkey string, published []byte) ([]Anchor, error) {
	if published != nil {
		if _, err := checkpoint.ParseNote(published); err != nil {
			return nil, fmt.Errorf("published checkpoint: %w", err)
		}
	}
	cps, err := r.ArchiveCheckpoints(ctx, 1)
	if err != nil {
		return nil, err
	}
	if len(cps) == 0 {
		return nil, &AnchorError{Reason: "no signed checkpoint commits to the audit chain (steward serve signs one every --checkpoint-interval; were they deleted?)"}
	}
	if vkey == "" {
		return nil, &AnchorError{Reason: "no checkpoint verifier key is trusted here (give --key)"}
	}
	c := cps[0]
	var out []Anchor
	a, err := anchor([]byte(c.Note), vkey, fmt.Sprintf("the newest checkpoint (%d, signed %s)", c.ID, c.Time.UTC().Format(time.RFC3339)))
	if err != nil {
		return nil, err
	}
	out = append(out, a)
	if published != nil {
		b, _ := checkpoint.ParseNote(published)
		from := fmt.Sprintf("the published checkpoint (size %d", b.Size)
		if len(b.Extensions) > 0 {
			from += ", " + b.Extensions[0]
		}
		a, err := anchor(published, vkey, from+")")
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func anchor(msg []byte, vkey, from string) (Anchor, error) {
	b, err := checkpoint.Open(msg, vkey)
	if err != nil {
		return Anchor{}, &AnchorError{Reason: fmt.Sprintf("%s does not verify with the key trusted here: %v", from, err)}
	}
	h, ok := b.AuditHead()
	if !ok {
		return Anchor{}, &AnchorError{Reason: from + " commits to no audit head (it was signed before checkpoints did)"}
	}
	return Anchor{From: from, Hash: h}, nil
}

// VerifyAnchored walks the chain as Verify does, and checks that it holds
// the event of every anchor. A chain cut back past an anchored event, or
// rewritten and chained again before it, no longer holds it, though it may
// be whole. It returns the number of events and, for each anchor, the
// sequence number of its event (0 for the empty chain's head).
func VerifyAnchored(ctx context.Context, r civic.Reader, anchors []Anchor) (int64, []int64, error) {
	at := make([]int64, len(anchors))
	found := make([]bool, len(anchors))
	for i, a := range anchors {
		found[i] = a.Hash == civic.GenesisHash
	}
	n, err := walk(ctx, r, func(e *civic.AuditEvent) {
		for i, a := range anchors {
			if !found[i] && e.Hash == a.Hash {
				at[i], found[i] = e.Seq, true
			}
		}
	})
	if be, ok := err.(*BrokenError); ok {
		return be.Seq - 1, at, err
	}
	if err != nil {
		return n, at, err
	}
	for i, a := range anchors {
		if !found[i] {
			return n, at, &AnchorError{Reason: fmt.Sprintf("%s commits to an audit event that is no longer in the chain: events were removed from its end, or it was rewritten and chained again", a.From)}
		}
	}
	return n, at, nil
}
