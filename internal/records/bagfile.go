package records

import (
	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
)

// Files of an export bag, besides the BagIt manifests.
const (
	FileItems      = "data/items.jsonl"
	FileRedactions = "data/redactions.jsonl"
	FileIndex      = "data/index.html"
	FileReport     = "data/report.pdf"
	DirMedia       = "data/media/"
	FileCheckpoint = "proof/checkpoint.txt"
	FileKey        = "proof/key.txt"
	FileVersions   = "proof/versions.jsonl"
	FileInclusion  = "proof/inclusion.jsonl"
	FileStatement  = "proof/statement.txt"
)

// statementOrigin is the first line of the signed statement of an export.
const statementOrigin = "steward-export"

// Format is the version of the bag format Export writes and VerifyBag
// accepts, stated in bag-info.txt (InfoFormat) and in the signed statement.
// Format 1 (before December 2026) signed only the list of versions and the
// redaction log; format 2 signs every file.
const Format = "2"

// InfoFormat is the bag-info.txt label that states the bag format.
const InfoFormat = "Steward-Bag-Version"

// infoLabels are the labels of bag-info.txt, in order.
var infoLabels = []string{"Source-Organization", "Bagging-Date", "External-Identifier", "External-Description", InfoFormat}

// Line is one version in data/items.jsonl. The platform payload is in
// raw_base64, byte for byte, so that the version's hash can be recomputed
// from the line, unless the line is redacted (its text has spans withheld
// and its payload is left out) or the version was disposed of.
type Line struct {
	archive.ExportLine
	Redacted bool `json:"redacted,omitempty"`
}

// version returns the version the line states, for recomputing its hash.
func (l *Line) version() *civic.Version {
	return &civic.Version{Account: l.Account, PlatformID: l.PlatformID, Kind: l.Kind, ParentID: l.ParentID, ThreadID: l.ThreadID,
		CapturedAt: l.CapturedAt, PlatformTime: l.PlatformTime, Author: l.Author, Text: l.Text, Media: l.Media, State: l.State, Tags: l.Tags, Raw: l.RawBase64}
}

// Expected is one line of proof/versions.jsonl: the list of every version
// of every item in the request's scope, in log order, that items.jsonl
// must match line for line. LineSHA256 is the SHA-256 of the version's
// line in items.jsonl (without its line feed): the list is signed, so every
// line is, in full, redacted and disposed ones included.
type Expected struct {
	ID         int64  `json:"id"`
	ItemID     int64  `json:"item_id"`
	LogIndex   int64  `json:"log_index"`
	Hash       string `json:"hash"`
	LineSHA256 string `json:"line_sha256"`
}

// Inclusion is one line of proof/inclusion.jsonl: the RFC 6962 inclusion
// proof of a version's leaf in the tree the checkpoint signs.
type Inclusion struct {
	ID       int64    `json:"id"`
	LogIndex int64    `json:"log_index"`
	Proof    [][]byte `json:"proof"` // hashes, base64
}
