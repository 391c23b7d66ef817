package sqlstore

import (
	"context"
	"database/sql"
	"runtime"
	"sync"
)

// preparedPool is the SQLite read pool with its statements kept prepared. The
// SQLite driver parses a query's text on every call; for the searches,
// whose statements are long (the portal's rule alone is a page of SQL),
// parsing was about a fifth of their CPU. A statement prepared once is
// reused on each connection of the pool (database/sql prepares it again on
// a connection that has not seen it), and SQLite prepares it again by
// itself if the schema changed.
//
// At most preparedPoolSize texts are kept; a query past that runs unprepared,
// as before, so texts that vary without end (IN lists of every length)
// cannot grow the cache. PostgreSQL is not wrapped: pgx keeps its own
// cache of prepared statements per connection.
type preparedPool struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
	// turns admits the portal's searches, each of several queries, first
	// come, first served.
	turns *turns
	// split says when a staff search is cut into parts (search_split.go).
	split splitConfig
}

// preparedPoolSize is the most statement texts preparedPool keeps prepared.
const preparedPoolSize = 256

func newPreparedPool(db *sql.DB) *preparedPool {
	// As many searches at once as the machine has cores, and never more
	// than half the pool's connections, so that reads outside the
	// searches, and a search that holds a connection while it runs a
	// query, always find one.
	n := max(1, min(runtime.NumCPU(), db.Stats().MaxOpenConnections/2))
	if db.Stats().MaxOpenConnections == 0 { // unlimited
		n = runtime.NumCPU()
	}
	return &preparedPool{db: db, m: map[string]*sql.Stmt{}, turns: newTurns(n), split: newSplitConfig()}
}

// stmt returns q's prepared statement, preparing it the first time, or nil
// when the cache is full or q does not prepare (its error then comes from
// running it unprepared, as it always did).
func (c *preparedPool) stmt(ctx context.Context, q string) *sql.Stmt {
	c.mu.Lock()
	s, ok := c.m[q]
	full := len(c.m) >= preparedPoolSize
	c.mu.Unlock()
	if ok || full {
		return s
	}
	// Prepared without the lock: preparing waits for a free connection,
	// which a caller waiting on the lock might be holding.
	s, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[q]; ok {
		s.Close()
		return old
	}
	if len(c.m) >= preparedPoolSize {
		s.Close()
		return nil
	}
	c.m[q] = s
	return s
}

// ExecContext runs q unprepared: reads do not write, and a write's text
// is seldom repeated on the read pool.
func (c *preparedPool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return c.db.ExecContext(ctx, q, args...)
}

// QueryContext runs q's prepared statement.
func (c *preparedPool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s := c.stmt(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return c.db.QueryContext(ctx, q, args...)
}

// QueryRowContext runs q's prepared statement.
func (c *preparedPool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if s := c.stmt(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return c.db.QueryRowContext(ctx, q, args...)
}

// Close closes the prepared statements.
func (c *preparedPool) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, s := range c.m {
		s.Close()
		delete(c.m, q)
	}
	return nil
}

// turn waits for the caller's turn on the SQLite read pool (turns) and
// returns the function that ends it; elsewhere (PostgreSQL, a transaction)
// there is no queue and it returns at once.
func (r *reader) turn(ctx context.Context) (leave func(), err error) {
	if p, ok := r.db.(*preparedPool); ok {
		return p.turns.enter(ctx)
	}
	return func() {}, nil
}
