package cli_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
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
			d := newDB(t, engine)
			dir := t.TempDir()
			media, err := disk.Open(filepath.Join(d.dir, "media"))
			if err != nil {
				t.Fatal(err)
			}
			png := []byte("\x89PNG\r\n\x1a\nrink photo")
			hash, size, err := media.Put(t.Context(), "", bytes.NewReader(png))
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
