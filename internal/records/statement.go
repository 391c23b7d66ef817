package records

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"steward.city/steward/internal/bag"
)

// statement is the text of proof/statement.txt, which the checkpoint key
// signs (the signed-note format, like the checkpoint):
//
//	steward-export
//	format 2
//	request 12
//	versions 499
//	checkpoint 1204 4nKq…base64 root…=
//	file 3a7bd3e2…  bag-info.txt
//	file …          data/items.jsonl
//	…
//
// It names the request, how many versions the bag holds, the checkpoint
// whose tree holds them, and the SHA-256 of every file of the bag but the
// media files (which the payload manifest, itself listed, covers), the
// statement itself and the tag manifest (which lists the statement). Files
// are listed by path in byte order, each once. Every line is in this order
// and this form: anything else is refused.
type statement struct {
	request  int64
	versions int64
	size     int64
	root     string
	files    []bag.File
}

// signs reports whether the statement lists path, rather than leaving it to
// the payload manifest or to nothing.
func signs(path string) bool {
	return !strings.HasPrefix(path, DirMedia) && path != FileStatement && path != bag.FileTagManifest
}

func (s *statement) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nformat %s\nrequest %d\nversions %d\ncheckpoint %d %s\n", statementOrigin, Format, s.request, s.versions, s.size, s.root)
	files := slices.Clone(s.files)
	slices.SortFunc(files, func(a, b bag.File) int { return strings.Compare(a.Path, b.Path) })
	for _, f := range files {
		fmt.Fprintf(&b, "file %s %s\n", f.SHA256, f.Path)
	}
	return b.String()
}

// parseStatement reads a statement's text strictly.
func parseStatement(text string) (*statement, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	bad := func(n int, want string) error {
		return fail("%s line %d is not %s", FileStatement, n+1, want)
	}
	if len(lines) < 5 || lines[0] != statementOrigin {
		return nil, fail("%s is not an export statement", FileStatement)
	}
	if lines[1] != "format "+Format {
		return nil, fail("%s states %q: this bag format is not %s, the one Steward verifies", FileStatement, lines[1], Format)
	}
	s := &statement{}
	num := func(n int, label string) (int64, error) {
		v, ok := strings.CutPrefix(lines[n], label+" ")
		x, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil || x < 0 || strconv.FormatInt(x, 10) != v {
			return 0, bad(n, fmt.Sprintf("%q and a number", label))
		}
		return x, nil
	}
	var err error
	if s.request, err = num(2, "request"); err != nil {
		return nil, err
	}
	if s.versions, err = num(3, "versions"); err != nil {
		return nil, err
	}
	cp, ok := strings.CutPrefix(lines[4], "checkpoint ")
	size, root, ok2 := strings.Cut(cp, " ")
	if s.size, err = strconv.ParseInt(size, 10, 64); !ok || !ok2 || err != nil || strconv.FormatInt(s.size, 10) != size || root == "" {
		return nil, bad(4, `"checkpoint SIZE ROOT"`)
	}
	s.root = root
	for n := 5; n < len(lines); n++ {
		rest, ok := strings.CutPrefix(lines[n], "file ")
		sum, path, ok2 := strings.Cut(rest, " ")
		if !ok || !ok2 || len(sum) != 64 || strings.ToLower(sum) != sum || strings.Trim(sum, "0123456789abcdef") != "" || !signs(path) {
			return nil, bad(n, `"file SHA256 PATH"`)
		}
		if len(s.files) > 0 && s.files[len(s.files)-1].Path >= path {
			return nil, fail("%s lists %s out of order or twice", FileStatement, path)
		}
		s.files = append(s.files, bag.File{Path: path, SHA256: sum})
	}
	if text != s.text() {
		return nil, fail("%s is not in the form Steward writes", FileStatement)
	}
	return s, nil
}

// file returns the SHA-256 the statement signs for path, or "".
func (s *statement) file(path string) string {
	i, ok := slices.BinarySearchFunc(s.files, path, func(f bag.File, p string) int { return strings.Compare(f.Path, p) })
	if !ok {
		return ""
	}
	return s.files[i].SHA256
}
