package bag

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// checkName returns why p may not be the path of a file in a bag, or nil.
// A path is relative and slash-separated, valid UTF-8 in Unicode
// normalization form C, with no empty, "." or ".." part, no backslash,
// colon or control character, and no part ending in a dot or a space
// (which Windows drops, so that "a.txt." would overwrite "a.txt"): what
// could escape the folder a bag is unpacked in, or name one file in two
// ways, is refused.
func checkName(p string) error {
	switch {
	case p == "":
		return fmt.Errorf("an empty path")
	case len(p) > MaxNameLen:
		return fmt.Errorf("a path longer than %d bytes", MaxNameLen)
	case !utf8.ValidString(p):
		return fmt.Errorf("a path that is not valid UTF-8")
	case !norm.NFC.IsNormalString(p):
		return fmt.Errorf("a path not in Unicode normalization form C")
	case strings.HasPrefix(p, "/"):
		return fmt.Errorf("an absolute path")
	case strings.ContainsRune(p, '\\'):
		return fmt.Errorf("a path with a backslash")
	case strings.ContainsRune(p, ':'):
		return fmt.Errorf("a path with a colon (a drive letter or a stream name)")
	case strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f || r == utf8.RuneError }):
		return fmt.Errorf("a path with a control character")
	}
	for part := range strings.SplitSeq(p, "/") {
		switch {
		case part == "":
			return fmt.Errorf("a path with an empty part (a folder, or \"//\")")
		case part == "." || part == "..":
			return fmt.Errorf("a path with a %q part", part)
		case strings.HasSuffix(part, ".") || strings.HasSuffix(part, " "):
			return fmt.Errorf("a path with a part ending in a dot or a space")
		}
	}
	return nil
}

// foldName returns the form of p under which two paths that a file system
// may take for the same file are equal: Unicode compatibility normalization
// and case folding.
func foldName(p string) string {
	return norm.NFC.String(cases.Fold().String(norm.NFKC.String(p)))
}
