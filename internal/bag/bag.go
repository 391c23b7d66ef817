// Package bag writes and checks BagIt bags (RFC 8493) packed in a zip file:
// payload files under data/, tag files beside it, and SHA-256 payload and
// tag manifests. Files are streamed: nothing is held in memory but the
// hashes.
package bag

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strings"
)

// Standard tag files.
const (
	FileBagIt       = "bagit.txt"
	FileBagInfo     = "bag-info.txt"
	FileManifest    = "manifest-sha256.txt"
	FileTagManifest = "tagmanifest-sha256.txt"
)

// Writer writes a bag into a zip stream. Create each file in turn, then
// Close, which writes the manifests. A bag whose Close was not reached has
// no central directory and no manifests, so it never looks complete.
type Writer struct {
	z       *zip.Writer
	payload []entry
	tags    []entry
	cur     *file
}

type entry struct {
	name string
	sum  string
}

type file struct {
	w    io.Writer
	h    hash.Hash
	name string
	n    int64
}

func (f *file) Write(p []byte) (int, error) {
	f.h.Write(p)
	n, err := f.w.Write(p)
	f.n += int64(n)
	return n, err
}

// NewWriter returns a Writer writing the zip to w.
func NewWriter(w io.Writer) *Writer { return &Writer{z: zip.NewWriter(w)} }

// Create starts the file at path (slash-separated, inside the bag): a
// payload file when it is under data/, a tag file otherwise. The previous
// file ends.
func (b *Writer) Create(path string) (io.Writer, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	b.end()
	w, err := b.z.CreateHeader(&zip.FileHeader{Name: path, Method: zip.Store})
	if err != nil {
		return nil, err
	}
	b.cur = &file{w: w, h: sha256.New(), name: path}
	return b.cur, nil
}

func (b *Writer) end() {
	if b.cur == nil {
		return
	}
	e := entry{b.cur.name, hex.EncodeToString(b.cur.h.Sum(nil))}
	if strings.HasPrefix(e.name, "data/") {
		b.payload = append(b.payload, e)
	} else {
		b.tags = append(b.tags, e)
	}
	b.cur = nil
}

// Close writes bagit.txt, bag-info.txt (with info, in order, as
// "Label: value" lines), the payload manifest and the tag manifest, and
// ends the zip.
func (b *Writer) Close(info [][2]string) error {
	b.end()
	var bi strings.Builder
	for _, kv := range info {
		fmt.Fprintf(&bi, "%s: %s\n", kv[0], strings.ReplaceAll(kv[1], "\n", " "))
	}
	var man strings.Builder
	for _, e := range b.payload {
		fmt.Fprintf(&man, "%s  %s\n", e.sum, encodePath(e.name))
	}
	for _, f := range [][2]string{{FileBagIt, "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"}, {FileBagInfo, bi.String()}, {FileManifest, man.String()}} {
		w, err := b.Create(f[0])
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, f[1]); err != nil {
			return err
		}
	}
	b.end()
	var tm strings.Builder
	for _, e := range b.tags {
		fmt.Fprintf(&tm, "%s  %s\n", e.sum, encodePath(e.name))
	}
	w, err := b.z.CreateHeader(&zip.FileHeader{Name: FileTagManifest, Method: zip.Store})
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, tm.String()); err != nil {
		return err
	}
	return b.z.Close()
}

func checkPath(p string) error {
	if p == "" || strings.HasPrefix(p, "/") || slices.Contains(strings.Split(p, "/"), "..") || strings.ContainsAny(p, "\\\r\n") {
		return fmt.Errorf("bag: bad file path %q", p)
	}
	return nil
}

// encodePath percent-encodes what RFC 8493 requires in manifest paths.
func encodePath(p string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(p)
}

func decodePath(p string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(p)
}

// ErrInvalid is wrapped by every error that says the bag is not valid (as
// opposed to an error reading it).
var ErrInvalid = errors.New("invalid bag")
