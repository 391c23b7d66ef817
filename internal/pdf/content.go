package pdf

import (
	"bytes"
	"errors"
	"strconv"
	"sync"
	"unicode/utf16"

	"codeberg.org/go-pdf/fpdf"
)

// The pages' contents are written by the Document itself, byte for byte
// as fpdf would write them for the same calls (its SetFont, Text,
// RawWriteStr and AddPage), into a buffer per page; fpdf still makes the
// document around them — pages, fonts and their subsets, metadata — and
// Close puts the contents in place of what fpdf wrote for the pages
// (compress.go). fpdf's own Text costs far more per line (a map write per
// character, formatting by fmt, copies) and holds every page twice at the
// end. fpdf must still learn which characters each font draws, to subset
// it: each character is drawn once through fpdf, into its copy of the
// page, which Close throws away. TestContentMatchesFpdf compares whole
// documents made both ways.

// fontState is the font fpdf would have current: a face and a size in
// points; face -1 before any.
type fontState struct {
	face int
	size float64
}

// use makes a face the current font, adding it to the document the first
// time: only the fonts a document uses are read and embedded.
func (d *Document) use(fc int, size float64) {
	if !d.added[fc] {
		b, err := fontBytes(&d.faces[fc])
		if err != nil && d.err == nil {
			d.err = err
		}
		d.f.AddUTF8FontFromBytes(d.faces[fc].family, d.faces[fc].style, b)
		d.added[fc] = true
		if !d.viaFpdf {
			id, err := fontIDs[fc]()
			if err != nil && d.err == nil {
				d.err = err
			}
			d.ids[fc] = id
		}
	}
	if d.viaFpdf {
		d.f.SetFont(d.faces[fc].family, d.faces[fc].style, size)
		return
	}
	// As fpdf's SetFont writes it.
	d.page = append(d.page, "BT /F"...)
	d.page = append(d.page, d.ids[fc]...)
	d.page = append(d.page, ' ')
	d.page = strconv.AppendFloat(d.page, size, 'f', 2, 64)
	d.page = append(d.page, " Tf ET\n"...)
	d.cur = fontState{fc, size}
}

// syncFont makes fpdf's current font the one use made current, for fpdf
// to measure or draw in it.
func (d *Document) syncFont() {
	if !d.viaFpdf && d.cur.face >= 0 {
		d.f.SetFont(d.faces[d.cur.face].family, d.faces[d.cur.face].style, d.cur.size)
	}
}

// text draws s in the current font with its baseline starting at (x, y),
// as fpdf's Text does.
func (d *Document) text(x, y float64, s string) {
	if d.viaFpdf {
		d.f.Text(x, y, s)
		return
	}
	if d.cur.face < 0 {
		return
	}
	drawn := d.drawn[d.cur.face]
	if drawn == nil {
		drawn = new(coverage)
		d.drawn[d.cur.face] = drawn
	}
	var fresh []rune
	for _, r := range s {
		if r > 0xFFFF {
			r = 0xFFFD // never drawn: cells draw the box for what no font has
		}
		if !drawn.contains(r) {
			drawn[r/64] |= 1 << (r % 64)
			fresh = append(fresh, r)
		}
	}
	if len(fresh) > 0 {
		// fpdf learns the characters for the font's subset, drawing them
		// into its own copy of the page, which Close does not use.
		d.syncFont()
		d.f.Text(x, y, string(fresh))
	}
	_, h := d.f.GetPageSize()
	k := d.f.GetConversionRatio()
	p := append(d.page, "BT "...)
	p = strconv.AppendFloat(p, x*k, 'f', 2, 64)
	p = append(p, ' ')
	p = strconv.AppendFloat(p, (h-y)*k, 'f', 2, 64)
	p = append(p, " Td ("...)
	for _, r := range s {
		if r > 0xFFFF {
			r = 0xFFFD
		}
		for _, c := range [2]byte{byte(r >> 8), byte(r)} { // UTF-16BE, escaped
			switch c {
			case '\\', '(', ')':
				p = append(p, '\\', c)
			case '\r':
				p = append(p, '\\', 'r')
			default:
				p = append(p, c)
			}
		}
	}
	d.page = append(p, ") Tj ET\n"...)
}

// raw writes s and a line end into the page, as fpdf's RawWriteStr does.
func (d *Document) raw(s string) {
	if d.viaFpdf {
		d.f.RawWriteStr(s)
		return
	}
	d.page = append(d.page, s...)
	d.page = append(d.page, '\n')
}

// What fpdf's AddPage writes in a page before its content, around the
// font: line cap, line join and line width, then the stroke and fill
// colours, as fpdf sets them by default.
const (
	pageLines  = "0 J\n0 j\n0.57 w\n"
	pageColors = "0.000 G\n0.000 g\n"
)

// addPage starts a page.
func (d *Document) addPage() {
	saved := d.cur // AddPage keeps the font from before the footer
	d.f.AddPage()  // the previous page's footer, then fpdf's copy of the page
	d.y = margin
	if d.viaFpdf {
		return
	}
	if d.f.PageNo() > 1 {
		d.zip.add(d.page, d.alias)
		d.page, d.alias = make([]byte, 0, len(d.page)+len(d.page)/8), -1
	}
	d.page = append(d.page, pageLines...)
	if saved.face < 0 {
		d.page = append(d.page, pageColors...)
		return
	}
	d.use(saved.face, saved.size) // fpdf sets the font,
	d.page = append(d.page, pageColors...)
	d.use(saved.face, saved.size) // and sets it again after the header
}

// finish returns the pages' contents compressed, once fpdf has written
// the last page's footer, with the footer's alias {nb} replaced by the
// number of pages (pagestream.go).
func (d *Document) finish() (*pageSet, error) {
	d.zip.add(d.page, d.alias)
	d.page, d.alias = nil, -1
	return d.zip.finish(len(d.zip.streams))
}

// aliasNb stands for the number of pages in the footer.
const aliasNb = "{nb}"

// utf16BE returns s in UTF-16BE without a byte order mark.
func utf16BE(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}

// fontIDs learns, once per process, the name fpdf gives each face's font
// in the pages ("/F" and the name), which fpdf derives from the font's
// file and family alone: from a one-page document that sets the font.
var fontIDs = func() (ids [numFaces]func() (string, error)) {
	for fc := range ids {
		ids[fc] = sync.OnceValues(func() (string, error) { return learnFontID(fc) })
	}
	return ids
}()

var errFontID = errors.New("pdf: cannot learn fpdf's name of a font")

func learnFontID(fc int) (string, error) {
	faces, err := loadFaces()
	if err != nil {
		return "", err
	}
	b, err := fontBytes(&faces[fc])
	if err != nil {
		return "", err
	}
	f := fpdf.New("P", "pt", "A4", "")
	f.SetCompression(false)
	f.AliasNbPages(aliasNb)
	f.AddUTF8FontFromBytes(faces[fc].family, faces[fc].style, b)
	f.AddPage()
	f.SetFont(faces[fc].family, faces[fc].style, 10)
	var doc bytes.Buffer
	if err := f.Output(&doc); err != nil {
		return "", err
	}
	_, after, ok := bytes.Cut(doc.Bytes(), []byte("\nBT /F"))
	id, _, ok2 := bytes.Cut(after, []byte(" 10.00 Tf ET\n"))
	if !ok || !ok2 || len(id) == 0 || bytes.ContainsAny(id, " \n/") {
		return "", errFontID
	}
	return string(id), nil
}
