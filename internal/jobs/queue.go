// Package jobs is Steward's background work: one job queue (River) on
// either engine. It owns the River clients, runs the workers and the
// periodic jobs a process registers, and offers what the rest of Steward
// needs: enqueue inside a store transaction, enqueue on its own, and the
// list, retry and cancel of the jobs page. No other package uses River's
// client (the engines run its migrator).
//
// The queue's tables (river_*) live in Steward's database and are created
// by the engines' migrate step (internal/sqlite, internal/postgres).
//
// Each engine has two clients. The insert client runs over the store's own
// database/sql pool, so a job can be inserted in the transaction of a
// store Update (InsertTx with our *sql.Tx): on SQLite through River's
// riversqlite driver, on PostgreSQL through riverdatabasesql. The worker
// client, started only by processes that work jobs (serve --role worker or
// all), uses the same pool on SQLite (one writer connection: River's own
// advice for SQLite, and Steward's), and on PostgreSQL a pgx pool of its
// own (riverpgxv5), whose LISTEN/NOTIFY wakes it as soon as a job is
// inserted in any process.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"steward.city/steward/internal/civic"
)

// MaxAttempts is how often a job is tried before it is discarded and shown
// as failed on the jobs page. River waits longer after each failure
// (attempt⁴ seconds, with jitter): the tenth try comes about three hours
// after the first.
const MaxAttempts = 10

// Args are a job's arguments; Kind names the job ("capture", "screen").
// They are stored as JSON: exported fields with json tags.
type Args interface {
	Kind() string
}

// Config is what a Queue is built from.
type Config struct {
	// Engine is "sqlite" or "postgres".
	Engine string
	// DB is the store's write pool (sqlstore.Store.DB): jobs inserted in
	// a transaction go through it.
	DB *sql.DB
	// URL is the PostgreSQL URL the workers' pgx pool connects to (with
	// the same search_path as DB); unused on SQLite.
	URL string
	// Store records retries and cancels in the audit log.
	Store  civic.Updater
	Logger *slog.Logger // nil: discard
	// Workers is how many jobs this process works at once; 0: 4 on
	// SQLite (writes queue on one connection), 10 on PostgreSQL.
	Workers int
	// FetchPoll is how often workers look for jobs when nothing woke them;
	// 0: River's default (one second).
	FetchPoll time.Duration
	// MaxAttempts overrides MaxAttempts (tests); 0: MaxAttempts.
	MaxAttempts int
	// RetryDelay, when set, is the wait before every retry instead of
	// River's growing back-off (tests).
	RetryDelay time.Duration
	// ID names this process among the workers ("" : River's default,
	// host name and start time).
	ID string
	// Timeout is how long one job may run before it is cancelled and
	// tried again; 0: DefaultTimeout.
	Timeout time.Duration
	// RescueAfter is how long a job may stay running before another
	// process takes it for stuck (its process died: SIGKILL, power loss)
	// and runs it again; at least Timeout; 0: Timeout + DefaultRescueMargin.
	RescueAfter time.Duration
}

// DefaultTimeout and DefaultRescueMargin are Config's defaults: a capture
// pass or a checkpoint may take minutes, and a job of a process that died
// runs again five minutes after it could last have been cancelled.
const (
	DefaultTimeout      = 30 * time.Minute
	DefaultRescueMargin = 5 * time.Minute
)

// Queue is the job queue of one process.
type Queue struct {
	c       Config
	insert  *river.Client[*sql.Tx]
	workers *river.Workers
	kinds   []string
	period  []*river.PeriodicJob

	mu      sync.Mutex
	running interface {
		Stop(context.Context) error
		StopAndCancel(context.Context) error
	}
	pool *pgxpool.Pool
}

// New returns the queue on c's database. It can insert, list, retry and
// cancel jobs at once; Register and Periodic add work before Start.
func New(c Config) (*Queue, error) {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.DB == nil || c.Store == nil {
		return nil, errors.New("jobs: DB and Store are required")
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = MaxAttempts
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.RescueAfter <= 0 {
		c.RescueAfter = c.Timeout + DefaultRescueMargin
	}
	if c.RescueAfter < c.Timeout {
		return nil, fmt.Errorf("jobs: a job is rescued after %s, before its timeout of %s would cancel it", c.RescueAfter, c.Timeout)
	}
	if c.Workers <= 0 {
		c.Workers = 10
		if c.Engine == "sqlite" {
			c.Workers = 4
		}
	}
	cfg := &river.Config{Logger: quiet(c.Logger), MaxAttempts: c.MaxAttempts}
	var (
		ins *river.Client[*sql.Tx]
		err error
	)
	switch c.Engine {
	case "sqlite":
		ins, err = river.NewClient(riversqlite.New(c.DB), cfg)
	case "postgres":
		ins, err = river.NewClient(riverdatabasesql.New(c.DB), cfg)
	default:
		return nil, fmt.Errorf("jobs: unknown engine %q", c.Engine)
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return &Queue{c: c, insert: ins, workers: river.NewWorkers()}, nil
}

// quiet passes River's own log lines at warn and above: its info lines
// (every client start, every leader election) are not news to an operator.
func quiet(l *slog.Logger) *slog.Logger {
	return slog.New(levelFloor{l.Handler(), slog.LevelWarn})
}

type levelFloor struct {
	slog.Handler
	min slog.Level
}

func (h levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelFloor) WithAttrs(as []slog.Attr) slog.Handler {
	return levelFloor{h.Handler.WithAttrs(as), h.min}
}

func (h levelFloor) WithGroup(name string) slog.Handler {
	return levelFloor{h.Handler.WithGroup(name), h.min}
}

// Register makes fn the worker of the jobs of T's kind. A job whose fn
// returns an error is tried again later, up to MaxAttempts times. Call it
// before Start.
func Register[T Args](q *Queue, fn func(context.Context, T) error) {
	var zero T
	q.kinds = append(q.kinds, zero.Kind())
	river.AddWorker(q.workers, river.WorkFunc(func(ctx context.Context, j *river.Job[T]) error {
		return fn(ctx, j.Args)
	}))
}

// Periodic inserts the job args() makes every interval, once across all
// the processes sharing the database (the elected leader inserts it), and
// once at start when onStart is set. Call it before Start.
func (q *Queue) Periodic(id string, every time.Duration, onStart bool, args func() Args) {
	q.period = append(q.period, river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		// Unique within its period too, should a new leader take over
		// mid-period (River refuses periods under a second).
		if every < time.Second {
			return args(), nil
		}
		return args(), &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: every}}
	}, &river.PeriodicJobOpts{ID: id, RunOnStart: onStart}))
}

// Kinds lists the kinds registered, in order.
func (q *Queue) Kinds() []string { return append([]string(nil), q.kinds...) }

// Start runs the workers and periodic jobs of this process until Stop.
func (q *Queue) Start(ctx context.Context) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.running != nil {
		return errors.New("jobs: already started")
	}
	cfg := &river.Config{
		Logger:       quiet(q.c.Logger),
		MaxAttempts:  q.c.MaxAttempts,
		Workers:      q.workers,
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: q.c.Workers}},
		PeriodicJobs: q.period,
		ID:           q.c.ID,
		// A capture pass or a checkpoint may take minutes; River's
		// default of one minute would cancel a long one. River's default
		// rescue (timeout + 1 hour) would leave a dead process's capture
		// of an account undone for an hour and a half.
		JobTimeout:           q.c.Timeout,
		RescueStuckJobsAfter: q.c.RescueAfter,
		FetchPollInterval:    q.c.FetchPoll,
	}
	if q.c.RetryDelay > 0 {
		cfg.RetryPolicy = fixedDelay(q.c.RetryDelay)
	}
	if q.c.FetchPoll > 0 && q.c.FetchPoll < river.FetchCooldownDefault {
		cfg.FetchCooldown = q.c.FetchPoll
	}
	switch q.c.Engine {
	case "sqlite":
		c, err := river.NewClient(riversqlite.New(q.c.DB), cfg)
		if err != nil {
			return fmt.Errorf("jobs: %w", err)
		}
		if err := c.Start(ctx); err != nil {
			return fmt.Errorf("jobs: start: %w", err)
		}
		q.running = c
	default:
		pcfg, err := pgxpool.ParseConfig(q.c.URL)
		if err != nil {
			return fmt.Errorf("jobs: postgresql url: %w", err)
		}
		pool, err := pgxpool.NewWithConfig(ctx, pcfg)
		if err != nil {
			return fmt.Errorf("jobs: connect to postgresql: %w", err)
		}
		c, err := river.NewClient[pgx.Tx](riverpgxv5.New(pool), cfg)
		if err != nil {
			pool.Close()
			return fmt.Errorf("jobs: %w", err)
		}
		if err := c.Start(ctx); err != nil {
			pool.Close()
			return fmt.Errorf("jobs: start: %w", err)
		}
		q.running, q.pool = c, pool
	}
	return nil
}

// Stop waits for running jobs to finish (until ctx ends, when they are
// cancelled, to be tried again) and stops the workers. Stopping a queue
// never started does nothing.
func (q *Queue) Stop(ctx context.Context) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.running == nil {
		return nil
	}
	err := q.running.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		// Jobs still running when ctx ended are cancelled (and retried
		// by another worker, or at the next start).
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		err = q.running.StopAndCancel(cctx)
		cancel()
	}
	if q.pool != nil {
		q.pool.Close()
	}
	q.running, q.pool = nil, nil
	return err
}

// fixedDelay retries after the same wait every time.
type fixedDelay time.Duration

func (d fixedDelay) NextRetry(j *rivertype.JobRow) time.Time {
	return time.Now().Add(time.Duration(d))
}
