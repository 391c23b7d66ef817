package disk_test

import (
	"testing"

	"steward.city/steward/internal/blob/blobtest"
	"steward.city/steward/internal/blob/disk"
)

func TestDisk(t *testing.T) {
	dir := t.TempDir()
	s, err := disk.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	blobtest.Run(t, s)
	// Run deleted what it stored: any file left is a temporary one.
	if n := blobtest.Files(t, dir); n != 0 {
		t.Errorf("%d files left in the media folder", n)
	}
}
