package storetest

import (
	"context"
	"encoding/hex"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/merkle"
	"steward.city/steward/internal/sqlstore"
)

// CutArchive does what someone who can write the database does to roll the
// archive back: it deletes the versions after keep with their full-text
// entries and date index rows, then rebuilds the Merkle log over the rest
// (RebuildLog). What is left verifies on its own.
func CutArchive(t testing.TB, s *sqlstore.Store, keep int64) {
	t.Helper()
	if s.Engine() == "sqlite" {
		forgeExec(t, s, `DELETE FROM archive_fts WHERE rowid > ?`, keep)
	}
	forgeExec(t, s, `DELETE FROM archive_versions WHERE id > ?`, keep)
	forgeExec(t, s, `DELETE FROM archive_days WHERE min_id > ?`, keep)
	forgeExec(t, s, `UPDATE archive_days SET max_id = ? WHERE max_id > ?`, keep, keep)
	RebuildLog(t, s)
}

// RebuildLog recomputes the Merkle log's nodes and head from the versions
// as they are now and deletes every checkpoint, as a forger who has
// rewritten versions does before signing new checkpoints.
func RebuildLog(t testing.TB, s *sqlstore.Store) {
	t.Helper()
	var hashes []string
	if err := s.WalkVersions(context.Background(), 0, func(v *civic.Version, _ []byte) error {
		hashes = append(hashes, v.Hash)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	forgeExec(t, s, `DELETE FROM archive_log_nodes`)
	var f merkle.Frontier
	for _, h := range hashes {
		b, _ := hex.DecodeString(h)
		for _, n := range f.Append(merkle.LeafHash(b)) {
			forgeExec(t, s, `INSERT INTO archive_log_nodes (level, idx, hash) VALUES (?, ?, ?)`, n.Level, n.Index, n.Hash[:])
		}
	}
	root := f.Root()
	forgeExec(t, s, `UPDATE archive_log_head SET size = ?, root = ?, frontier = ? WHERE id = 1`, f.Size, root[:], f.MarshalBinary())
	forgeExec(t, s, `DELETE FROM archive_checkpoints`)
}

// forgeExec runs q on the store's database behind its back.
func forgeExec(t testing.TB, s *sqlstore.Store, q string, args ...any) {
	t.Helper()
	if _, err := s.DB().ExecContext(context.Background(), s.Dialect().Rebind(q), args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
