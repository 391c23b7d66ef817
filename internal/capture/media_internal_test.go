package capture

import (
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
