package pdf

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	p := New(&buf)
	p.Line("Café (a) \\ b — Ωmega 😀")
	p.Line("  " + strings.Repeat("word ", 40))
	for i := range 150 {
		p.Line(fmt.Sprintf("line %d", i))
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	pdf := buf.Bytes()
	if !bytes.Contains(pdf, []byte("(Caf\xe9 \\(a\\) \\\\ b ? ?mega ?) Tj")) {
		t.Errorf("the first line is not encoded in WinAnsi with escapes")
	}
	// 1 + 3 lines of wrapped words + 150 = 154 lines: three pages.
	if got := bytes.Count(pdf, []byte("/Type /Page ")); got != 3 {
		t.Errorf("%d pages, want 3", got)
	}
	if !bytes.Contains(pdf, []byte("/Count 3 >>")) {
		t.Error("the page tree does not count 3 pages")
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF$`).FindSubmatch(pdf)
	if m == nil {
		t.Fatal("no startxref at the end")
	}
	at, _ := strconv.Atoi(string(m[1]))
	x := regexp.MustCompile(`^xref\n0 (\d+)\n`).FindSubmatch(pdf[at:])
	if x == nil {
		t.Fatalf("startxref %d does not point at the xref table", at)
	}
	n, _ := strconv.Atoi(string(x[1]))
	table := pdf[at+len(x[0]):]
	for i := 1; i < n; i++ {
		off, _ := strconv.Atoi(string(table[20*i : 20*i+10]))
		if !bytes.HasPrefix(pdf[off:], fmt.Appendf(nil, "%d 0 obj\n", i)) {
			t.Errorf("xref entry %d points at %d", i, off)
		}
	}
	for _, l := range Wrap("  "+strings.Repeat("word ", 40), Width) {
		if len(l) > Width || !strings.HasPrefix(l, "  word") {
			t.Errorf("wrapped line %q", l)
		}
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is not installed: CI must read the PDF with it (.ci/run installs poppler-utils)")
		}
		return
	}
	path := filepath.Join(t.TempDir(), "r.pdf")
	os.WriteFile(path, pdf, 0o600)
	var stderr bytes.Buffer
	cmd := exec.Command("pdftotext", path, "-")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("pdftotext: %v: %s", err, stderr.Bytes())
	}
	for _, want := range []string{"Café (a) \\ b ? ?mega ?", "line 0", "line 149"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("pdftotext does not find %q in %s", want, out)
		}
	}
}
