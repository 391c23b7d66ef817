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

// ExecuteDispositionBatch handles the next entries of an approved run; see
// civic.ArchiveWriter. Each entry is claimed (its disposed_at or skipped
// set where both are still empty) before its item is touched, so that a
// batch run twice at once (a job taken for stuck while it still ran)
// handles each entry once: the second claim finds it taken.
func (t *tx) ExecuteDispositionBatch(ctx context.Context, id int64, limit int) (run *civic.DispositionRun, err error) {
	defer civic.Wrap(&err, "execute disposition run %d", id)
	run, err = t.DispositionRun(ctx, id)
	if err != nil {
		return nil, err
	}
	switch run.Status {
	case "executed":
		return run, nil
	case "approved":
	default:
		return nil, civic.Errorf(civic.KindConflict, "the run is not approved")
	}
	if limit <= 0 {
		return nil, civic.Invalid("limit", "give a batch size of at least 1")
	}
	rows, err := t.query(ctx, `SELECT item_id FROM archive_disposition_entries WHERE run_id = ? AND disposed_at IS NULL AND skipped = '' ORDER BY item_id LIMIT ?`, id, limit)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var item int64
		if err := rows.Scan(&item); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, item)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return t.finishDispositionRun(ctx, run)
	}
	// Holds are read now, for this batch: an item put on hold after the
	// approval is skipped when its turn comes.
	held, err := t.HeldItemIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	now := t.Now()
	var disposed, skipped int
	for _, item := range ids {
		why := ""
		if held[item] {
			why = "under legal hold"
		} else {
			var gone int
			if err := t.queryRow(ctx, `SELECT COUNT(*) FROM archive_items WHERE id = ? AND disposed_at IS NOT NULL`, item).Scan(&gone); err != nil {
				return nil, err
			}
			if gone > 0 {
				why = "already disposed of by another run"
			}
		}
		if why != "" {
			ok, err := t.claimEntry(ctx, `skipped = ?`, why, id, item)
			if err != nil {
				return nil, err
			}
			if ok {
				skipped++
			}
			continue
		}
		ok, err := t.claimEntry(ctx, `disposed_at = ?`, now, id, item)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if err := t.tombstone(ctx, id, item, now); err != nil {
			return nil, err
		}
		disposed++
	}
	if _, err := t.exec(ctx, `UPDATE archive_disposition_runs SET disposed = disposed + ?, skipped = skipped + ? WHERE id = ?`, disposed, skipped, id); err != nil {
		return nil, err
	}
	run.Disposed += disposed
	run.Skipped += skipped
	if len(ids) < limit {
		// The batch took every entry left.
		return t.finishDispositionRun(ctx, run)
	}
	return run, nil
}

// claimEntry sets one column of a run's entry that is not handled yet,
// reporting whether it was (false: another batch handled it).
func (t *tx) claimEntry(ctx context.Context, set string, value any, run, item int64) (bool, error) {
	res, err := t.exec(ctx, `UPDATE archive_disposition_entries SET `+set+` WHERE run_id = ? AND item_id = ? AND disposed_at IS NULL AND skipped = ''`, value, run, item)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// tombstone replaces the content of every version of an item by a
// tombstone: content gone, hash (and so the Merkle log) kept.
func (t *tx) tombstone(ctx context.Context, run, item int64, now time.Time) error {
	if _, err := t.exec(ctx, `UPDATE archive_versions SET author_id = '', author_handle = '', author_name = '', text = '', media = '[]', tags = '[]', raw = ?,
		disposed_at = ?, disposition_run = ? WHERE item_id = ? AND disposed_at IS NULL`, []byte{}, now, run, item); err != nil {
		return err
	}
	if t.d.Name == "sqlite" {
		if _, err := t.exec(ctx, `DELETE FROM archive_fts WHERE rowid IN (SELECT id FROM archive_versions WHERE item_id = ?)`, item); err != nil {
			return err
		}
	}
	if _, err := t.exec(ctx, `UPDATE archive_items SET disposed_at = ? WHERE id = ? AND disposed_at IS NULL`, now, item); err != nil {
		return err
	}
	return t.refreshPublicItem(ctx, item)
}

// finishDispositionRun marks an approved run whose every entry is handled
// as executed, with the counts of its list, and records the audit event:
// once, since only one transaction changes the status.
func (t *tx) finishDispositionRun(ctx context.Context, run *civic.DispositionRun) (*civic.DispositionRun, error) {
	var disposed, skipped int
	if err := t.queryRow(ctx, `SELECT
		COALESCE(SUM(CASE WHEN disposed_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN disposed_at IS NULL AND skipped <> '' THEN 1 ELSE 0 END), 0)
		FROM archive_disposition_entries WHERE run_id = ?`, run.ID).Scan(&disposed, &skipped); err != nil {
		return nil, err
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
