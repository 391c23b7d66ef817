package records_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/bag"
	"steward.city/steward/internal/blob/disk"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/cli"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/storetest"
)

// forgery is a bag taken apart: its files in zip order. A forger edits
// them, may recompute both manifests as bagit tools do (reseal), and zips
// them again the way Steward does.
type forgery struct {
	names []string
	files map[string][]byte
}

func takeApart(t *testing.T, data []byte) *forgery {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	f := &forgery{files: map[string][]byte{}}
	for _, zf := range z.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		f.names = append(f.names, zf.Name)
		f.files[zf.Name] = b
	}
	return f
}

func (f *forgery) clone() *forgery {
	c := &forgery{names: append([]string(nil), f.names...), files: map[string][]byte{}}
	for k, v := range f.files {
		c.files[k] = bytes.Clone(v)
	}
	return c
}

// set replaces a file, or adds it before the manifests.
func (f *forgery) set(name string, data []byte) {
	if _, ok := f.files[name]; !ok {
		f.names = append([]string{name}, f.names...)
	}
	f.files[name] = data
}

// add adds a file even if one of that name exists (a duplicate entry).
func (f *forgery) add(name string, data []byte) {
	f.names = append([]string{name}, f.names...)
	f.files[name+"\x00dup"] = data
}

// lines splits a JSON lines file; join puts it back.
func lines(b []byte) [][]byte {
	return bytes.SplitAfter(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
}
func join(l [][]byte) []byte { return bytes.Join(l, nil) }

// editLine rewrites line i (0-based) of items.jsonl as Steward writes
// lines, so that only the edit differs.
func (f *forgery) editLine(t *testing.T, i int, edit func(l *records.Line)) {
	l := lines(f.files[records.FileItems])
	var line records.Line
	if err := json.Unmarshal(l[i], &line); err != nil {
		t.Fatal(err)
	}
	edit(&line)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&line); err != nil {
		t.Fatal(err)
	}
	l[i] = buf.Bytes()
	f.files[records.FileItems] = join(l)
}

// lineOf returns the index of the first line of items.jsonl containing s.
func (f *forgery) lineOf(t *testing.T, s string) int {
	for i, l := range lines(f.files[records.FileItems]) {
		if bytes.Contains(l, []byte(s)) {
			return i
		}
	}
	t.Fatalf("no line of items.jsonl holds %q", s)
	return 0
}

// reseal rewrites both manifests to match the files, as a forger would.
func (f *forgery) reseal() {
	var man, tags strings.Builder
	for _, n := range f.names {
		data := f.files[n]
		switch {
		case strings.HasPrefix(n, "data/"):
			fmt.Fprintf(&man, "%x  %s\n", sha256.Sum256(data), n)
		}
	}
	f.files[bag.FileManifest] = []byte(man.String())
	for _, n := range f.names {
		if !strings.HasPrefix(n, "data/") && n != bag.FileTagManifest {
			fmt.Fprintf(&tags, "%x  %s\n", sha256.Sum256(f.files[n]), n)
		}
	}
	f.files[bag.FileTagManifest] = []byte(tags.String())
}

// zip packs the files as bag.Writer does: stored, in order.
func (f *forgery) zip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	seen := map[string]bool{}
	for _, n := range f.names {
		data := f.files[n]
		if seen[n] {
			data = f.files[n+"\x00dup"]
		}
		seen[n] = true
		w, err := z.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipRecords locates the records of a zip Steward wrote: the end record,
// the central directory and the first entry's data descriptor.
type zipRecords struct{ end, dir, firstDesc int }

func locate(data []byte, firstSize int) zipRecords {
	end := len(data) - 22
	dir := int(binary.LittleEndian.Uint32(data[end+16:]))
	nameLen := int(binary.LittleEndian.Uint16(data[26:]))
	return zipRecords{end: end, dir: dir, firstDesc: 30 + nameLen + firstSize}
}

// fixture is a real exported bag and what verifying it needs.
type fixture struct {
	bag    []byte
	vkey   string
	signer note.Signer
	id     int64
}

// exportFixture ingests a thread with an attached picture, an edited
// comment whose first version holds a telephone number (redacted), a
// removed comment, a reply whose retention ended (disposed of) and an
// unrelated post, and exports a request covering the thread.
func exportFixture(t *testing.T, eng storetest.Engine) *fixture {
	t.Helper()
	clock := storetest.NewClock(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	s := eng.Open(t, clock.Now)
	signer, vkey, err := archive.LoadOrCreateKey(filepath.Join(t.TempDir(), "archive.key"), "steward.test")
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	arch := archive.New(archive.Config{Store: s, Signer: signer, Blobs: blobs, Clock: clock.Now})
	if err := arch.PublishVerifier(ctx, vkey); err != nil {
		t.Fatal(err)
	}
	svc := records.New(records.Config{Store: s, Archive: arch, Blobs: blobs, Signer: signer, Clock: clock.Now})
	at := time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC)
	picture := []byte("\x89PNG picture of the splash pad")
	sum := sha256.Sum256(picture)
	post := rec("p1", "", "The splash pad opens Saturday.", at)
	post.Kind = "post"
	post.Media = []archive.MediaRecord{{SHA256: hex.EncodeToString(sum[:]), Type: "image/png", Size: int64(len(picture)), Data: picture}}
	c2 := rec("c2", "p1", "Call me at 651-555-0123 about the splash pad", at.Add(time.Minute))
	c2b := rec("c2", "p1", "Call me about the splash pad, thanks", at.Add(2*time.Minute))
	c3 := rec("c3", "p1", "splash pad is a waste", at.Add(3*time.Minute))
	c3b := c3
	c3b.CapturedAt, c3b.State = at.Add(4*time.Minute).Format(time.RFC3339Nano), "hidden"
	old := rec("r4", "c3", "Old reply that was disposed of", at.Add(5*time.Minute))
	old.Kind = "reply"
	other := rec("x1", "", "Library hours change", at.Add(6*time.Minute))
	other.Kind, other.Thread = "post", "x1"
	if _, err := arch.Ingest(ctx, civic.CLI, []archive.Record{post, c2, c2b, c3, c3b, old, other}, nil); err != nil {
		t.Fatal(err)
	}
	var oldVersion *civic.Version
	vs, err := s.ArchiveVersions(ctx, itemByText(t, s, "Old reply"))
	if err != nil || len(vs) != 1 {
		t.Fatalf("versions of the old reply: %v %v", vs, err)
	}
	oldVersion = vs[0]
	if err := s.Update(ctx, civic.System, func(tx civic.Tx) error {
		run := &civic.DispositionRun{AsOf: at}
		if err := tx.CreateDispositionRun(ctx, run, []*civic.DispositionEntry{{ItemID: oldVersion.ItemID, Account: oldVersion.Account, Kind: oldVersion.Kind,
			PlatformID: oldVersion.PlatformID, FirstCapture: oldVersion.CapturedAt, LastCapture: oldVersion.CapturedAt, Versions: 1, Class: "transitory", EligibleAt: at}}); err != nil {
			return err
		}
		if _, err := tx.ApproveDispositionRun(ctx, run.ID); err != nil {
			return err
		}
		_, _, err := tx.ExecuteDispositionBatch(ctx, run.ID, 0, 10)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	r := &civic.RecordsRequest{Requester: "A Resident", ReceivedOn: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Description: "Comments about the splash pad",
		Scope: []string{`"splash pad"`, "kind:reply"}}
	if _, err := svc.Create(ctx, civic.CLI, r); err != nil {
		t.Fatal(err)
	}
	phone := versionWith(t, s, "651-555-0123")
	span := records.Suggest(phone.Text)[0]
	if err := svc.Redact(ctx, civic.CLI, &civic.Redaction{RequestID: r.ID, VersionID: phone.ID, Start: span.Start, End: span.End, Reason: span.Reason}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	res, err := svc.Export(ctx, civic.CLI, r.ID, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if res.Versions != 6 || res.Redacted != 1 || res.Media != 1 {
		t.Fatalf("export %+v, want 6 versions, 1 redacted, 1 media file", res)
	}
	return &fixture{bag: buf.Bytes(), vkey: vkey, signer: signer, id: r.ID}
}

func itemByText(t *testing.T, s civic.Store, text string) int64 {
	t.Helper()
	return versionWith(t, s, text).ItemID
}

func versionWith(t *testing.T, s civic.Store, text string) *civic.Version {
	t.Helper()
	var found *civic.Version
	err := s.ScanVersions(context.Background(), 0, func(v *civic.Version) error {
		if found == nil && strings.Contains(v.Text, text) {
			found = v
		}
		return nil
	})
	if err != nil || found == nil {
		t.Fatalf("no version holds %q: %v", text, err)
	}
	return found
}

// forger is one entry of the tamper corpus: a named change to an honest
// bag and the words verify's error must hold.
type forger struct {
	name string
	want string
	// edit changes the files; reseal then recomputes the manifests.
	edit   func(t *testing.T, f *forgery, fx *fixture)
	reseal bool
	// raw changes the zip's bytes after packing.
	raw func(t *testing.T, data []byte, f *forgery) []byte
	// opts, when set, are the options verify is run with.
	opts func(fx *fixture) records.VerifyOptions
	// noKey runs verify trusting the bag's own key.
	noKey bool
}

// corpus is the tamper corpus: every forgery of the penetration test and
// more. Each must fail verification with exit code 2, naming the problem.
func corpus() []forger {
	onItem := func(text string, edit func(l *records.Line)) func(t *testing.T, f *forgery, fx *fixture) {
		return func(t *testing.T, f *forgery, fx *fixture) { f.editLine(t, f.lineOf(t, text), edit) }
	}
	forged := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	disposed := `"disposed_at"`
	redacted := `"redacted":true`
	return []forger{
		{name: "record text replaced, manifests recomputed", want: "(altered)", reseal: true,
			edit: onItem("The splash pad opens", func(l *records.Line) { l.Text = "The splash pad closes Saturday." })},
		{name: "disposed line carries altered content", want: "is disposed of but carries content (author, text)", reseal: true,
			edit: onItem(disposed, func(l *records.Line) {
				l.Text, l.Author = "I never wrote this", civic.Author{ID: "7", Handle: "@mayor", Name: "The Mayor"}
			})},
		{name: "disposed line with other metadata", want: "a tombstone altered after signing", reseal: true,
			edit: onItem(disposed, func(l *records.Line) { l.State = civic.StateDeleted })},
		{name: "ordinary line turned into a tombstone", want: "a tombstone altered after signing", reseal: true,
			edit: onItem("splash pad is a waste", func(l *records.Line) {
				l.DisposedAt, l.Text, l.Author, l.RawBase64 = &forged, "", civic.Author{}, nil
			})},
		{name: "redacted line: author rewritten", want: "its unredacted parts were altered", reseal: true,
			edit: onItem(redacted, func(l *records.Line) { l.Author.Name = "Someone Else" })},
		{name: "redacted line: unredacted text rewritten", want: "its unredacted parts were altered", reseal: true,
			edit: onItem(redacted, func(l *records.Line) { l.Text = strings.Replace(l.Text, "splash pad", "skate park", 1) })},
		{name: "redacted line: marker moved", want: "does not read", reseal: true,
			edit: onItem(redacted, func(l *records.Line) { l.Text = "Call [REDACTED 13.356] me about the splash pad" })},
		{name: "redacted line: payload put back", want: "keeps its payload", reseal: true,
			edit: onItem(redacted, func(l *records.Line) { l.RawBase64 = []byte(`{"x":1}`) })},
		{name: "redacted line: marked not redacted", want: "logged redactions, but its line is not redacted", reseal: true,
			edit: onItem(redacted, func(l *records.Line) { l.Redacted = false })},
		{name: "redaction log: reason changed", want: "data/redactions.jsonl is not the file the signed statement names", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				f.files[records.FileRedactions] = bytes.Replace(f.files[records.FileRedactions], []byte("13.356"), []byte("13.43"), 1)
			}},
		{name: "redaction log: emptied", want: "data/redactions.jsonl is not the file the signed statement names", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) { f.files[records.FileRedactions] = nil }},
		{name: "index.html replaced", want: "data/index.html is not the file the signed statement names", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				f.files[records.FileIndex] = bytes.Replace(f.files[records.FileIndex], []byte("splash pad"), []byte("skate park"), -1)
			}},
		{name: "report.pdf replaced", want: "data/report.pdf is not the file the signed statement names", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				f.files[records.FileReport][len(f.files[records.FileReport])/2] ^= 1
			}},
		{name: "bag-info.txt edited", want: "bag-info.txt is not the file the signed statement names", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				f.files[bag.FileBagInfo] = bytes.Replace(f.files[bag.FileBagInfo], []byte("Comments about"), []byte("Nothing about"), 1)
			}},
		{name: "bag-info.txt names another request", want: "bag-info.txt names \"records-request-99\"", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				f.files[bag.FileBagInfo] = bytes.Replace(f.files[bag.FileBagInfo], []byte(fmt.Sprintf("records-request-%d", fx.id)), []byte("records-request-99"), 1)
			}},
		{name: "bag-info.txt claims format 1", want: "this bag is in format 1", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				f.files[bag.FileBagInfo] = bytes.Replace(f.files[bag.FileBagInfo], []byte("Steward-Bag-Version: 2\n"), nil, 1)
			}},
		{name: "extra ./data/index.html entry", want: `a "." part`, reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) { f.set("./data/index.html", []byte("<p>forged</p>")) }},
		{name: "extra ../ entry", want: `a ".." part`,
			edit: func(t *testing.T, f *forgery, fx *fixture) { f.set("data/../../evil.sh", []byte("rm -rf ~")) }},
		{name: "absolute path entry", want: "an absolute path",
			edit: func(t *testing.T, f *forgery, fx *fixture) { f.set("/etc/cron.d/evil", []byte("x")) }},
		{name: "backslash path entry", want: "a backslash",
			edit: func(t *testing.T, f *forgery, fx *fixture) { f.set(`data\index.html`, []byte("x")) }},
		{name: "case-variant entry", want: "differ only in case or Unicode normalization",
			edit: func(t *testing.T, f *forgery, fx *fixture) { f.set("data/Index.html", []byte("<p>forged</p>")) }},
		{name: "Unicode-variant entry (fullwidth letters)", want: "differ only in case or Unicode normalization",
			edit: func(t *testing.T, f *forgery, fx *fixture) { f.set("ｄata/index.html", []byte("<p>forged</p>")) }},
		{name: "decomposed (NFD) entry name", want: "not in Unicode normalization form C",
			edit: func(t *testing.T, f *forgery, fx *fixture) { f.set("data/cafe\u0301.txt", []byte("x")) }},
		{name: "Windows trailing dot entry", want: "ending in a dot or a space",
			edit: func(t *testing.T, f *forgery, fx *fixture) { f.set("data/index.html.", []byte("x")) }},
		{name: "duplicate entry", want: "appears twice",
			edit: func(t *testing.T, f *forgery, fx *fixture) { f.add(records.FileItems, []byte("{}\n")) }},
		{name: "unlisted payload file", want: "is not in manifest-sha256.txt",
			edit: func(t *testing.T, f *forgery, fx *fixture) { f.set("data/extra.txt", []byte("x")) }},
		{name: "extra payload file, manifests recomputed", want: "data/extra.txt is not a file a records bag holds", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) { f.set("data/extra.txt", []byte("x")) }},
		{name: "extra media file, manifests recomputed", want: "is a file no version refers to", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				s := sha256.Sum256([]byte("a picture nobody took"))
				f.set(records.DirMedia+hex.EncodeToString(s[:]), []byte("a picture nobody took"))
			}},
		{name: "media file replaced, manifests recomputed", want: "is not named by its SHA-256", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				for _, n := range f.names {
					if strings.HasPrefix(n, records.DirMedia) {
						f.files[n] = []byte("another picture")
					}
				}
			}},
		{name: "extra tag file, manifests recomputed", want: "proof/extra.txt is not a file a records bag holds", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) { f.set("proof/extra.txt", []byte("x")) }},
		{name: "unknown JSON key", want: `has an unknown key "note"`, reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				f.files[records.FileItems] = bytes.Replace(f.files[records.FileItems], []byte(`{"id":1,`), []byte(`{"note":"added","id":1,`), 1)
			}},
		{name: "duplicate JSON key", want: `has the key "text" twice`, reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				f.files[records.FileItems] = bytes.Replace(f.files[records.FileItems], []byte(`"text":"The splash pad opens Saturday."`),
					[]byte(`"text":"The splash pad closes.","text":"The splash pad opens Saturday."`), 1)
			}},
		{name: "case-variant JSON key", want: `has the key "Text", which differs in case from "text"`, reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				f.files[records.FileItems] = bytes.Replace(f.files[records.FileItems], []byte(`"text":"The splash pad opens Saturday."`),
					[]byte(`"Text":"The splash pad opens Saturday."`), 1)
			}},
		{name: "invalid UTF-8 in a line", want: "is not valid UTF-8", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				f.files[records.FileItems] = bytes.Replace(f.files[records.FileItems], []byte("opens Saturday"), []byte("opens \xffSaturday"), 1)
			}},
		{name: "non-canonical JSON (spacing)", want: "is not written the way Steward writes it", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				f.files[records.FileItems] = bytes.Replace(f.files[records.FileItems], []byte(`{"id":1,`), []byte(`{"id": 1,`), 1)
			}},
		{name: "bytes after the last line", want: "does not end with a line feed", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				f.files[records.FileItems] = append(f.files[records.FileItems], "{}"...)
			}},
		{name: "huge line", want: "is longer than", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				f.files[records.FileItems] = append(f.files[records.FileItems], append(bytes.Repeat([]byte("x"), 9<<20), '\n')...)
			}},
		{name: "version line dropped", want: "the list expects version", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				l := lines(f.files[records.FileItems])
				f.files[records.FileItems] = join(append(l[:1:1], l[2:]...))
			}},
		{name: "version dropped from list, items and proofs", want: "proof/versions.jsonl is not the file the signed statement names", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				for _, n := range []string{records.FileItems, records.FileVersions, records.FileInclusion} {
					l := lines(f.files[n])
					f.files[n] = join(append(l[:1:1], l[2:]...))
				}
			}},
		{name: "lines reordered", want: "(missing, extra or reordered)", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				l := lines(f.files[records.FileItems])
				l[0], l[1] = l[1], l[0]
				f.files[records.FileItems] = join(l)
			}},
		{name: "proof of another leaf", want: "proof/inclusion.jsonl is not the file the signed statement names", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				l := lines(f.files[records.FileInclusion])
				var a, b records.Inclusion
				json.Unmarshal(l[0], &a)
				json.Unmarshal(l[3], &b)
				a.Proof, b.Proof = b.Proof, a.Proof
				ja, _ := json.Marshal(a)
				jb, _ := json.Marshal(b)
				l[0], l[3] = append(ja, '\n'), append(jb, '\n')
				f.files[records.FileInclusion] = join(l)
			}},
		{name: "statement edited", want: "statement.txt: signature does not verify", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				f.files[records.FileStatement] = bytes.Replace(f.files[records.FileStatement], []byte("\nversions 6\n"), []byte("\nversions 5\n"), 1)
			}},
		{name: "checkpoint and key of another log", want: "statement.txt is not signed by the key", reseal: true, noKey: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				vkey, s := newSigner(t, "steward.test")
				cp := strings.Split(string(f.files[records.FileCheckpoint]), "\n")
				n, _ := note.Sign(&note.Note{Text: strings.Join(cp[:4], "\n") + "\n"}, s)
				f.files[records.FileCheckpoint], f.files[records.FileKey] = n, []byte(vkey+"\n")
			}},
		{name: "key of another log, given the city's", want: "proof/key.txt is not the key you trust", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				vkey, _ := newSigner(t, "steward.test")
				f.files[records.FileKey] = []byte(vkey + "\n")
			}},
		{name: "checkpoint of another log name", want: `is a checkpoint of the log "another-log"`, reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				cp := strings.Split(string(f.files[records.FileCheckpoint]), "\n")
				n, err := note.Sign(&note.Note{Text: "another-log\n" + strings.Join(cp[1:4], "\n") + "\n"}, fx.signer)
				if err != nil {
					t.Fatal(err)
				}
				f.files[records.FileCheckpoint] = n
			}},
		{name: "checkpoint text altered", want: "checkpoint.txt: signature does not verify", reseal: true,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				cp := strings.Split(string(f.files[records.FileCheckpoint]), "\n")
				cp[1] = "99"
				f.files[records.FileCheckpoint] = []byte(strings.Join(cp, "\n"))
			}},
		{name: "bag of another request", want: "answers records request", opts: func(fx *fixture) records.VerifyOptions {
			return records.VerifyOptions{Key: fx.vkey, Request: fx.id + 1}
		}},
		{name: "manifest line with one space", want: `is not "sha256  path"`,
			edit: func(t *testing.T, f *forgery, fx *fixture) {
				f.files[bag.FileManifest] = bytes.Replace(f.files[bag.FileManifest], []byte("  data/items.jsonl"), []byte(" data/items.jsonl"), 1)
			}},
		{name: "trailing bytes after the zip", want: "bytes follow the end of the zip",
			raw: func(t *testing.T, data []byte, f *forgery) []byte { return append(data, "PK\x05\x06 and more"...) }},
		{name: "bytes before the zip", want: "come before the first file of the zip",
			raw: func(t *testing.T, data []byte, f *forgery) []byte {
				// A self-extractor's stub: Go's reader and unzip accept it,
				// shifting every offset; a bag does not.
				out := append([]byte("#!/bin/sh\nexec evil\n"), data...)
				shift := uint32(20)
				r := locate(out[20:], 0)
				end := r.end + 20
				binary.LittleEndian.PutUint32(out[end+16:], uint32(r.dir)+shift)
				for p := r.dir + 20; p < end; {
					binary.LittleEndian.PutUint32(out[p+42:], binary.LittleEndian.Uint32(out[p+42:])+shift)
					p += 46 + int(binary.LittleEndian.Uint16(out[p+28:])) + int(binary.LittleEndian.Uint16(out[p+30:])) + int(binary.LittleEndian.Uint16(out[p+32:]))
				}
				return out
			}},
		{name: "zip comment", want: "the zip has a comment",
			raw: func(t *testing.T, data []byte, f *forgery) []byte {
				binary.LittleEndian.PutUint16(data[len(data)-2:], 7)
				return append(data, "comment"...)
			}},
		{name: "another zip appended (two central directories)", want: "central directory does not end where its end record begins",
			raw: func(t *testing.T, data []byte, f *forgery) []byte {
				g := &forgery{names: []string{records.FileIndex}, files: map[string][]byte{records.FileIndex: []byte("<p>forged</p>")}}
				return append(data, g.zip(t)...)
			}},
		{name: "second central directory inside", want: "bytes that no file owns come before the central directory",
			raw: func(t *testing.T, data []byte, f *forgery) []byte {
				r := locate(data, 0)
				dir := bytes.Clone(data[r.dir:r.end])
				out := append(append(append([]byte(nil), data[:r.dir]...), dir...), dir...)
				end := bytes.Clone(data[r.end:])
				binary.LittleEndian.PutUint32(end[16:], uint32(r.dir+len(dir)))
				return append(out, end...)
			}},
		{name: "data descriptor lies about the size", want: "data descriptor states another size or CRC",
			raw: func(t *testing.T, data []byte, f *forgery) []byte {
				r := locate(data, len(f.files[f.names[0]]))
				binary.LittleEndian.PutUint32(data[r.firstDesc+8:], 1<<30)
				binary.LittleEndian.PutUint32(data[r.firstDesc+12:], 1<<30)
				return data
			}},
		{name: "central directory claims a huge entry", want: "runs past the files' end",
			raw: func(t *testing.T, data []byte, f *forgery) []byte {
				r := locate(data, 0)
				binary.LittleEndian.PutUint32(data[r.dir+20:], 0xfffffff0)
				binary.LittleEndian.PutUint32(data[r.dir+24:], 0xfffffff0)
				return data
			}},
		{name: "local header names another file", want: "its local header names",
			raw: func(t *testing.T, data []byte, f *forgery) []byte {
				data[30+len(f.names[0])-1] ^= 1
				return data
			}},
		{name: "symbolic link entry", want: "is not a regular file",
			raw: func(t *testing.T, data []byte, f *forgery) []byte {
				r := locate(data, 0)
				binary.LittleEndian.PutUint32(data[r.dir+38:], 0o120777<<16)
				return data
			}},
		{name: "zip bomb (a compressed entry)", want: "is compressed (method 8)",
			raw: func(t *testing.T, data []byte, f *forgery) []byte {
				var buf bytes.Buffer
				z := zip.NewWriter(&buf)
				for _, n := range f.names {
					m := zip.Store
					content := f.files[n]
					if n == records.FileIndex {
						m, content = zip.Deflate, make([]byte, 16<<20)
					}
					w, _ := z.CreateHeader(&zip.FileHeader{Name: n, Method: m})
					w.Write(content)
				}
				z.Close()
				return buf.Bytes()
			}},
		{name: "truncated zip", want: "not a readable zip file",
			raw: func(t *testing.T, data []byte, f *forgery) []byte { return data[:len(data)/2] }},
		{name: "end record cut", want: "not a readable zip file",
			raw: func(t *testing.T, data []byte, f *forgery) []byte { return data[:len(data)-10] }},
	}
}

// TestTamperCorpus exports a real bag on every engine, checks that it
// verifies (with the city's key, with the bag's own, and through the
// command line with exit code 0), then applies each forgery of the corpus
// and checks that VerifyBag fails naming the problem and that `steward
// verify` exits 2 saying the same. Verification reads no database.
func TestTamperCorpus(t *testing.T) {
	t.Parallel()
	cases := corpus()
	if len(cases) < 30 {
		t.Fatalf("the corpus has %d forgeries, want at least 30", len(cases))
	}
	names := map[string]bool{}
	for _, c := range cases {
		if names[c.name] {
			t.Fatalf("two forgeries are named %q", c.name)
		}
		names[c.name] = true
	}
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			fx := exportFixture(t, eng)
			for _, opts := range []records.VerifyOptions{{Key: fx.vkey}, {}, {Key: fx.vkey, Request: fx.id}} {
				rep, err := records.VerifyBag(bytes.NewReader(fx.bag), int64(len(fx.bag)), opts)
				if err != nil {
					t.Fatalf("the honest bag (%+v): %v", opts, err)
				}
				if rep.Versions != 6 || rep.Redacted != 1 || rep.Disposed != 1 || rep.Media != 1 || rep.Format != "2" || rep.RequestID != fx.id {
					t.Errorf("report %+v", rep)
				}
			}
			dir := t.TempDir()
			honest := filepath.Join(dir, "honest.zip")
			if err := os.WriteFile(honest, fx.bag, 0o600); err != nil {
				t.Fatal(err)
			}
			if code, out, errOut := verifyCLI(t, "--key", fx.vkey, honest); code != 0 || !strings.Contains(out, "bag verified") {
				t.Fatalf("steward verify of the honest bag: %d %s %s", code, out, errOut)
			}
			if code, _, errOut := verifyCLI(t, filepath.Join(dir, "missing.zip")); code != 1 {
				t.Errorf("steward verify of a missing file exits %d, want 1: %s", code, errOut)
			}
			if code, _, errOut := verifyCLI(t, "--bogus", honest); code != 1 {
				t.Errorf("steward verify with a bad flag exits %d, want 1: %s", code, errOut)
			}
			orig := takeApart(t, fx.bag)
			for i, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					f := orig.clone()
					if c.edit != nil {
						c.edit(t, f, fx)
					}
					if c.reseal {
						f.reseal()
					}
					data := fx.bag
					if c.edit != nil {
						data = f.zip(t)
					}
					if c.raw != nil {
						data = c.raw(t, bytes.Clone(data), f)
					}
					opts := records.VerifyOptions{Key: fx.vkey}
					switch {
					case c.opts != nil:
						opts = c.opts(fx)
					case c.noKey:
						opts.Key = ""
					}
					_, err := records.VerifyBag(bytes.NewReader(data), int64(len(data)), opts)
					if err == nil || !errors.Is(err, records.ErrBag) || !strings.Contains(err.Error(), c.want) {
						t.Fatalf("verify says %v, want an error about %q", err, c.want)
					}
					file := filepath.Join(dir, fmt.Sprintf("forgery-%02d.zip", i))
					if err := os.WriteFile(file, data, 0o600); err != nil {
						t.Fatal(err)
					}
					args := []string{file}
					if opts.Key != "" {
						args = append([]string{"--key", opts.Key}, args...)
					}
					if opts.Request != 0 {
						args = append([]string{"--request", fmt.Sprint(opts.Request)}, args...)
					}
					code, out, errOut := verifyCLI(t, args...)
					if code != 2 || !strings.Contains(errOut, c.want) || strings.Contains(out, "bag verified") {
						t.Errorf("steward verify exits %d (%s %s), want 2 naming %q", code, out, errOut, c.want)
					}
				})
			}
		})
	}
}

// verifyCLI runs "steward verify ARGS…" with no database configured.
func verifyCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = cli.Main(context.Background(), append([]string{"verify"}, args...), strings.NewReader(""), &out, &errOut, func(string) string { return "" })
	return code, out.String(), errOut.String()
}
