package sqlstore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"strings"
	"sync"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/merkle"
)

// batchRows is how many rows one multi-row INSERT carries: well under the
// parameter limits of both engines.
const batchRows = 1000

// stmtCache keeps the statements of one ingest transaction prepared: a
// batch runs the same multi-row statement for each of its chunks, and
// parsing a statement of thousands of values costs about as much as
// running it. Statements are keyed by their text before rebinding.
type stmtCache struct {
	t *tx
	m map[string]*sql.Stmt
}

func (t *tx) stmtCache() *stmtCache { return &stmtCache{t: t, m: map[string]*sql.Stmt{}} }

// stmt returns q prepared, or nil when the transaction cannot prepare.
func (c *stmtCache) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := c.m[q]; ok {
		return st, nil
	}
	sqlTx, ok := c.t.db.(*sql.Tx)
	if !ok {
		return nil, nil
	}
	st, err := sqlTx.PrepareContext(ctx, c.t.bind(q))
	if err != nil {
		return nil, err
	}
	c.m[q] = st
	return st, nil
}

func (c *stmtCache) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return c.t.exec(ctx, q, args...)
	}
	return st.ExecContext(ctx, args...)
}

func (c *stmtCache) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return c.t.query(ctx, q, args...)
	}
	return st.QueryContext(ctx, args...)
}

func (c *stmtCache) close() {
	for _, st := range c.m {
		st.Close()
	}
}

// IngestVersions stores the versions not stored yet; see civic.ArchiveWriter.
// The log head row is locked first, so concurrent batches on PostgreSQL
// append one after the other and the log never forks.
func (t *tx) IngestVersions(ctx context.Context, vs []*civic.Version, rejected int) (_ []bool, err error) {
	defer civic.Wrap(&err, "ingest %d versions", len(vs))
	var size int64
	var rootB, frontierB []byte
	if err := t.queryRow(ctx, `UPDATE archive_log_head SET size = size WHERE id = 1 RETURNING size, root, frontier`).Scan(&size, &rootB, &frontierB); err != nil {
		return nil, err
	}
	frontier, err := merkle.Unmarshal(size, frontierB)
	if err != nil {
		return nil, err
	}
	sc := t.stmtCache()
	defer sc.close()
	isNew := make([]bool, len(vs))
	if err := t.archiveAccounts(ctx, vs); err != nil {
		return nil, err
	}
	lookup := sc.storedVersions
	if t.d.Name != "sqlite" {
		lookup = sc.versionsByHash
	}
	known, err := lookup(ctx, vs)
	if err != nil {
		return nil, err
	}
	var fresh []*civic.Version
	seen := make(map[string]*civic.Version, len(vs))
	for i, v := range vs {
		if k, ok := known[v.Hash]; ok {
			v.ID, v.ItemID, v.AccountID, v.LogIndex = k.ID, k.ItemID, k.AccountID, k.ID-1
			continue
		}
		if _, ok := seen[v.Hash]; ok {
			continue // a copy of an earlier record of this batch
		}
		seen[v.Hash] = v
		isNew[i] = true
		fresh = append(fresh, v)
	}
	if err := sc.upsertItems(ctx, fresh); err != nil {
		return nil, err
	}
	for _, v := range fresh {
		size++
		v.ID, v.LogIndex = size, size-1
	}
	for i, v := range vs { // later copies of a version in the same batch
		if !isNew[i] && v.ID == 0 {
			f := seen[v.Hash]
			v.ID, v.ItemID, v.AccountID, v.LogIndex = f.ID, f.ItemID, f.AccountID, f.LogIndex
		}
	}
	if err := sc.insertVersions(ctx, fresh); err != nil {
		return nil, err
	}
	var nodes []merkle.Node
	for _, v := range fresh {
		h, err := hex.DecodeString(v.Hash)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, frontier.Append(merkle.LeafHash(h))...)
	}
	if err := sc.insertNodes(ctx, nodes); err != nil {
		return nil, err
	}
	root := frontier.Root()
	if _, err := t.exec(ctx, `UPDATE archive_log_head SET size = ?, root = ?, frontier = ? WHERE id = 1`, frontier.Size, root[:], frontier.MarshalBinary()); err != nil {
		return nil, err
	}
	if err := t.updateDays(ctx, fresh); err != nil {
		return nil, err
	}
	if err := t.linkHolds(ctx, fresh); err != nil {
		return nil, err
	}
	after := map[string]any{"stored": len(fresh), "duplicates": len(vs) - len(fresh), "rejected": rejected, "log_size": frontier.Size}
	if len(fresh) > 0 {
		after["first_id"], after["last_id"] = fresh[0].ID, fresh[len(fresh)-1].ID
	}
	return isNew, t.Record(ctx, civic.Change{Action: "archive.ingest", ObjectType: "archive", ObjectID: "batch", After: after})
}

// versionsByHash returns the stored versions among vs, by hash, through
// the hash's unique index (PostgreSQL).
func (c *stmtCache) versionsByHash(ctx context.Context, vs []*civic.Version) (map[string]civic.Version, error) {
	out := map[string]civic.Version{}
	for lo := 0; lo < len(vs); lo += batchRows {
		part := vs[lo:min(lo+batchRows, len(vs))]
		args := make([]any, len(part))
		for i, v := range part {
			args[i] = v.Hash
		}
		rows, err := c.query(ctx, `SELECT id, item_id, account_id, hash FROM archive_versions WHERE hash IN (`+placeholders(len(args))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var v civic.Version
			if err := rows.Scan(&v.ID, &v.ItemID, &v.AccountID, &v.Hash); err != nil {
				rows.Close()
				return nil, err
			}
			out[v.Hash] = v
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// storedVersions returns the stored versions among vs, by hash (SQLite). It looks
// them up by item, capture time and hash (the index archive_versions_item),
// which finds exactly the versions with the same hash: the hash covers the
// account, the platform id and the capture time. vs must have AccountID.
func (c *stmtCache) storedVersions(ctx context.Context, vs []*civic.Version) (map[string]civic.Version, error) {
	const row = "(?, ?, ?, ?)"
	out := map[string]civic.Version{}
	for lo := 0; lo < len(vs); lo += batchRows {
		part := vs[lo:min(lo+batchRows, len(vs))]
		args := make([]any, 0, 4*len(part))
		for _, v := range part {
			args = append(args, v.AccountID, v.PlatformID, dbTime(v.CapturedAt), v.Hash)
		}
		rows, err := c.query(ctx, `SELECT v.id, v.item_id, v.account_id, v.hash FROM (VALUES `+strings.TrimSuffix(strings.Repeat(row+", ", len(part)), ", ")+`) q
			JOIN archive_items i ON i.account_id = q.column1 AND i.platform_id = q.column2
			JOIN archive_versions v ON v.item_id = i.id AND v.captured_at = q.column3 AND v.hash = q.column4`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var v civic.Version
			if err := rows.Scan(&v.ID, &v.ItemID, &v.AccountID, &v.Hash); err != nil {
				rows.Close()
				return nil, err
			}
			out[v.Hash] = v
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// archiveAccounts sets AccountID, creating accounts on first sight.
func (t *tx) archiveAccounts(ctx context.Context, vs []*civic.Version) error {
	ids := map[string]int64{}
	for _, v := range vs {
		id, ok := ids[v.Account]
		if !ok {
			err := t.queryRow(ctx, `SELECT id FROM archive_accounts WHERE ref = ?`, v.Account).Scan(&id)
			if err != nil {
				platform, handle, perr := civic.ParseAccountRef(v.Account)
				if perr != nil {
					return perr
				}
				err = t.queryRow(ctx, `INSERT INTO archive_accounts (ref, platform, handle, department_id, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
					v.Account, platform, handle, nullInt64(v.DepartmentID), t.Now()).Scan(&id)
				if err != nil {
					return t.conflict(err, "account")
				}
			}
			ids[v.Account] = id
		}
		v.AccountID = id
	}
	return nil
}

type itemKey struct {
	account  int64
	platform string
}

// upsertItems creates or updates the items of vs and sets their ItemID.
func (c *stmtCache) upsertItems(ctx context.Context, vs []*civic.Version) error {
	type agg struct {
		first      *civic.Version
		minC, maxC *civic.Version
		n          int
		tags       []string
	}
	var order []itemKey
	items := map[itemKey]*agg{}
	for _, v := range vs {
		k := itemKey{v.AccountID, v.PlatformID}
		a, ok := items[k]
		if !ok {
			a = &agg{first: v, minC: v, maxC: v}
			items[k] = a
			order = append(order, k)
		}
		a.n++
		if v.CapturedAt.Before(a.minC.CapturedAt) {
			a.minC = v
		}
		if !v.CapturedAt.Before(a.maxC.CapturedAt) {
			a.maxC = v
		}
		for _, tg := range v.Tags {
			if !hasString(a.tags, tg) {
				a.tags = append(a.tags, tg)
			}
		}
	}
	ids := make(map[itemKey]int64, len(order))
	for lo := 0; lo < len(order); lo += batchRows {
		part := order[lo:min(lo+batchRows, len(order))]
		args := make([]any, 0, len(part)*10)
		for _, k := range part {
			a := items[k]
			tags := a.tags
			if tags == nil {
				tags = []string{}
			}
			tj, _ := json.Marshal(tags)
			args = append(args, k.account, k.platform, string(a.first.Kind), a.first.ParentID, a.first.ThreadID, string(tj),
				dbTime(a.minC.CapturedAt), dbTime(a.maxC.CapturedAt), string(a.maxC.State), a.n)
		}
		rows, err := c.query(ctx, `INSERT INTO archive_items (account_id, platform_id, kind, parent_id, thread_id, tags, first_captured, last_captured, state, versions)
			VALUES `+valueRows(len(part), 10)+`
			ON CONFLICT (account_id, platform_id) DO UPDATE SET
				first_captured = CASE WHEN excluded.first_captured < archive_items.first_captured THEN excluded.first_captured ELSE archive_items.first_captured END,
				state = CASE WHEN excluded.last_captured >= archive_items.last_captured THEN excluded.state ELSE archive_items.state END,
				last_captured = CASE WHEN excluded.last_captured > archive_items.last_captured THEN excluded.last_captured ELSE archive_items.last_captured END,
				tags = CASE WHEN excluded.tags <> '[]' THEN excluded.tags ELSE archive_items.tags END,
				versions = archive_items.versions + excluded.versions
			RETURNING id, account_id, platform_id`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var k itemKey
			if err := rows.Scan(&id, &k.account, &k.platform); err != nil {
				rows.Close()
				return err
			}
			ids[k] = id
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	for _, v := range vs {
		v.ItemID = ids[itemKey{v.AccountID, v.PlatformID}]
		if v.ItemID == 0 {
			return civic.Errorf(civic.KindInternal, "item of version %s was not stored", v.Hash)
		}
	}
	return nil
}

func hasString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// valueRows returns "(?, ?), (?, ?)" for n rows of k values.
func valueRows(n, k int) string {
	key := [2]int{n, k}
	if s, ok := valueRowsCache.Load(key); ok {
		return s.(string)
	}
	row := "(" + placeholders(k) + ")"
	s := strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
	valueRowsCache.Store(key, s)
	return s
}

var valueRowsCache sync.Map // [2]int → string

// insertVersions writes the versions and, on SQLite, their full-text rows
// (PostgreSQL computes its tsvector column itself).
func (c *stmtCache) insertVersions(ctx context.Context, vs []*civic.Version) error {
	t := c.t
	for lo := 0; lo < len(vs); lo += batchRows {
		part := vs[lo:min(lo+batchRows, len(vs))]
		args := make([]any, 0, len(part)*18)
		for _, v := range part {
			media, _ := json.Marshal(orEmpty(v.Media))
			tags, _ := json.Marshal(orEmpty(v.Tags))
			var pt any
			if v.PlatformTime != nil {
				pt = dbTime(*v.PlatformTime)
			}
			raw := v.Raw
			if raw == nil {
				raw = []byte{}
			}
			args = append(args, v.ID, v.ItemID, v.AccountID, string(v.Kind), v.ParentID, v.ThreadID, dbTime(v.CapturedAt), pt, dbTime(v.At()),
				v.Author.ID, v.Author.Handle, v.Author.Name, v.Text, string(media), string(v.State), string(tags), raw, v.Hash)
		}
		if _, err := c.exec(ctx, `INSERT INTO archive_versions (id, item_id, account_id, kind, parent_id, thread_id, captured_at, platform_time, at,
			author_id, author_handle, author_name, text, media, state, tags, raw, hash) VALUES `+valueRows(len(part), 18), args...); err != nil {
			return t.conflict(err, "version")
		}
	}
	if t.d.Name != "sqlite" {
		return nil
	}
	// One statement for the batch, reading the rows just written (ids are
	// consecutive): FTS5 flushes its pending terms at the end of each
	// statement, and the text is not bound a second time.
	if len(vs) == 0 {
		return nil
	}
	_, err := c.exec(ctx, `INSERT INTO archive_fts (rowid, text, acct) SELECT id, text, 'a' || account_id FROM archive_versions WHERE id BETWEEN ? AND ? ORDER BY id`,
		vs[0].ID, vs[len(vs)-1].ID)
	return err
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// insertNodes stores new Merkle tree nodes.
func (c *stmtCache) insertNodes(ctx context.Context, nodes []merkle.Node) error {
	for lo := 0; lo < len(nodes); lo += batchRows {
		part := nodes[lo:min(lo+batchRows, len(nodes))]
		args := make([]any, 0, len(part)*3)
		for _, n := range part {
			args = append(args, n.Level, n.Index, n.Hash[:])
		}
		if _, err := c.exec(ctx, `INSERT INTO archive_log_nodes (level, idx, hash) VALUES `+valueRows(len(part), 3), args...); err != nil {
			return err
		}
	}
	return nil
}

// updateDays widens the id range of each day the versions fall on.
func (t *tx) updateDays(ctx context.Context, vs []*civic.Version) error {
	type span struct{ lo, hi int64 }
	days := map[string]*span{}
	var order []string
	for _, v := range vs {
		d := v.At().UTC().Format("2006-01-02")
		s, ok := days[d]
		if !ok {
			days[d] = &span{v.ID, v.ID}
			order = append(order, d)
			continue
		}
		s.lo, s.hi = min(s.lo, v.ID), max(s.hi, v.ID)
	}
	for lo := 0; lo < len(order); lo += batchRows {
		part := order[lo:min(lo+batchRows, len(order))]
		args := make([]any, 0, len(part)*3)
		for _, d := range part {
			args = append(args, d, days[d].lo, days[d].hi)
		}
		if _, err := t.exec(ctx, `INSERT INTO archive_days (day, min_id, max_id) VALUES `+valueRows(len(part), 3)+`
			ON CONFLICT (day) DO UPDATE SET
				min_id = CASE WHEN excluded.min_id < archive_days.min_id THEN excluded.min_id ELSE archive_days.min_id END,
				max_id = CASE WHEN excluded.max_id > archive_days.max_id THEN excluded.max_id ELSE archive_days.max_id END`, args...); err != nil {
			return err
		}
	}
	return nil
}

// linkHolds puts the items of versions an active hold covers under it.
func (t *tx) linkHolds(ctx context.Context, vs []*civic.Version) error {
	for _, v := range vs {
		for _, h := range v.Holds {
			if _, err := t.exec(ctx, `INSERT INTO archive_hold_items (hold_id, item_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, h, v.ItemID); err != nil {
				return err
			}
		}
	}
	return nil
}
