// Package pdf writes Steward's printable documents — the Removed Comments
// Tracking Form and the records export's report — as A4 PDFs of headings,
// paragraphs and labelled fields, in any language: the text is drawn with
// embedded Unicode fonts (subsets, fonts/), each character in the first
// font that has it, Arabic shaped and right-to-left text ordered for
// display, and the text layer carries exactly what was written. A
// character no font has prints as a box. Every page has a footer
// "Page N of M". The PDF itself is written by codeberg.org/go-pdf/fpdf;
// callers see only this package. docs/pdf.md tells more.
package pdf

import (
	"bytes"
	"cmp"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// Page geometry, in points (A4).
const (
	margin      = 56.0 // about 2 cm on every side
	bodySize    = 10.0
	bodyLeading = 13.5
	headSize    = 14.0
	headLeading = 19.0
	footerSize  = 8.0
	fieldIndent = 18.0
)

// Meta is what the document says about itself.
type Meta struct {
	Title   string
	Author  string
	Subject string
	// Lang is the document's main language, a BCP 47 tag such as "en".
	Lang string
	// Created is the creation date written in the document, so the same
	// content always gives the same bytes.
	Created time.Time
}

// Document is one PDF being written; Close writes it out.
type Document struct {
	w      io.Writer
	f      *fpdf.Fpdf
	faces  [numFaces]face
	added  [numFaces]bool
	widths map[[2]int]float64     // face, glyph -> advance at 1 pt
	ascii  [numFaces][128]float64 // the same for ASCII glyphs, 0 until measured
	plain  []cell                 // plainCells' cells, reused
	offs   []int                  // and where each starts in its text
	slow   bool                   // tests: lay out every paragraph the general way
	y      float64                // the baseline of the last line drawn
	err    error

	// The pages' contents, as fpdf would write them (content.go).
	page    []byte              // the page being written
	alias   int                 // where its footer's {nb} starts in page, or -1
	zip     *compressor         // the pages before it, compressed (pagestream.go)
	cur     fontState           // the font fpdf would have current
	ids     [numFaces]string    // fpdf's name of each face's font
	drawn   [numFaces]*coverage // the characters fpdf knows each face draws
	viaFpdf bool                // tests: let fpdf write the pages, as before
}

var langTag = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)

// New starts a document that Close writes to w.
func New(w io.Writer, m Meta) *Document {
	d := &Document{w: w, widths: map[[2]int]float64{}, cur: fontState{face: -1}, alias: -1, zip: newCompressor()}
	d.faces, d.err = loadFaces()
	f := fpdf.New("P", "pt", "A4", "")
	d.f = f
	f.SetCatalogSort(true)
	f.SetCompression(false) // Close compresses the pages (compress.go)
	f.SetCreationDate(m.Created.UTC())
	f.SetModificationDate(m.Created.UTC())
	f.SetProducer("Steward", true)
	f.SetCreator("Steward", true)
	f.SetTitle(m.Title, true)
	f.SetAuthor(m.Author, true)
	if m.Subject != "" {
		f.SetSubject(m.Subject, true)
	}
	if langTag.MatchString(m.Lang) {
		f.SetLang(m.Lang)
	}
	f.SetDisplayMode("default", "single")
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(false, margin)
	f.AliasNbPages(aliasNb)
	f.SetFooterFunc(d.footer)
	d.addPage()
	return d
}

// footer writes "Page N of M" at the foot of each page.
func (d *Document) footer() {
	text := "Page " + strconv.Itoa(d.f.PageNo()) + " of " + aliasNb
	d.use(sans, footerSize)
	d.syncFont()
	w := d.f.GetStringWidth(text)
	pw, ph := d.f.GetPageSize()
	start := len(d.page)
	d.text((pw-w)/2, ph-margin/2, text)
	if i := bytes.LastIndex(d.page[start:], alias16); i >= 0 && !d.viaFpdf {
		d.alias = start + i
	}
}

// width returns a glyph's advance at 1 pt.
func (d *Document) width(fc int, r rune) float64 {
	if r >= 0 && r < 128 {
		if w := d.ascii[fc][r]; w != 0 {
			return w
		}
	}
	k := [2]int{fc, int(r)}
	if w, ok := d.widths[k]; ok {
		return w
	}
	d.use(fc, 1000)
	d.syncFont()
	w := d.f.GetStringWidth(string(r)) / 1000
	d.widths[k] = w
	if r >= 0 && r < 128 {
		d.ascii[fc][r] = w
	}
	return w
}

// Heading adds a title in bold.
func (d *Document) Heading(text string) {
	d.block(text, true, headSize, headLeading, 0)
	d.y += bodyLeading / 2
}

// Line adds text: each line of it wrapped to the page's width, leading
// spaces indenting it and its continuation lines.
func (d *Document) Line(text string) {
	d.block(text, false, bodySize, bodyLeading, 0)
}

// Paragraph adds text and a blank line after it.
func (d *Document) Paragraph(text string) {
	d.Line(text)
	d.Space()
}

// Field adds a labelled value: the label in bold, then the value indented
// below it, and a blank line.
func (d *Document) Field(label, value string) {
	d.block(label, true, bodySize, bodyLeading, 0)
	d.block(value, false, bodySize, bodyLeading, fieldIndent)
	d.Space()
}

// Space adds a blank line.
func (d *Document) Space() {
	d.y += bodyLeading
}

// block lays out text in paragraphs, one per line of it.
func (d *Document) block(text string, bold bool, size, leading, indent float64) {
	if d.err != nil {
		return
	}
	pw, _ := d.f.GetPageSize()
	width := pw - 2*margin
	first := sans
	if bold {
		first = sansBold
	}
	for _, para := range splitParagraphs(text) {
		trimmed := strings.TrimLeft(para, " ")
		// Measuring a glyph for the first time sets its font, which is
		// written in the page: the steps keep their order.
		cs, offs, plain := d.plainCells(trimmed, first)
		if !plain {
			cs = d.cells(trimmed, bold)
		}
		in := indent + float64(len(para)-len(trimmed))*d.width(sans, ' ')*size
		in = min(in, width/2)
		if plain {
			// Drawn as drawLine would draw it, without its steps: one
			// run, left to right, in one face.
			for _, ln := range wrap(cs, (width-in)/size) {
				d.newLine(leading)
				if ln[0] < ln[1] {
					d.use(first, size)
					d.text(margin+in, d.y, trimmed[offs[ln[0]]:offs[ln[1]]])
				}
			}
			continue
		}
		rtlBase := baseRTL(cs)
		for _, ln := range wrap(cs, (width-in)/size) {
			d.newLine(leading)
			d.drawLine(cs[ln[0]:ln[1]], rtlBase, margin+in, width-in, size)
		}
	}
}

// newLine moves to the next baseline, starting a page when this one is
// full.
func (d *Document) newLine(leading float64) {
	_, ph := d.f.GetPageSize()
	if d.y+leading > ph-margin {
		d.addPage()
	}
	d.y += leading
}

// Close writes the document.
func (d *Document) Close() error {
	if d.err != nil {
		return d.err
	}
	if d.viaFpdf {
		d.f.SetCompression(true)
		return d.f.Output(d.w)
	}
	var doc capture
	if err := d.f.Output(&doc); err != nil {
		return err
	}
	if d.err != nil {
		return d.err
	}
	pages, err := d.finish()
	if err != nil {
		return err
	}
	err = writePages(d.w, doc.b, pages)
	return cmp.Or(err, pages.close())
}

// capture holds what fpdf writes out: the whole document, written at
// once from its buffer, which fpdf leaves alone after; holding it
// rather than copying it saves a copy of a document that may be hundreds
// of megabytes.
type capture struct{ b []byte }

func (c *capture) Write(p []byte) (int, error) {
	if c.b == nil {
		c.b = p
	} else {
		c.b = append(c.b, p...)
	}
	return len(p), nil
}
