package cli

import (
	"context"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/sqlstore"
)

// benchSearchLoad times each kind of search with clients at once.
func benchSearchLoad(ctx context.Context, store *sqlstore.Store, svc *archive.Service, gen *cityGen, clients, queries int, res *searchBenchResult) error {
	return nil
}
