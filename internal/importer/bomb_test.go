package importer_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/importer"
	"steward.city/steward/internal/storetest"
)

// bombSize is what the bombs expand to: 400 MiB of spaces deflate to about
// 0.41 MB, the size of the export the penetration test used.
const bombSize = 400 << 20

// spaces writes n spaces to w.
func spaces(w io.Writer, n int) {
	buf := bytes.Repeat([]byte(" "), 1<<20)
	for n > 0 {
		k := min(n, len(buf))
		w.Write(buf[:k])
		n -= k
	}
}

// entry is one file of a crafted zip: its name, what it holds (prefix, n
// spaces, suffix) and, when lie is set, the uncompressed size its headers
// claim instead of the real one.
type entry struct {
	name, prefix string
	n            int
	suffix       string
	lie          uint64
}

// craft writes a zip of the entries, compressed as hard as deflate can.
func craft(t *testing.T, entries ...entry) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "export.zip")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	zw := zip.NewWriter(bw)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestCompression) })
	for _, e := range entries {
		if e.lie == 0 {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate})
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(w, e.prefix)
			spaces(w, e.n)
			io.WriteString(w, e.suffix)
			continue
		}
		// Compress first, then write the entry raw with headers that
		// claim e.lie bytes.
		var packed bytes.Buffer
		fw, _ := flate.NewWriter(&packed, flate.BestCompression)
		crc := crc32.NewIEEE()
		mw := io.MultiWriter(fw, crc)
		io.WriteString(mw, e.prefix)
		spaces(mw, e.n)
		io.WriteString(mw, e.suffix)
		fw.Close()
		w, err := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Deflate, CRC32: crc.Sum32(), CompressedSize64: uint64(packed.Len()), UncompressedSize64: e.lie})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(packed.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// measure runs fn and returns the bytes allocated while it ran and the
// peak of the heap in use above what it was before, sampled every
// millisecond.
func measure(fn func()) (alloc, peak uint64) {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var top atomic.Uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > top.Load() {
				top.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(stop)
	<-done
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, top.Load() - min(top.Load(), before.HeapInuse)
}

// TestZipBomb imports crafted exports that expand to hundreds of megabytes
// from well under one: each is refused with an error naming the entry,
// after reading at most its bound, and the memory the import allocates
// stays small. It measures the process's memory, so it does not run in
// parallel with other tests. (Before entries were streamed, the first
// bomb alone allocated 874 MB.)
func TestZipBomb(t *testing.T) {
	const ytd = "window.YTD.tweets.part0 = ["
	tweet := `{"tweet": {"id_str": "1896000000000000001", "created_at": "Mon Mar 02 09:30:00 +0000 2026", "full_text": "Plow update", "extended_entities": {"media": [{"media_url_https": "https://pbs.twimg.com/media/a.jpg"}]}}}`
	var parts []entry
	for i := range 120 {
		// Each under the size whose ratio is checked, together far over
		// what a zip of this size may expand to.
		parts = append(parts, entry{name: fmt.Sprintf("data/tweets-part%d.js", i), prefix: ytd, n: 1<<20 - 100, suffix: "]"})
	}
	tests := []struct {
		name    string
		entries []entry
		says    []string
		alloc   uint64 // the most the import may allocate in all
	}{
		{"one entry, honest headers", []entry{{name: "data/tweets.js", prefix: ytd, n: bombSize, suffix: "]"}},
			[]string{"data/tweets.js in ", "zip bomb"}, 8 << 20},
		{"one entry, headers claim 1 MB", []entry{{name: "data/tweets.js", prefix: ytd, n: bombSize, suffix: "]", lie: 1 << 20}},
			[]string{"data/tweets.js in ", "not a valid zip"}, 8 << 20},
		// Read and parsed one after the other, until the export's budget
		// (64 MiB here) is spent: much allocated in all, little at once.
		{"many entries, each small", parts, []string{"expand to more than", "zip bomb", "(at data/tweets-part"}, 4 * 64 << 20},
		{"a media file", []entry{
			{name: "data/tweets.js", prefix: ytd + tweet + "]"},
			{name: "data/tweets_media/1896000000000000001-a.jpg", n: bombSize},
		}, []string{"data/tweets_media/1896000000000000001-a.jpg in ", "zip bomb"}, 8 << 20},
	}
	e := storetest.Engines(t)[0]
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := craft(t, tt.entries...)
			fi, _ := os.Stat(path)
			svc := service(t, e, true)
			var err error
			alloc, peak := measure(func() {
				_, err = importer.Import(context.Background(), importer.Options{Archive: svc, Platform: "x", Account: "x:springfieldcity", Path: path})
			})
			t.Logf("%d-byte zip: %s; allocated %.1f MB, peak heap in use +%.1f MB", fi.Size(), err, float64(alloc)/1e6, float64(peak)/1e6)
			if civic.ErrorKind(err) != civic.KindInvalid {
				t.Fatalf("error %v, want invalid", err)
			}
			for _, s := range tt.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			if alloc > tt.alloc || peak > 32<<20 {
				t.Errorf("allocated %d bytes, peak heap +%d: want at most %d and 32 MiB", alloc, peak, tt.alloc)
			}
			if n := len(versions(t, svc)); n != 0 {
				t.Errorf("%d versions stored from a bomb", n)
			}
		})
	}
}

// TestExportBounds checks what stays allowed: an entry under 1 MiB may
// expand as much as deflate allows, and a single file given outside a zip
// is read as it is.
func TestExportBounds(t *testing.T) {
	t.Parallel()
	e := storetest.Engines(t)[0]
	tweet := `{"tweet": {"id_str": "1896000000000000001", "created_at": "Mon Mar 02 09:30:00 +0000 2026", "full_text": "Plow update"}}`
	path := craft(t, entry{name: "data/tweets.js", prefix: "window.YTD.tweets.part0 = [" + tweet, n: 900 << 10, suffix: "]"})
	res, err := importer.Import(context.Background(), importer.Options{Archive: service(t, e, false), Platform: "x", Account: "x:springfieldcity", Path: path})
	if err != nil || res.Stored != 1 {
		t.Fatalf("a highly compressible small entry: %+v %v", res, err)
	}
}
