package pdf

import (
	"fmt"
	"strings"
	"unicode/utf16"
)

// wrap breaks a paragraph's cells into lines no wider than width (in
// units of the font size): at spaces, between two Han or kana characters,
// and inside a word only when the word alone is too wide. Lines leave out
// the spaces they break at. An empty paragraph is one empty line.
func wrap(cs []cell, width float64) [][2]int {
	var lines [][2]int
	start := 0
	for {
		x := 0.0
		end, brk := len(cs), -1
		for i := start; i < len(cs); i++ {
			c := cs[i]
			if c.src == ' ' {
				brk = i
			} else if i > start && cjk(cs[i-1].src) && cjk(c.src) {
				brk = i
			}
			if c.src != ' ' && x+c.w > width && i > start {
				if brk > start {
					end = brk
				} else {
					end = i
					for end > start+1 && cs[end].w == 0 { // keep marks with their base
						end--
					}
				}
				break
			}
			x += c.w
		}
		e := end
		for e > start && cs[e-1].src == ' ' {
			e--
		}
		lines = append(lines, [2]int{start, e})
		for end < len(cs) && cs[end].src == ' ' {
			end++
		}
		if end >= len(cs) {
			return lines
		}
		start = end
	}
}

// cjk says whether a line may break before or after r.
func cjk(r rune) bool {
	return r >= 0x2E80 && r <= 0x9FFF || r >= 0xF900 && r <= 0xFAFF || r >= 0xFF00 && r <= 0xFFEF || r >= 0x20000 && r <= 0x3FFFF
}

// drawLine draws one line in visual order: right-to-left lines align
// right. The text layer reads each glyph's character through its font's
// map to Unicode, which is right for most glyphs: Arabic presentation
// forms read as themselves (NFKC turns them back into the letters), and
// readers put right-to-left text back in logical order themselves. A
// glyph that stands for something else — an emoji moved below U+FFFF, the
// box, a character followed by hidden format characters — is marked with
// what was written (an ActualText span), which text extraction, search
// and screen readers use instead.
func (d *Document) drawLine(cs []cell, rtlBase bool, x, width, size float64) {
	if len(cs) == 0 {
		return
	}
	lv := levels(cs, rtlBase)
	order, _ := visualOrder(lv)
	actual := make([]string, len(cs))
	owner, lead := -1, "" // the visible cell before, which carries hidden ones
	lineW := 0.0
	for i := range cs {
		c := &cs[i]
		lineW += c.w * size
		if c.hidden {
			if _, arabicLetter := arabicForms[c.src]; arabicLetter {
				continue // the alef of lam-alef: the ligature reads as both
			}
			if owner < 0 {
				lead += string(c.text)
				continue
			}
			if actual[owner] == "" {
				actual[owner] = string(cs[owner].text)
			}
			actual[owner] += string(c.text)
			continue
		}
		owner = i
		special := c.boxed || c.text != c.src || c.glyph >= emojiPUA && c.glyph <= 0xF8FF || lead != ""
		if lv[i]%2 == 1 {
			if m, ok := mirrored[c.glyph]; ok {
				c.glyph = m // drawn mirrored, read as written
				special = true
			}
		}
		if special {
			actual[i] = lead + string(c.text)
			lead = ""
		}
	}
	if rtlBase {
		x += width - lineW
	}
	for i := 0; i < len(order); {
		k := order[i]
		if cs[k].hidden {
			i++
			continue
		}
		var run strings.Builder
		run.WriteRune(cs[k].glyph)
		w := cs[k].w * size
		j := i + 1
		for actual[k] == "" && j < len(order) {
			n := order[j]
			if cs[n].hidden {
				j++
				continue
			}
			if cs[n].face != cs[k].face || actual[n] != "" {
				break
			}
			run.WriteRune(cs[n].glyph)
			w += cs[n].w * size
			j++
		}
		d.use(cs[k].face, size)
		if actual[k] != "" {
			d.raw("/Span <</ActualText " + utf16Hex(actual[k]) + ">> BDC")
		}
		d.text(x, d.y, run.String())
		if actual[k] != "" {
			d.raw("EMC")
		}
		x += w
		i = j
	}
}

// utf16Hex encodes s as a PDF text string: UTF-16BE with its byte order
// mark, in hexadecimal, which needs no escaping.
func utf16Hex(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}
