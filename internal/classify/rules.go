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
			} else if d == ' ' || d == '-' || d == '.' || d == '(' || d == ')' {
				if j+1 < len(s) && (s[j+1] == ' ' || s[j+1] == '.') && d != ')' {
					break // two separators in a row end the number
				}
				seps++
			} else {
				break
			}
			j++
		}
		if last < len(s) && (isAlpha(s[last]) || s[last] == '%') {
			i = last
			continue
		}
		d := string(digits[:n])
		switch {
		case plus && n >= 8 && n <= 15 && d[0] != '0':
			if d[0] != '1' || validNANP(d[1:]) {
				dst = append(dst, ruleHit{rule: "phone", start: i, end: last})
			}
		case !plus && (n == 10 || n == 11 && d[0] == '1') && validNANP(d[n-10:]) && phoneShape(s[i:last]):
			dst = append(dst, ruleHit{rule: "phone", start: i, end: last})
		case !plus && n == 7 && s[i+3] == '-' && d[0] >= '2':
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
	if len(groups) > 0 && groups[0] == 1 {
		groups = groups[1:]
	}
	switch len(groups) {
	case 1:
		return groups[0] == 10
	case 3:
		return groups[0] == 3 && groups[1] == 3 && groups[2] == 4
	}
	return false
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
	return dst
}

var tlds = map[string]bool{
	"com": true, "net": true, "org": true, "gov": true, "edu": true, "us": true, "io": true, "co": true, "me": true,
	"ly": true, "vip": true, "date": true, "info": true, "biz": true, "xyz": true, "shop": true, "online": true,
	"site": true, "tv": true, "app": true, "link": true, "club": true, "live": true, "top": true, "fun": true,
	"store": true, "icu": true, "tk": true, "ml": true, "ga": true, "cf": true, "gq": true, "ru": true, "cn": true,
	"uk": true, "ca": true, "de": true, "fr": true, "click": true, "win": true, "bid": true, "loan": true, "work": true,
	"gg": true, "cc": true, "ws": true, "pro": true, "mobi": true, "be": true, "to": true, "news": true, "blog": true,
	"page": true, "media": true, "ai": true, "dev": true, "tech": true, "space": true, "website": true, "social": true,
	"money": true, "cash": true, "bet": true, "casino": true, "deals": true, "sale": true, "market": true, "agency": true,
}

// findLinks finds links: with a scheme, with www., or a bare host name
// ending in a known top-level domain ("hoopclipz.net/wolves").
func findLinks(s string, dst []ruleHit) []ruleHit {
	i := 0
	for i < len(s) {
		for i < len(s) && !linkByte(s[i]) {
			i++
		}
		j := i
		for j < len(s) && linkByte(s[j]) {
			j++
		}
		if j > i {
			if h, ok := linkHost(s[i:j]); ok {
				end := j
				for end > i && strings.IndexByte(".,;:!?)'\"", s[end-1]) >= 0 {
					end--
				}
				dst = append(dst, ruleHit{rule: "link", start: i, end: end, host: h})
			}
		}
		i = j
	}
	return dst
}

func linkByte(c byte) bool {
	return isAlnum(c) || strings.IndexByte("-._~:/?#[]@!$&'*+,;=%", c) >= 0
}

// linkHost returns the host of w if w is a link.
func linkHost(w string) (string, bool) {
	lw := strings.ToLower(w)
	for strings.HasPrefix(lw, "(") || strings.HasPrefix(lw, "'") {
		lw = lw[1:]
	}
	scheme := false
	for _, p := range []string{"https://", "http://", "hxxp://", "hxxps://"} {
		if strings.HasPrefix(lw, p) {
			lw, scheme = lw[len(p):], true
			break
		}
	}
	if k := strings.IndexAny(lw, "/?#"); k >= 0 {
		lw = lw[:k]
	}
	lw = strings.TrimRight(lw, ".,;:!?)'\"")
	if strings.ContainsAny(lw, "@") || lw == "" {
		return "", false
	}
	if k := strings.IndexByte(lw, ':'); k >= 0 {
		lw = lw[:k]
	}
	labels := strings.Split(lw, ".")
	if len(labels) < 2 {
		return "", false
	}
	for _, l := range labels {
		if l == "" {
			return "", false
		}
		for k := 0; k < len(l); k++ {
			if !isAlnum(l[k]) && l[k] != '-' {
				return "", false
			}
		}
	}
	tld := labels[len(labels)-1]
	if scheme || strings.HasPrefix(lw, "www.") || tlds[tld] && allAlpha(tld) && len(labels[len(labels)-2]) >= 1 {
		return strings.TrimPrefix(lw, "www."), true
	}
	return "", false
}

var shorteners = map[string]bool{
	"bit.ly": true, "tinyurl.com": true, "t.co": true, "goo.gl": true, "ow.ly": true, "is.gd": true, "buff.ly": true,
	"rb.gy": true, "cutt.ly": true, "t.me": true, "shorturl.at": true, "tiny.cc": true, "linktr.ee": true,
}

var socialHosts = []string{"youtube.com", "youtu.be", "facebook.com", "fb.com", "instagram.com", "tiktok.com", "x.com", "twitter.com", "reddit.com", "snapchat.com", "twitch.tv", "discord.gg"}

// hostRelated reports whether a link's host is named in the post, or is a
// government host.
func hostRelated(host, postLower string) bool {
	if strings.HasSuffix(host, ".gov") || strings.HasSuffix(host, ".us") || strings.Contains(host, ".gov.") {
		return true
	}
	if postLower == "" {
		return false
	}
	if strings.Contains(postLower, host) {
		return true
	}
	// The registered name (the label before the top-level domain) named in the post.
	labels := strings.Split(host, ".")
	if len(labels) >= 2 {
		name := labels[len(labels)-2]
		return len(name) >= 4 && strings.Contains(postLower, name)
	}
	return false
}

func isSocial(host string) bool {
	for _, h := range socialHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}
