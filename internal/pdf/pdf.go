// Package pdf writes small PDF 1.4 documents of plain text: pages of
// lines in the standard Helvetica font (WinAnsi encoding), A4, written one
// page at a time, without any dependency. The records export's report and
// moderation's Removed Comments Tracking Form use it.
package pdf

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// Only the objects' byte offsets and the pages' object numbers are kept
// until the end, for the cross-reference table and the page tree.

const (
	PageLines   = 60  // lines per page
	Width       = 90  // characters per line
	pdfWidth    = 595 // A4, in points
	pdfHeight   = 842
	pdfFontSize = 10
	pdfLeading  = 12
	pdfMargin   = 50
)

// Fixed object numbers: the catalog, the page tree and the font.
const (
	pdfCatalog = 1
	pdfPages   = 2
	pdfFont    = 3
)

// Writer writes one PDF document; Line adds text, Close finishes it.
type Writer struct {
	w       io.Writer
	n       int64   // bytes written
	offsets []int64 // offsets[i] is where object i+1 starts
	pages   []int   // page objects
	lines   []string
	err     error
}

// New starts a document on w.
func New(w io.Writer) *Writer {
	p := &Writer{w: w, offsets: make([]int64, pdfFont)}
	// The comment's high bytes mark the file as binary, as the standard advises.
	p.printf("%%PDF-1.4\n%%\xe2\xe3\xcf\xd3\n")
	p.object(pdfFont, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	return p
}

func (p *Writer) printf(format string, args ...any) {
	if p.err != nil {
		return
	}
	n, err := fmt.Fprintf(p.w, format, args...)
	p.n += int64(n)
	p.err = err
}

// newObject reserves the next object number.
func (p *Writer) newObject() int {
	p.offsets = append(p.offsets, 0)
	return len(p.offsets)
}

// object writes object num with the given body, recording its offset.
func (p *Writer) object(num int, body string) {
	p.offsets[num-1] = p.n
	p.printf("%d 0 obj\n%s\nendobj\n", num, body)
}

// Line adds text as one or more lines, wrapped at word boundaries; each
// newline in text starts a new line.
func (p *Writer) Line(text string) {
	for _, para := range strings.Split(text, "\n") {
		for _, l := range Wrap(para, Width) {
			p.lines = append(p.lines, l)
			if len(p.lines) == PageLines {
				p.flushPage()
			}
		}
	}
}

// Wrap splits s into lines of at most width characters, breaking at
// spaces where it can; continuation lines keep s's indentation.
func Wrap(s string, width int) []string {
	r := []rune(strings.TrimRight(s, " \t\r"))
	if len(r) == 0 {
		return []string{""}
	}
	indent := 0
	for indent < len(r) && indent < width/2 && r[indent] == ' ' {
		indent++
	}
	var out []string
	for len(r) > width {
		cut := width
		for i := width; i > width/2; i-- {
			if r[i] == ' ' {
				cut = i
				break
			}
		}
		out = append(out, string(r[:cut]))
		r = r[cut:]
		for len(r) > 0 && r[0] == ' ' {
			r = r[1:]
		}
		if len(r) > 0 {
			r = append([]rune(strings.Repeat(" ", indent)), r...)
		}
	}
	return append(out, string(r))
}

// encode encodes s as a PDF literal string in WinAnsi: characters
// outside Latin-1 (and control characters) become '?'.
func encode(s string) []byte {
	b := make([]byte, 0, len(s)+2)
	b = append(b, '(')
	for _, r := range s {
		switch {
		case r == '\\' || r == '(' || r == ')':
			b = append(b, '\\', byte(r))
		case r == '\t':
			b = append(b, ' ')
		case r < 0x20 || (r >= 0x7f && r < 0xa0) || r > 0xff:
			b = append(b, '?')
		default:
			b = append(b, byte(r))
		}
	}
	return append(b, ')')
}

// flushPage writes the lines held as one page.
func (p *Writer) flushPage() {
	var c bytes.Buffer
	fmt.Fprintf(&c, "BT\n/F1 %d Tf\n%d TL\n%d %d Td\n", pdfFontSize, pdfLeading, pdfMargin, pdfHeight-pdfMargin-pdfFontSize)
	for _, l := range p.lines {
		c.Write(encode(l))
		c.WriteString(" Tj T*\n")
	}
	c.WriteString("ET\n")
	p.lines = p.lines[:0]
	content := p.newObject()
	p.offsets[content-1] = p.n
	p.printf("%d 0 obj\n<< /Length %d >>\nstream\n", content, c.Len())
	if p.err == nil {
		n, err := p.w.Write(c.Bytes())
		p.n += int64(n)
		p.err = err
	}
	p.printf("\nendstream\nendobj\n")
	page := p.newObject()
	p.object(page, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>",
		pdfPages, pdfWidth, pdfHeight, pdfFont, content))
	p.pages = append(p.pages, page)
}

// Close writes the last page, the page tree, the catalog, the
// cross-reference table and the trailer.
func (p *Writer) Close() error {
	if len(p.lines) > 0 || len(p.pages) == 0 {
		p.flushPage()
	}
	var kids strings.Builder
	for i, k := range p.pages {
		if i > 0 {
			kids.WriteByte(' ')
		}
		fmt.Fprintf(&kids, "%d 0 R", k)
	}
	p.object(pdfPages, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids.String(), len(p.pages)))
	p.object(pdfCatalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pdfPages))
	xref := p.n
	p.printf("xref\n0 %d\n0000000000 65535 f \n", len(p.offsets)+1)
	for _, off := range p.offsets {
		p.printf("%010d 00000 n \n", off)
	}
	p.printf("trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF", len(p.offsets)+1, pdfCatalog, xref)
	return p.err
}
