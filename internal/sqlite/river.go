package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// migrateQueue creates or updates the job queue's tables (river_job,
// river_leader, river_queue, …) with River's own migrator, each of its
// migrations in a write transaction of its own on the writer connection.
// They are River's schema, versioned by River in river_migration, not by
// Steward's numbered migrations.
func migrateQueue(ctx context.Context, db *sql.DB) (int, error) {
	m, err := rivermigrate.New(riversqlite.New(db), nil)
	if err != nil {
		return 0, fmt.Errorf("job queue migrations: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return 0, fmt.Errorf("job queue migrations: %w", err)
	}
	return len(res.Versions), nil
}
