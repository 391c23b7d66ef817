package capture

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
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
	blobs, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	s := storetest.OpenSQLite(t, clock.Now)
	arch := archive.New(archive.Config{Store: s, Blobs: blobs, Clock: clock.Now})
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	svc := New(Config{Store: s, Archive: arch, Clock: clock.Now})
	for _, u := range []string{srv.URL + "/a.png", "http://localhost" + port + "/a.png", "http://169.254.169.254/latest/meta-data/"} {
		data, _, err := svc.fetch(context.Background(), u)
		var pe *platform.ErrPrivateAddress
		if !errors.As(err, &pe) || data != nil {
			t.Errorf("fetch %s: %q %v, want refused", u, data, err)
		}
	}
	lab := New(Config{Store: s, Archive: arch, Clock: clock.Now, MediaAllow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	if data, typ, err := lab.fetch(context.Background(), srv.URL+"/a.png"); err != nil || string(data) != "internal secret" || typ != "image/png" {
		t.Errorf("fetch from an allowed network: %q %q %v", data, typ, err)
	}
}
