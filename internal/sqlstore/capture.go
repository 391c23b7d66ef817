package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"steward.city/steward/internal/civic"
)

const connectionColumns = `id, account_id, platform, base_url, remote_id, handle, COALESCE(credential_id, 0), interval_seconds, status, last_error, error_kind, failures,
	last_run, last_success, next_run, created_at, updated_at`

func scanConnection(row interface{ Scan(...any) error }) (*civic.Connection, error) {
	var c civic.Connection
	var secs int64
	var lastRun, lastSuccess sql.NullTime
	if err := row.Scan(&c.ID, &c.AccountID, &c.Platform, &c.BaseURL, &c.RemoteID, &c.Handle, &c.CredentialID, &secs, &c.Status, &c.LastError, &c.ErrorKind, &c.Failures,
		&lastRun, &lastSuccess, &c.NextRun, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return nil, err
	}
	c.Interval = time.Duration(secs) * time.Second
	c.LastRun, c.LastSuccess = nullTime(lastRun), nullTime(lastSuccess)
	c.NextRun, c.CreatedAt, c.UpdatedAt = c.NextRun.UTC(), c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

// Connection returns the connection with the given ID.
func (r *reader) Connection(ctx context.Context, id int64) (*civic.Connection, error) {
	c, err := scanConnection(r.queryRow(ctx, `SELECT `+connectionColumns+` FROM capture_connections WHERE id = ?`, id))
	return c, notFound(err, "connection")
}

// Connections lists every connection by ID.
func (r *reader) Connections(ctx context.Context) ([]*civic.Connection, error) {
	rows, err := r.query(ctx, `SELECT `+connectionColumns+` FROM capture_connections ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanConnection)
}

// CreateConnection stores a new connection, one per account.
func (t *tx) CreateConnection(ctx context.Context, c *civic.Connection) error {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	if _, err := t.Account(ctx, c.AccountID); err != nil {
		return err
	}
	now := t.Now()
	c.CreatedAt, c.UpdatedAt = now, now
	if c.NextRun.IsZero() {
		c.NextRun = now
	}
	if err := t.queryRow(ctx, `INSERT INTO capture_connections (account_id, platform, base_url, remote_id, handle, credential_id, interval_seconds, status, last_error, error_kind,
		failures, next_run, created_at, updated_at) VALUES (`+placeholders(14)+`) RETURNING id`,
		c.AccountID, c.Platform, c.BaseURL, c.RemoteID, c.Handle, nullInt64(c.CredentialID), int64(c.Interval/time.Second), string(c.Status), c.LastError, c.ErrorKind,
		c.Failures, dbTime(c.NextRun), now, now).Scan(&c.ID); err != nil {
		return t.conflict(err, "connection for this account or handle")
	}
	return t.Record(ctx, civic.Change{Action: "capture.connection_create", ObjectType: "capture_connection", ObjectID: strconv.FormatInt(c.ID, 10), After: c})
}

// UpdateConnection stores c's settings and status with an audit event.
func (t *tx) UpdateConnection(ctx context.Context, c *civic.Connection, action string) error {
	before, err := t.Connection(ctx, c.ID)
	if err != nil {
		return err
	}
	c.Normalize()
	c.AccountID, c.CreatedAt = before.AccountID, before.CreatedAt
	if err := c.Validate(); err != nil {
		return err
	}
	c.UpdatedAt = t.Now()
	if _, err := t.exec(ctx, `UPDATE capture_connections SET platform = ?, base_url = ?, remote_id = ?, handle = ?, credential_id = ?, interval_seconds = ?, status = ?,
		last_error = ?, error_kind = ?, failures = ?, next_run = ?, updated_at = ? WHERE id = ?`,
		c.Platform, c.BaseURL, c.RemoteID, c.Handle, nullInt64(c.CredentialID), int64(c.Interval/time.Second), string(c.Status),
		c.LastError, c.ErrorKind, c.Failures, dbTime(c.NextRun), c.UpdatedAt, c.ID); err != nil {
		return t.conflict(err, "connection for this handle")
	}
	c.LastRun, c.LastSuccess = before.LastRun, before.LastSuccess
	return t.Record(ctx, civic.Change{Action: action, ObjectType: "capture_connection", ObjectID: strconv.FormatInt(c.ID, 10), Before: before, After: c})
}

// SetConnectionRun stores the outcome of a run; no audit event.
func (t *tx) SetConnectionRun(ctx context.Context, c *civic.Connection) error {
	var lastRun, lastSuccess any
	if c.LastRun != nil {
		lastRun = dbTime(*c.LastRun)
	}
	if c.LastSuccess != nil {
		lastSuccess = dbTime(*c.LastSuccess)
	}
	res, err := t.exec(ctx, `UPDATE capture_connections SET status = ?, last_error = ?, error_kind = ?, failures = ?, last_run = ?, last_success = ?, next_run = ? WHERE id = ?`,
		string(c.Status), c.LastError, c.ErrorKind, c.Failures, lastRun, lastSuccess, dbTime(c.NextRun), c.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return civic.Errorf(civic.KindNotFound, "connection not found")
	}
	return nil
}

// CaptureCursor returns a stream's cursor, "" when none is stored.
func (r *reader) CaptureCursor(ctx context.Context, connectionID int64, stream string) (string, error) {
	var cur string
	err := r.queryRow(ctx, `SELECT next_cursor FROM capture_cursors WHERE connection_id = ? AND stream = ?`, connectionID, stream).Scan(&cur)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return cur, err
}

// SetCaptureCursor stores a stream's cursor; no audit event.
func (t *tx) SetCaptureCursor(ctx context.Context, connectionID int64, stream, cursor string) error {
	if _, err := t.exec(ctx, `INSERT INTO capture_cursors (connection_id, stream, next_cursor, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (connection_id, stream) DO UPDATE SET next_cursor = excluded.next_cursor, updated_at = excluded.updated_at`,
		connectionID, stream, cursor, t.Now()); err != nil {
		return t.conflict(err, "cursor")
	}
	return nil
}

const captureRunColumns = `id, connection_id, started_at, finished_at, pages, stored, edits, deletions, flags, error, error_kind, retry_at`

func scanCaptureRun(row interface{ Scan(...any) error }) (*civic.CaptureRun, error) {
	var r civic.CaptureRun
	var retry sql.NullTime
	if err := row.Scan(&r.ID, &r.ConnectionID, &r.StartedAt, &r.FinishedAt, &r.Pages, &r.Stored, &r.Edits, &r.Deletions, &r.Flags, &r.Error, &r.ErrorKind, &retry); err != nil {
		return nil, err
	}
	r.StartedAt, r.FinishedAt, r.RetryAt = r.StartedAt.UTC(), r.FinishedAt.UTC(), nullTime(retry)
	return &r, nil
}

// CaptureRuns lists a connection's last runs, newest first.
func (r *reader) CaptureRuns(ctx context.Context, connectionID int64, limit int) ([]*civic.CaptureRun, error) {
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	rows, err := r.query(ctx, `SELECT `+captureRunColumns+` FROM capture_runs WHERE connection_id = ? ORDER BY id DESC LIMIT ?`, connectionID, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanCaptureRun)
}

// AddCaptureRun stores what a run did; no audit event.
func (t *tx) AddCaptureRun(ctx context.Context, r *civic.CaptureRun) error {
	var retry any
	if r.RetryAt != nil {
		retry = dbTime(*r.RetryAt)
	}
	return t.queryRow(ctx, `INSERT INTO capture_runs (connection_id, started_at, finished_at, pages, stored, edits, deletions, flags, error, error_kind, retry_at)
		VALUES (`+placeholders(11)+`) RETURNING id`, r.ConnectionID, dbTime(r.StartedAt), dbTime(r.FinishedAt), r.Pages, r.Stored, r.Edits, r.Deletions, r.Flags,
		r.Error, r.ErrorKind, retry).Scan(&r.ID)
}

const captureFlagColumns = `id, connection_id, account_id, kind, subject, detail, COALESCE(item_id, 0), raised_at, resolved_at, resolved_by, resolution`

func scanCaptureFlag(row interface{ Scan(...any) error }) (*civic.CaptureFlag, error) {
	var f civic.CaptureFlag
	var resolved sql.NullTime
	if err := row.Scan(&f.ID, &f.ConnectionID, &f.AccountID, &f.Kind, &f.Subject, &f.Detail, &f.ItemID, &f.RaisedAt, &resolved, &f.ResolvedBy, &f.Resolution); err != nil {
		return nil, err
	}
	f.RaisedAt, f.ResolvedAt = f.RaisedAt.UTC(), nullTime(resolved)
	return &f, nil
}

// CaptureFlag returns the flag with the given ID.
func (r *reader) CaptureFlag(ctx context.Context, id int64) (*civic.CaptureFlag, error) {
	f, err := scanCaptureFlag(r.queryRow(ctx, `SELECT `+captureFlagColumns+` FROM capture_flags WHERE id = ?`, id))
	return f, notFound(err, "flag")
}

// CaptureFlags lists flags, newest first.
func (r *reader) CaptureFlags(ctx context.Context, f civic.CaptureFlagFilter) ([]*civic.CaptureFlag, error) {
	q := `SELECT ` + captureFlagColumns + ` FROM capture_flags WHERE 1 = 1`
	var args []any
	if f.ConnectionID != 0 {
		q += ` AND connection_id = ?`
		args = append(args, f.ConnectionID)
	}
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, string(f.Kind))
	}
	if f.Subject != "" {
		q += ` AND subject = ?`
		args = append(args, f.Subject)
	}
	if f.Open {
		q += ` AND resolved_at IS NULL`
	}
	limit := f.Limit
	if limit <= 0 || limit > 5000 {
		limit = 500
	}
	rows, err := r.query(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanCaptureFlag)
}

// RaiseCaptureFlag stores f unless the same connection, kind and subject
// was flagged before.
func (t *tx) RaiseCaptureFlag(ctx context.Context, f *civic.CaptureFlag) (bool, error) {
	var id int64
	err := t.queryRow(ctx, `SELECT id FROM capture_flags WHERE connection_id = ? AND kind = ? AND subject = ?`, f.ConnectionID, string(f.Kind), f.Subject).Scan(&id)
	if err == nil {
		f.ID = id
		return false, nil
	}
	if err != sql.ErrNoRows {
		return false, err
	}
	c, err := t.Connection(ctx, f.ConnectionID)
	if err != nil {
		return false, err
	}
	switch {
	case f.Kind != civic.FlagBlock && f.Kind != civic.FlagUnauthorizedPost && f.Kind != civic.FlagProfile && f.Kind != civic.FlagFollow && f.Kind != civic.FlagMedia:
		return false, civic.Invalid("kind", "unknown flag kind %q", f.Kind)
	case f.Subject == "" || len(f.Subject) > 500:
		return false, civic.Invalid("subject", "a flag names what it is about (up to 500 characters)")
	}
	f.AccountID, f.RaisedAt = c.AccountID, t.Now()
	if err := t.queryRow(ctx, `INSERT INTO capture_flags (connection_id, account_id, kind, subject, detail, item_id, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		f.ConnectionID, f.AccountID, string(f.Kind), f.Subject, f.Detail, nullInt64(f.ItemID), f.RaisedAt).Scan(&f.ID); err != nil {
		return false, t.conflict(err, "flag")
	}
	return true, t.Record(ctx, civic.Change{Action: "capture.flag_raise", ObjectType: "capture_flag", ObjectID: strconv.FormatInt(f.ID, 10), After: f})
}

// ResolveCaptureFlag closes a flag with a note.
func (t *tx) ResolveCaptureFlag(ctx context.Context, id int64, note string) error {
	before, err := t.CaptureFlag(ctx, id)
	if err != nil {
		return err
	}
	if before.ResolvedAt != nil {
		return civic.Errorf(civic.KindConflict, "the flag was resolved already")
	}
	if note == "" || len(note) > 2000 {
		return civic.Invalid("resolution", "say how the flag was resolved (up to 2000 characters)")
	}
	now := t.Now()
	if _, err := t.exec(ctx, `UPDATE capture_flags SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE id = ?`, now, t.actor.Label, note, id); err != nil {
		return err
	}
	after := *before
	after.ResolvedAt, after.ResolvedBy, after.Resolution = &now, t.actor.Label, note
	return t.Record(ctx, civic.Change{Action: "capture.flag_resolve", ObjectType: "capture_flag", ObjectID: strconv.FormatInt(id, 10), Before: before, After: &after})
}

// CapturedItem returns the archive item with a platform id on an account.
func (r *reader) CapturedItem(ctx context.Context, ref, platformID string) (*civic.ArchiveItem, error) {
	it, err := scanItem(r.queryRow(ctx, `SELECT `+itemColumns+itemFrom+` WHERE a.ref = ? AND i.platform_id = ?`, ref, platformID))
	return it, notFound(err, "item")
}

// capturedLastFrom selects the last version (in captured order) of each
// item i; the caller adds the item filter.
const capturedLastFrom = ` FROM archive_items i JOIN archive_accounts a ON a.id = i.account_id
	JOIN archive_versions v ON v.id = (SELECT v2.id FROM archive_versions v2 WHERE v2.item_id = i.id ORDER BY v2.captured_at DESC, v2.id DESC LIMIT 1)`

// capturedChunk bounds the ids of one query (each is bound twice), well
// under SQLite's and PostgreSQL's parameter limits.
const capturedChunk = 500

// CapturedLast returns the last version of every item of an account whose
// platform id or thread id is one of ids.
func (r *reader) CapturedLast(ctx context.Context, ref string, ids []string) ([]*civic.Version, error) {
	acct, err := r.ArchiveAccountByRef(ctx, ref)
	if civic.ErrorKind(err) == civic.KindNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*civic.Version
	seen := map[int64]bool{}
	for start := 0; start < len(ids); start += capturedChunk {
		part := ids[start:min(start+capturedChunk, len(ids))]
		args := []any{acct.ID}
		for _, id := range part {
			args = append(args, id)
		}
		args = append(args, acct.ID)
		for _, id := range part {
			args = append(args, id)
		}
		in := placeholders(len(part))
		// Two index lookups, not one OR: with the OR, SQLite read every
		// item of the account for each chunk.
		rows, err := r.query(ctx, `SELECT `+versionColumns+capturedLastFrom+` WHERE i.id IN (SELECT p.id FROM archive_items p WHERE p.account_id = ? AND p.platform_id IN (`+in+`)
			UNION SELECT t.id FROM archive_items t WHERE t.account_id = ? AND t.thread_id IN (`+in+`)) ORDER BY i.id`, args...)
		if err != nil {
			return nil, err
		}
		vs, err := collect(rows, func(row interface{ Scan(...any) error }) (*civic.Version, error) { return scanVersion(row) })
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			if !seen[v.ItemID] { // an item may match by both ids, in two chunks
				seen[v.ItemID] = true
				out = append(out, v)
			}
		}
	}
	return out, nil
}

// CapturedSpan returns the last version of every item of an account with a
// version by authorID whose platform time lies in [from, to).
func (r *reader) CapturedSpan(ctx context.Context, ref, authorID string, from, to time.Time) ([]*civic.Version, error) {
	acct, err := r.ArchiveAccountByRef(ctx, ref)
	if civic.ErrorKind(err) == civic.KindNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cond, args := `s.account_id = ? AND s.author_id = ? AND s.platform_time IS NOT NULL`, []any{acct.ID, authorID}
	if !from.IsZero() {
		// at is the platform time where there is one: its index bounds the scan.
		cond += ` AND s.at >= ? AND s.platform_time >= ?`
		args = append(args, dbTime(from), dbTime(from))
	}
	if !to.IsZero() {
		cond += ` AND s.at < ? AND s.platform_time < ?`
		args = append(args, dbTime(to), dbTime(to))
	}
	rows, err := r.query(ctx, `SELECT `+versionColumns+capturedLastFrom+` WHERE i.id IN (SELECT s.item_id FROM archive_versions s WHERE `+cond+`) ORDER BY i.id`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (*civic.Version, error) { return scanVersion(row) })
}
