package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"steward.city/steward/internal/civic"
)

const runColumns = `id, status, as_of, created_by, created_at, approved_by, approved_at, items, disposed, skipped`

func scanRun(row interface{ Scan(...any) error }) (*civic.DispositionRun, error) {
	var r civic.DispositionRun
	var approved sql.NullTime
	if err := row.Scan(&r.ID, &r.Status, &r.AsOf, &r.CreatedBy, &r.CreatedAt, &r.ApprovedBy, &approved, &r.Items, &r.Disposed, &r.Skipped); err != nil {
		return nil, err
	}
	r.AsOf, r.CreatedAt, r.ApprovedAt = r.AsOf.UTC(), r.CreatedAt.UTC(), nullTime(approved)
	return &r, nil
}

// DispositionRuns lists every run, newest first.
func (r *reader) DispositionRuns(ctx context.Context) ([]*civic.DispositionRun, error) {
	rows, err := r.query(ctx, `SELECT `+runColumns+` FROM archive_disposition_runs ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanRun)
}

// DispositionRun returns the run with the given ID.
func (r *reader) DispositionRun(ctx context.Context, id int64) (*civic.DispositionRun, error) {
	run, err := scanRun(r.queryRow(ctx, `SELECT `+runColumns+` FROM archive_disposition_runs WHERE id = ?`, id))
	return run, notFound(err, "disposition run")
}

// DispositionEntries lists a run's disposition list.
func (r *reader) DispositionEntries(ctx context.Context, runID int64) ([]*civic.DispositionEntry, error) {
	rows, err := r.query(ctx, `SELECT run_id, item_id, account, kind, platform_id, first_captured, last_captured, versions, class, eligible_at, disposed_at, skipped
		FROM archive_disposition_entries WHERE run_id = ? ORDER BY item_id`, runID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (*civic.DispositionEntry, error) {
		var e civic.DispositionEntry
		var disposed sql.NullTime
		if err := row.Scan(&e.RunID, &e.ItemID, &e.Account, &e.Kind, &e.PlatformID, &e.FirstCapture, &e.LastCapture, &e.Versions, &e.Class, &e.EligibleAt, &disposed, &e.Skipped); err != nil {
			return nil, err
		}
		e.FirstCapture, e.LastCapture, e.EligibleAt, e.DisposedAt = e.FirstCapture.UTC(), e.LastCapture.UTC(), e.EligibleAt.UTC(), nullTime(disposed)
		return &e, nil
	})
}

// DisposedVersion reports whether an approved run (executed, or being
// executed) disposed of the version.
func (r *reader) DisposedVersion(ctx context.Context, versionID int64) (bool, error) {
	var n int
	err := r.queryRow(ctx, `SELECT COUNT(*) FROM archive_versions v
		JOIN archive_disposition_entries e ON e.run_id = v.disposition_run AND e.item_id = v.item_id AND e.disposed_at IS NOT NULL
		JOIN archive_disposition_runs r ON r.id = e.run_id AND r.status IN ('approved', 'executed')
		WHERE v.id = ?`, versionID).Scan(&n)
	return n > 0, err
}

// CreateDispositionRun stores a proposed run and its list.
func (t *tx) CreateDispositionRun(ctx context.Context, run *civic.DispositionRun, entries []*civic.DispositionEntry) error {
	run.Status, run.CreatedAt, run.CreatedBy, run.Items = "proposed", t.Now(), t.actor.Label, len(entries)
	run.AsOf = dbTime(run.AsOf)
	if err := t.queryRow(ctx, `INSERT INTO archive_disposition_runs (status, as_of, created_by, created_at, items) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		run.Status, run.AsOf, run.CreatedBy, run.CreatedAt, run.Items).Scan(&run.ID); err != nil {
		return err
	}
	for lo := 0; lo < len(entries); lo += batchRows {
		part := entries[lo:min(lo+batchRows, len(entries))]
		args := make([]any, 0, len(part)*10)
		for _, e := range part {
			e.RunID = run.ID
			args = append(args, e.RunID, e.ItemID, e.Account, string(e.Kind), e.PlatformID, dbTime(e.FirstCapture), dbTime(e.LastCapture), e.Versions, e.Class, dbTime(e.EligibleAt))
		}
		if _, err := t.exec(ctx, `INSERT INTO archive_disposition_entries (run_id, item_id, account, kind, platform_id, first_captured, last_captured, versions, class, eligible_at)
			VALUES `+valueRows(len(part), 10), args...); err != nil {
			return err
		}
	}
	return t.Record(ctx, civic.Change{Action: "archive.disposition_propose", ObjectType: "disposition_run", ObjectID: strconv.FormatInt(run.ID, 10), After: run})
}

// ApproveDispositionRun records the approval of a proposed run; see
// civic.ArchiveWriter. The status changes only from proposed, in one
// statement, so that two approvals at once (two processes on PostgreSQL)
// make one approval and one conflict.
func (t *tx) ApproveDispositionRun(ctx context.Context, id int64) (run *civic.DispositionRun, err error) {
	defer civic.Wrap(&err, "approve disposition run %d", id)
	before, err := t.DispositionRun(ctx, id)
	if err != nil {
		return nil, err
	}
	now := t.Now()
	res, err := t.exec(ctx, `UPDATE archive_disposition_runs SET status = 'approved', approved_by = ?, approved_at = ? WHERE id = ? AND status = 'proposed'`,
		t.actor.Label, now, id)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, civic.Errorf(civic.KindConflict, "the run was already approved")
	}
	after := *before
	after.Status, after.ApprovedBy, after.ApprovedAt = "approved", t.actor.Label, &now
	return &after, t.Record(ctx, civic.Change{Action: "archive.disposition_approve", ObjectType: "disposition_run", ObjectID: strconv.FormatInt(id, 10), Before: before, After: &after})
}

// ExecuteDispositionBatch handles the next entries of an approved run (at
// most batchRows of them, whatever limit says); see civic.ArchiveWriter.
// Each step is one statement over the whole batch. Each entry is claimed
// (its disposed_at or skipped set where both are still empty) before its
// item is touched, so that a batch run twice at once (a job taken for
// stuck while it still ran) handles each entry once: the second claim
// finds it taken. Entries are taken in item order past the item after, so
// that a batch does not scan the entries handled before it (next is where
// the following batch starts); a batch that finds fewer than limit entries
// finishes the run if no entry is left at all, and else says to start
// again from the first (next 0).
func (t *tx) ExecuteDispositionBatch(ctx context.Context, id, after int64, limit int) (run *civic.DispositionRun, next int64, err error) {
	defer civic.Wrap(&err, "execute disposition run %d", id)
	run, err = t.DispositionRun(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	switch run.Status {
	case "executed":
		return run, 0, nil
	case "approved":
	default:
		return nil, 0, civic.Errorf(civic.KindConflict, "the run is not approved")
	}
	if limit <= 0 {
		return nil, 0, civic.Invalid("limit", "give a batch size of at least 1")
	}
	limit = min(limit, batchRows) // each batch's IDs are parameters of one statement
	rows, err := t.query(ctx, `SELECT item_id FROM archive_disposition_entries WHERE run_id = ? AND item_id > ? AND disposed_at IS NULL AND skipped = '' ORDER BY item_id LIMIT ?`, id, after, limit)
	if err != nil {
		return nil, 0, err
	}
	var ids []int64
	for rows.Next() {
		var item int64
		if err := rows.Scan(&item); err != nil {
			rows.Close()
			return nil, 0, err
		}
		ids = append(ids, item)
	}
	if err := rows.Close(); err != nil {
		return nil, 0, err
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(ids) == 0 {
		run, err = t.finishDispositionRun(ctx, run)
		return run, 0, err
	}
	// Holds are read now, for this batch: an item put on hold after the
	// approval is skipped when its turn comes.
	held, err := t.HeldItemIDs(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	gone, err := t.itemSet(ctx, `SELECT id FROM archive_items WHERE disposed_at IS NOT NULL AND id IN (`+placeholders(len(ids))+`)`, int64Args(ids)...)
	if err != nil {
		return nil, 0, err
	}
	var holdIDs, goneIDs, rest []int64
	for _, item := range ids {
		switch {
		case held[item]:
			holdIDs = append(holdIDs, item)
		case gone[item]:
			goneIDs = append(goneIDs, item)
		default:
			rest = append(rest, item)
		}
	}
	now := t.Now()
	var disposed, skipped int
	for _, c := range []struct {
		ids   []int64
		set   string
		value any
	}{{holdIDs, `skipped = ?`, "under legal hold"}, {goneIDs, `skipped = ?`, "already disposed of by another run"}, {rest, `disposed_at = ?`, now}} {
		if len(c.ids) == 0 {
			continue
		}
		claimed, err := t.claimEntries(ctx, c.set, c.value, id, c.ids)
		if err != nil {
			return nil, 0, err
		}
		if c.set == `skipped = ?` {
			skipped += len(claimed)
			continue
		}
		if err := t.tombstone(ctx, id, claimed, now); err != nil {
			return nil, 0, err
		}
		disposed += len(claimed)
	}
	if _, err := t.exec(ctx, `UPDATE archive_disposition_runs SET disposed = disposed + ?, skipped = skipped + ? WHERE id = ?`, disposed, skipped, id); err != nil {
		return nil, 0, err
	}
	run.Disposed += disposed
	run.Skipped += skipped
	if len(ids) < limit {
		// The batch took every entry left past after.
		run, err = t.finishDispositionRun(ctx, run)
		return run, 0, err
	}
	return run, ids[len(ids)-1], nil
}

// claimEntries sets one column of those of a run's entries for items that
// are not handled yet, and returns those items: an item another batch
// handled meanwhile is not among them.
func (t *tx) claimEntries(ctx context.Context, set string, value any, run int64, items []int64) ([]int64, error) {
	args := append([]any{value, run}, int64Args(items)...)
	rows, err := t.query(ctx, `UPDATE archive_disposition_entries SET `+set+` WHERE run_id = ? AND item_id IN (`+placeholders(len(items))+`)
		AND disposed_at IS NULL AND skipped = '' RETURNING item_id`, args...)
	if err != nil {
		return nil, err
	}
	set2, err := scanIDs(rows)
	if err != nil {
		return nil, err
	}
	out := make([]int64, 0, len(set2))
	for _, item := range items {
		if set2[item] {
			out = append(out, item)
		}
	}
	return out, nil
}

// tombstone replaces the content of every version of the items by a
// tombstone: content gone, hash (and so the Merkle log) kept.
func (t *tx) tombstone(ctx context.Context, run int64, items []int64, now time.Time) error {
	if len(items) == 0 {
		return nil
	}
	in := `item_id IN (` + placeholders(len(items)) + `)`
	ids := int64Args(items)
	if _, err := t.exec(ctx, `UPDATE archive_versions SET author_id = '', author_handle = '', author_name = '', text = '', media = '[]', tags = '[]', raw = ?,
		disposed_at = ?, disposition_run = ? WHERE disposed_at IS NULL AND `+in, append([]any{[]byte{}, now, run}, ids...)...); err != nil {
		return err
	}
	if t.d.Name == "sqlite" {
		if _, err := t.exec(ctx, `DELETE FROM archive_fts WHERE rowid IN (SELECT id FROM archive_versions WHERE `+in+`)`, ids...); err != nil {
			return err
		}
	}
	if _, err := t.exec(ctx, `UPDATE archive_items SET disposed_at = ? WHERE disposed_at IS NULL AND id IN (`+placeholders(len(items))+`)`, append([]any{now}, ids...)...); err != nil {
		return err
	}
	return t.refreshPublic(ctx, `v.`+in, ids...)
}

// itemSet runs a query of IDs and returns them as a set.
func (t *tx) itemSet(ctx context.Context, q string, args ...any) (map[int64]bool, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return scanIDs(rows)
}

// scanIDs reads rows of one ID each into a set, and closes them.
func scanIDs(rows *sql.Rows) (map[int64]bool, error) {
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// finishDispositionRun marks an approved run as executed once its every
// entry is handled (else it returns it as it is), with the counts of its list, and records the audit event:
// once, since only one transaction changes the status.
func (t *tx) finishDispositionRun(ctx context.Context, run *civic.DispositionRun) (*civic.DispositionRun, error) {
	var disposed, skipped, left int
	if err := t.queryRow(ctx, `SELECT
		COALESCE(SUM(CASE WHEN disposed_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN disposed_at IS NULL AND skipped <> '' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN disposed_at IS NULL AND skipped = '' THEN 1 ELSE 0 END), 0)
		FROM archive_disposition_entries WHERE run_id = ?`, run.ID).Scan(&disposed, &skipped, &left); err != nil {
		return nil, err
	}
	if left > 0 {
		return run, nil // entries before after are left: the next batch starts from the first
	}
	res, err := t.exec(ctx, `UPDATE archive_disposition_runs SET status = 'executed', disposed = ?, skipped = ? WHERE id = ? AND status = 'approved'`, disposed, skipped, run.ID)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return t.DispositionRun(ctx, run.ID) // another batch finished it
	}
	after := *run
	after.Status, after.Disposed, after.Skipped = "executed", disposed, skipped
	return &after, t.Record(ctx, civic.Change{Action: "archive.disposition_execute", ObjectType: "disposition_run", ObjectID: strconv.FormatInt(run.ID, 10), Before: run, After: &after})
}
