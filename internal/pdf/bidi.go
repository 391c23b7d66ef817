package pdf

import "golang.org/x/text/unicode/bidi"

// Text is stored in logical order (the order it is typed and read) and
// drawn in visual order, left to right. This is the Unicode
// bidirectional algorithm for the implicit levels only, enough for a
// paragraph mixing right-to-left and left-to-right words and numbers:
// explicit embeddings, overrides and isolates (U+202A-202E, U+2066-2069)
// are not obeyed but hidden, so a crafted U+202E cannot make a record
// read backwards; the text layer still carries them.

type dir uint8

const (
	neutral dir = iota
	ltr
	rtl
	number // European or Arabic digits
)

// classify returns the bidirectional class of r, simplified.
func classify(r rune) dir {
	p, _ := bidi.LookupRune(r)
	switch p.Class() {
	case bidi.L:
		return ltr
	case bidi.R, bidi.AL:
		return rtl
	case bidi.EN, bidi.AN:
		return number
	}
	return neutral
}

// baseRTL says whether a paragraph reads right to left: whether its first
// strong character is right-to-left.
func baseRTL(cells []cell) bool {
	for _, c := range cells {
		switch classify(c.src) {
		case ltr:
			return false
		case rtl:
			return true
		}
	}
	return false
}

// levels resolves the embedding level of each cell of a line: even reads
// left to right, odd right to left.
func levels(cells []cell, rtlBase bool) []int {
	n := len(cells)
	base := dir(ltr)
	if rtlBase {
		base = rtl
	}
	types := make([]dir, n)
	last := base // the last strong type, for digits (W2, W7)
	for i, c := range cells {
		t := classify(c.src)
		if t == neutral && i > 0 && isMark(c.src) {
			t = types[i-1] // a mark takes its base's type (W1)
		}
		switch t {
		case ltr, rtl:
			last = t
		case number:
			if last == ltr {
				t = ltr
			}
		}
		types[i] = t
	}
	// Neutrals between two strong types of one direction take it, others
	// the paragraph's (N1, N2); digits count as right-to-left here.
	strong := func(t dir) dir {
		if t == number {
			return rtl
		}
		return t
	}
	for i := 0; i < n; {
		if types[i] != neutral {
			i++
			continue
		}
		j := i
		for j < n && types[j] == neutral {
			j++
		}
		before, after := base, base
		if i > 0 {
			before = strong(types[i-1])
		}
		if j < n {
			after = strong(types[j])
		}
		t := base
		if before == after {
			t = before
		}
		for k := i; k < j; k++ {
			types[k] = t
		}
		i = j
	}
	lv := make([]int, n)
	for i, t := range types {
		switch {
		case !rtlBase && t == rtl:
			lv[i] = 1
		case !rtlBase && t == number, rtlBase && t != rtl:
			lv[i] = 2
		case rtlBase:
			lv[i] = 1
		}
	}
	return lv
}

// visualOrder returns the indexes of cells in the order they are drawn,
// left to right (rule L2), and whether any was reversed.
func visualOrder(lv []int) ([]int, bool) {
	order := make([]int, len(lv))
	high, lowOdd := 0, 99
	for i := range order {
		order[i] = i
		high = max(high, lv[i])
		if lv[i]%2 == 1 {
			lowOdd = min(lowOdd, lv[i])
		}
	}
	for level := high; level >= lowOdd && level > 0; level-- {
		for i := 0; i < len(order); {
			if lv[order[i]] < level {
				i++
				continue
			}
			j := i
			for j < len(order) && lv[order[j]] >= level {
				j++
			}
			for a, b := i, j-1; a < b; a, b = a+1, b-1 {
				order[a], order[b] = order[b], order[a]
			}
			i = j
		}
	}
	return order, high > 0
}

// mirrored is the glyph of a paired character drawn right to left (L4).
var mirrored = map[rune]rune{
	'(': ')', ')': '(', '[': ']', ']': '[', '{': '}', '}': '{', '<': '>', '>': '<',
	'«': '»', '»': '«', '‹': '›', '›': '‹',
}
