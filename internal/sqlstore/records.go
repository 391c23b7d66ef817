package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"steward.city/steward/internal/civic"
)

const requestColumns = `id, requester, contact, received_on, subject, kind, description, scope, status, due_on, notes, pages, actual_cost_cents, fee_cents, fulfilled_on, created_by, created_at`

func scanRequest(row interface{ Scan(...any) error }) (*civic.RecordsRequest, error) {
	var r civic.RecordsRequest
	var scope string
	var due, fulfilled sql.NullTime
	if err := row.Scan(&r.ID, &r.Requester, &r.Contact, &r.ReceivedOn, &r.Subject, &r.Kind, &r.Description, &scope, &r.Status, &due, &r.Notes,
		&r.Pages, &r.ActualCost, &r.Fee, &fulfilled, &r.CreatedBy, &r.CreatedAt); err != nil {
		return nil, err
	}
	r.ReceivedOn, r.CreatedAt = r.ReceivedOn.UTC(), r.CreatedAt.UTC()
	r.DueOn, r.FulfilledOn = nullTime(due), nullTime(fulfilled)
	r.Scope = splitScope(scope)
	return &r, nil
}

// splitScope returns the non-empty lines of a stored scope.
func splitScope(s string) []string {
	out := []string{}
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// RecordsRequests lists requests by due date, open ones only if open.
func (r *reader) RecordsRequests(ctx context.Context, open bool) ([]*civic.RecordsRequest, error) {
	where := ""
	if open {
		where = ` WHERE status = 'open'`
	}
	rows, err := r.query(ctx, `SELECT `+requestColumns+` FROM records_requests`+where+` ORDER BY due_on IS NULL, due_on, id`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanRequest)
}

// RecordsRequest returns the request with the given ID.
func (r *reader) RecordsRequest(ctx context.Context, id int64) (*civic.RecordsRequest, error) {
	q, err := scanRequest(r.queryRow(ctx, `SELECT `+requestColumns+` FROM records_requests WHERE id = ?`, id))
	return q, notFound(err, "request")
}

func requestArgs(q *civic.RecordsRequest) []any {
	var due, fulfilled any
	if q.DueOn != nil {
		due = dbTime(*q.DueOn)
	}
	if q.FulfilledOn != nil {
		fulfilled = dbTime(*q.FulfilledOn)
	}
	return []any{q.Requester, q.Contact, dbTime(q.ReceivedOn), q.Subject, string(q.Kind), q.Description, strings.Join(q.Scope, "\n"), string(q.Status), due, q.Notes,
		q.Pages, q.ActualCost, q.Fee, fulfilled}
}

// CreateRecordsRequest stores q, setting its ID and creation.
func (t *tx) CreateRecordsRequest(ctx context.Context, q *civic.RecordsRequest) error {
	q.CreatedBy, q.CreatedAt = t.actor.Label, t.Now()
	args := append(requestArgs(q), q.CreatedBy, q.CreatedAt)
	if err := t.queryRow(ctx, `INSERT INTO records_requests (requester, contact, received_on, subject, kind, description, scope, status, due_on, notes,
		pages, actual_cost_cents, fee_cents, fulfilled_on, created_by, created_at) VALUES (`+placeholders(16)+`) RETURNING id`, args...).Scan(&q.ID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "records.request_create", ObjectType: "records_request", ObjectID: strconv.FormatInt(q.ID, 10), After: q})
}

// UpdateRecordsRequest stores every field of q but its creation.
func (t *tx) UpdateRecordsRequest(ctx context.Context, q *civic.RecordsRequest) error {
	before, err := t.RecordsRequest(ctx, q.ID)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE records_requests SET requester = ?, contact = ?, received_on = ?, subject = ?, kind = ?, description = ?, scope = ?, status = ?,
		due_on = ?, notes = ?, pages = ?, actual_cost_cents = ?, fee_cents = ?, fulfilled_on = ? WHERE id = ?`, append(requestArgs(q), q.ID)...); err != nil {
		return err
	}
	q.CreatedBy, q.CreatedAt = before.CreatedBy, before.CreatedAt
	return t.Record(ctx, civic.Change{Action: "records.request_update", ObjectType: "records_request", ObjectID: strconv.FormatInt(q.ID, 10), Before: before, After: q})
}

const redactionColumns = `id, request_id, version_id, start_byte, end_byte, reason, created_by, created_at`

func scanRedaction(row interface{ Scan(...any) error }) (*civic.Redaction, error) {
	var r civic.Redaction
	if err := row.Scan(&r.ID, &r.RequestID, &r.VersionID, &r.Start, &r.End, &r.Reason, &r.CreatedBy, &r.CreatedAt); err != nil {
		return nil, err
	}
	r.CreatedAt = r.CreatedAt.UTC()
	return &r, nil
}

// Redactions lists a request's redactions by version and start.
func (r *reader) Redactions(ctx context.Context, requestID int64) ([]*civic.Redaction, error) {
	rows, err := r.query(ctx, `SELECT `+redactionColumns+` FROM records_redactions WHERE request_id = ? ORDER BY version_id, start_byte, id`, requestID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanRedaction)
}

// AddRedaction stores a redaction; the service has checked its span.
func (t *tx) AddRedaction(ctx context.Context, d *civic.Redaction) error {
	d.CreatedBy, d.CreatedAt = t.actor.Label, t.Now()
	if err := t.queryRow(ctx, `INSERT INTO records_redactions (request_id, version_id, start_byte, end_byte, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		d.RequestID, d.VersionID, d.Start, d.End, d.Reason, d.CreatedBy, d.CreatedAt).Scan(&d.ID); err != nil {
		return t.conflict(err, "redaction")
	}
	if err := t.refreshPublicVersion(ctx, d.VersionID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "records.redact", ObjectType: "records_request", ObjectID: strconv.FormatInt(d.RequestID, 10), After: d})
}

// VersionsOfItems calls fn for every version of itemIDs, by item, then in
// captured order, reading batchRows items at a time.
func (r *reader) VersionsOfItems(ctx context.Context, itemIDs []int64, fn func(*civic.Version) error) error {
	for lo := 0; lo < len(itemIDs); lo += batchRows {
		part := itemIDs[lo:min(lo+batchRows, len(itemIDs))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := r.query(ctx, `SELECT `+versionColumnsNoRaw+` FROM archive_versions v`+versionJoins+` WHERE v.item_id IN (`+placeholders(len(part))+`) ORDER BY v.item_id, v.captured_at, v.id`, args...)
		if err != nil {
			return err
		}
		vs, err := collect(rows, func(row interface{ Scan(...any) error }) (*civic.Version, error) { return scanVersion(row) })
		if err != nil {
			return err
		}
		for _, v := range vs {
			if err := fn(v); err != nil {
				return err
			}
		}
	}
	return nil
}

// ArchiveItemThreads calls fn with every item's ID, account reference and
// thread, in ID order: the three columns alone, without the newest text
// WalkArchiveItems reads for each item.
func (r *reader) ArchiveItemThreads(ctx context.Context, fn func(id int64, account, thread string) error) error {
	var after int64
	const page = 10000
	for {
		rows, err := r.query(ctx, `SELECT i.id, a.ref, i.thread_id FROM archive_items i JOIN archive_accounts a ON a.id = i.account_id WHERE i.id > ? ORDER BY i.id LIMIT ?`, after, page)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			var account, thread string
			if err := rows.Scan(&after, &account, &thread); err != nil {
				rows.Close()
				return err
			}
			n++
			if err := fn(after, account, thread); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil || n < page {
			return err
		}
	}
}

// ArchiveVersionItems calls fn with the ID and item of every version
// whose log index is below size (ID at most size), in no set order. On
// SQLite it reads the index of versions by item, a tenth of the table's
// size (the unary plus keeps the planner off the rowid range).
func (r *reader) ArchiveVersionItems(ctx context.Context, size int64, fn func(id, itemID int64) error) error {
	rows, err := r.query(ctx, `SELECT id, item_id FROM archive_versions WHERE +id <= ?`, size)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, item int64
		if err := rows.Scan(&id, &item); err != nil {
			return err
		}
		if err := fn(id, item); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ArchiveVersion returns one version by ID.
func (r *reader) ArchiveVersion(ctx context.Context, id int64) (*civic.Version, error) {
	v, err := scanVersion(r.queryRow(ctx, `SELECT `+versionColumns+` FROM archive_versions v`+versionJoins+` WHERE v.id = ?`, id))
	return v, notFound(err, "version")
}

// ArchiveLogNodes returns the stored nodes of the Merkle log, in order.
// A run of consecutive nodes of one level is read by one range query, so
// a caller reading ahead (records' proofs) costs one query, not one per
// node.
func (r *reader) ArchiveLogNodes(ctx context.Context, nodes []civic.LogNode) ([][]byte, error) {
	out := make([][]byte, len(nodes))
	for i := 0; i < len(nodes); {
		j := i + 1
		for j < len(nodes) && nodes[j].Level == nodes[i].Level && nodes[j].Index == nodes[j-1].Index+1 {
			j++
		}
		if j == i+1 {
			if err := r.queryRow(ctx, `SELECT hash FROM archive_log_nodes WHERE level = ? AND idx = ?`, nodes[i].Level, nodes[i].Index).Scan(&out[i]); err != nil {
				return nil, notFound(err, "log node")
			}
			i = j
			continue
		}
		rows, err := r.query(ctx, `SELECT idx, hash FROM archive_log_nodes WHERE level = ? AND idx >= ? AND idx <= ? ORDER BY idx`,
			nodes[i].Level, nodes[i].Index, nodes[j-1].Index)
		if err != nil {
			return nil, err
		}
		k := i
		for k < j && rows.Next() {
			var idx int64
			if err := rows.Scan(&idx, &out[k]); err != nil {
				rows.Close()
				return nil, err
			}
			if idx != nodes[k].Index {
				break // one is missing
			}
			k++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if k != j {
			return nil, notFound(sql.ErrNoRows, "log node")
		}
		i = j
	}
	return out, nil
}
