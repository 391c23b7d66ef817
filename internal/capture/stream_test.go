package capture_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"steward.city/steward/internal/blob"
	"steward.city/steward/internal/blob/disk"
	"steward.city/steward/internal/blob/s3/s3test"
	"steward.city/steward/internal/storetest"
)

// largeMedia is the size of the generated video: 300 MiB, and the media
// ceiling of TestMediaStreamsLarge, so that it is kept at exactly the
// ceiling and one byte more is not.
const largeMedia = 300 << 20

// generated is a deterministic pseudo-random file of n bytes, made as it is
// read: the test never holds it.
func generated(seed byte, n int64) io.Reader {
	return io.LimitReader(rand.NewChaCha8([32]byte{seed}), n)
}

func generatedSHA256(t testing.TB, seed byte, n int64) string {
	t.Helper()
	h := sha256.New()
	if _, err := io.Copy(h, generated(seed, n)); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// heapWatch samples the heap in use until stopped; its growth is the peak
// over the heap in use when it started, after a collection.
type heapWatch struct {
	start, alloc0 uint64
	peak          uint64
	stop          chan struct{}
	done          sync.WaitGroup
}

func watchHeap() *heapWatch {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	w := &heapWatch{start: m.HeapInuse, alloc0: m.TotalAlloc, peak: m.HeapInuse, stop: make(chan struct{})}
	w.done.Go(func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-tick.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				w.peak = max(w.peak, m.HeapInuse)
			}
		}
	})
	return w
}

// end returns the peak growth of the heap in use and the bytes allocated
// since watchHeap.
func (w *heapWatch) end() (growth, allocated uint64) {
	close(w.stop)
	w.done.Wait()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	w.peak = max(w.peak, m.HeapInuse)
	return w.peak - w.start, m.TotalAlloc - w.alloc0
}

// TestMediaStreamsLarge captures a post with a 300 MiB video, generated as
// it is sent, into the media folder and into a real S3 server (versitygw):
// the stored file hashes as the generator's, the heap in use grows by less
// than 32 MiB and the pass allocates less than 64 MiB in all (the video
// held in memory would be 300 MiB). A file one byte over the ceiling
// without a Content-Length, and one whose Content-Length is over it, are
// refused: the pass still succeeds, and the store holds no part of either
// and no temporary file. It prints the speed beside the floor of writing
// the same bytes to a file in the same folder.
//
// Not parallel: the heap is measured while no other test runs.
func TestMediaStreamsLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 1.2 GB; not with -short")
	}
	want := generatedSHA256(t, 1, largeMedia)
	ms := newMediaServer(t, func(w http.ResponseWriter, r *http.Request) {
		n, seed := int64(largeMedia), byte(1)
		switch r.URL.Path {
		case "/large.mp4":
		case "/over.mp4": // declared one byte over: refused before download
			n, seed = largeMedia+1, 2
		case "/over-chunked.mp4": // no length, one byte over: cut off
			n, seed = largeMedia+1, 3
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "video/mp4")
		if r.URL.Path != "/over-chunked.mp4" {
			w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
		}
		io.Copy(w, generated(seed, n))
	})
	type store struct {
		name string
		// open opens the store and sets dirs: the folders that may hold
		// its files (its objects, its spool), the last one for the floor.
		open func(t *testing.T) blob.Store
	}
	var dirs []string
	stores := []store{
		{name: "disk", open: func(t *testing.T) blob.Store {
			d := t.TempDir()
			dirs = []string{d}
			s, err := disk.Open(d)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{name: "s3", open: func(t *testing.T) blob.Store {
			srv := s3test.Start(t)
			dirs = []string{srv.Dir, srv.Spool}
			return srv.Store
		}},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			blobs := st.open(t)
			fetched := ms.count("/large.mp4")
			var mu sync.Mutex
			posts := map[string][]string{"4000": {"/large.mp4"}}
			e, c := mediaEnvFunc(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, blobs, ms, largeMedia, func() map[string][]string {
				mu.Lock()
				defer mu.Unlock()
				return posts
			})

			floor := floorMBps(t, dirs[len(dirs)-1])
			w := watchHeap()
			start := time.Now()
			res, err := e.svc.Pass(e.ctx, c.ID)
			took := time.Since(start)
			growth, allocated := w.end()
			if err != nil || res.Run.Stored != 2 {
				t.Fatalf("pass %+v, %v", res.Run, err)
			}
			vs := e.versions(c.Ref(), "4000")
			if len(vs) != 1 || len(vs[0].Media) != 1 || vs[0].Media[0].SHA256 != want || vs[0].Media[0].Size != largeMedia || vs[0].Media[0].Type != "video/mp4" {
				t.Fatalf("versions %+v, want the video with SHA-256 %s", vs, want)
			}
			rc, err := blobs.Open(e.ctx, want)
			if err != nil {
				t.Fatal(err)
			}
			h := sha256.New()
			n, err := io.Copy(h, rc)
			rc.Close()
			if got := hex.EncodeToString(h.Sum(nil)); err != nil || n != largeMedia || got != want {
				t.Fatalf("stored file: %d bytes hashing %s, %v; want %d bytes hashing %s", n, got, err, largeMedia, want)
			}
			mbps := float64(largeMedia) / (1 << 20) / took.Seconds()
			t.Logf("%s: 300 MiB captured in %s: %.0f MiB/s; floor (write and sync a file in the same folder) %.0f MiB/s; ratio %.2f; heap in use grew %.1f MiB at most, %.1f MiB allocated",
				st.name, took.Round(time.Millisecond), mbps, floor, mbps/floor, float64(growth)/(1<<20), float64(allocated)/(1<<20))
			if growth > 32<<20 || allocated > 64<<20 {
				t.Errorf("heap in use grew %d bytes and %d were allocated: the file is held in memory", growth, allocated)
			}
			before := countFiles(t, dirs)

			mu.Lock()
			posts = map[string][]string{"4000": {"/large.mp4"}, "4001": {"/over.mp4"}, "4002": {"/over-chunked.mp4"}}
			mu.Unlock()
			e.clock.Advance(c.Interval)
			w = watchHeap()
			res, err = e.svc.Pass(e.ctx, c.ID)
			growth, allocated = w.end()
			if err != nil || res.Run.Stored != 2 || res.Run.Flags != 2 {
				t.Fatalf("pass with files over the ceiling %+v, %v; want both posts stored and two flags", res.Run, err)
			}
			if growth > 32<<20 || allocated > 64<<20 {
				t.Errorf("cutting a file off: heap in use grew %d bytes and %d were allocated", growth, allocated)
			}
			for _, id := range []string{"4001", "4002"} {
				if vs := e.versions(c.Ref(), id); len(vs) != 1 || len(vs[0].Media) != 0 {
					t.Errorf("post %s: %+v, want one version without media", id, vs)
				}
			}
			if after := countFiles(t, dirs); after != before {
				t.Errorf("the store's folders hold %d files after refusing two, %d before: a part or a temporary file is left", after, before)
			}
			if n := ms.count("/large.mp4") - fetched; n != 1 {
				t.Errorf("the video was downloaded %d times, want once", n)
			}
		})
	}
}

// floorMBps is the speed of writing the generated video to a file in dir
// and syncing it: what storing it costs at the least, on this machine.
func floorMBps(t testing.TB, dir string) float64 {
	t.Helper()
	f, err := os.CreateTemp(dir, ".floor-*")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	start := time.Now()
	if _, err := io.Copy(f, generated(1, largeMedia)); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	return float64(largeMedia) / (1 << 20) / time.Since(start).Seconds()
}

func countFiles(t testing.TB, dirs []string) int {
	n := 0
	for _, d := range dirs {
		n += len(regularFiles(t, filepath.Clean(d)))
	}
	return n
}
