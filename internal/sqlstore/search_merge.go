package sqlstore

import (
	"context"

	"steward.city/steward/internal/civic"
)

// SearchMergePages is how many pages of the full-text index one merge step
// writes by default: about 8 MB, under a second of the writer's time at 1M
// archived items on the 2-core reference machine.
const SearchMergePages = 2000

// MergeSearchIndex takes one step of merging SQLite's full-text index
// (archive_fts) into a single segment, writing at most pages pages, and
// reports whether more steps remain. Each ingest transaction adds a small
// segment and FTS5's automerge keeps their number bounded, not small (13
// after ingesting 1M items), and every search reads each segment that
// holds its words: merged into one, the same searches took 15–30% less
// time (docs/performance.md, "The search index merged"). A step is one
// statement on the writer, so ingest waits at most one step; the index's
// content and every search's answers stay the same. PostgreSQL's GIN index
// has nothing to merge (autovacuum empties its pending list): there it
// returns false at once.
func (s *Store) MergeSearchIndex(ctx context.Context, pages int) (more bool, err error) {
	defer civic.Wrap(&err, "merge the search index")
	if s.d.Name != "sqlite" {
		return false, nil
	}
	if pages <= 0 {
		pages = SearchMergePages
	}
	// total_changes is per connection: both reads and the merge on one.
	c, err := s.write.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer c.Close()
	var before, after int64
	if err := c.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&before); err != nil {
		return false, err
	}
	// A negative count merges every segment, as 'optimize' does, but a
	// step at a time (FTS5 keeps the merge's progress in the index).
	if _, err := c.ExecContext(ctx, `INSERT INTO archive_fts(archive_fts, rank) VALUES('merge', ?)`, -pages); err != nil {
		return false, err
	}
	if err := c.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&after); err != nil {
		return false, err
	}
	// FTS5's documented test: fewer than two rows changed means there was
	// nothing left to merge.
	return after-before >= 2, nil
}

// SearchIndexSegments is how many segments SQLite's full-text index has
// (0 on PostgreSQL): one once MergeSearchIndex has finished and nothing
// was ingested since.
func (r *reader) SearchIndexSegments(ctx context.Context) (n int, err error) {
	defer civic.Wrap(&err, "count the search index's segments")
	if r.d.Name != "sqlite" {
		return 0, nil
	}
	err = r.queryRow(ctx, `SELECT COUNT(DISTINCT segid) FROM archive_fts_idx`).Scan(&n)
	return n, err
}
