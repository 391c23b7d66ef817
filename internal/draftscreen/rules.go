package draftscreen

import (
	"strings"

	"steward.city/steward/internal/classify"
)

// span is a rule's or the model's hit before it becomes a Finding.
type span struct {
	code       string
	start, end int
	rule       string
}

// privateCues are words before a phone number that make it a person's own:
// "text me at", "her personal cell", "the victim's wife at".
var privateCues = []string{
	"personal", "cell", "text me", "text her", "text him", "call me", "me at", "my ", "her ", "his ", "their ",
	"neighbor", "owner", "tenant", "victim", "wife", "husband", "sister", "brother", "mom", "dad", "son ", "daughter",
	"rep ", "organizer", "coordinator", "lead", "volunteer", "resident", "patron", "directly", "family", "text ",
	"friend", "landlord", "homeowner", "parent",
}

// officialMail are domains whose addresses are an office's, not a person's own.
var officialMail = []string{".gov", ".mn.us", ".us"}

// contactSpans finds a private person's contact details: phone numbers
// written with words that make them a person's own, e-mail addresses
// outside government domains, and street addresses. The city's own lines
// ("our tip line at 651-555-0168", "call 311") are not findings.
func contactSpans(text string, hits []classify.Span, dst []span) []span {
	lower := strings.ToLower(text)
	for _, h := range hits {
		switch h.Rule {
		case "phone":
			if phonePrivate(lower, h.Start) {
				dst = append(dst, span{ContactInfo, h.Start, h.End, "phone"})
			}
		case "email":
			addr := lower[h.Start:h.End]
			official := false
			for _, d := range officialMail {
				official = official || strings.HasSuffix(addr, d)
			}
			if !official {
				dst = append(dst, span{ContactInfo, h.Start, h.End, "email"})
			}
		case "address":
			dst = append(dst, span{ContactInfo, h.Start, h.End, "address"})
		}
	}
	return dst
}

// phonePrivate reports whether the words of the sentence before a phone
// number at byte i make it a private person's.
func phonePrivate(lower string, i int) bool {
	lo := sentenceStart(lower, i, 90)
	before := " " + lower[lo:i]
	for _, c := range privateCues {
		if strings.Contains(before, c) {
			return true
		}
	}
	return false
}

// sentenceStart returns where the sentence holding byte i starts, looking
// back at most limit bytes.
func sentenceStart(s string, i, limit int) int {
	lo := max(0, i-limit)
	for k := i - 1; k > lo; k-- {
		if (s[k] == '.' || s[k] == '!' || s[k] == '?') && k+1 < len(s) && s[k+1] == ' ' {
			return k + 1
		}
	}
	return lo
}

// idSpans finds numbers that identify a person or their case: SSNs, card
// numbers and license plates (from the comment screen's rules), driver's
// license numbers ("F291-440-718-305"), plates written as three letters and
// three digits ("KPX-417", "472-RMD"), dates of birth ("DOB 08/14/2010",
// "born 3/2/2009") and case or incident numbers ("Case #MP-25-118734").
func idSpans(text string, hits []classify.Span, dst []span) []span {
	lower := strings.ToLower(text)
	for i := 0; i < len(text); i++ {
		if i > 0 && isWordByte(text[i-1]) {
			continue
		}
		if n := ssnAt(text, i); n > 0 {
			dst = appendNew(dst, span{IDNumber, i, i + n, "ssn"})
			i += n - 1
			continue
		}
		if n := licenseAt(text, i); n > 0 {
			dst = appendNew(dst, span{IDNumber, i, i + n, "license"})
			i += n - 1
			continue
		}
		if n := plateAt(text, i); n > 0 {
			dst = appendNew(dst, span{IDNumber, i, i + n, "plate"})
			i += n - 1
			continue
		}
		if n := dateAt(text, i); n > 0 {
			ctx := lower[max(0, i-24):i]
			if strings.Contains(ctx, "dob") || strings.Contains(ctx, "born") || strings.Contains(ctx, "birth") {
				dst = appendNew(dst, span{IDNumber, i, i + n, "date_of_birth"})
			}
			i += n - 1
			continue
		}
		if text[i] == '#' || caseWordBefore(lower, i) {
			from := i
			if text[i] == '#' {
				from++
			}
			if n := caseNumberAt(text, from); n > 0 {
				dst = appendNew(dst, span{IDNumber, from, from + n, "case_number"})
				i = from + n - 1
			}
		}
	}
	// The comment screen's rules after these, which read a whole license
	// number where the plate rule would read its first part.
	for _, h := range hits {
		switch h.Rule {
		case "ssn", "card", "plate":
			dst = appendNew(dst, span{IDNumber, h.Start, h.End, h.Rule})
		}
	}
	return dst
}

func isWordByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'z' || c == '-' || c == '/' || c >= 0x80
}
func isDig(c byte) bool   { return '0' <= c && c <= '9' }
func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

// endsWord reports whether a token ending at byte j is not followed by
// more of a word.
func endsWord(s string, j int) bool {
	return j == len(s) || !(isDig(s[j]) || 'a' <= s[j]|0x20 && s[j]|0x20 <= 'z' || s[j] == '-' && j+1 < len(s) && isDig(s[j+1]))
}

// run counts the bytes from i for which ok holds.
func run(s string, i int, ok func(byte) bool) int {
	n := 0
	for i+n < len(s) && ok(s[i+n]) {
		n++
	}
	return n
}

// licenseAt matches a Minnesota driver's license number at i: a letter and
// twelve digits, in groups of three with hyphens or spaces, or run together.
func licenseAt(s string, i int) int {
	if i >= len(s) || !isUpper(s[i]) {
		return 0
	}
	j := i + 1
	if n := run(s, j, isDig); n == 12 {
		j += 12
	} else {
		for g := 0; g < 4; g++ {
			if run(s, j, isDig) != 3 {
				return 0
			}
			j += 3
			if g < 3 {
				if j >= len(s) || s[j] != '-' && s[j] != ' ' {
					return 0
				}
				j++
			}
		}
	}
	if !endsWord(s, j) {
		return 0
	}
	return j - i
}

// ssnAt matches a number written as an SSN is, 123-45-6789, whether or not
// the SSA could have issued it: a made-up one in a post reads as real.
func ssnAt(s string, i int) int {
	if run(s, i, isDig) != 3 || i+11 > len(s) || s[i+3] != '-' || run(s, i+4, isDig) != 2 || s[i+6] != '-' || run(s, i+7, isDig) != 4 || !endsWord(s, i+11) {
		return 0
	}
	return 11
}

// plateAt matches a plate written ABC-123 or 123-ABC (a space for the hyphen also).
func plateAt(s string, i int) int {
	l, d := run(s, i, isUpper), run(s, i, isDig)
	var j int
	switch {
	case l == 3 && i+4 < len(s) && (s[i+3] == '-' || s[i+3] == ' ') && run(s, i+4, isDig) == 3:
		j = i + 7
	case d == 3 && i+4 < len(s) && (s[i+3] == '-' || s[i+3] == ' ') && run(s, i+4, isUpper) == 3:
		j = i + 7
	default:
		return 0
	}
	if !endsWord(s, j) {
		return 0
	}
	return j - i
}

// dateAt matches a numeric date m/d/yy or m/d/yyyy (or with hyphens).
func dateAt(s string, i int) int {
	j := i
	for part := 0; part < 3; part++ {
		n := run(s, j, isDig)
		if part < 2 && (n < 1 || n > 2) || part == 2 && n != 2 && n != 4 {
			return 0
		}
		j += n
		if part < 2 {
			if j >= len(s) || s[j] != '/' && s[j] != '-' {
				return 0
			}
			j++
		}
	}
	if !endsWord(s, j) {
		return 0
	}
	return j - i
}

// caseWords name a case, an incident or a file by its number.
var caseWords = []string{"case ", "case no. ", "case number ", "incident ", "report ", "file ", "reference ", "citation "}

func caseWordBefore(lower string, i int) bool {
	for _, w := range caseWords {
		if i >= len(w) && lower[i-len(w):i] == w {
			return true
		}
	}
	return false
}

// caseNumberAt matches a case number: letters and digits in one to three
// hyphenated parts, with at least four digits ("MP-25-118734",
// "SP25-044187", "DSI-2025-0891", "24-00318").
func caseNumberAt(s string, i int) int {
	j, digits, parts := i, 0, 0
	for parts < 4 {
		n := run(s, j, func(c byte) bool { return isDig(c) || isUpper(c) })
		if n == 0 {
			break
		}
		for k := j; k < j+n; k++ {
			if isDig(s[k]) {
				digits++
			}
		}
		j += n
		parts++
		if j+1 < len(s) && s[j] == '-' && (isDig(s[j+1]) || isUpper(s[j+1])) {
			j++
			continue
		}
		break
	}
	if digits < 4 || !endsWord(s, j) {
		return 0
	}
	return j - i
}

// appendNew appends h unless a span of the same code overlaps it.
func appendNew(dst []span, h span) []span {
	for _, d := range dst {
		if d.code == h.code && d.start < h.end && h.start < d.end {
			return dst
		}
	}
	return append(dst, h)
}

// profanitySpans finds profane words with the comment screen's word list of
// vulgar words ("shit", "bullsh*t", "a**hole", "WTF").
func profanitySpans(text string, dst []span) []span {
	for _, h := range classify.WordSpans(text, "vulgar") {
		w := strings.ToLower(text[h.Start:h.End])
		if mildWords[w] {
			continue
		}
		dst = appendNew(dst, span{Profanity, h.Start, h.End, "wordlist"})
	}
	return dst
}

// mildWords are on the comment screen's vulgar list but ordinary in an
// official post ("freaking" aside, "sucks" is criticism, not profanity).
var mildWords = map[string]bool{"sucks": true, "freaking": true, "frickin": true, "fricking": true}
