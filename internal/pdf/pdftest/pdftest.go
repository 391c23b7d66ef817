// Package pdftest reads the text of a PDF back for tests, with poppler's
// pdftotext, as a person's PDF reader or a search would. Under CI=true a
// missing pdftotext fails the test (.ci/run installs poppler-utils);
// elsewhere the caller is told to skip the check.
package pdftest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Text returns the text pdftotext reads from doc, in reading order
// (without -layout), and true; or "" and false when pdftotext is not
// installed outside CI. pdftotext's complaints about the file (written
// to standard error) fail the test: the PDF must be valid.
func Text(t testing.TB, doc []byte) (string, bool) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is not installed: CI must read PDFs with it (.ci/run installs poppler-utils)")
		}
		t.Log("pdftotext is not installed (apt-get install poppler-utils): the PDF's text is not checked")
		return "", false
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command("pdftotext", "-enc", "UTF-8", path, "-")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("pdftotext cannot read the PDF: %v: %s", err, stderr.Bytes())
	}
	return string(out), true
}

// Normalize makes extracted text and the text that was written
// comparable:
//   - NFKC, which turns Arabic presentation forms (the shaped letters the
//     PDF draws) back into the letters, and the lam-alef ligature into lam
//     and alef;
//   - the bidirectional embedding and isolate controls (U+202A-202E,
//     U+2066-2069) dropped, since pdftotext wraps right-to-left runs in
//     them;
//   - every run of white space (the PDF's line breaks, and the page
//     footer's blank lines) made one space, and the ends trimmed.
func Normalize(s string) string {
	s = norm.NFKC.String(s)
	s = strings.Map(func(r rune) rune {
		if r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// Info returns what pdfinfo says of doc ("Title", "Author", "Pages", ...)
// and true, or nil and false as Text does when poppler is missing.
func Info(t testing.TB, doc []byte) (map[string]string, bool) {
	t.Helper()
	if _, err := exec.LookPath("pdfinfo"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdfinfo is not installed: CI must read PDFs with it (.ci/run installs poppler-utils)")
		}
		t.Log("pdfinfo is not installed (apt-get install poppler-utils): the PDF's metadata is not checked")
		return nil, false
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", "-enc", "UTF-8", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo cannot read the PDF: %v: %s", err, out)
	}
	info := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			info[k] = strings.TrimSpace(v)
		}
	}
	return info, true
}

// Save writes doc, and its pages as PNG at 60 dpi (pdftoppm), into the
// folder named by STEWARD_SCREENSHOTS, if set, as name.pdf and
// name-N.png, for a person to look at.
func Save(t testing.TB, name string, doc []byte) {
	t.Helper()
	dir := os.Getenv("STEWARD_SCREENSHOTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-r", "60", "-png", path, filepath.Join(dir, name)).CombinedOutput(); err != nil {
		t.Logf("pdftoppm: %v: %s", err, out)
	}
}

// RTLRuns returns the right-to-left runs pdftotext marks in text (between
// U+202B and U+202C), normalized. pdftotext prints each run in logical
// order, but the runs of a line, and the punctuation between them, in the
// order they stand on the page from left to right: a paragraph of Arabic
// sentences reads back as its runs, each of which must be a piece of
// what was written.
func RTLRuns(text string) []string {
	var runs []string
	for {
		_, after, ok := strings.Cut(text, "\u202B")
		if !ok {
			return runs
		}
		run, rest, _ := strings.Cut(after, "\u202C")
		if n := Normalize(run); n != "" {
			runs = append(runs, n)
		}
		text = rest
	}
}

// Fonts returns the names of the fonts doc embeds, as pdffonts lists
// them, and true; or nil and false as Text does when poppler is missing.
// internal/pdf names its fonts utf8 and the face: utf8sans, utf8sansB,
// utf8arabic, utf8ethiopic, utf8han, utf8emoji, and utf8symbols (which
// draws the replacement box).
func Fonts(t testing.TB, doc []byte) ([]string, bool) {
	t.Helper()
	if _, err := exec.LookPath("pdffonts"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdffonts is not installed: CI must read PDFs with it (.ci/run installs poppler-utils)")
		}
		t.Log("pdffonts is not installed (apt-get install poppler-utils): the PDF's fonts are not checked")
		return nil, false
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdffonts", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdffonts cannot read the PDF: %v: %s", err, out)
	}
	var names []string
	for i, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f := strings.Fields(line); i >= 2 && len(f) > 0 {
			names = append(names, f[0])
		}
	}
	return names, true
}
