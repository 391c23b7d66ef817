package sqlite

import (
	"context"
	"database/sql"
	"time"
)

// checkpointer copies the write-ahead log into the database file from its
// own connection, in the background, so that the writer's commits do not
// run checkpoints themselves (the writer has wal_autocheckpoint off): on a
// loaded machine the copy and its syncs run beside the next transaction
// instead of inside the commit that crossed the threshold.
//
// Crash safety is SQLite's own: a checkpoint copies frames of committed
// transactions only, syncs the log before and the database file after
// (synchronous is the writer's), and the log is reused from its start only
// once every frame is in the database file. A crash mid-copy leaves the log
// as it was, and the next open replays it.
//
// A passive checkpoint never waits for the writer, but while the writer
// keeps appending, the log is never wholly copied at the moment a new
// transaction starts, and SQLite reuses it from its start only then. So
// once the log is longer than restartFrames and wholly copied but for the
// newest commits, a RESTART checkpoint waits for the current transaction,
// copies what is left, and makes the next writer start the log over.
type checkpointer struct {
	db   *sql.DB
	tick time.Duration
	// restartFrames is the log length (in pages) past which it is
	// restarted; SQLite's own auto-checkpoint threshold is 1,000.
	restartFrames int
	stop          chan struct{}
	done          chan struct{}
}

func newCheckpointer(db *sql.DB, tick time.Duration, restartFrames int) *checkpointer {
	c := &checkpointer{db: db, tick: tick, restartFrames: restartFrames, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTicker(c.tick)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		// Errors (SQLITE_BUSY while a RESTART waits too long) leave the
		// log as it was; the next tick tries again, and Close checkpoints.
		c.checkpoint(context.Background())
	}
}

// checkpoint copies what it can without waiting, then restarts a long
// log that is nearly all copied. It returns the log's length in frames.
func (c *checkpointer) checkpoint(ctx context.Context) (int, error) {
	var busy, log, copied int
	if err := c.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &copied); err != nil {
		return 0, err
	}
	if log > c.restartFrames && log-copied < c.restartFrames/2 {
		if err := c.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(RESTART)`).Scan(&busy, &log, &copied); err != nil {
			return log, err
		}
	}
	return log, nil
}

// close stops the loop, copies the whole log and closes the connection.
func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	_, err := c.db.ExecContext(context.Background(), `PRAGMA wal_checkpoint(TRUNCATE)`)
	if cerr := c.db.Close(); err == nil {
		err = cerr
	}
	return err
}
