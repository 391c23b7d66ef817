package bag

import (
	"archive/zip"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Bag is an opened bag whose manifests have been checked.
type Bag struct {
	z     *zip.Reader
	files map[string]*zip.File
	sums  map[string]string // the payload manifest
	Info  map[string]string // bag-info.txt
}

// Open reads the zip in r (of the given size) and checks the bag: the
// BagIt declaration, that the tag manifest and the payload manifest list
// every file and nothing else, and every file's SHA-256. Errors that make
// the bag invalid wrap ErrInvalid and name the file.
func Open(r io.ReaderAt, size int64) (*Bag, error) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: not a readable zip file (truncated or corrupt?): %v", ErrInvalid, err)
	}
	b := &Bag{z: z, files: map[string]*zip.File{}, Info: map[string]string{}}
	for _, f := range z.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		if _, dup := b.files[f.Name]; dup {
			return nil, invalid("%s appears twice in the zip", f.Name)
		}
		b.files[f.Name] = f
	}
	decl, err := b.small(FileBagIt)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(decl, "BagIt-Version: ") {
		return nil, invalid("%s does not declare a BagIt version", FileBagIt)
	}
	tags, err := b.manifest(FileTagManifest)
	if err != nil {
		return nil, err
	}
	payload, err := b.manifest(FileManifest)
	if err != nil {
		return nil, err
	}
	if _, ok := tags[FileManifest]; !ok {
		return nil, invalid("%s does not cover %s", FileTagManifest, FileManifest)
	}
	for name := range b.files {
		_, inPayload := payload[name]
		_, inTags := tags[name]
		switch {
		case name == FileTagManifest:
		case strings.HasPrefix(name, "data/") && !inPayload:
			return nil, invalid("%s is not in %s", name, FileManifest)
		case !strings.HasPrefix(name, "data/") && !inTags:
			return nil, invalid("%s is not in %s", name, FileTagManifest)
		}
	}
	b.sums = payload
	for _, m := range []map[string]string{tags, payload} {
		names := make([]string, 0, len(m))
		for n := range m {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if err := b.check(n, m[n]); err != nil {
				return nil, err
			}
		}
	}
	info, err := b.small(FileBagInfo)
	if err != nil {
		return nil, err
	}
	for l := range strings.SplitSeq(info, "\n") {
		if k, v, ok := strings.Cut(l, ": "); ok {
			b.Info[k] = v
		}
	}
	return b, nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// File opens the file at path in the bag.
func (b *Bag) File(path string) (io.ReadCloser, error) {
	f, ok := b.files[path]
	if !ok {
		return nil, invalid("%s is missing", path)
	}
	return f.Open()
}

// Sum returns the payload manifest's SHA-256 of the file at path, or "".
func (b *Bag) Sum(path string) string { return b.sums[path] }

// Has reports whether the bag holds a file at path.
func (b *Bag) Has(path string) bool { _, ok := b.files[path]; return ok }

// Names lists the files under prefix, sorted.
func (b *Bag) Names(prefix string) []string {
	var out []string
	for n := range b.files {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// small reads a tag file of at most 16 MiB.
func (b *Bag) small(path string) (string, error) {
	rc, err := b.File(path)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 16<<20))
	if err != nil {
		return "", invalid("%s cannot be read: %v", path, err)
	}
	return string(data), nil
}

// manifest reads a manifest: path → hex SHA-256.
func (b *Bag) manifest(path string) (map[string]string, error) {
	rc, err := b.File(path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(rc)
	for ln := 1; sc.Scan(); ln++ {
		sum, name, ok := strings.Cut(sc.Text(), " ")
		name = decodePath(strings.TrimLeft(name, " "))
		if !ok || len(sum) != 64 || name == "" {
			return nil, invalid("%s line %d is not \"sha256  path\"", path, ln)
		}
		if _, dup := m[name]; dup {
			return nil, invalid("%s lists %s twice", path, name)
		}
		if _, ok := b.files[name]; !ok {
			return nil, invalid("%s lists %s, which is missing", path, name)
		}
		m[name] = strings.ToLower(sum)
	}
	if err := sc.Err(); err != nil {
		return nil, invalid("%s cannot be read: %v", path, err)
	}
	return m, nil
}

func (b *Bag) check(path, want string) error {
	rc, err := b.File(path)
	if err != nil {
		return err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return invalid("%s cannot be read: %v", path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return invalid("%s: SHA-256 is %s, the manifest says %s", path, got, want)
	}
	return nil
}
