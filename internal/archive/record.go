package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/strictjson"
)

// Limits on one record. A record over a limit is rejected, naming the field.
const (
	MaxText    = 64 << 10  // bytes of text
	MaxRaw     = 512 << 10 // bytes of raw platform payload
	MaxID      = 256       // bytes of the item's id, its parent's and thread's, and the department slug
	MaxField   = 512       // bytes of the author's id, handle or name
	MaxMedia   = 32        // media files per version
	MaxTags    = 16
	MaxBatch   = 5000 // records per batch
	futureSkew = 5 * time.Minute
)

// Record is one observation of an item as it enters the archive, from
// capture, an import or the API. Times are RFC 3339. Raw is the platform's
// payload exactly as received; through the API it is any JSON value, kept
// byte for byte as it appears in the request.
type Record struct {
	Account      string          `json:"account"`              // "platform:handle"
	Department   string          `json:"department,omitempty"` // department slug, used when the account is first seen
	ID           string          `json:"id"`                   // the platform's id of the item
	Kind         string          `json:"kind"`
	Parent       string          `json:"parent,omitempty"` // platform id of the item this one answers
	Thread       string          `json:"thread,omitempty"` // platform id of the thread's first item
	CapturedAt   string          `json:"captured_at"`
	PlatformTime string          `json:"platform_time,omitempty"`
	Author       civic.Author    `json:"author"`
	Text         string          `json:"text"`
	Media        []MediaRecord   `json:"media,omitempty"`
	State        string          `json:"state,omitempty"` // visible (default), hidden, deleted, held
	Tags         []string        `json:"tags,omitempty"`
	Raw          json.RawMessage `json:"raw,omitempty"`
}

// MediaRecord is a media file of a record. Data, when set (Go callers
// only), is stored in the blob store and must match SHA256.
type MediaRecord struct {
	SHA256 string `json:"sha256"`
	Type   string `json:"type"`
	Size   int64  `json:"size"`
	URL    string `json:"url,omitempty"`
	Data   []byte `json:"-"`
}

// Batch is the body of POST /api/v1/ingest.
type Batch struct {
	Records []json.RawMessage `json:"records"`
}

// DecodeBatch reads a batch of records with the strict decoder (package
// strictjson). A batch that is not a JSON object with a "records" array, or
// that anywhere repeats a name in an object or holds invalid UTF-8, is an
// error naming the place (records[3].text); a record that does not decode
// (an unknown or differently-cased field, a wrong type) is reported in errs
// at its index (records[i] is then the zero Record), so that the good
// records of the batch can still be kept.
func DecodeBatch(r io.Reader) (records []Record, errs []error, err error) {
	var b Batch
	if err := decoder().Decode(r, &b); err != nil {
		return nil, nil, err
	}
	if b.Records == nil {
		return nil, nil, civic.Invalid("records", "records is required: an array of records")
	}
	if len(b.Records) > MaxBatch {
		return nil, nil, civic.Invalid("records", "a batch holds at most %d records", MaxBatch)
	}
	records = make([]Record, len(b.Records))
	errs = make([]error, len(b.Records))
	for i, raw := range b.Records {
		errs[i] = DecodeRecord(raw, &records[i])
	}
	return records, errs, nil
}

// DecodeRecord decodes one record strictly: unknown or differently-cased
// fields, repeated names, wrong types, invalid UTF-8 and trailing data are
// errors naming the field.
func DecodeRecord(raw []byte, rec *Record) error {
	if err := decoder().Unmarshal(raw, rec); err != nil {
		*rec = Record{}
		return err
	}
	return nil
}

// decoder reads batches and records: as strictly as every API body, except
// that NUL characters in strings are kept for Version to clean.
func decoder() strictjson.Options { return strictjson.Options{AllowNUL: true} }

// Version checks rec and returns the version it describes, with its hash.
// now bounds captured times (a little clock skew is allowed). Text and
// names are cleaned of NUL characters (replaced by U+FFFD, as neither
// engine indexes them); the raw payload keeps them.
func (rec *Record) Version(now time.Time) (*civic.Version, error) {
	if rec.Account == "" {
		return nil, civic.Invalid("account", "account is required (platform:handle)")
	}
	if _, _, err := civic.ParseAccountRef(rec.Account); err != nil {
		return nil, err
	}
	if _, err := idField("department", rec.Department, false); err != nil {
		return nil, err
	}
	v := &civic.Version{Account: rec.Account}
	var err error
	if v.PlatformID, err = idField("id", rec.ID, true); err != nil {
		return nil, err
	}
	if v.ParentID, err = idField("parent", rec.Parent, false); err != nil {
		return nil, err
	}
	if v.ThreadID, err = idField("thread", rec.Thread, false); err != nil {
		return nil, err
	}
	if v.ThreadID == "" {
		v.ThreadID = v.PlatformID
		if v.ParentID != "" {
			v.ThreadID = v.ParentID
		}
	}
	v.Kind = civic.ItemKind(rec.Kind)
	if rec.Kind == "" {
		return nil, civic.Invalid("kind", "kind is required: post, comment, reply, message, media or profile")
	}
	if !v.Kind.Valid() {
		return nil, civic.Invalid("kind", "unknown kind %q: want post, comment, reply, message, media or profile", clip(rec.Kind))
	}
	if rec.CapturedAt == "" {
		return nil, civic.Invalid("captured_at", "captured_at is required (RFC 3339 time)")
	}
	if v.CapturedAt, err = timeField("captured_at", rec.CapturedAt); err != nil {
		return nil, err
	}
	if v.CapturedAt.After(now.Add(futureSkew)) {
		return nil, civic.Invalid("captured_at", "captured_at is in the future")
	}
	if rec.PlatformTime != "" {
		t, err := timeField("platform_time", rec.PlatformTime)
		if err != nil {
			return nil, err
		}
		v.PlatformTime = &t
	}
	if v.Author.ID, err = textField("author.id", rec.Author.ID, MaxField); err != nil {
		return nil, err
	}
	if v.Author.Handle, err = textField("author.handle", rec.Author.Handle, MaxField); err != nil {
		return nil, err
	}
	if v.Author.Name, err = textField("author.name", rec.Author.Name, MaxField); err != nil {
		return nil, err
	}
	if v.Text, err = textField("text", rec.Text, MaxText); err != nil {
		return nil, err
	}
	if len(rec.Media) > MaxMedia {
		return nil, civic.Invalid("media", "at most %d media files per record", MaxMedia)
	}
	for i, m := range rec.Media {
		f := fmt.Sprintf("media[%d]", i)
		if len(m.SHA256) != 64 || strings.ToLower(m.SHA256) != m.SHA256 {
			return nil, civic.Invalid(f+".sha256", "sha256 must be 64 lower-case hexadecimal digits")
		}
		if _, err := hex.DecodeString(m.SHA256); err != nil {
			return nil, civic.Invalid(f+".sha256", "sha256 must be 64 lower-case hexadecimal digits")
		}
		if m.Type == "" || len(m.Type) > 128 || !utf8.ValidString(m.Type) || strings.ContainsAny(m.Type, " \x00") {
			return nil, civic.Invalid(f+".type", "type must be a media type such as image/jpeg")
		}
		if m.Size < 0 {
			return nil, civic.Invalid(f+".size", "size may not be negative")
		}
		if len(m.URL) > 2048 || !utf8.ValidString(m.URL) || strings.ContainsRune(m.URL, 0) {
			return nil, civic.Invalid(f+".url", "url must be valid UTF-8 of at most 2048 bytes")
		}
		if m.Data != nil {
			sum := sha256.Sum256(m.Data)
			if hex.EncodeToString(sum[:]) != m.SHA256 {
				return nil, civic.Invalid(f+".sha256", "the file's SHA-256 does not match sha256")
			}
			if m.Size == 0 {
				m.Size = int64(len(m.Data))
			}
		}
		v.Media = append(v.Media, civic.Media{SHA256: m.SHA256, Type: m.Type, Size: m.Size, URL: m.URL})
	}
	v.State = civic.StateVisible
	if rec.State != "" {
		v.State = civic.ItemState(rec.State)
		if !v.State.Valid() {
			return nil, civic.Invalid("state", "unknown state %q: want visible, hidden, deleted, held or unseen", clip(rec.State))
		}
	}
	if len(rec.Tags) > MaxTags {
		return nil, civic.Invalid("tags", "at most %d tags", MaxTags)
	}
	for _, t := range rec.Tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || len(t) > 64 || !utf8.ValidString(t) || strings.ContainsFunc(t, func(r rune) bool { return r < ' ' }) {
			return nil, civic.Invalid("tags", "each tag must be 1 to 64 printable characters")
		}
		v.Tags = append(v.Tags, t)
	}
	if len(rec.Raw) > MaxRaw {
		return nil, civic.Invalid("raw", "raw is larger than %d bytes", MaxRaw)
	}
	v.Raw = bytes.Clone([]byte(rec.Raw))
	if v.Raw == nil {
		v.Raw = []byte{}
	}
	v.Hash = v.ComputeHash()
	return v, nil
}

// idField checks a platform id: valid UTF-8 of at most MaxID bytes, with no
// control character.
func idField(field, s string, required bool) (string, error) {
	if s == "" {
		if required {
			return "", civic.Invalid(field, "%s is required", field)
		}
		return "", nil
	}
	if len(s) > MaxID || !utf8.ValidString(s) {
		return "", civic.Invalid(field, "%s must be valid UTF-8 of at most %d bytes", field, MaxID)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "", civic.Invalid(field, "%s may not contain control characters", field)
	}
	return s, nil
}

// textField checks free text: valid UTF-8 and at most max bytes; NUL
// characters become U+FFFD.
func textField(field, s string, max int) (string, error) {
	if len(s) > max {
		return "", civic.Invalid(field, "%s is %d bytes; the most the archive takes is %d", field, len(s), max)
	}
	if !utf8.ValidString(s) {
		return "", civic.Invalid(field, "%s is not valid UTF-8", field)
	}
	return strings.ReplaceAll(s, "\x00", "\uFFFD"), nil
}

func timeField(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, civic.Invalid(field, "%s must be an RFC 3339 time such as 2026-03-02T09:30:00Z", field)
	}
	if t.Year() < 1990 || t.Year() > 9000 {
		return time.Time{}, civic.Invalid(field, "%s is out of range", field)
	}
	return t.UTC().Truncate(time.Microsecond), nil
}

// clip shortens user input echoed in an error message.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	for i := 40; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "…"
		}
	}
	return ""
}
