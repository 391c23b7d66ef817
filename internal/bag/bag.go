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
	"strings"
)

// Standard tag files.
const (
	FileBagIt       = "bagit.txt"
	FileBagInfo     = "bag-info.txt"
	FileManifest    = "manifest-sha256.txt"
	FileTagManifest = "tagmanifest-sha256.txt"
)

// declaration is the whole of bagit.txt.
const declaration = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"

// Writer writes a bag into a zip stream. Create each file in turn, then
// WriteTags, which writes bagit.txt, bag-info.txt and the payload manifest,
// then any last tag files (a signed statement of Files), then Close, which
// writes the tag manifest. A bag whose Close was not reached has no central
// directory and no tag manifest, so it never looks complete.
type Writer struct {
	z       *zip.Writer
	files   []File
	names   map[string]string // folded name → name
	cur     *file
	payload bool // WriteTags was called: no more payload files
}

// File is a file written to a bag: its path and SHA-256 (hex).
type File struct {
	Path   string
	SHA256 string
}

type file struct {
	w    io.Writer
	h    hash.Hash
	name string
}

func (f *file) Write(p []byte) (int, error) {
	f.h.Write(p)
	return f.w.Write(p)
}

// NewWriter returns a Writer writing the zip to w.
func NewWriter(w io.Writer) *Writer { return &Writer{z: zip.NewWriter(w), names: map[string]string{}} }

// Create starts the file at path (slash-separated, inside the bag): a
// payload file when it is under data/, a tag file otherwise. The previous
// file ends. A path a checker would refuse (see Open), or one already
// written, is an error.
func (b *Writer) Create(path string) (io.Writer, error) {
	if err := checkName(path); err != nil {
		return nil, fmt.Errorf("bag: %q is %v", path, err)
	}
	if old, dup := b.names[foldName(path)]; dup {
		return nil, fmt.Errorf("bag: %q is already in the bag as %q", path, old)
	}
	if b.payload && strings.HasPrefix(path, "data/") {
		return nil, fmt.Errorf("bag: payload file %q after the manifest", path)
	}
	b.end()
	w, err := b.z.CreateHeader(&zip.FileHeader{Name: path, Method: zip.Store})
	if err != nil {
		return nil, err
	}
	b.names[foldName(path)] = path
	b.cur = &file{w: w, h: sha256.New(), name: path}
	return b.cur, nil
}

func (b *Writer) end() {
	if b.cur == nil {
		return
	}
	b.files = append(b.files, File{b.cur.name, hex.EncodeToString(b.cur.h.Sum(nil))})
	b.cur = nil
}

func (b *Writer) add(path, content string) error {
	w, err := b.Create(path)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, content)
	return err
}

// WriteTags writes bagit.txt, bag-info.txt (with info, in order, as
// "Label: value" lines) and the payload manifest.
func (b *Writer) WriteTags(info [][2]string) error {
	b.end()
	var bi strings.Builder
	for _, kv := range info {
		fmt.Fprintf(&bi, "%s: %s\n", kv[0], strings.NewReplacer("\r", " ", "\n", " ").Replace(kv[1]))
	}
	var man strings.Builder
	for _, e := range b.files {
		if strings.HasPrefix(e.Path, "data/") {
			fmt.Fprintf(&man, "%s  %s\n", e.SHA256, encodePath(e.Path))
		}
	}
	b.payload = true
	for _, f := range [][2]string{{FileBagIt, declaration}, {FileBagInfo, bi.String()}, {FileManifest, man.String()}} {
		if err := b.add(f[0], f[1]); err != nil {
			return err
		}
	}
	b.end()
	return nil
}

// Files lists the files written and ended so far (not the one being
// written), in order, with their SHA-256.
func (b *Writer) Files() []File {
	return append([]File(nil), b.files...)
}

// Close writes the tag manifest, covering every file outside data/, and
// ends the zip. WriteTags must have been called.
func (b *Writer) Close() error {
	if !b.payload {
		return errors.New("bag: Close before WriteTags")
	}
	b.end()
	var tm strings.Builder
	for _, e := range b.files {
		if !strings.HasPrefix(e.Path, "data/") {
			fmt.Fprintf(&tm, "%s  %s\n", e.SHA256, encodePath(e.Path))
		}
	}
	if err := b.add(FileTagManifest, tm.String()); err != nil {
		return err
	}
	b.end()
	return b.z.Close()
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
