package cli_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	exec2 "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/blob/disk"
)

// warcRecord is one record as readWARC, a reader written from ISO 28500
// for this test (not the library that wrote the file), sees it.
type warcRecord struct {
	header map[string]string
	block  []byte
}

// readWARC reads a WARC file whose records are each a gzip member: the
// version line, header fields up to an empty line, exactly Content-Length
// bytes of block, then CRLF CRLF; and checks each record's
// WARC-Block-Digest and, where present, WARC-Payload-Digest.
func readWARC(t *testing.T, file string) []warcRecord {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var recs []warcRecord
	br := bytes.NewReader(raw)
	for br.Len() > 0 {
		zr, err := gzip.NewReader(br)
		if err != nil {
			t.Fatalf("record %d: not a gzip member: %v", len(recs), err)
		}
		zr.Multistream(false)
		member, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("record %d: %v", len(recs), err)
		}
		r := bufio.NewReader(bytes.NewReader(member))
		line, err := r.ReadString('\n')
		if err != nil || line != "WARC/1.1\r\n" {
			t.Fatalf("record %d: version line %q", len(recs), line)
		}
		rec := warcRecord{header: map[string]string{}}
		for {
			line, err := r.ReadString('\n')
			if err != nil || !strings.HasSuffix(line, "\r\n") {
				t.Fatalf("record %d: header line %q: %v", len(recs), line, err)
			}
			if line == "\r\n" {
				break
			}
			k, v, ok := strings.Cut(strings.TrimSuffix(line, "\r\n"), ":")
			if !ok {
				t.Fatalf("record %d: header line %q has no colon", len(recs), line)
			}
			rec.header[strings.ToLower(k)] = strings.TrimSpace(v)
		}
		n, err := strconv.Atoi(rec.header["content-length"])
		if err != nil {
			t.Fatalf("record %d: Content-Length %q", len(recs), rec.header["content-length"])
		}
		rec.block = make([]byte, n)
		if _, err := io.ReadFull(r, rec.block); err != nil {
			t.Fatalf("record %d: block shorter than Content-Length %d", len(recs), n)
		}
		if tail, _ := io.ReadAll(r); string(tail) != "\r\n\r\n" {
			t.Fatalf("record %d: %q after the block, want CRLF CRLF", len(recs), tail)
		}
		sum := sha256.Sum256(rec.block)
		want := "sha256:" + hex.EncodeToString(sum[:])
		if d := strings.ToLower(rec.header["warc-block-digest"]); d != want {
			t.Errorf("record %d: WARC-Block-Digest %q, the block hashes to %q", len(recs), d, want)
		}
		if d, ok := rec.header["warc-payload-digest"]; ok && strings.ToLower(d) != want {
			t.Errorf("record %d: WARC-Payload-Digest %q, the payload hashes to %q", len(recs), d, want)
		}
		for _, f := range []string{"warc-record-id", "warc-date", "warc-type"} {
			if rec.header[f] == "" {
				t.Errorf("record %d: no %s", len(recs), f)
			}
		}
		recs = append(recs, rec)
	}
	return recs
}

// TestArchiveWARC writes an account's days as WARC on every engine, reads
// the file back with readWARC and checks what it holds; then attacks the
// command: a covert profile's account, an empty range, from after to, an
// existing output, and a media file missing from the store.
func TestArchiveWARC(t *testing.T) {
	t.Parallel()
	for _, engine := range engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			d, dir, png, hash := transferFixture(t, engine)
			out := filepath.Join(dir, "parks.warc.gz")
			warc := func(extra ...string) result {
				return run(t, nil, "", d.cmd([]string{"archive", "warc"}, append([]string{"--account", "mastodon:@parks@city.example", "--time-zone", "America/Chicago", "--out", out}, extra...)...)...)
			}
			// The account is not a registered official account: everything is withheld.
			r := warc("--from", "2026-01-01", "--to", "2026-01-31")
			if r.code == 0 || !strings.Contains(r.stderr, "(2 withheld: add --include-withheld)") {
				t.Fatalf("without --include-withheld: %+v", r)
			}
			if _, err := os.Stat(out); err == nil {
				t.Fatal("a refused transfer left a file")
			}
			r = warc("--from", "2026-01-01", "--to", "2026-01-31", "--include-withheld")
			if r.code != 0 || !strings.Contains(r.stderr, "6 records, 2 versions, 1 media file, 2 withheld") {
				t.Fatalf("warc: %+v", r)
			}
			recs := readWARC(t, out)
			types := []string{}
			for _, rec := range recs {
				types = append(types, rec.header["warc-type"])
			}
			if got := strings.Join(types, " "); got != "warcinfo resource metadata resource resource metadata" {
				t.Fatalf("record types: %s", got)
			}
			if !bytes.Contains(recs[0].block, []byte("format: WARC File Format 1.1")) || recs[0].header["content-type"] != "application/warc-fields" {
				t.Errorf("warcinfo: %q", recs[0].block)
			}
			if string(recs[1].block) != `{"id":"1","content":"Rink opens Friday"}` || recs[1].header["warc-payload-digest"] == "" {
				t.Errorf("payload: %q %v", recs[1].block, recs[1].header)
			}
			var meta map[string]any
			if err := json.Unmarshal(recs[2].block, &meta); err != nil {
				t.Fatal(err)
			}
			if meta["item_id"] != 1.0 || meta["version_id"] != 1.0 || meta["withheld"] != true || meta["classification"] != "not shown publicly" ||
				len(meta["hash"].(string)) != 64 || recs[2].header["warc-refers-to"] != recs[1].header["warc-record-id"] {
				t.Errorf("metadata: %v %v", meta, recs[2].header)
			}
			if !bytes.Equal(recs[3].block, png) || recs[3].header["warc-target-uri"] != "https://city.example/media/rink.png" || recs[3].header["content-type"] != "image/png" {
				t.Errorf("media: %v", recs[3].header)
			}

			// Attacks.
			if r := warc("--from", "2026-01-01", "--to", "2026-01-31", "--include-withheld"); r.code != 1 || !strings.Contains(r.stderr, "exists: add --force") {
				t.Errorf("existing output: %+v", r)
			}
			if r := warc("--from", "2026-03-01", "--to", "2026-03-31", "--include-withheld", "--force"); r.code == 0 || !strings.Contains(r.stderr, "nothing archived from account") {
				t.Errorf("empty range: %+v", r)
			}
			if r := warc("--from", "2026-01-31", "--to", "2026-01-01", "--force"); r.code != 1 || !strings.Contains(r.stderr, "--to 2026-01-01 is before --from 2026-01-31") {
				t.Errorf("from after to: %+v", r)
			}
			if r := warc("--from", "2026-01-01", "--to", "2026-01-31", "--account", "'; DROP TABLE x", "--force"); r.code == 0 || !strings.Contains(r.stderr, "account") {
				t.Errorf("crafted account: %+v", r)
			}
			mustRun := func(stdin string, args ...string) {
				t.Helper()
				if r := run(t, nil, stdin, args...); r.code != 0 {
					t.Fatalf("setup %v: %+v", args, r)
				}
			}
			mustRun("", d.cmd([]string{"department", "add"}, "--slug", "police", "--name", "Police")...)
			mustRun("a long enough password\n", d.cmd([]string{"user", "add"}, "--email", "sic@city.example", "--name", "Sic", "--department", "police", "--roles", "staff", "--password-stdin")...)
			exec, _ := rawDB(t, d)
			now := time.Now().UTC()
			exec(`INSERT INTO covert_profiles (site_name, site_url, username, screen_name, maintainer_id, purpose, registered_on, next_audit_on, status, created_at, updated_at)
				VALUES ('Mastodon', 'https://mastodon.example', 'NightOwl', 'Night Owl', (SELECT id FROM users WHERE email = 'sic@city.example'), 'investigations', ?, ?, 'active', ?, ?)`, now, now, now, now)
			r = run(t, nil, "", d.cmd([]string{"archive", "warc"}, "--account", "mastodon:@nightowl", "--from", "2026-01-01", "--to", "2026-01-31", "--include-withheld", "--force", "--out", out)...)
			if r.code == 0 || !strings.Contains(r.stderr, "covert profile") {
				t.Errorf("covert account: %+v", r)
			}
			before, _ := os.ReadFile(out)
			media, err := disk.Open(filepath.Join(d.dir, "media"))
			if err != nil {
				t.Fatal(err)
			}
			if err := media.Delete(t.Context(), hash); err != nil {
				t.Fatal(err)
			}
			r = warc("--from", "2026-01-01", "--to", "2026-01-31", "--include-withheld", "--force")
			if r.code == 0 || !strings.Contains(r.stderr, "media file "+hash+" of item 1 (version 1) is missing") {
				t.Errorf("missing media: %+v", r)
			}
			after, _ := os.ReadFile(out)
			if !bytes.Equal(before, after) {
				t.Error("a failed transfer changed the existing file")
			}
			left, _ := filepath.Glob(filepath.Join(dir, ".*part"))
			if len(left) > 0 {
				t.Errorf("half-written files left: %v", left)
			}
		})
	}
}

// transferFixture makes a database with the parks account's January
// (a post with a photo, a comment) and February (a post), and a covert
// profile's post, and returns it, a folder to write in, the photo and its
// hash.
func transferFixture(t *testing.T, engine string) (d *db, dir string, png []byte, hash string) {
	t.Helper()
	d = newDB(t, engine)
	dir = t.TempDir()
	media, err := disk.Open(filepath.Join(d.dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	png = []byte("\x89PNG\r\n\x1a\nrink photo")
	var size int64
	hash, size, err = media.Put(t.Context(), "", bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	batch := fmt.Sprintf(`{"records":[
		{"account":"mastodon:@parks@city.example","id":"1","kind":"post","captured_at":"2026-01-02T10:00:00Z","text":"Rink opens Friday","raw":{"id":"1","content":"Rink opens Friday"},
		 "media":[{"sha256":%q,"type":"image/png","size":%d,"url":"https://city.example/media/rink.png"}]},
		{"account":"mastodon:@parks@city.example","id":"2","kind":"comment","parent":"1","captured_at":"2026-01-02T11:00:00Z","text":"Is the warming house open?","raw":{"id":"2"}},
		{"account":"mastodon:@parks@city.example","id":"3","kind":"post","captured_at":"2026-02-10T11:00:00Z","text":"February"},
		{"account":"mastodon:@nightowl","id":"9","kind":"post","captured_at":"2026-01-02T11:00:00Z","text":"covert"}]}`, hash, size)
	file := filepath.Join(dir, "batch.json")
	if err := os.WriteFile(file, []byte(batch), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "", d.cmd([]string{"archive", "ingest"}, file)...); r.code != 0 {
		t.Fatalf("ingest: %+v", r)
	}
	return d, dir, png, hash
}

// TestArchiveWACZAndTransfer registers the parks account as an official
// account and classifies the comment private, then checks what each format
// holds: the WARC and the WACZ without --include-withheld leave the comment
// out; the WACZ's package hashes and index offsets hold; the transfer bag
// carries everything, marked, and passes our verify and a BagIt check
// written here from RFC 8493 (and bagit.py where it is installed).
func TestArchiveWACZAndTransfer(t *testing.T) {
	t.Parallel()
	for _, engine := range engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			d, dir, png, _ := transferFixture(t, engine)
			for _, args := range [][]string{
				{"department", "add", "--slug", "parks", "--name", "Parks and Recreation"},
				{"user", "add", "--email", "ana@city.example", "--name", "Ana", "--department", "parks", "--roles", "staff", "--password-stdin"},
			} {
				if r := run(t, nil, "a long enough password\n", d.cmd(args[:2], args[2:]...)...); r.code != 0 {
					t.Fatalf("setup %v: %+v", args, r)
				}
			}
			exec, _ := rawDB(t, d)
			now := time.Now().UTC()
			exec(`INSERT INTO accounts (department_id, platform, handle, display_name, url, purpose, audience, categories, website_url, profile_text, status, requested_by, requested_at, updated_at)
				VALUES ((SELECT id FROM departments WHERE slug = 'parks'), 'mastodon', '@parks@city.example', 'City Parks', 'https://city.example/@parks', 'parks news', 'residents', 'parks', 'https://city.example', 'Parks', 'active',
				(SELECT id FROM users WHERE email = 'ana@city.example'), ?, ?)`, now, now)
			exec(`UPDATE archive_accounts SET department_id = (SELECT id FROM departments WHERE slug = 'parks') WHERE handle = '@parks@city.example'`)
			exec(`INSERT INTO archive_classifications (item_id, version_id, class, statute, reason, set_by, set_at) VALUES (2, 2, 'private', '13.43', 'names an employee', 'clerk@city.example', ?)`, now)
			cmd := func(kind, out string, extra ...string) result {
				return run(t, nil, "", d.cmd([]string{"archive", kind}, append([]string{"--account", "1", "--from", "2026-01-01", "--to", "2026-01-31", "--out", out}, extra...)...)...)
			}

			// WARC: the public post only.
			warcFile := filepath.Join(dir, "public.warc.gz")
			if r := cmd("warc", warcFile); r.code != 0 || !strings.Contains(r.stderr, "4 records, 1 version, 1 media file; 1 version left out as withheld") {
				t.Fatalf("warc: %+v", r)
			}
			recs := readWARC(t, warcFile)
			for _, rec := range recs {
				if bytes.Contains(rec.block, []byte("warming house")) || bytes.Contains(rec.block, []byte(`"id":"2"`)) {
					t.Errorf("the private comment is in the WARC: %s", rec.block)
				}
			}
			var meta map[string]any
			if err := json.Unmarshal(recs[2].block, &meta); err != nil || meta["classification"] != "public" || meta["withheld"] != false {
				t.Errorf("metadata: %s", recs[2].block)
			}

			// WACZ.
			waczFile := filepath.Join(dir, "parks.wacz")
			if r := cmd("wacz", waczFile, "--include-withheld"); r.code != 0 || !strings.Contains(r.stderr, "2 pages, 2 versions, 1 media file, 1 withheld") {
				t.Fatalf("wacz: %+v", r)
			}
			zr, err := zip.OpenReader(waczFile)
			if err != nil {
				t.Fatal(err)
			}
			defer zr.Close()
			files := map[string][]byte{}
			var names []string
			for _, f := range zr.File {
				names = append(names, f.Name)
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				files[f.Name], _ = io.ReadAll(rc)
				rc.Close()
				if f.Name == "archive/data.warc.gz" && f.Method != zip.Store {
					t.Errorf("the WARC is compressed again in the zip (method %d): replay cannot seek in it", f.Method)
				}
			}
			if got := strings.Join(names, " "); got != "archive/data.warc.gz indexes/index.cdx pages/pages.jsonl datapackage.json datapackage-digest.json" {
				t.Fatalf("wacz files: %s", got)
			}
			var pkg struct {
				Profile     string `json:"profile"`
				WACZVersion string `json:"wacz_version"`
				Resources   []struct {
					Name, Path, Hash string
					Bytes            int64
				} `json:"resources"`
			}
			if err := json.Unmarshal(files["datapackage.json"], &pkg); err != nil || pkg.WACZVersion != "1.1.1" || pkg.Profile != "data-package" || len(pkg.Resources) != 3 {
				t.Fatalf("datapackage.json: %s", files["datapackage.json"])
			}
			for _, r := range pkg.Resources {
				sum := sha256.Sum256(files[r.Path])
				if r.Hash != "sha256:"+hex.EncodeToString(sum[:]) || r.Bytes != int64(len(files[r.Path])) {
					t.Errorf("datapackage.json: %s says %s, %d bytes; it is %x, %d bytes", r.Path, r.Hash, r.Bytes, sum, len(files[r.Path]))
				}
			}
			var digest struct{ Path, Hash string }
			sum := sha256.Sum256(files["datapackage.json"])
			if err := json.Unmarshal(files["datapackage-digest.json"], &digest); err != nil || digest.Path != "datapackage.json" || digest.Hash != "sha256:"+hex.EncodeToString(sum[:]) {
				t.Errorf("datapackage-digest.json: %s", files["datapackage-digest.json"])
			}
			inner := filepath.Join(dir, "inner.warc.gz")
			if err := os.WriteFile(inner, files["archive/data.warc.gz"], 0o600); err != nil {
				t.Fatal(err)
			}
			if n := len(readWARC(t, inner)); n != 6 {
				t.Errorf("the WACZ's WARC holds %d records, want 6", n)
			}
			// Each index line points at a gzip member holding its record.
			lines := strings.Split(strings.TrimSpace(string(files["indexes/index.cdx"])), "\n")
			if len(lines) != 2 {
				t.Fatalf("index: %q", lines)
			}
			for _, l := range lines {
				parts := strings.SplitN(l, " ", 3)
				var e struct{ URL, Offset, Length, Digest string }
				if len(parts) != 3 || json.Unmarshal([]byte(parts[2]), &e) != nil {
					t.Fatalf("index line %q", l)
				}
				off, _ := strconv.Atoi(e.Offset)
				n, _ := strconv.Atoi(e.Length)
				w := files["archive/data.warc.gz"]
				if off+n > len(w) {
					t.Fatalf("index line %q points past the WARC", l)
				}
				gz, err := gzip.NewReader(bytes.NewReader(w[off : off+n]))
				if err != nil {
					t.Fatalf("index line %q: %v", l, err)
				}
				rec, _ := io.ReadAll(gz)
				if !bytes.Contains(rec, []byte("WARC-Target-URI: "+e.URL+"\r\n")) || !bytes.Contains(rec, []byte("WARC-Type: resource")) {
					t.Errorf("index line %q: the record there is %q", l, rec[:min(len(rec), 300)])
				}
			}
			if pages := string(files["pages/pages.jsonl"]); !strings.Contains(pages, `"format":"json-pages-1.0"`) || !strings.Contains(pages, "[withheld] comment: Is the warming house open?") {
				t.Errorf("pages: %s", pages)
			}

			// The transfer bag: everything, marked.
			bagFile := filepath.Join(dir, "parks-transfer.zip")
			if r := cmd("transfer", bagFile, "--include-withheld"); r.code != 0 || !strings.Contains(r.stderr, "2 items, 2 versions, 1 media file, 1 withheld") {
				t.Fatalf("transfer: %+v", r)
			}
			if r := run(t, nil, "", "verify", bagFile); r.code != 0 || !strings.Contains(r.stdout, "transfer bag verified: mastodon:@parks@city.example, 2 versions each hashing to its archived hash, 1 media file") {
				t.Fatalf("verify: %+v", r)
			}
			unpacked := checkBagIt(t, bagFile)
			if got, _ := os.ReadFile(filepath.Join(unpacked, "data", "media", fmt.Sprintf("%x", sha256.Sum256(png)))); !bytes.Equal(got, png) {
				t.Error("the photo is not in the bag")
			}
			md, _ := os.ReadFile(filepath.Join(unpacked, "data", "metadata.xml"))
			var doc struct {
				Records []struct {
					Creator   string   `xml:"creator"`
					Ids       []string `xml:"identifier"`
					Class     string   `xml:"dataClassification"`
					Statute   string   `xml:"statute"`
					Retention string   `xml:"retentionClass"`
					Access    string   `xml:"accessRights"`
					Created   string   `xml:"created"`
				} `xml:"record"`
			}
			if err := xml.Unmarshal(md, &doc); err != nil || len(doc.Records) != 2 {
				t.Fatalf("metadata.xml: %v\n%s", err, md)
			}
			post, comment := doc.Records[0], doc.Records[1]
			if post.Creator != "Parks and Recreation" || post.Class != "public" || post.Access != "public" || post.Retention == "" || post.Created != "2026-01-02T10:00:00Z" ||
				post.Ids[0] != "steward:item:1" {
				t.Errorf("the post's record: %+v", post)
			}
			if comment.Class != "private" || comment.Statute != "13.43" || comment.Access != "withheld: Private data, Minn. Stat. 13.43" {
				t.Errorf("the comment's record: %+v", comment)
			}
			if err := outsideBagCheck(t, bagFile); err != nil {
				t.Errorf("the bag fails the outside tools: %v", err)
			}
			if p, err := exec2.LookPath("bagit.py"); err == nil {
				out, err := exec2.Command(p, "--validate", unpacked).CombinedOutput()
				if err != nil {
					t.Errorf("bagit.py --validate: %v\n%s", err, out)
				}
			} else {
				t.Log("bagit.py is not installed (no python3-bagit here): the bag was checked by our verify and by checkBagIt")
			}

			// A byte changed in the bag: verify refuses it.
			raw, _ := os.ReadFile(bagFile)
			i := bytes.Index(raw, []byte("Rink opens Friday"))
			raw[i] = 'P'
			bad := filepath.Join(dir, "tampered.zip")
			os.WriteFile(bad, raw, 0o600)
			if r := run(t, nil, "", "verify", bad); r.code != 2 {
				t.Errorf("verify of a tampered bag: %+v", r)
			}
			if err := outsideBagCheck(t, bad); err == nil {
				t.Error("the outside tools accept the tampered bag")
			} else {
				t.Logf("the outside tools refuse the tampered bag: %v", err)
			}
			// The same change with the zip's CRC mended, so that only the
			// manifest can catch it: sha256sum does.
			if err := outsideBagCheck(t, recrc(t, bad)); err == nil || !strings.Contains(err.Error(), "sha256sum") {
				t.Errorf("the outside tools on a tampered bag with a mended CRC: %v", err)
			}
		})
	}
}

// checkBagIt unpacks a bag with archive/zip and checks it as RFC 8493 says,
// without internal/bag: bagit.txt, every payload file in the payload
// manifest with its SHA-256 and none missing, every tag file in the tag
// manifest. It returns the folder it unpacked the bag in.
func checkBagIt(t *testing.T, file string) string {
	t.Helper()
	dir := t.TempDir()
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	sums := map[string]string{}
	for _, f := range zr.File {
		if strings.Contains(f.Name, "..") || strings.HasPrefix(f.Name, "/") {
			t.Fatalf("unsafe path %q", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(b)
		sums[f.Name] = hex.EncodeToString(s[:])
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "bagit.txt")); string(b) != "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n" {
		t.Errorf("bagit.txt: %q", b)
	}
	listed := map[string]bool{}
	for _, m := range []string{"manifest-sha256.txt", "tagmanifest-sha256.txt"} {
		b, err := os.ReadFile(filepath.Join(dir, m))
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			sum, path, ok := strings.Cut(l, "  ")
			if !ok || sums[path] != sum {
				t.Errorf("%s: %q: the file hashes to %q", m, l, sums[path])
			}
			listed[path] = true
		}
	}
	for name := range sums {
		if !listed[name] && name != "tagmanifest-sha256.txt" {
			t.Errorf("%s is in no manifest", name)
		}
	}
	return dir
}

// outsideBagCheck checks a zipped BagIt bag with tools that share no code
// with Steward or Go: Info-ZIP's unzip extracts it (checking every entry's
// CRC), and GNU coreutils' sha256sum checks both manifests, whose lines
// are in its own format; every file under data/ must be in the payload
// manifest (RFC 8493 §3, completeness). Without the tools it skips,
// except in CI.
func outsideBagCheck(t *testing.T, file string) error {
	t.Helper()
	for _, tool := range []string{"unzip", "sha256sum"} {
		if _, err := exec2.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed: CI checks transfer bags with it", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	dir := t.TempDir()
	if out, err := exec2.Command("unzip", "-q", file, "-d", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("unzip: %v: %s", err, out)
	}
	for _, m := range []string{"manifest-sha256.txt", "tagmanifest-sha256.txt"} {
		cmd := exec2.Command("sha256sum", "--check", "--strict", "--quiet", m)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("sha256sum --check %s: %v: %s", m, err, out)
		}
	}
	manifest, err := os.ReadFile(filepath.Join(dir, "manifest-sha256.txt"))
	if err != nil {
		return err
	}
	return filepath.WalkDir(filepath.Join(dir, "data"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if !bytes.Contains(manifest, []byte("  "+filepath.ToSlash(rel)+"\n")) {
			return fmt.Errorf("%s is not in manifest-sha256.txt", rel)
		}
		return nil
	})
}

// recrc rewrites a zip's entries with CRCs of their bytes as they are, so
// that a changed byte passes the zip's own check.
func recrc(t *testing.T, file string) string {
	t.Helper()
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := file + ".recrc.zip"
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, e := range zr.File {
		rc, err := e.OpenRaw()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		if e.Method != zip.Store {
			t.Fatalf("%s is compressed: recrc handles stored entries", e.Name)
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.Name, Method: zip.Store, Modified: e.Modified})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}
