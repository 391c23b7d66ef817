package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	_ "modernc.org/sqlite"
)

func openPool(t *testing.T) (*sql.DB, *preparedPool) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "p.db")+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(4)
	p := newPreparedPool(db)
	t.Cleanup(func() { p.Close(); db.Close() })
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO t (id, a) VALUES (1, 'one'), (2, 'two'), (3, 'three')`); err != nil {
		t.Fatal(err)
	}
	return db, p
}

// A statement prepared before the schema changes reads the new schema:
// SQLite prepares it again by itself.
func TestPreparedPoolSeesSchemaChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, p := openPool(t)
	cols := func() []string {
		rows, err := p.QueryContext(ctx, `SELECT * FROM t WHERE id = ?`, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cs, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}
	if got := cols(); len(got) != 2 {
		t.Fatalf("columns before: %v", got)
	}
	if _, err := db.Exec(`ALTER TABLE t ADD COLUMN b TEXT NOT NULL DEFAULT 'x'`); err != nil {
		t.Fatal(err)
	}
	if got := cols(); len(got) != 3 {
		t.Fatalf("columns after ALTER TABLE: %v, want 3", got)
	}
}

// Past its size the pool runs queries unprepared and keeps no more texts,
// so texts that vary without end cannot grow it.
func TestPreparedPoolBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, p := openPool(t)
	for i := range preparedPoolSize + 50 {
		var n int
		if err := p.QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*) + %d FROM t WHERE id <= ?`, i), 2).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 2+i {
			t.Fatalf("query %d: got %d, want %d", i, n, 2+i)
		}
	}
	if len(p.m) != preparedPoolSize {
		t.Fatalf("kept %d texts, want %d", len(p.m), preparedPoolSize)
	}
	// A text that does not prepare gives its error when run, as unprepared.
	if _, err := p.QueryContext(ctx, `SELECT nope FROM t`); err == nil {
		t.Fatal("a bad query ran")
	}
}

// Sixteen callers at once on a pool of four connections, each running two
// statements in turn: every answer right (run with -race).
func TestPreparedPoolConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, p := openPool(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Go(func() {
			for i := range 50 {
				rows, err := p.QueryContext(ctx, `SELECT id, a FROM t WHERE id >= ? ORDER BY id`, 1)
				if err != nil {
					errs <- err
					return
				}
				var ids []int
				for rows.Next() {
					var id int
					var a string
					if err := rows.Scan(&id, &a); err != nil {
						errs <- err
						return
					}
					ids = append(ids, id)
				}
				rows.Close()
				var a string
				if err := p.QueryRowContext(ctx, `SELECT a FROM t WHERE id = ?`, 1+(g+i)%3).Scan(&a); err != nil {
					errs <- err
					return
				}
				if len(ids) != 3 || a == "" {
					errs <- fmt.Errorf("caller %d: ids %v, a %q", g, ids, a)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Searches take turns in the order they came, no more at once than the
// queue admits, and one whose request ends while it waits leaves the queue
// without a turn.
func TestTurnsInOrder(t *testing.T) {
	t.Parallel()
	_, p := openPool(t)
	if n := p.turns.free; n < 1 || n > 2 {
		t.Fatalf("%d turns at once on a pool of 4 connections, want 1 or 2", n)
	}
	ctx := context.Background()
	// Two turns: two callers go at once, a third waits.
	two := newTurns(2)
	a, _ := two.enter(ctx)
	b, _ := two.enter(ctx)
	third := make(chan func())
	go func() {
		leave, _ := two.enter(ctx)
		third <- leave
	}()
	for two.waiting() != 1 {
		runtime.Gosched()
	}
	a()
	(<-third)()
	b()
	if two.free != 2 || two.waiting() != 0 {
		t.Fatalf("two turns: %d free, %d waiting after all left", two.free, two.waiting())
	}

	tn := newTurns(1)
	held, _ := tn.enter(ctx)
	// A caller whose request ends while it waits gets no turn.
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() {
		_, err := tn.enter(cctx)
		done <- err
	}()
	for tn.waiting() != 1 {
		runtime.Gosched()
	}
	cancel()
	if err := <-done; err != context.Canceled || tn.waiting() != 0 {
		t.Fatalf("enter with a cancelled request: %v, %d waiting", err, tn.waiting())
	}
	// Twenty callers arrive one after the other and wait.
	const callers = 20
	order := make(chan int, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			leave, err := tn.enter(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			order <- i
			leave()
		}()
		for tn.waiting() != i+1 {
			runtime.Gosched()
		}
	}
	held()
	wg.Wait()
	close(order)
	prev := -1
	for i := range order {
		if i != prev+1 {
			t.Errorf("caller %d had its turn after caller %d", i, prev)
		}
		prev = i
	}
	if tn.free != 1 || tn.waiting() != 0 {
		t.Errorf("after every caller left: %d free, %d waiting; want 1 and 0", tn.free, tn.waiting())
	}
}
