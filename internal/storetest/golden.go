package storetest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// Golden compares got with the test package's testdata/name or, when
// update is set (each package's -update flag), writes it there. A mismatch
// says how to update the file; short text files are shown in full.
func Golden(t testing.TB, update bool, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	how := "go test -run " + t.Name() + " -update in this package, and review the diff"
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it with %s)", err, how)
	}
	if bytes.Equal(got, want) {
		return
	}
	if len(got)+len(want) < 4096 && utf8.Valid(got) && utf8.Valid(want) {
		t.Errorf("%s differs from what the test produced:\n got %s\nwant %s\nif the change is meant, run %s", path, got, want, how)
		return
	}
	t.Errorf("%s differs from what the test produced (%d bytes, want %d); if the change is meant, run %s", path, len(got), len(want), how)
}
