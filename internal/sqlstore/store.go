// Package sqlstore implements civic.Store over database/sql. The SQL is
// written once, with ? placeholders, and run on SQLite (internal/sqlite) or
// PostgreSQL (internal/postgres); a Dialect carries what differs between them.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
)

// Dialect is what one database engine does differently.
type Dialect struct {
	Name string // "sqlite" or "postgres"
	// Dollar rewrites ? placeholders as $1, $2… (PostgreSQL).
	Dollar bool
	// Constraint reports whether err is a unique ("unique") or foreign key
	// ("foreign") violation and, where the engine says, the column involved.
	Constraint func(err error) (kind, column string)
	// Lock takes a lock held until the connection's transaction ends, so that
	// several processes migrating at once do not collide. May be nil.
	Lock func(ctx context.Context, tx *sql.Tx) error
	// Durability reads, inside a write transaction, the setting that decides
	// whether a commit survives power loss, and reports whether it does.
	Durability func(ctx context.Context, tx *sql.Tx) (Durability, error)
}

// Durability is what a write transaction's commit promises.
type Durability struct {
	Setting string // as the engine names it: "synchronous=FULL", "synchronous_commit=on, fsync=on"
	Durable bool   // a commit survives power loss and kernel crashes once it returns
}

// Store is a civic.Store on one database. Writes go through the write pool
// (one connection on SQLite, so writers queue instead of failing); reads use
// the read pool.
type Store struct {
	reader
	write *sql.DB
	read  *sql.DB
	now   func() time.Time
	// onNotify runs in the transaction of every notification stored; see
	// OnNotify.
	onNotify NotifyHook
}

// NotifyHook runs inside the transaction that stored a notification, with
// the notification (ID set): what it writes commits or rolls back with the
// notification. The composition root uses it to queue the notification's
// e-mail in the same transaction.
type NotifyHook func(ctx context.Context, tx civic.Tx, n *civic.Notification) error

// OnNotify sets the hook run by every Notify after its insert, replacing
// any set before (nil: none). Call it before the store is used.
func (s *Store) OnNotify(h NotifyHook) { s.onNotify = h }

var _ civic.Store = (*Store)(nil)

// New returns a Store using write for transactions and read for reads (they
// may be the same pool). now is the clock; times are stored in UTC with
// microsecond precision, the finest both engines keep.
func New(d *Dialect, write, read *sql.DB, now func() time.Time) *Store {
	var q querier = read
	if d.Name == "sqlite" {
		q = newPreparedPool(read)
	}
	return &Store{reader: reader{db: q, d: d}, write: write, read: read, now: now}
}

// Engine names the database engine.
func (s *Store) Engine() string { return s.d.Name }

// Ping reports whether both pools answer.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.write.PingContext(ctx); err != nil {
		return &civic.Error{Kind: civic.KindUnavailable, Message: "database unavailable", Err: err}
	}
	if err := s.read.PingContext(ctx); err != nil {
		return &civic.Error{Kind: civic.KindUnavailable, Message: "database unavailable", Err: err}
	}
	return nil
}

// Close closes both pools.
func (s *Store) Close() error {
	if c, ok := s.db.(*preparedPool); ok {
		c.Close()
	}
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Dialect returns the store's dialect.
func (s *Store) Dialect() *Dialect { return s.d }

// DB returns the write pool, for tests and tools that must reach the
// database behind the Store (the audit tamper tests).
func (s *Store) DB() *sql.DB { return s.write }

// ReadDB returns the read pool, for tools that time reads beside the
// store's own (steward bench search's floor).
func (s *Store) ReadDB() *sql.DB { return s.read }

// WriteDurability opens a write transaction, the kind every Update opens,
// reads its durability setting and rolls it back. Every write Steward
// acknowledges (ingest, capture cursors, decisions, forms, approvals and
// their audit events) goes through Update, so this is what they promise.
func (s *Store) WriteDurability(ctx context.Context) (Durability, error) {
	if s.d.Durability == nil {
		return Durability{}, fmt.Errorf("write durability: the %s dialect cannot say", s.d.Name)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return Durability{}, unavailable(err)
	}
	defer tx.Rollback()
	d, err := s.d.Durability(ctx, tx)
	if err != nil {
		return Durability{}, fmt.Errorf("write durability: %w", err)
	}
	return d, nil
}

// Update runs fn in a transaction; see civic.Store. A refused attempt on
// covert access (an error caused by a civic.CovertRefusal) is rolled back
// and then recorded on its own.
func (s *Store) Update(ctx context.Context, actor civic.Actor, fn func(civic.Tx) error) error {
	err := s.update(ctx, actor, fn)
	var refusal *civic.CovertRefusal
	if !errors.As(err, &refusal) {
		return err
	}
	// The refusal is kept even when the client has gone away.
	rctx := context.WithoutCancel(ctx)
	rerr := s.update(rctx, actor, func(t civic.Tx) error {
		return t.Record(rctx, civic.Change{Action: "covert_access.refused", ObjectType: civic.CovertAccessObject, ObjectID: "user:" + strconv.FormatInt(refusal.UserID, 10),
			After: map[string]any{"attempt": refusal.Attempt, "user_id": refusal.UserID, "message": civic.ErrorMessage(err)}})
	})
	if rerr != nil {
		return fmt.Errorf("%w (recording the refusal failed: %v)", err, rerr)
	}
	return err
}

func (s *Store) update(ctx context.Context, actor civic.Actor, fn func(civic.Tx) error) (err error) {
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return unavailable(err)
	}
	defer func() {
		if err != nil {
			sqlTx.Rollback()
		}
	}()
	t := &tx{reader: reader{db: sqlTx, d: s.d}, actor: actor, clock: s.now, onNotify: s.onNotify}
	if err := fn(t); err != nil {
		return err
	}
	if err := t.appendAudit(ctx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// reader runs the read queries on a pool or inside a transaction.
type reader struct {
	db querier
	d  *Dialect
}

func (r *reader) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return r.db.ExecContext(ctx, r.bind(q), args...)
}

func (r *reader) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return r.db.QueryContext(ctx, r.bind(q), args...)
}

func (r *reader) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return r.db.QueryRowContext(ctx, r.bind(q), args...)
}

func (r *reader) bind(q string) string { return r.d.Rebind(q) }

// Rebind rewrites ? placeholders for the dialect. Queries in Steward never
// contain a literal question mark.
func (d *Dialect) Rebind(q string) string {
	if !d.Dollar || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// tx is one write transaction; see civic.Tx.
type tx struct {
	reader
	actor civic.Actor
	clock func() time.Time
	// onNotify is the store's NotifyHook, or nil.
	onNotify NotifyHook
	// audit holds the events Record took, appended to the chain at the end
	// of the transaction (appendAudit).
	audit []civic.AuditEvent
}

// Durability reads this transaction's durability setting: what its commit
// will promise.
func (t *tx) Durability(ctx context.Context) (Durability, error) {
	sqlTx, ok := t.db.(*sql.Tx)
	if !ok || t.d.Durability == nil {
		return Durability{}, fmt.Errorf("durability: not a %s write transaction", t.d.Name)
	}
	return t.d.Durability(ctx, sqlTx)
}

// SQLTx returns the transaction itself, so that the job queue
// (internal/jobs) inserts a job in it: the job exists if and only if the
// transaction commits. Nothing else writes through it.
func (t *tx) SQLTx() *sql.Tx {
	sqlTx, _ := t.db.(*sql.Tx)
	return sqlTx
}

// Now returns the transaction's clock reading, in UTC to the microsecond.
func (t *tx) Now() time.Time { return t.clock().UTC().Truncate(time.Microsecond) }

// notFound turns sql.ErrNoRows into a KindNotFound error naming what.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return civic.Errorf(civic.KindNotFound, "%s not found", what)
	}
	return err
}

func unavailable(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &civic.Error{Kind: civic.KindUnavailable, Message: "database unavailable", Err: err}
}

// conflict turns a constraint violation into a KindConflict or KindInvalid
// error naming the field; fields maps column names to input field names.
func (r *reader) conflict(err error, what string) error {
	if err == nil {
		return nil
	}
	kind, col := r.d.Constraint(err)
	switch kind {
	case "unique":
		if col == "" {
			return &civic.Error{Kind: civic.KindConflict, Message: what + " already exists", Err: err}
		}
		return &civic.Error{Kind: civic.KindConflict, Field: col, Message: fmt.Sprintf("another %s has this %s", what, col), Err: err}
	case "foreign":
		return &civic.Error{Kind: civic.KindInvalid, Field: col, Message: "refers to something that does not exist", Err: err}
	}
	return err
}

// dbTime is t as both engines keep it: UTC, to the microsecond.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// nullTime converts a nullable column into a *time.Time.
func nullTime(n sql.NullTime) *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time.UTC()
	return &t
}

// nullInt64 returns nil for zero, so that optional references are stored as NULL.
func nullInt64(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
