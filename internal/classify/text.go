package classify

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// token is one word of a comment after normalization, with the byte span of
// the original comment it came from.
type token struct {
	text       string // normalized: NFKC, lower case, look-alikes and leetspeak mapped, long runs cut to two
	alt        string // text with every repeated letter cut to one, when a run of three or more was cut; else ""
	start, end int    // byte offsets into the original comment
	letters    bool   // holds at least one letter
	masked     bool   // holds '*', as in "f*ck"
	ctx        uint8  // how the word is used: ctxPlain, ctxNegated or ctxReported (see context.go)
}

// lookAlike maps letters that look like Latin ones (Cyrillic, Greek) to the
// Latin letter, after NFKC and lower-casing.
var lookAlike = map[rune]rune{
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p',
	'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'і': 'i', 'ї': 'i', 'ј': 'j', 'ѕ': 's', 'ԁ': 'd',
	'ɡ': 'g', 'ԛ': 'q', 'ԝ': 'w', 'һ': 'h', 'ӏ': 'l',
	'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p',
	'τ': 't', 'υ': 'u', 'χ': 'x', 'ω': 'w', 'ς': 'c',
	'ı': 'i', 'ł': 'l', 'ø': 'o', 'ß': 's',
}

// leet maps digits and symbols written for letters, used inside words only.
var leet = [128]byte{'0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', '@': 'a', '$': 's', '!': 'i', '|': 'l', '+': 't'}

// scriptFold maps letters that are written several ways in one script to
// one: Arabic alef with hamza or madda to alef, alef maqsura to ya, ta
// marbuta to ha; the typographic apostrophe to the ASCII one.
var scriptFold = map[rune]rune{
	'أ': 'ا', 'إ': 'ا', 'آ': 'ا', 'ٱ': 'ا', 'ى': 'ي', 'ة': 'ه', '\u2019': '\'', 'ʼ': '\'',
}

// invisible reports runes that render as nothing and are used to split words
// unseen (zero-width spaces and joiners, soft hyphens, the byte-order mark),
// and the Arabic vowel marks and tatweel, which the same word is written
// with or without.
func invisible(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u180e', '\u0640', '\u0670':
		return true
	}
	return r >= 0x064b && r <= 0x065f
}

// ownWord reports letters of scripts written without spaces between words
// (Han, kana, Thai, Lao, Khmer, Myanmar): each is a word of its own, so word
// pairs are character pairs.
func ownWord(r rune) bool {
	if r < 0x0e00 {
		return false // Latin, Cyrillic, Arabic, Ge'ez…: words are spaced
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar)
}

// latinMajority reports whether s has more Latin letters than Cyrillic and
// Greek ones: in a Latin comment a Cyrillic "ѕһіт" is a disguise and is
// read as Latin; in a Russian comment Cyrillic words stay Cyrillic.
func latinMajority(s string) bool {
	latin, other := 0, 0
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if 'a' <= r|0x20 && r|0x20 <= 'z' {
				latin++
			}
		case unicode.In(r, unicode.Cyrillic, unicode.Greek):
			other++
		case unicode.Is(unicode.Latin, r):
			latin++
		}
	}
	return latin >= other
}

// fold returns the normalized form of one rune: NFKC, lower case, accents
// kept (look-alike letters are mapped per word, in appendToken). It appends
// to dst.
func fold(dst []rune, r rune) []rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(dst, r)
	}
	if invisible(r) {
		return dst
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	if norm.NFKC.IsNormal(buf[:n]) {
		r = unicode.ToLower(r)
		if l, ok := scriptFold[r]; ok {
			r = l
		}
		return append(dst, r)
	}
	for _, c := range norm.NFKC.String(string(buf[:n])) {
		c = unicode.ToLower(c)
		if l, ok := scriptFold[c]; ok {
			c = l
		}
		dst = append(dst, c)
	}
	return dst
}

// wordRune reports runes that belong in a word; symbols that stand for
// letters ($, @, !, *, |, +) are decided by context in tokenize.
func wordRune(r rune) bool {
	return r == '\'' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func leetSymbol(r rune) bool {
	switch r {
	case '$', '@', '!', '*', '|', '+':
		return true
	}
	return false
}

// tokenize splits comment into normalized words. Words spelled out with
// single letters ("f u c k", "f.u.c.k") are joined back into one word.
func tokenize(comment string, dst []token) []token {
	var cur []rune
	var offs []int // offs[k], offs[k+1]: original span of cur[k] (two ints per rune)
	var folded []rune
	latin := latinMajority(comment)
	flush := func() {
		if len(cur) == 0 {
			return
		}
		dst = appendToken(dst, cur, offs, latin)
		cur, offs = cur[:0], offs[:0]
	}
	for i, r := range comment {
		size := utf8.RuneLen(r)
		if size < 0 {
			size = 1
		}
		if invisible(r) {
			if len(cur) > 0 {
				offs[len(offs)-1] = i + size
			}
			continue
		}
		folded = fold(folded[:0], r)
		for _, f := range folded {
			switch {
			case ownWord(f):
				flush()
				dst = append(dst, token{text: string(f), start: i, end: i + size, letters: true})
			case wordRune(f), leetSymbol(f) && (len(cur) > 0 || nextIsWord(comment, i+size)):
				cur = append(cur, f)
				offs = append(offs, i, i+size)
			case pictograph(f):
				// An emoji is a word of its own: 🍑 and 🔞 say a lot.
				flush()
				dst = append(dst, token{text: string(f), start: i, end: i + size})
			default:
				flush()
			}
		}
	}
	flush()
	return joinSpelled(comment, dst)
}

// nextIsWord reports whether the rune at byte i of s is a letter.
func nextIsWord(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r)
}

// appendToken normalizes one raw word and appends it. Look-alike letters
// become Latin when the comment is mostly Latin or the word mixes them
// with ASCII letters.
func appendToken(dst []token, raw []rune, offs []int, latin bool) []token {
	// Trim symbols at the edges that are punctuation there ("wow!", "@name").
	edge := func(r rune) bool { return r == '!' || r == '\'' || r == '|' || r == '+' || r == '@' }
	for len(raw) > 0 && edge(raw[len(raw)-1]) {
		raw, offs = raw[:len(raw)-1], offs[:len(offs)-2]
	}
	for len(raw) > 0 && edge(raw[0]) {
		raw, offs = raw[1:], offs[2:]
	}
	if len(raw) == 0 {
		return dst
	}
	start, end := offs[0], offs[len(offs)-1]
	letters, masked := false, false
	ascii, allLook := false, true
	for _, r := range raw {
		if r < utf8.RuneSelf {
			ascii = ascii || 'a' <= r && r <= 'z'
		} else if _, ok := lookAlike[r]; !ok && unicode.IsLetter(r) {
			allLook = false
		}
	}
	mapLook := ascii || latin && allLook
	for _, r := range raw {
		if unicode.IsLetter(r) {
			letters = true
		}
		if r == '*' {
			masked = true
		}
	}
	var b strings.Builder
	b.Grow(len(raw))
	var alt strings.Builder
	cut := false
	var prev rune = -1
	run := 0
	for _, r := range raw {
		if letters && r < 128 && leet[r] != 0 {
			r = rune(leet[r])
		}
		if l, ok := lookAlike[r]; ok && mapLook {
			r = l
		}
		if r == prev {
			run++
		} else {
			run = 1
		}
		prev = r
		if run >= 3 && unicode.IsLetter(r) {
			cut = true
			continue
		}
		b.WriteRune(r)
	}
	t := token{text: b.String(), start: start, end: end, letters: letters, masked: masked}
	if cut {
		prev = -1
		for _, r := range t.text {
			if r != prev || !unicode.IsLetter(r) {
				alt.WriteRune(r)
			}
			prev = r
		}
		t.alt = alt.String()
	}
	return append(dst, t)
}

// joinSpelled joins runs of three or more one-letter words separated by at
// most two characters of space or punctuation ("f u c k", "f.u.c.k").
func joinSpelled(comment string, toks []token) []token {
	single := func(t token) bool {
		if !t.letters || utf8.RuneCountInString(t.text) != 1 {
			return false
		}
		r, _ := utf8.DecodeRuneInString(t.text)
		return !ownWord(r)
	}
	out := toks[:0]
	for i := 0; i < len(toks); {
		j := i
		for j+1 < len(toks) && single(toks[j]) && single(toks[j+1]) && toks[j+1].start >= toks[j].end && toks[j+1].start-toks[j].end <= 2 && !strings.ContainsAny(comment[toks[j].end:toks[j+1].start], "\n,") {
			j++
		}
		if j-i+1 >= 3 {
			var b strings.Builder
			for k := i; k <= j; k++ {
				b.WriteString(toks[k].text)
			}
			out = append(out, token{text: b.String(), start: toks[i].start, end: toks[j].end, letters: true})
			i = j + 1
			continue
		}
		out = append(out, toks[i])
		i++
	}
	return out
}

// Normalize returns comment as the classifier reads it: words in NFKC, lower
// case, look-alike letters and leetspeak mapped to Latin letters, runs of a
// letter cut to two, spelled-out words joined, separated by single spaces.
func Normalize(comment string) string {
	toks := tokenize(comment, nil)
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.text
	}
	return strings.Join(parts, " ")
}

// pictograph reports emoji and other pictographic symbols.
func pictograph(r rune) bool {
	return r >= 0x1F000 && r <= 0x1FAFF || r >= 0x2600 && r <= 0x27BF
}
