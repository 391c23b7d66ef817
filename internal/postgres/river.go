package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
)

// migrateQueue creates or updates the job queue's tables (river_job,
// river_leader, river_queue, …) with River's own migrator. They are
// River's schema, versioned by River in river_migration, not by Steward's
// numbered migrations. River applies each of its migrations in a
// transaction of its own (one adds an enum value that a later statement
// uses, which PostgreSQL refuses in one transaction), so the migration
// lock is held on a session of its own meanwhile: several processes
// starting at once do not collide.
func migrateQueue(ctx context.Context, db *sql.DB) (int, error) {
	m, err := rivermigrate.New(riverdatabasesql.New(db), nil)
	if err != nil {
		return 0, fmt.Errorf("job queue migrations: %w", err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7262737465)`); err != nil {
		return 0, fmt.Errorf("job queue migrations: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7262737465)`)
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return 0, fmt.Errorf("job queue migrations: %w", err)
	}
	return len(res.Versions), nil
}
