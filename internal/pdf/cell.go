package pdf

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// A cell is one character of a paragraph, in logical order, and what is
// drawn for it.
type cell struct {
	src    rune    // the character as written (U+FFFD for invalid UTF-8)
	text   rune    // what the text layer carries for it
	glyph  rune    // the character drawn, in face: a presentation form, an emoji moved below U+FFFF, or the box
	face   int     // which font draws it
	w      float64 // its advance, in points
	hidden bool    // drawn as nothing: a format control, the alef of lam-alef, a mark composed into its base
	boxed  bool    // no font has it: drawn as the replacement box
}

// box is drawn for a character no embedded font has.
const box = '\u25A1' // WHITE SQUARE

// The emoji above U+FFFF are moved to the private use area in the emoji
// font (fonts/build.sh), since the writer addresses glyphs by 16-bit code.
const (
	emojiFirst = 0x1F000
	emojiLast  = 0x1FAFF
	emojiPUA   = 0xE000
)

// invisible says whether r is a format character that draws nothing:
// joiners, directional marks and controls, variation selectors, tags.
func invisible(r rune) bool {
	switch {
	case r == 0x00AD, r == 0x034F, r >= 0x180B && r <= 0x180E, r >= 0x200B && r <= 0x200F,
		r >= 0x202A && r <= 0x202E, r >= 0x2060 && r <= 0x206F, r >= 0xFE00 && r <= 0xFE0F,
		r == 0xFEFF, r >= 0xE0000 && r <= 0xE0FFF:
		return true
	}
	return false
}

// isMark says whether r combines with the character before it.
func isMark(r rune) bool {
	return r >= 0x0300 && unicode.In(r, unicode.Mn, unicode.Me) // none comes before U+0300
}

// splitParagraphs splits text at line ends (\n, \r\n, \r, U+2028,
// U+2029), turns tabs into four spaces and replaces invalid UTF-8 by
// U+FFFD.
func splitParagraphs(text string) []string {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	// ContainsAny with a non-ASCII set tries each rune of the set in turn:
	// three scans by byte are several times faster on a long report.
	if strings.ContainsAny(text, "\r\t") || strings.Contains(text, "\u2028") || strings.Contains(text, "\u2029") {
		text = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n", "\t", "    ").Replace(text)
	}
	return strings.Split(text, "\n")
}

// cells prepares a paragraph: picks each character's glyph and font,
// shapes Arabic, and measures.
func (d *Document) cells(para string, bold bool) []cell {
	cs := make([]cell, 0, len(para))
	for _, r := range para {
		c := cell{src: r, text: r, glyph: r, face: -1}
		switch {
		case unicode.IsControl(r):
			// Control characters print as the box, and the text layer
			// carries U+FFFD: the record shows something was there.
			c.text, c.boxed = '\uFFFD', true
		case invisible(r):
			c.hidden = true
		}
		cs = append(cs, c)
	}
	d.compose(cs)
	shapeArabic(cs)
	for i := range cs {
		c := &cs[i]
		if c.hidden {
			continue
		}
		if c.glyph >= emojiFirst && c.glyph <= emojiLast && d.faces[emoji].has.contains(c.glyph-emojiFirst+emojiPUA) {
			c.glyph, c.face = c.glyph-emojiFirst+emojiPUA, emoji
		}
		if c.face < 0 && !c.boxed {
			c.face = d.pick(c.glyph, bold, cs[:i])
		}
		if c.face < 0 {
			c.boxed, c.glyph, c.face = true, box, symbols
		}
		c.w = d.width(c.face, c.glyph)
	}
	return cs
}

// plain says whether r is drawn as itself in the Latin fonts, with
// nothing for cells to do: printable ASCII, Latin-1 and Latin Extended
// (no control, no combining mark, no format character, none right to
// left) and the dashes, quotes, bullets and ellipsis of U+2010-2027.
func plain(r rune) bool {
	return r >= 0x20 && r <= 0x7E || r >= 0xA0 && r < 0x0300 && r != 0xAD || r >= 0x2010 && r <= 0x2027
}

// plainCells returns the cells of para, and where each starts in it (and
// its length after the last), when every character of it is plain and
// in face first, the Latin face its text is drawn in: then each cell
// draws its character in first, left to right, as cells, levels and
// drawLine would. The slices are reused by the next call.
func (d *Document) plainCells(para string, first int) ([]cell, []int, bool) {
	if d.slow {
		return nil, nil, false
	}
	for _, r := range para { // first, since measuring may write to the page
		if !plain(r) || !d.faces[first].has.contains(r) {
			return nil, nil, false
		}
	}
	cs, offs := d.plain[:0], d.offs[:0]
	for i, r := range para {
		cs = append(cs, cell{src: r, text: r, glyph: r, face: first, w: d.width(first, r)})
		offs = append(offs, i)
	}
	offs = append(offs, len(para))
	d.plain, d.offs = cs, offs
	return cs, offs, true
}

// pick returns the first face that has r, preferring for spaces,
// punctuation and combining marks the face of the character before, so a
// line of Arabic keeps its spaces in the Arabic font and a mark draws in
// its base's font; -1 when none has it.
func (d *Document) pick(r rune, bold bool, before []cell) int {
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) && len(before) > 0 {
		if p := before[len(before)-1]; p.face >= 0 && !p.boxed && d.faces[p.face].has.contains(r) {
			return p.face
		}
	}
	first := sans
	if bold {
		first = sansBold
	}
	for _, f := range []int{first, arabic, hebrew, ethiopic, han, emoji, symbols} {
		if d.faces[f].has.contains(r) {
			return f
		}
	}
	return -1
}

// compose draws a letter followed by combining marks as the one
// precomposed character they make (NFC), when a font has it: the fonts
// do not position marks, so "e" + U+0302 + U+0301 prints far better as
// "ế". The marks are hidden and the text layer still reads them as
// written (line.go).
func (d *Document) compose(cs []cell) {
	for i := 0; i < len(cs); i++ {
		if cs[i].hidden || cs[i].boxed || isMark(cs[i].src) {
			continue
		}
		j := i + 1
		for j < len(cs) && isMark(cs[j].src) && !cs[j].hidden {
			j++
		}
		if j == i+1 {
			continue
		}
		seq := make([]rune, 0, j-i)
		for _, c := range cs[i:j] {
			seq = append(seq, c.src)
		}
		composed := []rune(norm.NFC.String(string(seq)))
		if len(composed) != 1 || d.pick(composed[0], false, nil) < 0 {
			continue
		}
		cs[i].glyph = composed[0]
		for k := i + 1; k < j; k++ {
			cs[k].hidden = true
		}
		i = j - 1
	}
}
