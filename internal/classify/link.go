package classify

import "strings"

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
		if j > i && hostDot(s[i:j]) {
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

// hostDot reports whether w has a dot followed by a letter, digit or
// hyphen, which every host name has: most words do not, and skip linkHost.
func hostDot(w string) bool {
	for k := strings.IndexByte(w, '.'); k >= 0 && k+1 < len(w); {
		if c := w[k+1]; isAlnum(c) || c == '-' {
			return true
		}
		n := strings.IndexByte(w[k+1:], '.')
		if n < 0 {
			return false
		}
		k += 1 + n
	}
	return false
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

// newsHosts are news sites: a link to one is related when it is about the
// post's topic (its address or the comment shares words with the post).
var newsHosts = []string{"startribune.com", "mprnews.org", "kare11.com", "kstp.com", "fox9.com", "cbsnews.com", "minnpost.com",
	"sahanjournal.com", "twincities.com", "postbulletin.com", "duluthnewstribune.com", "sctimes.com", "bringmethenews.com",
	"apnews.com", "reuters.com", "nytimes.com", "washingtonpost.com", "mankatofreepress.com", "hometownsource.com",
	"swnewsmedia.com", "patch.com", "southernminn.com", "inforum.com", "echopress.com", "wctrib.com", "mndaily.com",
	"kttc.com", "keyc.com", "wdio.com", "northlandsnewscenter.com", "kaaltv.com", "mspmag.com", "racketmn.com",
	"minnesotareformer.com", "npr.org", "bbc.com", "bbc.co.uk", "cnn.com", "nbcnews.com", "abcnews.go.com",
	"wcco.com", "kfgo.com", "brainerddispatch.com", "rochestermn.gov", "house.mn.gov", "senate.mn", "mn.gov"}

// isNews reports whether host is a news site.
func isNews(host string) bool {
	for _, h := range newsHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}

// pathRelated reports whether a link's words (its path: "cedar-avenue-repaving")
// or the comment's words name what the post is about: at least one word of
// five letters or more in common.
func pathRelated(link, comment, postLower string) bool {
	if postLower == "" {
		return false
	}
	shared := func(s string) bool {
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !('a' <= r && r <= 'z') }) {
			if len(w) >= 5 && strings.Contains(postLower, w) {
				return true
			}
		}
		return false
	}
	return shared(link) || shared(strings.Replace(comment, link, "", 1))
}
