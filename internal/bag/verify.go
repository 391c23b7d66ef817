package bag

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"slices"
	"strings"
)

// Bag is an opened bag whose structure, manifests and files have been
// checked.
type Bag struct {
	r     io.ReaderAt
	files map[string]*entry
	names []string          // sorted
	sums  map[string]string // every file's SHA-256, as read and as its manifest says
	// Info is bag-info.txt, label → value; each label occurs once.
	Info map[string]string
	// InfoLabels lists bag-info.txt's labels in order.
	InfoLabels []string
}

// Open reads the zip in r (of the given size) and checks the bag, trusting
// nothing it has not checked: the zip's structure (readZip: no bytes
// before, between or after its records, each entry's headers agreeing,
// stored files only), every path (checkName: nothing that could escape the
// folder the bag is unpacked in, no two paths that differ only in case or
// Unicode normalization, no path twice), the BagIt declaration, that the
// payload manifest lists exactly the files under data/ and the tag
// manifest exactly every other file but itself, each line of both in the
// one form "sha256  path", every file's CRC-32 and SHA-256, and
// bag-info.txt's form. Errors that make the bag invalid wrap ErrInvalid and
// name the file. Memory is bounded by MaxFiles and MaxNameLen, whatever the
// sizes a forged zip claims.
func Open(r io.ReaderAt, size int64) (*Bag, error) {
	entries, err := readZip(r, size)
	if err != nil {
		return nil, err
	}
	b := &Bag{r: r, files: make(map[string]*entry, len(entries)), sums: map[string]string{}, Info: map[string]string{}}
	folded := make(map[string]string, len(entries))
	for _, e := range entries {
		if err := checkName(e.name); err != nil {
			return nil, invalid("zip entry %q: %v", e.name, err)
		}
		if _, dup := b.files[e.name]; dup {
			return nil, invalid("%s appears twice in the zip", e.name)
		}
		k := foldName(e.name)
		if other, dup := folded[k]; dup {
			return nil, invalid("%s and %s differ only in case or Unicode normalization: unpacked, one would overwrite the other", other, e.name)
		}
		folded[k] = e.name
		b.files[e.name] = e
		b.names = append(b.names, e.name)
	}
	slices.Sort(b.names)
	decl, err := b.small(FileBagIt, 1<<10)
	if err != nil {
		return nil, err
	}
	if string(decl) != declaration {
		return nil, invalid("%s is not the BagIt 1.0 declaration %q", FileBagIt, declaration)
	}
	tags, err := b.manifest(FileTagManifest)
	if err != nil {
		return nil, err
	}
	payload, err := b.manifest(FileManifest)
	if err != nil {
		return nil, err
	}
	for _, name := range b.names {
		data := strings.HasPrefix(name, "data/")
		_, inPayload := payload[name]
		_, inTags := tags[name]
		switch {
		case name == FileTagManifest:
		case data && !inPayload:
			return nil, invalid("%s is not in %s", name, FileManifest)
		case !data && !inTags:
			return nil, invalid("%s is not in %s", name, FileTagManifest)
		}
	}
	for n := range payload {
		if !strings.HasPrefix(n, "data/") {
			return nil, invalid("%s lists %s, which is not a payload file", FileManifest, n)
		}
	}
	for n := range tags {
		if strings.HasPrefix(n, "data/") || n == FileTagManifest {
			return nil, invalid("%s lists %s, which is not a tag file it may list", FileTagManifest, n)
		}
	}
	// Read every file once, in the order they lie in the zip.
	order := slices.Clone(entries)
	slices.SortFunc(order, func(x, y *entry) int { return int(min(max(x.offset-y.offset, -1), 1)) })
	for _, e := range order {
		want, ok := payload[e.name]
		if !ok {
			want = tags[e.name]
		}
		got, err := b.hash(e)
		if err != nil {
			return nil, err
		}
		if e.name != FileTagManifest && got != want {
			return nil, invalid("%s: SHA-256 is %s, the manifest says %s", e.name, got, want)
		}
		b.sums[e.name] = got
	}
	if err := b.readInfo(); err != nil {
		return nil, err
	}
	return b, nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// hash reads e whole, checks its CRC-32 and returns its SHA-256.
func (b *Bag) hash(e *entry) (string, error) {
	h := sha256.New()
	c := crc32.NewIEEE()
	if _, err := io.Copy(io.MultiWriter(h, c), io.NewSectionReader(b.r, e.data, e.size)); err != nil {
		return "", invalid("%s cannot be read: %v", e.name, err)
	}
	if c.Sum32() != e.crc {
		return "", invalid("%s: CRC-32 is %08x, the zip says %08x (corrupt)", e.name, c.Sum32(), e.crc)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// File opens the file at path in the bag. Reading it to its end checks
// that it still has the SHA-256 Open read: a file that changed since is an
// error at the end, wrapping ErrInvalid.
func (b *Bag) File(path string) (io.Reader, error) {
	e, ok := b.files[path]
	if !ok {
		return nil, invalid("%s is missing", path)
	}
	r := io.NewSectionReader(b.r, e.data, e.size)
	want, ok := b.sums[path]
	if !ok { // Open has not hashed it yet
		return r, nil
	}
	return &checkedReader{r: r, h: sha256.New(), want: want, name: path}, nil
}

type checkedReader struct {
	r    io.Reader
	h    hash.Hash
	want string
	name string
}

func (c *checkedReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	if err == io.EOF && hex.EncodeToString(c.h.Sum(nil)) != c.want {
		return n, invalid("%s changed while it was read", c.name)
	}
	return n, err
}

// Sum returns the SHA-256 (hex) of the file at path, as read and checked
// against its manifest, or "".
func (b *Bag) Sum(path string) string { return b.sums[path] }

// Size returns the size of the file at path, or -1.
func (b *Bag) Size(path string) int64 {
	if e, ok := b.files[path]; ok {
		return e.size
	}
	return -1
}

// Has reports whether the bag holds a file at path.
func (b *Bag) Has(path string) bool { _, ok := b.files[path]; return ok }

// Names lists the files under prefix ("" for all), sorted.
func (b *Bag) Names(prefix string) []string {
	var out []string
	for _, n := range b.names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}

// small reads a file of at most limit bytes.
func (b *Bag) small(path string, limit int64) ([]byte, error) {
	if s := b.Size(path); s > limit {
		return nil, invalid("%s is %d bytes, more than the %d it may hold", path, s, limit)
	}
	r, err := b.File(path)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, nil
}

// ReadSmall reads a file of at most limit bytes.
func (b *Bag) ReadSmall(path string, limit int64) ([]byte, error) { return b.small(path, limit) }

// manifest reads a manifest: path → hex SHA-256. Each line is exactly 64
// lower-case hex digits, two spaces and a path, ended by a line feed.
func (b *Bag) manifest(path string) (map[string]string, error) {
	r, err := b.File(path)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	br := bufio.NewReaderSize(r, 1<<16)
	for ln := 1; ; ln++ {
		line, err := br.ReadSlice('\n')
		if err == io.EOF && len(line) == 0 {
			break
		}
		if err == bufio.ErrBufferFull {
			return nil, invalid("%s line %d is too long", path, ln)
		}
		if err == io.EOF {
			return nil, invalid("%s line %d does not end with a line feed", path, ln)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		line = line[:len(line)-1]
		sum, enc, ok := bytes.Cut(line, []byte("  "))
		if !ok || len(sum) != 64 || !isLowerHex(sum) {
			return nil, invalid("%s line %d is not \"sha256  path\" (64 lower-case hex digits, two spaces, a path)", path, ln)
		}
		name := decodePath(string(enc))
		if err := checkName(name); err != nil {
			return nil, invalid("%s line %d lists %v", path, ln, err)
		}
		if _, dup := m[name]; dup {
			return nil, invalid("%s lists %s twice", path, name)
		}
		if _, ok := b.files[name]; !ok {
			return nil, invalid("%s lists %s, which is missing", path, name)
		}
		m[name] = string(sum)
	}
	return m, nil
}

func isLowerHex(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// readInfo reads bag-info.txt: "Label: value" lines, each label once.
func (b *Bag) readInfo() error {
	data, err := b.small(FileBagInfo, 1<<20)
	if err != nil {
		return err
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		return invalid("%s does not end with a line feed", FileBagInfo)
	}
	for i, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		label, value, ok := strings.Cut(l, ": ")
		if !ok || label == "" || strings.ContainsFunc(label, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-')
		}) || strings.ContainsAny(value, "\r") {
			return invalid("%s line %d is not \"Label: value\"", FileBagInfo, i+1)
		}
		if _, dup := b.Info[label]; dup {
			return invalid("%s states %s twice", FileBagInfo, label)
		}
		b.Info[label] = value
		b.InfoLabels = append(b.InfoLabels, label)
	}
	return nil
}
