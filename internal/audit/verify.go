// Package audit checks the hash chain of the audit log, checks that it
// still holds the heads that signed checkpoints committed to, and lists
// events to each viewer in a numbering of their own.
package audit

import (
	"context"
	"fmt"

	"steward.city/steward/internal/civic"
)

// BrokenError says where the chain first breaks.
type BrokenError struct {
	Seq    int64  // the first event that does not fit the chain
	Reason string // what is wrong with it
}

func (e *BrokenError) Error() string {
	return fmt.Sprintf("audit chain broken at event %d: %s", e.Seq, e.Reason)
}

// Verify walks the whole chain in r and returns the number of events found
// intact: all of them, or those before the break. It returns a *BrokenError for the first event that was altered,
// removed or inserted behind Steward's back:
//   - an altered event no longer matches its own hash;
//   - a removed event leaves a gap in the numbers, or a successor whose
//     prev_hash names a hash that is no longer there;
//   - an inserted event either breaks the numbering or its successor's
//     prev_hash, or (at the end) goes past the head recorded at the last append.
//
// Someone who can rewrite the whole table and the head row passes Verify;
// VerifyAnchored also checks the heads signed checkpoints committed to.
func Verify(ctx context.Context, r civic.Reader) (int64, error) {
	n, err := walk(ctx, r, nil)
	if be, ok := err.(*BrokenError); ok {
		return be.Seq - 1, err
	}
	return n, err
}

// walk checks the chain and calls visit, if not nil, with each event that
// fits it.
func walk(ctx context.Context, r civic.Reader, visit func(*civic.AuditEvent)) (int64, error) {
	want := int64(1)
	prev := civic.GenesisHash
	err := r.WalkAudit(ctx, func(e *civic.AuditEvent) error {
		switch {
		case e.Seq != want:
			return &BrokenError{Seq: want, Reason: fmt.Sprintf("event %d is missing (the next event is %d)", want, e.Seq)}
		case e.PrevHash != prev:
			return &BrokenError{Seq: e.Seq, Reason: "its prev_hash does not match the hash of the event before it (an event was removed, inserted or altered)"}
		case e.ComputeHash() != e.Hash:
			return &BrokenError{Seq: e.Seq, Reason: "its content does not match its hash (the event was altered)"}
		}
		if visit != nil {
			visit(e)
		}
		prev = e.Hash
		want++
		return nil
	})
	if err != nil {
		return want - 1, err
	}
	last := want - 1
	headSeq, headHash, err := r.AuditHead(ctx)
	if err != nil {
		return last, err
	}
	switch {
	case headSeq > last:
		return last, &BrokenError{Seq: last + 1, Reason: fmt.Sprintf("events %d to %d were removed from the end of the log", last+1, headSeq)}
	case headSeq < last:
		return last, &BrokenError{Seq: headSeq + 1, Reason: fmt.Sprintf("events %d to %d were added after the last recorded append", headSeq+1, last)}
	case headHash != prev:
		return last, &BrokenError{Seq: last, Reason: "the last event does not match the recorded head of the chain"}
	}
	return last, nil
}
