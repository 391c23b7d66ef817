package records

import (
	"context"
	"slices"

	"steward.city/steward/internal/civic"
)

// itemChunk is a batch of the scope's items in the order of index.html
// and the report (threadKey), with their versions up to the checkpoint:
// one read of the versions serves both files.
type itemChunk struct {
	keys   []threadKey
	byItem map[int64][]*civic.Version
}

// threadKeys returns the scope's items in the order of index.html and the
// report: by account, thread, then ID.
func (s *Service) threadKeys(ctx context.Context, items *itemSet) ([]threadKey, error) {
	keys := make([]threadKey, 0, items.len())
	// An account's and a thread's name are kept once, however many items
	// they have: a million items' keys held 80 MB of copies.
	names := map[string]string{}
	name := func(s string) string {
		if n, ok := names[s]; ok {
			return n
		}
		names[s] = s
		return s
	}
	if err := s.store.ArchiveItemThreads(ctx, func(id int64, account, thread string) error {
		if items.has(id) {
			keys = append(keys, threadKey{name(account), name(thread), id})
		}
		return nil
	}); err != nil {
		return nil, err
	}
	slices.SortFunc(keys, compareKeys)
	return keys, nil
}

// chunkReader reads the versions of keys, indexBatch items at a time, in a
// goroutine, and hands each chunk to every reader of outs, in order. The
// chunks are only read: the readers share them.
type chunkReader struct {
	outs   []chan *itemChunk
	cancel context.CancelCauseFunc
	done   chan struct{}
	err    error
}

func (s *Service) readChunks(ctx context.Context, keys []threadKey, size int64, readers int) *chunkReader {
	ctx, cancel := context.WithCancelCause(ctx)
	cr := &chunkReader{cancel: cancel, done: make(chan struct{})}
	for range readers {
		cr.outs = append(cr.outs, make(chan *itemChunk, 2))
	}
	go func() {
		defer close(cr.done)
		defer func() {
			for _, o := range cr.outs {
				close(o)
			}
		}()
		for lo := 0; lo < len(keys); lo += indexBatch {
			c := &itemChunk{keys: keys[lo:min(lo+indexBatch, len(keys))], byItem: map[int64][]*civic.Version{}}
			ids := make([]int64, len(c.keys))
			for i, k := range c.keys {
				ids[i] = k.id
			}
			if err := s.store.VersionsOfItems(ctx, ids, func(v *civic.Version) error {
				if v.LogIndex < size {
					c.byItem[v.ItemID] = append(c.byItem[v.ItemID], v)
				}
				return nil
			}); err != nil {
				if ctx.Err() != nil {
					err = context.Cause(ctx) // stopped: say why
				}
				cr.err = err
				return
			}
			for _, o := range cr.outs {
				select {
				case o <- c:
				case <-ctx.Done():
					cr.err = context.Cause(ctx)
					return
				}
			}
		}
	}()
	return cr
}

// next returns the next chunk of reader i, or nil at the end (when Wait
// tells whether all were read) or when ctx is done.
func (cr *chunkReader) next(ctx context.Context, i int) *itemChunk {
	select {
	case c := <-cr.outs[i]:
		return c
	case <-ctx.Done():
		return nil
	}
}

// wait waits for the reader and returns its error.
func (cr *chunkReader) wait() error {
	<-cr.done
	return cr.err
}

// stop stops the reader and waits for it.
func (cr *chunkReader) stop() { cr.stopFor(nil) }

// stopFor stops the reader because of err, which wait returns (a reader of
// the chunks failed: the export fails with its error, not the reader's).
func (cr *chunkReader) stopFor(err error) {
	cr.cancel(err)
	<-cr.done
}
