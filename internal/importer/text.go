package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
	"unicode/utf8"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
)

// metaText repairs the text of Facebook and Instagram downloads, which
// write each UTF-8 byte as its own "\u00xx" character: when every
// character is below U+0100 and their bytes form valid UTF-8, those bytes
// are the text.
func metaText(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return s
		}
		b = append(b, byte(r))
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return s
}

// record is the common part of every imported record.
func record(account, id string, kind civic.ItemKind, at time.Time, text string, raw []byte) archive.Record {
	t := at.UTC().Format(time.RFC3339Nano)
	_, handle, _ := civic.ParseAccountRef(account)
	return archive.Record{Account: account, ID: id, Kind: string(kind), CapturedAt: t, PlatformTime: t, Text: text,
		Author: civic.Author{Handle: handle}, Tags: []string{Tag}, Raw: json.RawMessage(raw)}
}

// stableID names an item the export gives no id, from what identifies it:
// the same entry in two downloads gets the same id.
func stableID(prefix string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return prefix + ":" + hex.EncodeToString(h.Sum(nil))[:24]
}
