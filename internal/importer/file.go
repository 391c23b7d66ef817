package importer

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"steward.city/steward/internal/civic"
)

// Bounds on what an export may expand to. A zip entry is read only when a
// format asks for it, through a reader that stops at the entry's bound, so
// a zip bomb is refused after at most that many bytes, never read whole.
const (
	// MaxFile bounds one file of an export, uncompressed.
	MaxFile = 1 << 30
	// MaxRatio bounds how many times its compressed size an entry may
	// expand to (JSON compresses 5 to 20 times, media not at all), once
	// it is larger than ratioFloor; it also bounds everything read from
	// an export against the export's size (overlapping entries).
	MaxRatio = 100
	// ratioFloor is the size below which an entry's ratio is not checked,
	// and the least the whole export may expand to.
	ratioFloor = 1 << 20
	// totalFloor is the least all of an export's files together may
	// expand to, whatever its size.
	totalFloor = 64 << 20
)

// Export is an opened export: a zip or a single file. Its files are read
// when a format asks for them, not before.
type Export struct {
	Files []File
	// Sum is the SHA-256 of the export's bytes, which names the import's
	// progress.
	Sum    [32]byte
	closer io.Closer
}

// Close closes the export's file.
func (e *Export) Close() error { return e.closer.Close() }

// File is one file of an export: its path inside the zip (or its own name
// when the export was given as a single file) and its size. Its bytes are
// read by Read, with the export's bounds.
type File struct {
	Name   string
	Size   int64 // uncompressed, as the zip says (checked as it is read)
	packed int64 // compressed size; Size for a single file
	open   func() (io.ReadCloser, error)
	export *budget
}

// budget counts what is read from one export, against its bound. An import
// reads its export from one goroutine.
type budget struct {
	name       string // the export's path, for messages
	size       int64  // the export's size
	used, most int64
}

// Open opens an export: every file of a zip, or the one file given, and
// hashes its bytes as it streams them. Nothing is decompressed yet.
func Open(p string) (*Export, error) { return OpenAs(p, p) }

// OpenAs is Open for an export whose messages name it name (an uploaded
// file, whose copy at p is the worker's own).
func OpenAs(p, name string) (*Export, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, civic.Invalid("file", "%s: %v", name, errors.Unwrap(err))
	}
	ex, err := open(f, name)
	if err != nil {
		f.Close()
		return nil, err
	}
	return ex, nil
}

func open(f *os.File, p string) (*Export, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, civic.Invalid("file", "%v", err)
	}
	if fi.IsDir() {
		return nil, civic.Invalid("file", "%s is a folder; give the export's zip or one of its files", p)
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, civic.Invalid("file", "%s: %v", p, err)
	}
	ex := &Export{closer: f}
	h.Sum(ex.Sum[:0])
	var magic [4]byte
	if _, err := f.ReadAt(magic[:], 0); err != nil || string(magic[:]) != "PK\x03\x04" {
		b := &budget{name: p, size: fi.Size(), most: max(fi.Size(), totalFloor)}
		ex.Files = []File{{Name: filepath.Base(p), Size: fi.Size(), packed: fi.Size(), export: b,
			open: func() (io.ReadCloser, error) { return io.NopCloser(io.NewSectionReader(f, 0, fi.Size())), nil }}}
		return ex, nil
	}
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil {
		return nil, civic.Invalid("file", "%s is not a readable zip: %v", p, err)
	}
	b := &budget{name: p, size: fi.Size(), most: max(MaxRatio*fi.Size(), totalFloor)}
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() {
			continue
		}
		ex.Files = append(ex.Files, File{Name: zf.Name, Size: int64(min(zf.UncompressedSize64, 1<<62)), packed: int64(min(zf.CompressedSize64, 1<<62)), export: b, open: zf.Open})
	}
	return ex, nil
}

// limit is the most bytes f may expand to.
func (f File) limit() int64 {
	return min(MaxFile, max(ratioFloor, MaxRatio*f.packed))
}

// tooBig is the error for a file over its limit.
func (f File) tooBig(limit int64) error {
	if limit == MaxFile {
		return civic.Invalid("file", "%s in %s is larger than %d bytes, the most Steward imports from one file", f.Name, f.export.name, int64(MaxFile))
	}
	return civic.Invalid("file", "%s in %s expands to more than %d bytes (%d times its %d compressed bytes): refused as a possible zip bomb", f.Name, f.export.name, limit, MaxRatio, f.packed)
}

// stream opens f and hands fn a reader of its bytes that fails once they
// pass f's limit or the export's.
func (f File) stream(fn func(io.Reader) error) error {
	limit := f.limit()
	if f.Size > limit {
		return f.tooBig(limit)
	}
	rc, err := f.open()
	if err != nil {
		return civic.Invalid("file", "%s in %s: %v", f.Name, f.export.name, err)
	}
	defer rc.Close()
	err = fn(&bounded{r: rc, f: f, left: limit})
	var ce *civic.Error
	if err != nil && !errors.As(err, &ce) {
		err = civic.Invalid("file", "%s in %s: %v", f.Name, f.export.name, err)
	}
	return err
}

// Read returns f's bytes.
func (f File) Read() ([]byte, error) {
	var buf bytes.Buffer
	err := f.stream(func(r io.Reader) error {
		buf.Grow(int(min(f.Size, f.limit())) + 1)
		_, err := buf.ReadFrom(r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// digest returns the SHA-256 (hex) and size of f's bytes, streamed.
func (f File) digest() (string, int64, error) {
	h := sha256.New()
	var n int64
	err := f.stream(func(r io.Reader) (err error) {
		n, err = io.Copy(h, r)
		return err
	})
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// bounded reads a file of an export, failing once it passes the file's
// limit or the export's budget.
type bounded struct {
	r    io.Reader
	f    File
	left int64
}

func (b *bounded) Read(p []byte) (int, error) {
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	e := b.f.export
	e.used += int64(n)
	switch {
	case b.left < 0:
		return n, b.f.tooBig(b.f.limit())
	case e.used > e.most:
		return n, civic.Invalid("file", "the files of %s expand to more than %d bytes, the most an export of %d bytes may (at %s): refused as a possible zip bomb", e.name, e.most, e.size, b.f.Name)
	}
	return n, err
}

// pick returns the files whose base name matches one of the patterns
// (path.Match), in export order.
func pick(files []File, patterns ...string) []File {
	var out []File
	for _, f := range files {
		base := path.Base(strings.ReplaceAll(f.Name, "\\", "/"))
		for _, p := range patterns {
			if ok, _ := path.Match(p, base); ok {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// badJSON turns a decoding error into one naming the file, line and column.
func badJSON(name string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		l, c := lineCol(data, se.Offset)
		return civic.Invalid("file", "%s:%d:%d: not valid JSON: %v", name, l, c, se)
	case errors.As(err, &te):
		l, c := lineCol(data, te.Offset)
		return civic.Invalid(te.Field, "%s:%d:%d: %s must be a %s, not a %s", name, l, c, te.Field, te.Type, te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return civic.Invalid("file", "%s: the JSON ends too early", name)
	}
	return civic.Invalid("file", "%s: %v", name, err)
}

// lineCol finds the line and column of a byte offset.
func lineCol(data []byte, off int64) (int, int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// entryError is the error of one entry, naming its field.
func entryError(field, format string, args ...any) error {
	return civic.Invalid(field, format, args...)
}

func where(name string, i int, field string) string {
	s := fmt.Sprintf("%s[%d]", name, i)
	if field != "" {
		s += "." + field
	}
	return s
}
