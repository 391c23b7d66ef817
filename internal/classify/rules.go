package classify

import (
	"strings"
)

// ruleHit is a span of the comment a rule found: an e-mail address, a
// phone number, an SSN, a card number, a street address or a link.
type ruleHit struct {
	rule       string // "email", "phone", "ssn", "card", "address", "link"
	start, end int
	host       string // for links: the lower-case host name
}

// maxNumberLen is the longest a phone, SSN or card number is written, in
// bytes; it keeps the scan linear on runs of separators.
const maxNumberLen = 40

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }

// findNumbers finds phone numbers (North American numbers with a valid area
// code and exchange, or international numbers written with +), US Social
// Security numbers that could have been issued, and card numbers that pass
// the Luhn check.
func findNumbers(s string, dst []ruleHit) []ruleHit {
	var digits [24]byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isDigit(c) || c == '+' || c == '(') || (i > 0 && (isAlnum(s[i-1]) || s[i-1] == '$' || s[i-1] == '.' || s[i-1] == '#')) {
			continue
		}
		// Consume digits and the separators people write in numbers.
		n, j, seps, plus := 0, i, 0, c == '+'
		if plus {
			j++
		}
		last := j
		for j < len(s) && n < len(digits) && j-i < maxNumberLen {
			d := s[j]
			if isDigit(d) {
				digits[n] = d
				n++
				last = j + 1
			} else if d == ' ' || d == '-' || d == '.' || d == '(' || d == ')' || d == '/' || d == 0xc2 && j+1 < len(s) && s[j+1] == 0xa0 {
				if d == 0xc2 { // a no-break space
					j++
				}
				if j+1 < len(s) && (s[j+1] == ' ' || s[j+1] == '.') && d != ')' {
					break // two separators in a row end the number
				}
				seps++
			} else if strings.HasPrefix(s[j:], "–") || strings.HasPrefix(s[j:], "‑") { // en dash, non-breaking hyphen
				j += 2
				seps++
			} else {
				break
			}
			j++
		}
		ext := extension(s, last)
		if !ext && last < len(s) && (isAlpha(s[last]) || s[last] == '%') {
			i = last
			continue
		}
		d := string(digits[:n])
		if ext && !(n == 10 || n == 11 && d[0] == '1' || plus) {
			i = last
			continue // "12345x7" is no phone number with an extension
		}
		switch {
		case plus && n >= 8 && n <= 15 && d[0] != '0':
			if d[0] != '1' || validNANP(d[1:]) {
				dst = append(dst, ruleHit{rule: "phone", start: i, end: last})
			}
		case !plus && (n == 10 || n == 11 && d[0] == '1' || n == 13 && d[:3] == "001") && validNANP(d[n-10:]) && phoneShape(s[i:last]):
			dst = append(dst, ruleHit{rule: "phone", start: i, end: last})
		case !plus && n == 7 && d[0] >= '2' && (s[i+3] == '-' || d[:5] == "55501" && phoneShape7(s[i:last])):
			dst = append(dst, ruleHit{rule: "phone", start: i, end: last})
		case !plus && n == 9 && validSSN(d) && (ssnShape(s[i:last]) || ssnContext(s, i)):
			dst = append(dst, ruleHit{rule: "ssn", start: i, end: last})
		case !plus && n >= 13 && n <= 19 && luhn(d) && cardPrefix(d):
			dst = append(dst, ruleHit{rule: "card", start: i, end: last})
		}
		if last > i {
			i = last - 1
		}
	}
	return dst
}

// extension reports whether an extension is written right after a number
// at byte i: "x4587" or "ext123" (no space), ended by a non-letter.
func extension(s string, i int) bool {
	for _, p := range []string{"x", "X", "ext", "Ext", "EXT"} {
		if strings.HasPrefix(s[i:], p) {
			j := i + len(p)
			k := j
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			if k > j && k-j <= 6 && (k == len(s) || !isAlnum(s[k])) {
				return true
			}
		}
	}
	return false
}

// validNANP reports whether ten digits are a North American number: the area
// code and exchange start with 2–9, are not N11, and the area code's middle
// digit is not 9 (reserved).
func validNANP(d string) bool {
	if len(d) != 10 {
		return false
	}
	area, exch := d[:3], d[3:6]
	return area[0] >= '2' && area[1] != '9' && area[1:] != "11" && exch[0] >= '2' && exch[1:] != "11"
}

// phoneShape accepts 6125550148, 612-555-0148, (612) 555-0148, 612.555.0148,
// 1-612-555-0148: groups of 3, 3 and 4 digits.
func phoneShape(s string) bool {
	var groups []int
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		} else if n > 0 {
			groups = append(groups, n)
			n = 0
		}
	}
	groups = append(groups, n)
	if len(groups) > 0 && groups[0] == 1 || len(groups) == 4 && strings.HasPrefix(s, "001") {
		groups = groups[1:] // 1-612-…, and 001-612-… as dialed from abroad
	}
	switch len(groups) {
	case 1:
		return groups[0] == 10
	case 2:
		return groups[0] == 3 && groups[1] == 7 // 612 5550148
	case 3:
		return groups[0] == 3 && groups[1] == 3 && groups[2] == 4
	}
	return false
}

// phoneShape7 accepts a seven-digit number written 555 0148 or 555.0148:
// the exchange 555 with lines 0100 to 0199 is the one set aside for
// examples and fiction, which is how phone numbers are written in posts.
func phoneShape7(s string) bool {
	return len(s) == 8 && (s[3] == ' ' || s[3] == '.')
}

// validSSN applies the Social Security Administration's rules: the area is
// never 000, 666 or 900–999, the group never 00, the serial never 0000.
func validSSN(d string) bool {
	area, group, serial := d[:3], d[3:5], d[5:]
	return area != "000" && area != "666" && area[0] != '9' && group != "00" && serial != "0000"
}

// ssnShape accepts 123-45-6789 and 123 45 6789.
func ssnShape(s string) bool {
	return len(s) == 11 && (s[3] == '-' && s[6] == '-' || s[3] == ' ' && s[6] == ' ')
}

// ssnContext reports whether the words before byte i name a social security number.
func ssnContext(s string, i int) bool {
	lo := max(0, i-40)
	w := strings.ToLower(s[lo:i])
	return strings.Contains(w, "ssn") || strings.Contains(w, "social security") || strings.Contains(w, "social is")
}

// luhn reports whether the digits pass the Luhn check.
func luhn(d string) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// cardPrefix reports whether the digits start like a card number (Visa,
// Mastercard, American Express, Discover, JCB, Diners).
func cardPrefix(d string) bool {
	switch {
	case d[0] == '4':
		return true
	case d[0] == '5' && d[1] >= '1' && d[1] <= '5':
		return true
	case d[:2] == "34" || d[:2] == "37" || d[:2] == "36" || d[:2] == "35" || d[:2] == "30":
		return true
	case d[:4] == "6011" || d[:2] == "65" || d[:2] == "62":
		return true
	case d[0] == '2' && d[:4] >= "2221" && d[:4] <= "2720":
		return true
	}
	return false
}

// findEmails finds e-mail addresses.
func findEmails(s string, dst []ruleHit) []ruleHit {
	local := func(c byte) bool { return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' }
	from := 0
	for {
		k := strings.IndexByte(s[from:], '@')
		if k < 0 {
			return dst
		}
		at := from + k
		from = at + 1
		i := at
		for i > 0 && local(s[i-1]) {
			i--
		}
		j := at + 1
		dot := -1
		for j < len(s) && (isAlnum(s[j]) || s[j] == '-' || s[j] == '.') {
			if s[j] == '.' {
				dot = j
			}
			j++
		}
		for j > at+1 && s[j-1] == '.' {
			j--
		}
		if i == at || dot < 0 || dot >= j-2 {
			continue
		}
		tld := s[strings.LastIndexByte(s[:j], '.')+1 : j]
		if len(tld) < 2 || !allAlpha(tld) {
			continue
		}
		dst = append(dst, ruleHit{rule: "email", start: i, end: j})
		from = j
	}
}

func allAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlpha(s[i]) {
			return false
		}
	}
	return s != ""
}

var streetSuffix = map[string]bool{
	"st": true, "street": true, "ave": true, "av": true, "avenue": true, "blvd": true, "boulevard": true, "rd": true,
	"road": true, "ln": true, "lane": true, "dr": true, "drive": true, "ct": true, "court": true, "way": true, "pl": true,
	"place": true, "ter": true, "terrace": true, "pkwy": true, "parkway": true, "cir": true, "circle": true, "hwy": true,
	"highway": true, "trl": true, "trail": true, "sq": true, "square": true, "aly": true, "alley": true,
}

// directions follow a street's name: "1420 Foxmoor Dr SW".
var directions = map[string]bool{"N": true, "S": true, "E": true, "W": true, "NE": true, "NW": true, "SE": true, "SW": true}

var addressStop = map[string]bool{
	"block": true, "blocks": true, "of": true, "the": true, "at": true, "and": true, "to": true, "in": true, "on": true,
	"for": true, "or": true, "a": true, "an": true, "people": true, "years": true, "cars": true, "minutes": true,
}

// findAddresses finds street addresses: a house number, up to three words
// and a street suffix ("4816 Sandpiper Ln", "1910 N Hemlock Drive").
func findAddresses(s string, dst []ruleHit) []ruleHit {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || (i > 0 && (isAlnum(s[i-1]) || s[i-1] == '$' || s[i-1] == '.' || s[i-1] == ',')) {
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j-i > 6 || j >= len(s) || s[j] != ' ' {
			i = j
			continue
		}
		k := j
		for w := 0; w < 4; w++ {
			for k < len(s) && s[k] == ' ' {
				k++
			}
			e := k
			for e < len(s) && isAlnum(s[e]) {
				e++
			}
			if e == k {
				break
			}
			word := strings.ToLower(s[k:e])
			if w > 0 && streetSuffix[word] {
				end := e
				if end < len(s) && s[end] == '.' {
					end++
				}
				// "County Rd 69", "Hwy 7": the road's number.
				if end+1 < len(s) && s[end] == ' ' && isDigit(s[end+1]) && (word == "rd" || word == "road" || word == "hwy" || word == "highway") {
					end++
					for end < len(s) && isDigit(s[end]) {
						end++
					}
				}
				// A direction after the street: "Dr SW", "Ave S".
				if end+1 < len(s) && s[end] == ' ' {
					d := end + 1
					for d < len(s) && isAlpha(s[d]) {
						d++
					}
					if directions[s[end+1:d]] && (d == len(s) || !isAlnum(s[d])) {
						end = d
						if end < len(s) && s[end] == '.' && end+1 < len(s) {
							end++
						}
					}
				}
				dst = append(dst, ruleHit{rule: "address", start: i, end: end})
				break
			}
			if addressStop[word] {
				break
			}
			k = e
		}
		i = j
	}
	return unitAddresses(s, dst)
}

// unitWords name a unit in a building.
var unitWords = []string{"apt", "apartment", "unit", "suite", "ste"}

// unitAddresses finds a house number and street written without a suffix
// after a unit ("apt 3 at 55 Elm", "unit 4B on 210 Birch"): the unit, "at"
// or "on", a number and a capitalized street name.
func unitAddresses(s string, dst []ruleHit) []ruleHit {
	if !strings.ContainsAny(s, "0123456789") {
		return dst // a house number has digits
	}
	lower := strings.ToLower(s)
	for _, u := range unitWords {
		for from := 0; ; {
			k := strings.Index(lower[from:], u+" ")
			if k < 0 {
				break
			}
			at := from + k
			from = at + len(u)
			if at > 0 && isAlpha(lower[at-1]) {
				continue
			}
			j := from + 1
			for j < len(s) && (isAlnum(s[j]) || s[j] == '#') {
				j++
			}
			rest := lower[j:]
			var skip int
			switch {
			case strings.HasPrefix(rest, " at "), strings.HasPrefix(rest, " on "):
				skip = 4
			case strings.HasPrefix(rest, ", "):
				skip = 2
			default:
				continue
			}
			n := j + skip
			e := n
			for e < len(s) && isDigit(s[e]) {
				e++
			}
			if e == n || e-n > 6 || e+2 >= len(s) || s[e] != ' ' || !('A' <= s[e+1] && s[e+1] <= 'Z') || !('a' <= s[e+2] && s[e+2] <= 'z') {
				continue
			}
			w := e + 1
			for w < len(s) && isAlpha(s[w]) {
				w++
			}
			if w-e-1 < 2 {
				continue
			}
			dup := false
			for _, h := range dst {
				dup = dup || h.rule == "address" && h.start <= n && n < h.end
			}
			if !dup {
				dst = append(dst, ruleHit{rule: "address", start: at, end: w})
			}
		}
	}
	return dst
}
