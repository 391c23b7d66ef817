package capture_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/blob"
	"steward.city/steward/internal/blob/disk"
	"steward.city/steward/internal/capture"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/mastodon"
	"steward.city/steward/internal/storetest"
)

// mediaServer serves media files by path and counts the requests of each.
type mediaServer struct {
	mu   sync.Mutex
	hits map[string]int
	srv  *httptest.Server
}

func newMediaServer(t testing.TB, h func(w http.ResponseWriter, r *http.Request)) *mediaServer {
	m := &mediaServer{hits: map[string]int{}}
	m.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		m.hits[r.URL.Path]++
		m.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(m.srv.Close)
	return m
}

func (m *mediaServer) count(path string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hits[path]
}

// mediaEnv is a capture env whose archive keeps media in blobs, fetching
// media from 127.0.0.1 (as a lab's platform server) with a ceiling of max
// bytes, and a connection to a fake platform whose only page of posts is
// statuses (post id → media paths on ms, or addresses elsewhere).
func mediaEnv(t testing.TB, eng storetest.Engine, blobs blob.Store, ms *mediaServer, max int64, statuses map[string][]string) (*env, *civic.Connection) {
	return mediaEnvFunc(t, eng, blobs, ms, max, func() map[string][]string { return statuses })
}

// mediaEnvFunc is mediaEnv with posts that may change between passes.
func mediaEnvFunc(t testing.TB, eng storetest.Engine, blobs blob.Store, ms *mediaServer, max int64, statuses func() map[string][]string) (*env, *civic.Connection) {
	t.Helper()
	clock := storetest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	f := newFake(t, 0)
	acct := map[string]any{"id": "1", "username": "parks", "acct": "parks", "display_name": "City Parks"}
	f.hook = func(r *http.Request) (int, http.Header, string, bool) {
		if r.URL.Path != "/api/v1/accounts/1/statuses" {
			return 0, nil, "", false
		}
		var out []map[string]any
		if r.URL.Query().Get("max_id") == "" {
			for id, paths := range statuses() {
				st := fakeStatus(1000, acct)
				st["id"] = id
				var atts []map[string]string
				for _, p := range paths {
					u := p
					if strings.HasPrefix(p, "/") {
						u = ms.srv.URL + p
					}
					atts = append(atts, map[string]string{"id": p, "type": "image", "url": u})
				}
				st["media_attachments"] = atts
				out = append(out, st)
			}
		}
		b, _ := json.Marshal(out)
		return 200, http.Header{"Content-Type": {"application/json"}}, string(b), true
	}
	platforms := map[string]civic.Platform{mastodon.Name: mastodon.New(platform.Config{Now: clock.Now})}
	e := newEnv(t, eng.Open(t, clock.Now), clock, platforms, "@parks@social.example")
	e.arch = archive.New(archive.Config{Store: e.store, Blobs: blobs, Clock: clock.Now})
	e.svc = capture.New(capture.Config{Store: e.store, Archive: e.arch, Connections: e.conns, Clock: clock.Now, Jitter: func(time.Duration) time.Duration { return 0 },
		MediaAllow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, MediaMax: max, MediaRetryWait: time.Millisecond})
	return e, e.connect(f.srv.URL, "1", civic.PlatformToken{AccessToken: "good"})
}

// regularFiles lists the regular files under dir, temporary ones included.
func regularFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out = append(out, filepath.Base(p))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMediaNotKept: media files that are too large (declared or not), not
// served, cut off mid-download (three times), or at an address that is not
// public (a cloud metadata service) do not fail the pass nor mark the account
// broken. Each item is archived without the file, a flag says which file
// and why, the media folder holds only the file that was kept (no part of
// another, no temporary file), and the next pass neither downloads those
// files again nor stores new versions of their items. A file the server
// fails to give twice is kept on the third try.
func TestMediaNotKept(t *testing.T) {
	t.Parallel()
	const max = 4096
	small := bytes.Repeat([]byte("splash pad "), 100) // 1,100 bytes
	big := bytes.Repeat([]byte{0xAB}, 10_000)
	const metadata = "http://169.254.169.254/latest/meta-data/" // refused: only 127.0.0.0/8 is allowed
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			var flaky atomic.Int32
			ms := newMediaServer(t, func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/flaky.png": // fails twice, then serves the file
					if flaky.Add(1) <= 2 {
						http.Error(w, "try later", http.StatusServiceUnavailable)
						return
					}
					w.Write(small)
				case "/small.png":
					w.Header().Set("Content-Type", "image/png")
					w.Write(small)
				case "/declared-big.mp4": // Content-Length says too large
					w.Header().Set("Content-Length", "10000")
					w.Write(big)
				case "/chunked-big.mp4": // no length: grows past the ceiling
					for i := 0; i < len(big); i += 1000 {
						if _, err := w.Write(big[i : i+1000]); err != nil {
							return
						}
						w.(http.Flusher).Flush()
					}
				case "/cut.mp4": // promises 3,000 bytes, sends 1,000 and hangs up
					w.Header().Set("Content-Length", "3000")
					w.Write(big[:1000])
					w.(http.Flusher).Flush()
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						conn.Close()
					}
				default:
					http.NotFound(w, r)
				}
			})
			dir := t.TempDir()
			blobs, err := disk.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			e, c := mediaEnv(t, eng, blobs, ms, max, map[string][]string{
				"2000": {"/declared-big.mp4", "/small.png"},
				"2001": {"/chunked-big.mp4"},
				"2002": {"/gone.png", "/cut.mp4"},
				"2003": {metadata},
				"2004": {"/flaky.png"},
			})
			res, err := e.svc.Pass(e.ctx, c.ID)
			if err != nil || res.Run.Error != "" || res.Run.Stored != 5+1 { // five posts and the profile
				t.Fatalf("pass %+v, %v; want five posts stored and no error", res.Run, err)
			}
			got, err := e.store.Connection(e.ctx, c.ID)
			if err != nil || got.Status != civic.ConnectionOK || got.Failures != 0 || got.LastError != "" {
				t.Fatalf("connection after the pass: %+v %v", got, err)
			}
			sum := sha256.Sum256(small)
			want := hex.EncodeToString(sum[:])
			if vs := e.versions(c.Ref(), "2004"); len(vs) != 1 || len(vs[0].Media) != 1 || vs[0].Media[0].SHA256 != want {
				t.Errorf("post 2004: %+v, want the file the server gave on the third try", vs)
			}
			if vs := e.versions(c.Ref(), "2000"); len(vs) != 1 || len(vs[0].Media) != 1 || vs[0].Media[0].SHA256 != want || vs[0].Media[0].Size != int64(len(small)) || vs[0].Media[0].Type != "image/png" {
				t.Errorf("post 2000: %+v, want one version with the small file only", vs)
			}
			for id, addr := range map[string]string{"2001": ms.srv.URL, "2002": ms.srv.URL, "2003": metadata} {
				vs := e.versions(c.Ref(), id)
				if len(vs) != 1 || len(vs[0].Media) != 0 || !strings.Contains(string(vs[0].Raw), addr) {
					t.Errorf("post %s: %+v, want one version without media, the addresses in its raw payload", id, vs)
				}
			}
			if files := regularFiles(t, dir); len(files) != 1 || files[0] != want {
				t.Errorf("media folder holds %q, want only %s", files, want)
			}
			flags, err := e.store.CaptureFlags(e.ctx, civic.CaptureFlagFilter{ConnectionID: c.ID, Kind: civic.FlagMedia})
			if err != nil {
				t.Fatal(err)
			}
			reasons := map[string]string{
				"2000 " + ms.srv.URL + "/declared-big.mp4": "10,000 bytes, larger than the media ceiling of 4,096 bytes",
				"2001 " + ms.srv.URL + "/chunked-big.mp4":  "grew past the media ceiling of 4,096 bytes",
				"2002 " + ms.srv.URL + "/gone.png":         "HTTP 404",
				"2002 " + ms.srv.URL + "/cut.mp4":          "the download failed after 1,000 bytes: unexpected EOF (tried 3 times)",
				"2003 " + metadata:                         "not on the public internet (169.254.169.254)",
			}
			if len(flags) != len(reasons) {
				t.Errorf("%d media flags, want %d: %+v", len(flags), len(reasons), flags)
			}
			for _, f := range flags {
				why, ok := reasons[f.Subject]
				if !ok || !strings.Contains(f.Detail, why) || f.ItemID == 0 {
					t.Errorf("flag %q: %q (item %d), want the reason %q and the item", f.Subject, f.Detail, f.ItemID, why)
				}
			}

			// The next pass stores nothing and asks for no file again.
			e.clock.Advance(c.Interval)
			res, err = e.svc.Pass(e.ctx, c.ID)
			if err != nil || res.Run.Stored != 0 || res.Run.Flags != 0 {
				t.Fatalf("second pass %+v, %v; want nothing new", res.Run, err)
			}
			// A passing failure was tried three times in the first pass; a
			// lasting one (too large, 404) once.
			for p, want := range map[string]int{"/declared-big.mp4": 1, "/chunked-big.mp4": 1, "/gone.png": 1, "/cut.mp4": 3, "/flaky.png": 3} {
				if n := ms.count(p); n != want {
					t.Errorf("%s requested %d times, want %d", p, n, want)
				}
			}
		})
	}
}

// TestMediaStoreFailureFailsPass: when Steward's own media store fails (a
// full disk, S3 down), the file is not the problem: the pass fails and is
// tried again, and no flag says the file was not kept.
func TestMediaStoreFailureFailsPass(t *testing.T) {
	t.Parallel()
	ms := newMediaServer(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("a photo")) })
	e, c := mediaEnv(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, brokenStore{}, ms, 0, map[string][]string{"3000": {"/a.png"}})
	res, err := e.svc.Pass(e.ctx, c.ID)
	if err == nil || !strings.Contains(err.Error(), "media store") || res.Run.Error == "" {
		t.Fatalf("pass %+v, %v; want the media store's failure", res.Run, err)
	}
	if flags, _ := e.store.CaptureFlags(e.ctx, civic.CaptureFlagFilter{Kind: civic.FlagMedia}); len(flags) != 0 {
		t.Errorf("flags %+v, want none", flags)
	}
}

// brokenStore is a media store whose disk is full: it reads the file, then
// fails.
type brokenStore struct{ blob.Store }

func (brokenStore) Put(_ context.Context, _ string, r io.Reader) (string, int64, error) {
	io.Copy(io.Discard, r)
	return "", 0, errors.New("no space left on device")
}
