package importer_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/blob/disk"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/importer"
	"steward.city/steward/internal/storetest"
)

var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// zipDir zips a testdata folder the way the platform's download is laid out.
func zipDir(t testing.TB, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), filepath.Base(dir)+".zip")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = os.WriteFile(out, buf.Bytes(), 0o600)
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func service(t testing.TB, e storetest.Engine, withBlobs bool) *archive.Service {
	t.Helper()
	s := e.Open(t, func() time.Time { return now })
	cfg := archive.Config{Store: s, Clock: func() time.Time { return now }}
	if withBlobs {
		b, err := disk.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		cfg.Blobs = b
	}
	return archive.New(cfg)
}

// versions reads every archived version.
func versions(t *testing.T, svc *archive.Service) []archive.ExportLine {
	t.Helper()
	var buf bytes.Buffer
	if _, err := svc.Export(context.Background(), civic.CLI, &buf); err != nil {
		t.Fatal(err)
	}
	var out []archive.ExportLine
	for _, l := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var v archive.ExportLine
		if err := json.Unmarshal(l, &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func byID(vs []archive.ExportLine) map[string]archive.ExportLine {
	m := map[string]archive.ExportLine{}
	for _, v := range vs {
		m[v.PlatformID] = v
	}
	return m
}

func TestFormats(t *testing.T) {
	type check func(t *testing.T, got map[string]archive.ExportLine)
	tests := []struct {
		platform, account, dir string
		entries                int
		check                  check
	}{
		{"x", "x:springfieldcity", "testdata/x", 4, func(t *testing.T, got map[string]archive.ExportLine) {
			p := got["1896000000000000001"]
			if p.Kind != civic.ItemPost || p.Author.ID != "4400" || len(p.Media) != 1 || p.Media[0].Type != "image/jpeg" || p.Media[0].Size != 15 {
				t.Errorf("post %+v", p)
			}
			if r := got["1896000000000000020"]; r.Kind != civic.ItemReply || r.ParentID != "1896000000000000010" {
				t.Errorf("reply %+v", r)
			}
			if d := got["1885000000000000000"]; d.State != civic.StateDeleted || !d.CapturedAt.Equal(time.Date(2026, 2, 1, 12, 5, 0, 0, time.UTC)) {
				t.Errorf("deleted %+v", d)
			}
			if c := got["1890000000000000000"]; !strings.Contains(c.Text, "Café") || !c.CapturedAt.Equal(*c.PlatformTime) {
				t.Errorf("text %+v", c)
			}
		}},
		{"facebook", "facebook:springfieldparks", "testdata/facebook", 3, func(t *testing.T, got map[string]archive.ExportLine) {
			var post archive.ExportLine
			for _, v := range got {
				if strings.HasPrefix(v.Text, "The Elm Street pool") {
					post = v
				}
			}
			if !strings.Contains(post.Text, "Café open") || len(post.Media) != 1 || post.CapturedAt.Sub(*post.PlatformTime) != time.Hour {
				t.Errorf("post %+v", post)
			}
		}},
		{"instagram", "instagram:springfieldparks", "testdata/instagram", 3, func(t *testing.T, got map[string]archive.ExportLine) {
			n := 0
			for _, v := range got {
				if strings.HasSuffix(v.Text, "🎆") && len(v.Media) == 1 {
					n++
				}
				if v.Kind == civic.ItemComment && v.Text != "The south pier." {
					t.Errorf("comment %+v", v)
				}
			}
			if n != 1 {
				t.Errorf("the fireworks post with its text repaired and its photo: %d", n)
			}
		}},
		{"youtube", "youtube:springfieldcity", "testdata/youtube", 2, func(t *testing.T, got map[string]archive.ExportLine) {
			if r := got["UgxReply0001"]; r.Kind != civic.ItemReply || r.ParentID != "UgxTopLevel001" || r.ThreadID != "vid00000001" || r.Text != "April 4, agenda item 7." {
				t.Errorf("reply %+v", r)
			}
			if c := got["UgxOwn000002"]; c.Kind != civic.ItemComment || c.ParentID != "vid00000002" || c.Text != "Pinned: the route map" {
				t.Errorf("comment %+v", c)
			}
		}},
		{"mastodon", "mastodon:@parks@city.example", "testdata/mastodon", 3, func(t *testing.T, got map[string]archive.ExportLine) {
			p := got["111000000000000001"]
			if p.Text != "Farmers market opens May 2 on Main Street.\nBring a bag & your neighbors!" || len(p.Media) != 1 || !p.CapturedAt.Equal(time.Date(2026, 3, 2, 9, 20, 0, 0, time.UTC)) {
				t.Errorf("post %+v", p)
			}
			if r := got["111000000000000002"]; r.Kind != civic.ItemReply || r.ParentID != "https://elsewhere.example/users/ana/statuses/99" || r.Text != "@ana Yes, Saturdays too." {
				t.Errorf("reply %+v", r)
			}
			if b := got["111000000000000003"]; len(b.Tags) != 2 || b.Tags[1] != "boost" {
				t.Errorf("boost %+v", b)
			}
		}},
	}
	for _, e := range storetest.Engines(t) {
		for _, tt := range tests {
			t.Run(e.Name+"/"+tt.platform, func(t *testing.T) {
				svc := service(t, e, true)
				path := zipDir(t, tt.dir)
				opts := importer.Options{Archive: svc, Platform: tt.platform, Account: tt.account, Path: path}
				res, err := importer.Import(context.Background(), opts)
				if err != nil {
					t.Fatal(err)
				}
				if res.Entries != tt.entries || res.Stored != tt.entries || res.Rejected != 0 {
					t.Fatalf("result %+v", res)
				}
				vs := versions(t, svc)
				for _, v := range vs {
					if v.Account != tt.account || len(v.Tags) == 0 || v.Tags[0] != importer.Tag || len(v.RawBase64) == 0 {
						t.Errorf("version %+v", v)
					}
				}
				tt.check(t, byID(vs))
				// The same download again, under a new name: nothing twice.
				again := filepath.Join(t.TempDir(), "copy.zip")
				b, _ := os.ReadFile(path)
				os.WriteFile(again, b, 0o600)
				opts.Path = again
				res, err = importer.Import(context.Background(), opts)
				if err != nil {
					t.Fatal(err)
				}
				if res.Skipped != tt.entries || res.Stored != 0 {
					t.Errorf("second run %+v", res)
				}
				if n := len(versions(t, svc)); n != tt.entries {
					t.Errorf("%d versions after importing twice, want %d", n, tt.entries)
				}
			})
		}
	}
}

func TestBadEntries(t *testing.T) {
	svc := service(t, storetest.Engines(t)[0], false)
	res, err := importer.Import(context.Background(), importer.Options{Archive: svc, Platform: "x", Account: "x:springfieldcity", Path: "testdata/bad/tweets.js"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stored != 1 || res.Rejected != 2 || len(res.Problems) != 2 {
		t.Fatalf("%+v", res)
	}
	want := []importer.Problem{
		{Where: "tweets.js[1].tweet.id_str", Field: "tweet.id_str"},
		{Where: "tweets.js[2].tweet.created_at", Field: "tweet.created_at"},
	}
	for i, w := range want {
		if p := res.Problems[i]; p.Where != w.Where || p.Field != w.Field || p.Message == "" {
			t.Errorf("problem %d: %+v, want %+v", i, p, w)
		}
	}
}

func TestBadFiles(t *testing.T) {
	svc := service(t, storetest.Engines(t)[0], false)
	dir := t.TempDir()
	n := 0
	write := func(name, body string) string {
		n++
		sub := filepath.Join(dir, string(rune('a'+n)))
		os.Mkdir(sub, 0o700)
		p := filepath.Join(sub, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	tests := []struct {
		platform, account, path string
		says                    []string
	}{
		{"x", "x:c", "testdata/bad/broken/tweets.js", []string{"tweets.js:7:", "not valid JSON"}},
		{"x", "x:c", write("tweets.js", `[{"tweet": {}}]`), []string{"tweets.js:1:1", "window.YTD"}},
		{"mastodon", "mastodon:@p@c.example", write("outbox.json", `{"type": "Collection", "orderedItems": []}`), []string{"OrderedCollection"}},
		{"mastodon", "mastodon:@p@c.example", write("outbox.json", "{\n  \"type\": \"OrderedCollection\",\n  \"orderedItems\": {}\n}"), []string{"outbox.json:3:", "orderedItems"}},
		{"youtube", "youtube:c", write("comments.csv", "Comment ID,Video ID\nx,y\n"), []string{"comments.csv:1", "comment create timestamp"}},
		{"facebook", "facebook:p", write("notes.json", `[]`), []string{"holds nothing"}},
		{"x", "facebook:p", "testdata/bad/tweets.js", []string{"is not on x"}},
		{"myspace", "myspace:p", "testdata/bad/tweets.js", []string{"no import format"}},
		{"x", "x:c", filepath.Join(dir, "missing.zip"), []string{"missing.zip"}},
	}
	for _, tt := range tests {
		_, err := importer.Import(context.Background(), importer.Options{Archive: svc, Platform: tt.platform, Account: tt.account, Path: tt.path})
		if err == nil {
			t.Errorf("%s: no error", tt.path)
			continue
		}
		for _, s := range tt.says {
			if !strings.Contains(err.Error(), s) && !strings.Contains(civic.ErrorField(err), s) {
				t.Errorf("%s: error %q (field %q) does not say %q", tt.path, err, civic.ErrorField(err), s)
			}
		}
	}
	if n := len(versions(t, svc)); n != 0 {
		t.Errorf("%d versions stored from bad files", n)
	}
}

func TestInterrupted(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			svc := service(t, e, false)
			path := zipDir(t, "testdata/x")
			ctx, cancel := context.WithCancel(context.Background())
			opts := importer.Options{Archive: svc, Platform: "x", Account: "x:springfieldcity", Path: path, Batch: 1,
				AfterBatch: func(done int) {
					if done == 2 {
						cancel() // killed after the second batch
					}
				}}
			res, err := importer.Import(ctx, opts)
			if !errors.Is(err, context.Canceled) || res.Stored != 2 {
				t.Fatalf("interrupted run: %+v %v", res, err)
			}
			if n := len(versions(t, svc)); n != 2 {
				t.Fatalf("%d versions after the interruption", n)
			}
			opts.AfterBatch = nil
			res, err = importer.Import(context.Background(), opts)
			if err != nil || res.Skipped != 2 || res.Stored != 2 || res.Duplicates != 0 {
				t.Fatalf("resumed run: %+v %v", res, err)
			}
			vs := versions(t, svc)
			seen := map[string]int{}
			for _, v := range vs {
				seen[v.PlatformID]++
			}
			if len(vs) != 4 || len(seen) != 4 {
				t.Errorf("versions %v", seen)
			}
		})
	}
}

// Without the progress record (a crash between a batch and its progress),
// the archive's dedupe still keeps everything exactly once.
func TestDedupeWithoutProgress(t *testing.T) {
	e := storetest.Engines(t)[0]
	svc := service(t, e, false)
	path := zipDir(t, "testdata/mastodon")
	opts := importer.Options{Archive: svc, Platform: "mastodon", Account: "mastodon:@parks@city.example", Path: path}
	if _, err := importer.Import(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	// Forget the progress.
	if err := svc.Store().Update(context.Background(), civic.System, func(tx civic.Tx) error {
		ex, err := importer.Open(path)
		if err != nil {
			return err
		}
		defer ex.Close()
		return tx.SetSetting(context.Background(), "import:"+hexSum(ex.Sum)+":mastodon:@parks@city.example", "0")
	}); err != nil {
		t.Fatal(err)
	}
	res, err := importer.Import(context.Background(), opts)
	if err != nil || res.Skipped != 0 || res.Stored != 0 || res.Duplicates != 3 {
		t.Fatalf("%+v %v", res, err)
	}
}

func hexSum(b [32]byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 64)
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}
