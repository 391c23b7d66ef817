package capture

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/blob"
	"steward.city/steward/internal/blob/disk"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/storetest"
)

// TestMediaFetchRefusesPrivateAddresses: a media address on Steward's own
// machine (by number or by name) or the cloud metadata address is never
// fetched, while a network the city allows is.
func TestMediaFetchRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte("internal secret"))
	}))
	defer srv.Close()
	dir := t.TempDir()
	blobs, err := disk.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	s := storetest.OpenSQLite(t, clock.Now)
	arch := archive.New(archive.Config{Store: s, Blobs: blobs, Clock: clock.Now})
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	svc := New(Config{Store: s, Archive: arch, Clock: clock.Now})
	for _, u := range []string{srv.URL + "/a.png", "http://localhost" + port + "/a.png", "http://169.254.169.254/latest/meta-data/"} {
		f, err := svc.fetch(context.Background(), u)
		var pe *platform.ErrPrivateAddress
		var nk *notKeptError
		if !errors.As(err, &pe) || !errors.As(err, &nk) || f.hash != "" {
			t.Errorf("fetch %s: %+v %v, want refused as not kept", u, f, err)
		}
	}
	if n := files(t, dir); n != 0 {
		t.Errorf("the media folder holds %d files after refused fetches", n)
	}
	lab := New(Config{Store: s, Archive: arch, Clock: clock.Now, MediaAllow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	f, err := lab.fetch(context.Background(), srv.URL+"/a.png")
	if err != nil || f.typ != "image/png" || f.size != int64(len("internal secret")) {
		t.Fatalf("fetch from an allowed network: %+v %v", f, err)
	}
	rc, err := blobs.Open(context.Background(), f.hash)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if data, _ := io.ReadAll(rc); string(data) != "internal secret" {
		t.Errorf("stored file %q", data)
	}
}

// files counts the regular files under dir, temporary ones included.
func files(t testing.TB, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMediaStall: a download that receives nothing for MediaStall is cut
// off as not kept, nothing stored; a store that takes longer than that
// after the whole file arrived (an upload) is not a stall.
func TestMediaStall(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 100)))
		w.(http.Flusher).Flush()
		if r.URL.Path == "/stalls.mp4" {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	d, err := disk.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	const stall = 200 * time.Millisecond
	clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	s := storetest.OpenSQLite(t, clock.Now)
	svc := New(Config{Store: s, Archive: archive.New(archive.Config{Store: s, Blobs: slowStore{d, 3 * stall}, Clock: clock.Now}), Clock: clock.Now,
		MediaAllow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, MediaStall: stall})
	start := time.Now()
	f, err := svc.fetch(context.Background(), srv.URL+"/stalls.mp4")
	var nk *notKeptError
	if !errors.As(err, &nk) || !strings.Contains(nk.reason, "stalled after 100 bytes") || f.hash != "" {
		t.Fatalf("stalled download: %+v %v", f, err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the stall was noticed after %s", took)
	}
	if n := files(t, dir); n != 0 {
		t.Errorf("%d files left after a stalled download", n)
	}
	if f, err := svc.fetch(context.Background(), srv.URL+"/whole.mp4"); err != nil || f.size != 100 {
		t.Errorf("a slow store after the whole file arrived: %+v %v", f, err)
	}
	// A slow store that then fails is the store's failure (the pass fails
	// and is tried again), not a stalled file.
	broken := New(Config{Store: s, Archive: archive.New(archive.Config{Store: s, Blobs: slowStore{nil, 3 * stall}, Clock: clock.Now}), Clock: clock.Now,
		MediaAllow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, MediaStall: stall})
	if _, err := broken.fetch(context.Background(), srv.URL+"/whole.mp4"); err == nil || errors.As(err, &nk) || !strings.Contains(err.Error(), "media store") {
		t.Errorf("a slow store that fails: %v, want the store's failure", err)
	}
}

// slowStore is a media store that reads the whole file, then takes wait
// before storing it, as an upload does (in Store; nil: a full disk).
type slowStore struct {
	blob.Store
	wait time.Duration
}

func (s slowStore) Put(ctx context.Context, want string, r io.Reader) (string, int64, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return "", 0, err
	}
	time.Sleep(s.wait)
	if s.Store == nil {
		return "", 0, errors.New("no space left on device")
	}
	return s.Store.Put(ctx, want, bytes.NewReader(data))
}

// TestMediaTooSlow: a file that keeps arriving, too slowly to finish in
// the time the pass has left (a capture job's timeout), is cut off as not
// kept with time to spare, rather than cancelling the pass.
func TestMediaTooSlow(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for range 200 { // a byte every 50 ms: never a stall, 10 s in all
			if _, err := w.Write([]byte("x")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	d, err := disk.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	s := storetest.OpenSQLite(t, clock.Now)
	svc := New(Config{Store: s, Archive: archive.New(archive.Config{Store: s, Blobs: d, Clock: clock.Now}), Clock: clock.Now,
		MediaAllow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, MediaStall: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	f, err := svc.fetch(ctx, srv.URL+"/slow.mp4")
	var nk *notKeptError
	if !errors.As(err, &nk) || !strings.Contains(nk.reason, "too slow") || f.hash != "" {
		t.Fatalf("slow download: %+v %v", f, err)
	}
	if ctx.Err() != nil {
		t.Errorf("the pass's own time ran out (%v): the file should leave it time", ctx.Err())
	}
	if n := files(t, dir); n != 0 {
		t.Errorf("%d files left after a download too slow", n)
	}
}

func TestBytesOf(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{
		1:             "1 byte",
		4096:          "4,096 bytes",
		1 << 20:       "1,048,576 bytes (1.0 MB)",
		2 << 30:       "2,147,483,648 bytes (2.0 GB)",
		3<<30 + 1<<29: "3,758,096,384 bytes (3.5 GB)",
	} {
		if got := bytesOf(n); got != want {
			t.Errorf("bytesOf(%d) = %q, want %q", n, got, want)
		}
	}
}
