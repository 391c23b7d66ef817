package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"steward.city/steward/internal/civic"
)

// Record appends an audit event for c to the chain, in the transaction: it
// is checked now and written with the transaction's last writes (appendAudit).
func (t *tx) Record(ctx context.Context, c civic.Change) (err error) {
	defer civic.Wrap(&err, "record audit event %s", c.Action)
	before, err := auditJSON(c.Before)
	if err != nil {
		return err
	}
	after, err := auditJSON(c.After)
	if err != nil {
		return err
	}
	e := civic.AuditEvent{
		Time:       t.Now(),
		ActorID:    t.actor.UserID,
		Actor:      t.actor.Label,
		Action:     c.Action,
		ObjectType: c.ObjectType,
		ObjectID:   c.ObjectID,
		Before:     before,
		After:      after,
	}
	t.audit = append(t.audit, e)
	return nil
}

// appendAudit appends the transaction's events to the chain, as its last
// writes. Taking the next number locks the head row, so on PostgreSQL
// concurrent transactions wait here and the chain never forks; because it
// is the last thing a transaction does, one that holds the head never
// waits for a row another holds, and two cannot deadlock over it (they
// did when an event was appended in the middle: one held the head and
// waited for a row the other had written before its own event).
func (t *tx) appendAudit(ctx context.Context) (err error) {
	if len(t.audit) == 0 {
		return nil
	}
	var hash string
	for i := range t.audit {
		e := &t.audit[i]
		if err := t.queryRow(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).Scan(&e.Seq, &e.PrevHash); err != nil {
			return fmt.Errorf("record audit event %s: %w", e.Action, err)
		}
		if i > 0 {
			e.PrevHash = hash // the head's hash is written once, after the last event
		}
		e.Hash = e.ComputeHash()
		hash = e.Hash
		if _, err := t.exec(ctx, `INSERT INTO audit_events (seq, time, actor_id, actor, action, object_type, object_id, before_json, after_json, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Seq, e.Time, e.ActorID, e.Actor, e.Action, e.ObjectType, e.ObjectID, string(e.Before), string(e.After), e.PrevHash, e.Hash); err != nil {
			return fmt.Errorf("record audit event %s: %w", e.Action, err)
		}
	}
	t.audit = nil
	if _, err := t.exec(ctx, `UPDATE audit_head SET hash = ? WHERE id = 1`, hash); err != nil {
		return fmt.Errorf("record audit events: %w", err)
	}
	return nil
}

func auditJSON(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}

const auditColumns = `seq, time, actor_id, actor, action, object_type, object_id, before_json, after_json, prev_hash, hash`

func scanAudit(rows *sql.Rows) (*civic.AuditEvent, error) {
	var e civic.AuditEvent
	var before, after string
	if err := rows.Scan(&e.Seq, &e.Time, &e.ActorID, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &before, &after, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	e.Time = e.Time.UTC()
	if before != "" {
		e.Before = json.RawMessage(before)
	}
	if after != "" {
		e.After = json.RawMessage(after)
	}
	return &e, nil
}

// AuditEvents lists events matching f, newest first.
func (r *reader) AuditEvents(ctx context.Context, f civic.AuditFilter) (_ []*civic.AuditEvent, err error) {
	defer civic.Wrap(&err, "list audit events")
	var where []string
	var args []any
	if f.ActorID != 0 {
		where, args = append(where, "actor_id = ?"), append(args, f.ActorID)
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			where, args = append(where, `action LIKE ? ESCAPE '\'`), append(args, escapeLike(f.Action)+"%")
		} else {
			where, args = append(where, "action = ?"), append(args, f.Action)
		}
	}
	if f.ObjectType != "" {
		where, args = append(where, "object_type = ?"), append(args, f.ObjectType)
	}
	if f.ObjectID != "" {
		where, args = append(where, "object_id = ?"), append(args, f.ObjectID)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "time >= ?"), append(args, f.Since.UTC())
	}
	if !f.Until.IsZero() {
		where, args = append(where, "time < ?"), append(args, f.Until.UTC())
	}
	if f.BeforeSeq > 0 {
		where, args = append(where, "seq < ?"), append(args, f.BeforeSeq)
	}
	if n := len(f.HideObjectTypes); n > 0 {
		where = append(where, "object_type NOT IN ("+placeholders(n)+")")
		for _, ot := range f.HideObjectTypes {
			args = append(args, ot)
		}
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	q := `SELECT ` + auditColumns + ` FROM audit_events`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(` ORDER BY seq DESC LIMIT %d`, limit)
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*civic.AuditEvent
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditSeqs lists the sequence numbers of the events about objects of the
// given types, in ascending order.
func (r *reader) AuditSeqs(ctx context.Context, objectTypes []string) (_ []int64, err error) {
	defer civic.Wrap(&err, "list audit sequence numbers")
	if len(objectTypes) == 0 {
		return nil, nil
	}
	args := make([]any, len(objectTypes))
	for i, ot := range objectTypes {
		args[i] = ot
	}
	rows, err := r.query(ctx, `SELECT seq FROM audit_events WHERE object_type IN (`+placeholders(len(args))+`) ORDER BY seq`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			return nil, err
		}
		out = append(out, seq)
	}
	return out, rows.Err()
}

// escapeLike escapes LIKE wildcards; both engines use \ by default with ESCAPE.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// WalkAudit calls fn for every event in sequence order, reading in pages so
// that a long chain never sits in memory.
func (r *reader) WalkAudit(ctx context.Context, fn func(*civic.AuditEvent) error) error {
	var after int64 = -1 << 62
	for {
		rows, err := r.query(ctx, `SELECT `+auditColumns+` FROM audit_events WHERE seq > ? ORDER BY seq LIMIT 1000`, after)
		if err != nil {
			return fmt.Errorf("walk audit: %w", err)
		}
		n := 0
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("walk audit: %w", err)
			}
			n++
			after = e.Seq
			if err := fn(e); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("walk audit: %w", err)
		}
		if n < 1000 {
			return nil
		}
	}
}

// AuditHead returns the chain head as recorded at the last append.
func (r *reader) AuditHead(ctx context.Context) (seq int64, hash string, err error) {
	err = r.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash)
	return seq, hash, err
}
