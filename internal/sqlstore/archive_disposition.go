package sqlstore

import (
	"context"
	"database/sql"
	"strconv"

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

// DisposedVersion reports whether an executed run disposed of the version.
func (r *reader) DisposedVersion(ctx context.Context, versionID int64) (bool, error) {
	var n int
	err := r.queryRow(ctx, `SELECT COUNT(*) FROM archive_versions v
		JOIN archive_disposition_entries e ON e.run_id = v.disposition_run AND e.item_id = v.item_id AND e.disposed_at IS NOT NULL
		JOIN archive_disposition_runs r ON r.id = e.run_id AND r.status = 'executed'
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

// ExecuteDispositionRun approves a proposed run and replaces the content of
// each listed item's versions by a tombstone; see civic.ArchiveWriter.
func (t *tx) ExecuteDispositionRun(ctx context.Context, id int64) (disposed, skipped int, err error) {
	defer civic.Wrap(&err, "execute disposition run %d", id)
	run, err := t.DispositionRun(ctx, id)
	if err != nil {
		return 0, 0, err
	}
	if run.Status != "proposed" {
		return 0, 0, civic.Errorf(civic.KindConflict, "the run was already executed")
	}
	entries, err := t.DispositionEntries(ctx, id)
	if err != nil {
		return 0, 0, err
	}
	ids := make([]int64, len(entries))
	for i, e := range entries {
		ids[i] = e.ItemID
	}
	held, err := t.HeldItemIDs(ctx, ids)
	if err != nil {
		return 0, 0, err
	}
	now := t.Now()
	for _, e := range entries {
		if held[e.ItemID] {
			skipped++
			if _, err := t.exec(ctx, `UPDATE archive_disposition_entries SET skipped = 'under legal hold' WHERE run_id = ? AND item_id = ?`, id, e.ItemID); err != nil {
				return 0, 0, err
			}
			continue
		}
		// The tombstone: content gone, hash (and so the Merkle log) kept.
		if _, err := t.exec(ctx, `UPDATE archive_versions SET author_id = '', author_handle = '', author_name = '', text = '', media = '[]', tags = '[]', raw = ?,
			disposed_at = ?, disposition_run = ? WHERE item_id = ? AND disposed_at IS NULL`, []byte{}, now, id, e.ItemID); err != nil {
			return 0, 0, err
		}
		if t.d.Name == "sqlite" {
			if _, err := t.exec(ctx, `DELETE FROM archive_fts WHERE rowid IN (SELECT id FROM archive_versions WHERE item_id = ?)`, e.ItemID); err != nil {
				return 0, 0, err
			}
		}
		if _, err := t.exec(ctx, `UPDATE archive_items SET disposed_at = ? WHERE id = ?`, now, e.ItemID); err != nil {
			return 0, 0, err
		}
		if err := t.refreshPublicItem(ctx, e.ItemID); err != nil {
			return 0, 0, err
		}
		if _, err := t.exec(ctx, `UPDATE archive_disposition_entries SET disposed_at = ? WHERE run_id = ? AND item_id = ?`, now, id, e.ItemID); err != nil {
			return 0, 0, err
		}
		disposed++
	}
	if _, err := t.exec(ctx, `UPDATE archive_disposition_runs SET status = 'executed', approved_by = ?, approved_at = ?, disposed = ?, skipped = ? WHERE id = ?`,
		t.actor.Label, now, disposed, skipped, id); err != nil {
		return 0, 0, err
	}
	after := *run
	after.Status, after.ApprovedBy, after.ApprovedAt, after.Disposed, after.Skipped = "executed", t.actor.Label, &now, disposed, skipped
	return disposed, skipped, t.Record(ctx, civic.Change{Action: "archive.disposition_execute", ObjectType: "disposition_run", ObjectID: strconv.FormatInt(id, 10), Before: run, After: &after})
}
