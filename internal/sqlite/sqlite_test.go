package sqlite_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/sqlite"
)

// TestFileMode checks that a new database and its -wal and -shm files are
// readable by their owner only, whatever the umask lets through, and that
// an existing file keeps the mode its operator gave it.
func TestFileMode(t *testing.T) {
	t.Parallel()
	now := func() time.Time { return time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC) }
	tests := []struct {
		name     string
		existing fs.FileMode // 0: no file before Open
		want     fs.FileMode
	}{
		{"new", 0, 0o600},
		{"existing", 0o640, 0o640},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "steward.db")
			if tt.existing != 0 {
				if err := os.WriteFile(path, nil, tt.existing); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tt.existing); err != nil {
					t.Fatal(err)
				}
			}
			ctx := context.Background()
			s, err := sqlite.Open(ctx, path, now)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			// A write makes sure the -wal and -shm files exist.
			if err := s.Update(ctx, civic.System, func(tx civic.Tx) error { return tx.SetSetting(ctx, "mode-test", "1") }); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{path, path + "-wal", path + "-shm"} {
				fi, err := os.Stat(name)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != tt.want {
					t.Errorf("%s: mode %#o, want %#o", filepath.Base(name), got, tt.want)
				}
			}
		})
	}
}
