package archive_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
)

// FuzzDecodeBatch feeds arbitrary bodies to the ingest decoder and checks
// that it never panics, that every record is either decoded or has an
// error with a kind, and that a record it accepts hashes the same twice.
// The seed corpus is in testdata/fuzz/FuzzDecodeBatch.
func FuzzDecodeBatch(f *testing.F) {
	f.Add([]byte(`{"records":[{"account":"mastodon:@parks@city.example","id":"1","kind":"post","captured_at":"2026-01-01T00:00:00Z","text":"hi","raw":{"a":1}}]}`))
	f.Add([]byte(`{"records":[{"account":"x:y","id":"1","kind":"comment","captured_at":"2026-01-01T00:00:00Z","text":"\u0000\u202e שלום 👋 e\u0301"},{"bogus":1},3,null]}`))
	f.Add([]byte(`{"records":[]}`))
	f.Add([]byte(`[]`))
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		recs, errs, err := archive.DecodeBatch(bytes.NewReader(body))
		if err != nil {
			if civic.ErrorKind(err) != civic.KindInvalid {
				t.Fatalf("batch error %v has kind %s, want invalid", err, civic.ErrorKind(err))
			}
			return
		}
		if len(recs) != len(errs) {
			t.Fatalf("%d records, %d errors", len(recs), len(errs))
		}
		for i := range recs {
			if errs[i] != nil {
				if civic.ErrorKind(errs[i]) != civic.KindInvalid {
					t.Fatalf("record error %v is not invalid", errs[i])
				}
				continue
			}
			v, err := recs[i].Version(now)
			if err != nil {
				if civic.ErrorKind(err) != civic.KindInvalid || civic.ErrorMessage(err) == "" {
					t.Fatalf("validation error %v lacks a kind or message", err)
				}
				continue
			}
			if v.Hash != v.ComputeHash() || strings.ContainsRune(v.Text, 0) {
				t.Fatal("accepted version is unstable or keeps a NUL in its text")
			}
		}
	})
}

func TestDecodeBatch(t *testing.T) {
	body := `{"records":[
		{"account":"x:y","id":"1","kind":"post","captured_at":"2026-01-01T00:00:00Z","raw":{ "keep" :  "spacing" }},
		{"account":"x:y","id":2},
		{"account":"x:y","surprise":true},
		"not an object",
		{"account":"x:y","ID":"5","kind":"post"}
	]}`
	recs, errs, err := archive.DecodeBatch(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if errs[0] != nil || string(recs[0].Raw) != `{ "keep" :  "spacing" }` {
		t.Errorf("record 0: %v, raw %q, want the raw payload byte for byte", errs[0], recs[0].Raw)
	}
	for i, field := range []string{"", "id", "surprise", "", "ID"} {
		if i == 0 {
			continue
		}
		if civic.ErrorKind(errs[i]) != civic.KindInvalid || civic.ErrorField(errs[i]) != field {
			t.Errorf("record %d: %v, want invalid %q", i, errs[i], field)
		}
	}
	for _, bad := range []struct{ body, field string }{
		{``, ""}, {`{}`, "records"}, {`{"records":[]} {}`, ""}, {`{"records":{}}`, "records"}, {`{"other":[]}`, "other"},
		{`{"records":[],"records":[]}`, "records"},
		{`{"records":[{"id":"1"},{"id":"1","id":"2"}]}`, "records[1].id"},
		{"{\"records\":[{\"text\":\"caf\xe9\"}]}", "records[0].text"},
		{`{"Records":[]}`, "Records"},
	} {
		_, _, err := archive.DecodeBatch(strings.NewReader(bad.body))
		if civic.ErrorKind(err) != civic.KindInvalid || civic.ErrorField(err) != bad.field {
			t.Errorf("DecodeBatch(%q) = %v (field %q), want invalid naming %q", bad.body, err, civic.ErrorField(err), bad.field)
		}
	}
}

// TestRecordFieldLimits checks each limit on ids and names at its boundary:
// exactly the limit is accepted, one byte more is refused with a message
// naming the field and the limit.
func TestRecordFieldLimits(t *testing.T) {
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		field string
		max   int
		set   func(*archive.Record, string)
	}{
		{"id", archive.MaxID, func(r *archive.Record, s string) { r.ID = s }},
		{"parent", archive.MaxID, func(r *archive.Record, s string) { r.Parent = s }},
		{"thread", archive.MaxID, func(r *archive.Record, s string) { r.Thread = s }},
		{"department", archive.MaxID, func(r *archive.Record, s string) { r.Department = s }},
		{"author.id", archive.MaxField, func(r *archive.Record, s string) { r.Author.ID = s }},
		{"author.handle", archive.MaxField, func(r *archive.Record, s string) { r.Author.Handle = s }},
		{"author.name", archive.MaxField, func(r *archive.Record, s string) { r.Author.Name = s }},
	} {
		for _, n := range []int{c.max, c.max + 1} {
			r := archive.Record{Account: "x:@city", ID: "1", Kind: "post", CapturedAt: "2026-11-21T09:00:00Z", Text: "t"}
			c.set(&r, strings.Repeat("é", n/2)+strings.Repeat("x", n%2))
			_, err := r.Version(now)
			switch {
			case n == c.max && err != nil:
				t.Errorf("%s of %d bytes refused: %v", c.field, n, err)
			case n > c.max && (civic.ErrorKind(err) != civic.KindInvalid || civic.ErrorField(err) != c.field ||
				!strings.Contains(civic.ErrorMessage(err), c.field) || !strings.Contains(civic.ErrorMessage(err), strconv.Itoa(c.max))):
				t.Errorf("%s of %d bytes: %v, want invalid naming the field and %d", c.field, n, err, c.max)
			}
		}
	}
	if archive.MaxID != 256 || archive.MaxField != 512 {
		t.Errorf("limits %d and %d, docs/archive.md says 256 and 512", archive.MaxID, archive.MaxField)
	}
}
