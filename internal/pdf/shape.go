package pdf

// Arabic letters change shape with their neighbours. The PDF writer
// draws one glyph per character and does not shape, so the letters are
// replaced here by their presentation forms (Unicode's Arabic
// Presentation Forms-A and -B blocks), which the Arabic font maps: the
// isolated, final, initial or medial form by whether the letter joins the
// one before and the one after it, and lam followed by alef by their
// ligature. NFKC maps every presentation form back to the letters, and
// the text layer carries the letters as written (see line.go).

// forms are a letter's isolated, final, initial and medial forms; a
// letter that joins only the one before it has no initial or medial form.
type forms [4]rune

const (
	isolated = iota
	final
	initial
	medial
)

// arabicForms lists the letters of Arabic and the Persian and Urdu
// letters most used in the United States.
var arabicForms = map[rune]forms{
	0x0621: {0xFE80},
	0x0622: {0xFE81, 0xFE82},
	0x0623: {0xFE83, 0xFE84},
	0x0624: {0xFE85, 0xFE86},
	0x0625: {0xFE87, 0xFE88},
	0x0626: {0xFE89, 0xFE8A, 0xFE8B, 0xFE8C},
	0x0627: {0xFE8D, 0xFE8E},
	0x0628: {0xFE8F, 0xFE90, 0xFE91, 0xFE92},
	0x0629: {0xFE93, 0xFE94},
	0x062A: {0xFE95, 0xFE96, 0xFE97, 0xFE98},
	0x062B: {0xFE99, 0xFE9A, 0xFE9B, 0xFE9C},
	0x062C: {0xFE9D, 0xFE9E, 0xFE9F, 0xFEA0},
	0x062D: {0xFEA1, 0xFEA2, 0xFEA3, 0xFEA4},
	0x062E: {0xFEA5, 0xFEA6, 0xFEA7, 0xFEA8},
	0x062F: {0xFEA9, 0xFEAA},
	0x0630: {0xFEAB, 0xFEAC},
	0x0631: {0xFEAD, 0xFEAE},
	0x0632: {0xFEAF, 0xFEB0},
	0x0633: {0xFEB1, 0xFEB2, 0xFEB3, 0xFEB4},
	0x0634: {0xFEB5, 0xFEB6, 0xFEB7, 0xFEB8},
	0x0635: {0xFEB9, 0xFEBA, 0xFEBB, 0xFEBC},
	0x0636: {0xFEBD, 0xFEBE, 0xFEBF, 0xFEC0},
	0x0637: {0xFEC1, 0xFEC2, 0xFEC3, 0xFEC4},
	0x0638: {0xFEC5, 0xFEC6, 0xFEC7, 0xFEC8},
	0x0639: {0xFEC9, 0xFECA, 0xFECB, 0xFECC},
	0x063A: {0xFECD, 0xFECE, 0xFECF, 0xFED0},
	0x0641: {0xFED1, 0xFED2, 0xFED3, 0xFED4},
	0x0642: {0xFED5, 0xFED6, 0xFED7, 0xFED8},
	0x0643: {0xFED9, 0xFEDA, 0xFEDB, 0xFEDC},
	0x0644: {0xFEDD, 0xFEDE, 0xFEDF, 0xFEE0},
	0x0645: {0xFEE1, 0xFEE2, 0xFEE3, 0xFEE4},
	0x0646: {0xFEE5, 0xFEE6, 0xFEE7, 0xFEE8},
	0x0647: {0xFEE9, 0xFEEA, 0xFEEB, 0xFEEC},
	0x0648: {0xFEED, 0xFEEE},
	0x0649: {0xFEEF, 0xFEF0, 0xFBE8, 0xFBE9},
	0x064A: {0xFEF1, 0xFEF2, 0xFEF3, 0xFEF4},
	0x0671: {0xFB50, 0xFB51},
	0x067E: {0xFB56, 0xFB57, 0xFB58, 0xFB59},
	0x0686: {0xFB7A, 0xFB7B, 0xFB7C, 0xFB7D},
	0x0698: {0xFB8A, 0xFB8B},
	0x06A9: {0xFB8E, 0xFB8F, 0xFB90, 0xFB91},
	0x06AF: {0xFB92, 0xFB93, 0xFB94, 0xFB95},
	0x06CC: {0xFBFC, 0xFBFD, 0xFBFE, 0xFBFF},
}

// lamAlef maps the alef after a lam to the ligature's isolated and final
// forms.
var lamAlef = map[rune][2]rune{
	0x0622: {0xFEF5, 0xFEF6},
	0x0623: {0xFEF7, 0xFEF8},
	0x0625: {0xFEF9, 0xFEFA},
	0x0627: {0xFEFB, 0xFEFC},
}

const (
	lam     = 0x0644
	tatweel = 0x0640
)

// transparent says whether r is an Arabic mark, which joining skips.
func transparent(r rune) bool {
	return r >= 0x064B && r <= 0x065F || r == 0x0670 || r >= 0x06D6 && r <= 0x06ED && r != 0x06DD && r != 0x06DE
}

// joinsAfter says whether r joins the letter that follows it.
func joinsAfter(r rune) bool {
	if r == tatweel {
		return true
	}
	f, ok := arabicForms[r]
	return ok && f[initial] != 0
}

// joinsBefore says whether r joins the letter before it.
func joinsBefore(r rune) bool {
	if r == tatweel {
		return true
	}
	f, ok := arabicForms[r]
	return ok && f[final] != 0
}

// shapeArabic sets the glyph of each Arabic letter in cells to its
// presentation form, in logical order; the alef of a lam-alef ligature is
// hidden, its lam drawing both.
func shapeArabic(cells []cell) {
	prev := func(i int) rune { // the letter before i, skipping marks
		for j := i - 1; j >= 0; j-- {
			if !transparent(cells[j].src) {
				return cells[j].src
			}
		}
		return 0
	}
	next := func(i int) (rune, int) {
		for j := i + 1; j < len(cells); j++ {
			if !transparent(cells[j].src) {
				return cells[j].src, j
			}
		}
		return 0, -1
	}
	for i := range cells {
		r := cells[i].src
		if r < 0x0600 { // no Arabic letter comes before U+0600
			continue
		}
		f, ok := arabicForms[r]
		if !ok || cells[i].hidden {
			continue
		}
		before := joinsAfter(prev(i)) && joinsBefore(r)
		n, at := next(i)
		if r == lam {
			if lig, ok := lamAlef[n]; ok {
				cells[i].glyph = lig[0]
				if before {
					cells[i].glyph = lig[1]
				}
				cells[at].hidden = true
				continue
			}
		}
		after := joinsAfter(r) && joinsBefore(n)
		form := isolated
		switch {
		case before && after:
			form = medial
		case before:
			form = final
		case after:
			form = initial
		}
		cells[i].glyph = f[form]
	}
}
