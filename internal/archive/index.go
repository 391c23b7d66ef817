package archive

import (
	"context"
	"slices"

	"steward.city/steward/internal/civic"
)

// checkIndexes compares the indexes that speed up searches with the
// versions, which are the records: the date index (archive_days), against
// days, the lowest and highest version ID of each day of item time counted
// while walking the versions; and the full-text index, by the store
// (civic.ArchiveReader.CompareSearchIndex). An index edited, emptied or
// filled behind Steward's back would hide records from searches and legal
// holds; records requests do not use them (MatchItems), but each
// disagreement is an "index" problem.
func (s *Service) checkIndexes(ctx context.Context, days map[string]*civic.DayRange, add func(kind string, id int64, format string, args ...any)) error {
	stored, err := s.store.ArchiveDays(ctx)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, d := range stored {
		seen[d.Day] = true
		want := days[d.Day]
		switch {
		case want == nil:
			add("index", d.MinID, "the date index (archive_days) lists %s with versions %d–%d, but no version falls on that day", d.Day, d.MinID, d.MaxID)
		case d.MinID != want.MinID || d.MaxID != want.MaxID:
			add("index", want.MinID, "the date index (archive_days) says the versions of %s are %d–%d; the versions table says %d–%d: searches by date would miss some", d.Day, d.MinID, d.MaxID, want.MinID, want.MaxID)
		}
	}
	missing := make([]string, 0)
	for day := range days {
		if !seen[day] {
			missing = append(missing, day)
		}
	}
	slices.Sort(missing)
	for _, day := range missing {
		d := days[day]
		add("index", d.MinID, "the date index (archive_days) has no row for %s, which holds versions %d–%d: searches by date would miss them", day, d.MinID, d.MaxID)
	}
	return s.store.CompareSearchIndex(ctx, maxProblems, func(id int64, problem string) error {
		add("index", id, "version %d: %s", id, problem)
		return nil
	})
}

// MatchItems calls fn with each item that has a version with ID at most
// upTo (0: any) matching q, evaluated on the versions themselves, never on
// the search or date indexes (civic.ArchiveReader.MatchArchive): what a
// records request covers must not depend on an index that can disagree
// with the records. It checks nothing about actor: callers do.
func (s *Service) MatchItems(ctx context.Context, q *Query, upTo int64, fn func(itemID int64) error) error {
	if q.Department != "" {
		d, err := s.store.DepartmentBySlug(ctx, q.Department)
		if err != nil {
			if civic.ErrorKind(err) == civic.KindNotFound {
				return civic.Invalid("q", "department:%s: no such department", clip(q.Department))
			}
			return err
		}
		q.DepartmentID = d.ID
	}
	return s.store.MatchArchive(ctx, &q.ArchiveQuery, upTo, fn)
}
