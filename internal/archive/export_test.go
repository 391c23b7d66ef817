package archive

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
)

// The hand-written export encoder writes what encoding/json writes.
func TestAppendExportLine(t *testing.T) {
	pt := time.Date(2026, 11, 21, 9, 29, 12, 0, time.UTC)
	disposed := time.Date(2027, 1, 2, 3, 4, 5, 123456000, time.UTC)
	odd := []string{"", "plain", `quote " and \ backslash`, "tab\tnew\nline\r\x00\x01\x1f\x7f", "<b>&amp;</b>", "ünïcödé 🙂 עברית", "bad \xff utf8", "line\u2028sep\u2029", "\b\f"}
	var vs []*civic.Version
	for i, s := range odd {
		vs = append(vs, &civic.Version{ID: int64(i + 1), ItemID: 7, Account: "mastodon:@" + s, PlatformID: s, Kind: "comment", ThreadID: s,
			CapturedAt: time.Date(2026, 11, 21, 9, 30, 0, i*1000, time.UTC), Author: civic.Author{ID: s, Handle: s, Name: s}, Text: s,
			State: "visible", Hash: "ab" + s, LogIndex: int64(i)})
	}
	vs = append(vs, &civic.Version{ID: 99, ItemID: 1, Account: "x:@a", PlatformID: "1", Kind: "post", ParentID: "0", ThreadID: "0",
		CapturedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), PlatformTime: &pt, Text: "t",
		Media: []civic.Media{{SHA256: "aa", Type: "image/png", Size: 12}, {SHA256: "bb", Type: "video/mp4", Size: 1 << 40, URL: "https://x/<y>?a&b"}},
		State: "deleted", Tags: []string{"complaint", "ünï"}, Raw: []byte("{\"raw\": \x00 payload}"), Hash: "h", LogIndex: 98, DisposedAt: &disposed},
		&civic.Version{ID: 100, Media: []civic.Media{}, Tags: []string{}, Raw: []byte{}, CapturedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))})
	for _, v := range vs {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		l := ExportLine{ID: v.ID, ItemID: v.ItemID, Account: v.Account, PlatformID: v.PlatformID, Kind: v.Kind, ParentID: v.ParentID, ThreadID: v.ThreadID,
			CapturedAt: v.CapturedAt, PlatformTime: v.PlatformTime, Author: v.Author, Text: v.Text, Media: v.Media, State: v.State, Tags: v.Tags,
			RawBase64: v.Raw, Hash: v.Hash, LogIndex: v.LogIndex, DisposedAt: v.DisposedAt}
		if err := enc.Encode(&l); err != nil {
			t.Fatal(err)
		}
		if got := appendExportLine(nil, v); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("version %d:\n got %s\nwant %s", v.ID, got, want.Bytes())
		}
	}
}
