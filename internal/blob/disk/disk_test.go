package disk_test

import (
	"testing"

	"steward.city/steward/internal/blob/blobtest"
	"steward.city/steward/internal/blob/disk"
)

func TestDisk(t *testing.T) {
	s, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	blobtest.Run(t, s)
}
