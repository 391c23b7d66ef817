package archive_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with what the tests produce")

// golden compares got with testdata/name, or with -update writes it there.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	storetest.Golden(t, *update, name, got)
}

// TestExportLineGolden ingests one reply (with media, tags, a hidden state
// and a payload) and compares its export line with
// testdata/export_line.jsonl. Every engine must write the same line: it is
// what anyone checks a version's hash from.
func TestExportLineGolden(t *testing.T) {
	t.Parallel()
	var first []byte
	for _, eng := range storetest.Engines(t) {
		e := newEnv(t, eng)
		at := time.Date(2026, 11, 19, 12, 30, 15, 123456000, time.UTC)
		r := rec("mastodon:@parks@city.example", "c1", "Will the splash pad <open> on Saturday? ünï", at)
		r.Department = "parks"
		r.State = "hidden"
		r.Tags = []string{"question", "splash-pad"}
		r.Media = []archive.MediaRecord{{SHA256: "5a6f3c1e0f6d4b2a9c8e7d6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b", Type: "image/jpeg", Size: 48213, URL: "https://social.example/media/1.jpg"}}
		e.ingest(r)
		var out bytes.Buffer
		n, err := e.svc.Export(e.ctx, civic.CLI, &out)
		if err != nil || n != 1 {
			t.Fatalf("%s: export: %d lines, %v", eng.Name, n, err)
		}
		var line archive.ExportLine
		if err := json.Unmarshal(out.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		v := &civic.Version{ItemID: line.ItemID, Account: line.Account, PlatformID: line.PlatformID, Kind: line.Kind, ParentID: line.ParentID,
			ThreadID: line.ThreadID, CapturedAt: line.CapturedAt, PlatformTime: line.PlatformTime, Author: line.Author, Text: line.Text, Media: line.Media,
			State: line.State, Tags: line.Tags, Raw: line.RawBase64}
		if v.ComputeHash() != line.Hash {
			t.Errorf("%s: the line's hash %s is not the hash of its fields, %s", eng.Name, line.Hash, v.ComputeHash())
		}
		if first == nil {
			first = out.Bytes()
			golden(t, "export_line.jsonl", first)
		} else if !bytes.Equal(out.Bytes(), first) {
			t.Errorf("%s exports another line than sqlite:\n got %s\nwant %s", eng.Name, out.Bytes(), first)
		}
	}
}
