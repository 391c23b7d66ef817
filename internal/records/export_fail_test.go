package records_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/storetest"
)

// failingStore fails one of the reads an export makes at once in its
// goroutines: the threads' versions (index.html and the report), the
// report's counts, the proofs' log nodes, or items.jsonl's versions.
type failingStore struct {
	civic.Store
	fail   string
	failed chan struct{} // closed when the report's counts have failed
}

var errRead = errors.New("the disk went away")

func (f *failingStore) VersionsOfItems(ctx context.Context, ids []int64, fn func(*civic.Version) error) error {
	if f.fail == "versions of items" {
		return errRead
	}
	if f.fail == "version items" {
		// The threads' reader is at work when the report fails, as under
		// load: the reader is stopped, and the export must say why.
		select {
		case <-f.failed:
		case <-time.After(5 * time.Second):
		}
	}
	return f.Store.VersionsOfItems(ctx, ids, fn)
}

func (f *failingStore) ArchiveVersionItems(ctx context.Context, size int64, fn func(id, itemID int64) error) error {
	if f.fail == "version items" {
		defer close(f.failed)
		return errRead
	}
	return f.Store.ArchiveVersionItems(ctx, size, fn)
}

func (f *failingStore) ArchiveLogNodes(ctx context.Context, nodes []civic.LogNode) ([][]byte, error) {
	if f.fail == "log nodes" {
		return nil, errRead
	}
	return f.Store.ArchiveLogNodes(ctx, nodes)
}

func (f *failingStore) ScanVersions(ctx context.Context, after int64, fn func(*civic.Version) error) error {
	if f.fail == "scan" {
		return errRead
	}
	return f.Store.ScanVersions(ctx, after, fn)
}

// TestExportReadFails: whichever of the export's concurrent reads fails,
// the export returns that error (it does not hang waiting for a goroutine
// that stopped, nor write a bag), and its goroutines end.
func TestExportReadFails(t *testing.T) {
	e := newEnv(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	e.setup()
	r := &civic.RecordsRequest{Requester: "A", ReceivedOn: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Description: "d", Scope: []string{"from:2026-01-01"}}
	if _, err := e.svc.Create(e.ctx, civic.CLI, r); err != nil {
		t.Fatal(err)
	}
	if _, err := e.arch.Checkpoint(e.ctx); err != nil {
		t.Fatal(err)
	}
	signer, _, err := archive.LoadOrCreateKey(filepath.Join(t.TempDir(), "other.key"), "steward.test")
	if err != nil {
		t.Fatal(err)
	}
	// Three rounds, so that each goroutine has its turn to fail first.
	for range 3 {
		for _, fail := range []string{"versions of items", "version items", "log nodes", "scan"} {
			before := runtime.NumGoroutine()
			st := &failingStore{Store: e.store, fail: fail, failed: make(chan struct{})}
			svc := records.New(records.Config{Store: st, Archive: e.arch, Signer: signer, Clock: func() time.Time { return time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC) }})
			done := make(chan error, 1)
			go func() {
				_, err := svc.Export(e.ctx, civic.CLI, r.ID, io.Discard)
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, errRead) || !strings.Contains(err.Error(), "the disk went away") {
					t.Errorf("%s failing: the export returned %v", fail, err)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("%s failing: the export hung", fail)
			}
			deadline := time.Now().Add(5 * time.Second)
			for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if n := runtime.NumGoroutine(); n > before {
				t.Errorf("%s failing: %d goroutines left after the export, %d before", fail, n, before)
			}
		}
	}
}
