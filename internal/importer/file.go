package importer

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
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

// MaxFile bounds one file read from an export.
const MaxFile = 1 << 30

// File is one file of an export: its path inside the archive (or its own
// name when the export was given as a single file) and its bytes.
type File struct {
	Name string
	Data []byte
}

// Open reads an export: every file of a zip, or the one file given. It
// returns the SHA-256 of the bytes read, which names the import's progress.
func Open(p string) ([]File, [32]byte, error) {
	var sum [32]byte
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, sum, civic.Invalid("file", "%v", err)
	}
	sum = sha256.Sum256(data)
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return []File{{Name: filepath.Base(p), Data: data}}, sum, nil
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, sum, civic.Invalid("file", "%s is not a readable zip: %v", p, err)
	}
	var files []File
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		if f.UncompressedSize64 > MaxFile {
			return nil, sum, civic.Invalid("file", "%s in %s is larger than %d bytes", f.Name, p, MaxFile)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, sum, civic.Invalid("file", "%s in %s: %v", f.Name, p, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, MaxFile))
		rc.Close()
		if err != nil {
			return nil, sum, civic.Invalid("file", "%s in %s: %v", f.Name, p, err)
		}
		files = append(files, File{Name: f.Name, Data: b})
	}
	return files, sum, nil
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

func newHash() hashWriter { return sha256.New() }

type hashWriter interface {
	Write([]byte) (int, error)
	Sum([]byte) []byte
}

func hexString(b []byte) string { return fmt.Sprintf("%x", b) }
