package cli

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/sqlstore"
)

// durabilityResult is the part of "steward bench archive" that says what
// durable commits cost: the archive's ingest beside a floor written through
// the same connection with the same durability setting.
type durabilityResult struct {
	Setting string `json:"setting"`
	Durable bool   `json:"durable"`
	// FloorItemsPerS inserts the same texts, 5,000 plain rows per
	// transaction, into a table with one index: the least any ingest
	// could cost on this machine and setting.
	FloorItemsPerS float64 `json:"floor_items_per_s"`
	// IngestVsFloor is the batch ingest's speed over the floor's.
	IngestVsFloor float64 `json:"ingest_vs_floor"`
	// SingleCommitsPerS ingests one record per call, as a webhook or a
	// moderation decision does: every call is one acknowledged commit.
	SingleCommitsPerS float64 `json:"single_commits_per_s"`
	// FloorCommitsPerS commits one plain row per transaction.
	FloorCommitsPerS float64 `json:"floor_commits_per_s"`
	// SingleVsFloor is SingleCommitsPerS over FloorCommitsPerS.
	SingleVsFloor float64 `json:"single_vs_floor"`
}

// benchFloorBatches writes items plain rows in transactions of 5,000 and
// returns rows per second.
func benchFloorBatches(ctx context.Context, s *sqlstore.Store, gen *cityGen, items int) (float64, error) {
	db, d := s.DB(), s.Dialect()
	if _, err := db.ExecContext(ctx, `CREATE TABLE bench_floor (id BIGINT PRIMARY KEY, account TEXT NOT NULL, body TEXT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("bench floor: %w", err)
	}
	if _, err := db.ExecContext(ctx, `CREATE INDEX bench_floor_account ON bench_floor (account)`); err != nil {
		return 0, fmt.Errorf("bench floor: %w", err)
	}
	const batch, perStmt = 5000, 500
	start := time.Now()
	id := 0
	for done := 0; done < items; {
		recs := gen.records(min(batch, items-done))
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, fmt.Errorf("bench floor: %w", err)
		}
		for i := 0; i < len(recs); i += perStmt {
			part := recs[i:min(i+perStmt, len(recs))]
			var q strings.Builder
			q.WriteString(`INSERT INTO bench_floor (id, account, body) VALUES `)
			args := make([]any, 0, 3*len(part))
			for j, r := range part {
				if j > 0 {
					q.WriteByte(',')
				}
				q.WriteString("(?, ?, ?)")
				id++
				args = append(args, id, r.Account, r.Text)
			}
			if _, err := tx.ExecContext(ctx, d.Rebind(q.String()), args...); err != nil {
				tx.Rollback()
				return 0, fmt.Errorf("bench floor: %w", err)
			}
		}
		if err := tx.Commit(); err != nil {
			return 0, fmt.Errorf("bench floor: %w", err)
		}
		done += len(recs)
	}
	return float64(items) / time.Since(start).Seconds(), nil
}

// benchCommits times n single-record ingests (one acknowledged commit
// each) and n single-row floor commits, and fills in r.
func benchCommits(ctx context.Context, s *sqlstore.Store, svc *archive.Service, gen *cityGen, n int, r *durabilityResult) error {
	recs := gen.records(n)
	start := time.Now()
	for i := range recs {
		res, err := svc.Ingest(ctx, civic.CLI, recs[i:i+1], nil)
		if err != nil {
			return err
		}
		if res.Rejected > 0 {
			return fmt.Errorf("bench: a generated record was rejected: %v", res.Records[0].Error)
		}
	}
	r.SingleCommitsPerS = math.Round(float64(n) / time.Since(start).Seconds())
	db, d := s.DB(), s.Dialect()
	q := d.Rebind(`INSERT INTO bench_floor (id, account, body) VALUES (?, ?, ?)`)
	start = time.Now()
	for i, rec := range recs {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("bench floor: %w", err)
		}
		if _, err := tx.ExecContext(ctx, q, -1-i, rec.Account, rec.Text); err != nil {
			tx.Rollback()
			return fmt.Errorf("bench floor: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("bench floor: %w", err)
		}
	}
	r.FloorCommitsPerS = math.Round(float64(n) / time.Since(start).Seconds())
	r.SingleVsFloor = round2(r.SingleCommitsPerS / r.FloorCommitsPerS)
	return nil
}
