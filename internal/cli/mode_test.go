package cli_test

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDataFolderMode checks that the data folder Steward creates, with its
// parents, is private to Steward's user (0700) and that the SQLite database
// and its -wal and -shm files in it are 0600.
func TestDataFolderMode(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	dir := filepath.Join(base, "city", "data")
	run(t, nil, "", "migrate", "--data", dir).check(t, 0, []string{"up to date"}, nil)
	want := map[string]os.FileMode{
		filepath.Join(base, "city"):          0o700,
		dir:                                  0o700,
		filepath.Join(dir, "steward.db"):     0o600,
		filepath.Join(dir, "steward.db-wal"): 0o600,
		filepath.Join(dir, "steward.db-shm"): 0o600,
	}
	for path, mode := range want {
		fi, err := os.Stat(path)
		if os.IsNotExist(err) && filepath.Ext(path) != ".db" {
			continue // SQLite removes -wal and -shm when the last connection closes
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != mode {
			t.Errorf("%s: mode %#o, want %#o", path, got, mode)
		}
	}
}
