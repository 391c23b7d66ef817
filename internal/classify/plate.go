package classify

import "strings"

// plateWords introduce a license plate number.
var plateWords = []string{"plate", "plates", "plate-ka", "tag", "tags", "license", "placa", "placas", "номер", "车牌", "biển số", "lambarka"}

// findPlates finds license plate numbers written after a word that names a
// plate ("plate is ABC 123", "MN plate KPL-619", "tags 123 ABC"): up to 30
// bytes after it, a group of 5 to 8 letters and digits with both, in one
// or two parts ("ABC 123", "123-ABC", "KPL619"), an optional state ("MN")
// before it.
func findPlates(s string, dst []ruleHit) []ruleHit {
	if !strings.ContainsAny(s, "0123456789") {
		return dst // a plate number has digits
	}
	lower := strings.ToLower(s)
	for _, w := range plateWords {
		for from := 0; ; {
			k := strings.Index(lower[from:], w)
			if k < 0 {
				break
			}
			at := from + k
			from = at + len(w)
			if at > 0 && isAlpha(lower[at-1]) || from < len(lower) && isAlpha(lower[from]) && !strings.HasPrefix(lower[from:], "s ") {
				continue
			}
			if start, end, ok := plateAfter(s, from, min(len(s), from+30)); ok {
				dup := false
				for _, h := range dst {
					dup = dup || h.rule == "plate" && h.start == start
				}
				if !dup {
					dst = append(dst, ruleHit{rule: "plate", start: start, end: end})
				}
			}
		}
	}
	return dst
}

// plateAfter finds a plate number in s[from:to].
func plateAfter(s string, from, to int) (start, end int, ok bool) {
	for i := from; i < to; i++ {
		if !isAlnum(s[i]) || (i > 0 && isAlnum(s[i-1])) {
			continue
		}
		// One or two alphanumeric parts, upper case or digits.
		j, parts, letters, digits, n := i, 0, 0, 0, 0
		for parts < 2 && j < len(s) {
			e := j
			for e < len(s) && (isDigit(s[e]) || 'A' <= s[e] && s[e] <= 'Z') {
				if isDigit(s[e]) {
					digits++
				} else {
					letters++
				}
				e++
			}
			if e == j || e < len(s) && isAlpha(s[e]) {
				break
			}
			n += e - j
			parts++
			j = e
			if j+1 < len(s) && (s[j] == ' ' || s[j] == '-') && isAlnum(s[j+1]) && parts < 2 {
				// A state before the number ("MN KPL 619") is not part of it.
				if parts == 1 && n == 2 && digits == 0 && isStateCode(s[i:j]) {
					i, n, parts, letters = j+1, 0, 0, 0
				}
				j++
				continue
			}
			break
		}
		end := j
		for end > i && !isAlnum(s[end-1]) {
			end--
		}
		if n >= 5 && n <= 8 && letters >= 1 && digits >= 2 {
			return i, end, true
		}
	}
	return 0, 0, false
}

func isStateCode(s string) bool {
	switch s {
	case "MN", "WI", "IA", "ND", "SD", "IL", "MI", "TX", "CA", "NY", "FL":
		return true
	}
	return false
}
