package linkedin

import "strings"

// littleReserved are the characters LinkedIn's "little" text format
// (a post's commentary) reserves for its elements: mentions
// @[Name](urn), templates {hashtag|#|tag}, and the backslash that
// escapes them. Each must be escaped with a backslash to be plain text
// (learn.microsoft.com, "little Text Format"). '#' is left as it is, so
// that a hashtag the author writes stays a hashtag.
const littleReserved = `\|{}@[]()<>*_~`

// escapeLittle returns text as commentary that LinkedIn shows exactly as
// text.
func escapeLittle(text string) string {
	var b strings.Builder
	b.Grow(len(text) + 8)
	for _, r := range text {
		if strings.ContainsRune(littleReserved, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// plainLittle returns commentary as the text a reader sees: escapes
// undone, a mention as its name, a hashtag template as its sign and
// value. What does not parse as an element is kept as written.
func plainLittle(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '\\' && i+1 < len(rs):
			i++
			b.WriteRune(rs[i])
		case r == '@' && i+1 < len(rs) && rs[i+1] == '[':
			// @[Name](urn:li:…)
			nameEnd := closing(rs, i+2, ']')
			if nameEnd < 0 || nameEnd+1 >= len(rs) || rs[nameEnd+1] != '(' {
				b.WriteRune(r)
				continue
			}
			urnEnd := closing(rs, nameEnd+2, ')')
			if urnEnd < 0 {
				b.WriteRune(r)
				continue
			}
			b.WriteString(unescapeLittle(string(rs[i+2 : nameEnd])))
			i = urnEnd
		case r == '{':
			// {hashtag|#|value}
			end := closing(rs, i+1, '}')
			if end < 0 {
				b.WriteRune(r)
				continue
			}
			parts := splitUnescaped(rs[i+1:end], '|')
			if len(parts) != 3 || parts[0] != "hashtag" {
				b.WriteRune(r)
				continue
			}
			b.WriteString(unescapeLittle(parts[1]) + unescapeLittle(parts[2]))
			i = end
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// closing is the index of the first unescaped c at or after from, or -1.
func closing(rs []rune, from int, c rune) int {
	for j := from; j < len(rs); j++ {
		switch rs[j] {
		case '\\':
			j++
		case c:
			return j
		}
	}
	return -1
}

// splitUnescaped splits rs at each unescaped sep, keeping escapes.
func splitUnescaped(rs []rune, sep rune) []string {
	var out []string
	start := 0
	for j := 0; j < len(rs); j++ {
		switch rs[j] {
		case '\\':
			j++
		case sep:
			out = append(out, string(rs[start:j]))
			start = j + 1
		}
	}
	return append(out, string(rs[start:]))
}

// unescapeLittle undoes the backslash escapes of s.
func unescapeLittle(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if rs[i] == '\\' && i+1 < len(rs) {
			i++
		}
		b.WriteRune(rs[i])
	}
	return b.String()
}
