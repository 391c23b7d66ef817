package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
)

const archiveAccountColumns = `id, ref, platform, handle, COALESCE(department_id, 0), created_at`

func scanArchiveAccount(row interface{ Scan(...any) error }) (*civic.ArchiveAccount, error) {
	var a civic.ArchiveAccount
	if err := row.Scan(&a.ID, &a.Ref, &a.Platform, &a.Handle, &a.DepartmentID, &a.CreatedAt); err != nil {
		return nil, err
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}

// ArchiveAccountByRef returns the archive account with reference ref.
func (r *reader) ArchiveAccountByRef(ctx context.Context, ref string) (*civic.ArchiveAccount, error) {
	a, err := scanArchiveAccount(r.queryRow(ctx, `SELECT `+archiveAccountColumns+` FROM archive_accounts WHERE ref = ?`, ref))
	return a, notFound(err, "account")
}

// ArchiveAccounts lists the archive's accounts by reference.
func (r *reader) ArchiveAccounts(ctx context.Context) ([]*civic.ArchiveAccount, error) {
	rows, err := r.query(ctx, `SELECT `+archiveAccountColumns+` FROM archive_accounts ORDER BY ref`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanArchiveAccount)
}

const itemColumns = `i.id, i.account_id, a.ref, i.platform_id, i.kind, i.parent_id, i.thread_id, i.tags, i.first_captured, i.last_captured, i.state, i.versions, i.disposed_at,
	COALESCE((SELECT v.text FROM archive_versions v WHERE v.item_id = i.id ORDER BY v.captured_at DESC, v.id DESC LIMIT 1), '')`
const itemFrom = ` FROM archive_items i JOIN archive_accounts a ON a.id = i.account_id`

func scanItem(row interface{ Scan(...any) error }) (*civic.ArchiveItem, error) {
	var it civic.ArchiveItem
	var tags string
	var disposed sql.NullTime
	if err := row.Scan(&it.ID, &it.AccountID, &it.Account, &it.PlatformID, &it.Kind, &it.ParentID, &it.ThreadID, &tags,
		&it.FirstCapture, &it.LastCapture, &it.State, &it.Versions, &disposed, &it.Text); err != nil {
		return nil, err
	}
	it.FirstCapture, it.LastCapture = it.FirstCapture.UTC(), it.LastCapture.UTC()
	it.Disposed = disposed.Valid
	if err := json.Unmarshal([]byte(tags), &it.Tags); err != nil {
		return nil, err
	}
	return &it, nil
}

// ArchiveItem returns the item with the given ID.
func (r *reader) ArchiveItem(ctx context.Context, id int64) (*civic.ArchiveItem, error) {
	it, err := scanItem(r.queryRow(ctx, `SELECT `+itemColumns+itemFrom+` WHERE i.id = ?`, id))
	return it, notFound(err, "item")
}

// ArchiveItemByPlatformID returns the item of an account by its platform id.
func (r *reader) ArchiveItemByPlatformID(ctx context.Context, accountRef, platformID string) (*civic.ArchiveItem, error) {
	it, err := scanItem(r.queryRow(ctx, `SELECT `+itemColumns+itemFrom+` WHERE a.ref = ? AND i.platform_id = ?`, accountRef, platformID))
	return it, notFound(err, "item")
}

// ArchiveThread lists the items of the thread item belongs to.
func (r *reader) ArchiveThread(ctx context.Context, itemID int64) ([]*civic.ArchiveItem, error) {
	it, err := r.ArchiveItem(ctx, itemID)
	if err != nil {
		return nil, err
	}
	// Two index lookups, not one OR: with the OR, SQLite read every item of
	// the account (a thread page, or a screening pass's post, cost a scan
	// of the account: 40 comments a second screened in an account of 1M).
	rows, err := r.query(ctx, `SELECT `+itemColumns+itemFrom+` WHERE i.id IN (SELECT t.id FROM archive_items t WHERE t.account_id = ? AND t.thread_id = ?
		UNION SELECT p.id FROM archive_items p WHERE p.account_id = ? AND p.platform_id = ?) ORDER BY i.first_captured, i.id`,
		it.AccountID, it.ThreadID, it.AccountID, it.ThreadID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanItem)
}

// WalkArchiveItems calls fn for every item in ID order, in pages.
func (r *reader) WalkArchiveItems(ctx context.Context, fn func(*civic.ArchiveItem) error) error {
	var after int64
	for {
		rows, err := r.query(ctx, `SELECT `+itemColumns+itemFrom+` WHERE i.id > ? ORDER BY i.id LIMIT 1000`, after)
		if err != nil {
			return err
		}
		its, err := collect(rows, scanItem)
		if err != nil {
			return err
		}
		for _, it := range its {
			after = it.ID
			if err := fn(it); err != nil {
				return err
			}
		}
		if len(its) < 1000 {
			return nil
		}
	}
}

const versionColumns = `v.id, v.item_id, v.account_id, a.ref, i.platform_id, v.kind, v.parent_id, v.thread_id, v.captured_at, v.platform_time,
	v.author_id, v.author_handle, v.author_name, v.text, v.media, v.state, v.tags, v.raw, v.hash, v.disposed_at`

// versionColumnsNoRaw is versionColumns with an empty payload (Raw nil).
var versionColumnsNoRaw = strings.Replace(versionColumns, "v.raw", "NULL", 1)

const versionJoins = ` JOIN archive_items i ON i.id = v.item_id JOIN archive_accounts a ON a.id = v.account_id`

func scanVersion(row interface{ Scan(...any) error }, extra ...any) (*civic.Version, error) {
	var v civic.Version
	var pt, disposed sql.NullTime
	var media, tags string
	dest := []any{&v.ID, &v.ItemID, &v.AccountID, &v.Account, &v.PlatformID, &v.Kind, &v.ParentID, &v.ThreadID, &v.CapturedAt, &pt,
		&v.Author.ID, &v.Author.Handle, &v.Author.Name, &v.Text, &media, &v.State, &tags, &v.Raw, &v.Hash, &disposed}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	v.CapturedAt = v.CapturedAt.UTC()
	v.PlatformTime, v.DisposedAt = nullTime(pt), nullTime(disposed)
	v.LogIndex = v.ID - 1
	// Most versions have neither media nor tags: skip decoding "[]".
	if media != "[]" {
		if err := json.Unmarshal([]byte(media), &v.Media); err != nil {
			return nil, fmt.Errorf("version %d media: %w", v.ID, err)
		}
	}
	if tags != "[]" {
		if err := json.Unmarshal([]byte(tags), &v.Tags); err != nil {
			return nil, fmt.Errorf("version %d tags: %w", v.ID, err)
		}
	}
	if len(v.Media) == 0 {
		v.Media = nil
	}
	if len(v.Tags) == 0 {
		v.Tags = nil
	}
	return &v, nil
}

// ArchiveVersions lists the versions of an item in captured order.
func (r *reader) ArchiveVersions(ctx context.Context, itemID int64) ([]*civic.Version, error) {
	rows, err := r.query(ctx, `SELECT `+versionColumns+` FROM archive_versions v`+versionJoins+` WHERE v.item_id = ? ORDER BY v.captured_at, v.id`, itemID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (*civic.Version, error) { return scanVersion(row) })
}

// WalkVersions calls fn for every version after the given ID in log
// order, with the leaf hash the log stores at its index.
func (r *reader) WalkVersions(ctx context.Context, after int64, fn func(*civic.Version, []byte) error) error {
	const page = 2000
	for {
		rows, err := r.query(ctx, `SELECT `+versionColumns+`, n.hash FROM archive_versions v`+versionJoins+`
			LEFT JOIN archive_log_nodes n ON n.level = 0 AND n.idx = v.id - 1
			WHERE v.id > ? ORDER BY v.id LIMIT ?`, after, page)
		if err != nil {
			return fmt.Errorf("walk versions: %w", err)
		}
		n := 0
		for rows.Next() {
			var leaf []byte
			v, err := scanVersion(rows, &leaf)
			if err != nil {
				rows.Close()
				return fmt.Errorf("walk versions: %w", err)
			}
			n++
			after = v.ID
			if err := fn(v, leaf); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if n < page {
			return rows.Err()
		}
	}
}

// ScanVersions calls fn for every version after the given ID in log
// order. Account references come from one read of the accounts instead of
// a join per row.
func (r *reader) ScanVersions(ctx context.Context, after int64, fn func(*civic.Version) error) error {
	accounts, err := r.ArchiveAccounts(ctx)
	if err != nil {
		return err
	}
	refs := make(map[int64]string, len(accounts))
	for _, a := range accounts {
		refs[a.ID] = a.Ref
	}
	cols := strings.Replace(versionColumns, "a.ref", "''", 1)
	const page = 5000
	for {
		rows, err := r.query(ctx, `SELECT `+cols+` FROM archive_versions v JOIN archive_items i ON i.id = v.item_id WHERE v.id > ? ORDER BY v.id LIMIT ?`, after, page)
		if err != nil {
			return fmt.Errorf("scan versions: %w", err)
		}
		n := 0
		for rows.Next() {
			v, err := scanVersion(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("scan versions: %w", err)
			}
			v.Account = refs[v.AccountID]
			n++
			after = v.ID
			if err := fn(v); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if n < page {
			return rows.Err()
		}
	}
}

// ArchiveVersionsBetween returns the versions of archive account accountID
// whose time is in [from, to), in log order. SQLite walks the time index
// over the range (it has no index of an account's versions by time);
// PostgreSQL reads its (account_id, at) index.
func (r *reader) ArchiveVersionsBetween(ctx context.Context, accountID int64, from, to time.Time) (_ []*civic.Version, err error) {
	defer civic.Wrap(&err, "versions of archive account %d", accountID)
	rows, err := r.query(ctx, `SELECT `+versionColumns+` FROM archive_versions v`+versionJoins+`
		WHERE v.account_id = ? AND v.at >= ? AND v.at < ? ORDER BY v.id`, accountID, dbTime(from), dbTime(to))
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (*civic.Version, error) { return scanVersion(row) })
}

// ArchiveLogHead returns the log's size and root as of the last append.
func (r *reader) ArchiveLogHead(ctx context.Context) (size int64, root []byte, err error) {
	err = r.queryRow(ctx, `SELECT size, root FROM archive_log_head WHERE id = 1`).Scan(&size, &root)
	return size, root, err
}

// ArchiveCheckpoints lists checkpoints, newest first.
func (r *reader) ArchiveCheckpoints(ctx context.Context, limit int) ([]*civic.Checkpoint, error) {
	if limit <= 0 {
		limit = 1 << 30
	}
	rows, err := r.query(ctx, `SELECT id, size, root_hash, time, note FROM archive_checkpoints ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (*civic.Checkpoint, error) {
		var c civic.Checkpoint
		if err := row.Scan(&c.ID, &c.Size, &c.RootHash, &c.Time, &c.Note); err != nil {
			return nil, err
		}
		c.Time = c.Time.UTC()
		return &c, nil
	})
}

// AddCheckpoint keeps a signed checkpoint.
func (t *tx) AddCheckpoint(ctx context.Context, c *civic.Checkpoint) error {
	c.Time = dbTime(c.Time)
	if err := t.queryRow(ctx, `INSERT INTO archive_checkpoints (size, root_hash, time, note) VALUES (?, ?, ?, ?) RETURNING id`,
		c.Size, c.RootHash, c.Time, c.Note).Scan(&c.ID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "archive.checkpoint", ObjectType: "checkpoint", ObjectID: strconv.FormatInt(c.ID, 10),
		After: map[string]any{"size": c.Size, "root_hash": c.RootHash}})
}

// RegisterArchiveAccount adds an account before anything is captured from it.
func (t *tx) RegisterArchiveAccount(ctx context.Context, a *civic.ArchiveAccount) error {
	platform, handle, err := civic.ParseAccountRef(a.Ref)
	if err != nil {
		return err
	}
	a.Platform, a.Handle, a.CreatedAt = platform, handle, t.Now()
	if err := t.queryRow(ctx, `INSERT INTO archive_accounts (ref, platform, handle, department_id, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		a.Ref, a.Platform, a.Handle, nullInt64(a.DepartmentID), a.CreatedAt).Scan(&a.ID); err != nil {
		if k, _ := t.d.Constraint(err); k == "unique" {
			return &civic.Error{Kind: civic.KindConflict, Field: "account", Message: "the account is already in the archive", Err: err}
		}
		return t.conflict(err, "account")
	}
	return t.Record(ctx, civic.Change{Action: "archive.account_register", ObjectType: "archive_account", ObjectID: strconv.FormatInt(a.ID, 10), After: a})
}
