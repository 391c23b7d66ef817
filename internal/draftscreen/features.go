package draftscreen

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"steward.city/steward/internal/classify"
)

// word is a token of a draft: lower-case text and its byte range.
type word struct {
	text       string
	raw        string
	start, end int
}

// words splits text into words of letters, digits, apostrophes and inner
// hyphens.
func words(text string) []word {
	var out []word
	start := -1
	flush := func(end int) {
		if start >= 0 {
			raw := strings.TrimRight(text[start:end], "'’-")
			if raw != "" {
				out = append(out, word{text: strings.ToLower(raw), raw: raw, start: start, end: start + len(raw)})
			}
			start = -1
		}
	}
	for i, r := range text {
		in := unicode.IsLetter(r) || unicode.IsDigit(r) || (start >= 0 && (r == '\'' || r == '’' || r == '-'))
		if in && start < 0 {
			start = i
		}
		if !in {
			flush(i)
		}
	}
	flush(len(text))
	return out
}

// sentences splits text into sentences: byte ranges ending after ".", "!",
// "?" or a line break followed by a space or the end.
func sentences(text string) [][2]int {
	var out [][2]int
	start := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\n' || (c == '.' || c == '!' || c == '?' || c == ':') && (i+1 == len(text) || text[i+1] == ' ') {
			// "p.m." and "Dr." are not the end of a sentence: the next word
			// is lower case, or the word before is an abbreviation.
			if c == '.' && (i+2 < len(text) && unicode.IsLower(rune(text[i+2])) || abbreviation(text[:i])) {
				continue
			}
			end := i + 1
			if s, e := trim(text, start, end); e > s {
				out = append(out, [2]int{s, e})
			}
			start = end
		}
	}
	if s, e := trim(text, start, len(text)); e > s {
		out = append(out, [2]int{s, e})
	}
	return out
}

// abbreviations end in a period that does not end a sentence.
var abbreviations = map[string]bool{"mr": true, "mrs": true, "ms": true, "dr": true, "st": true, "lt": true, "sgt": true,
	"capt": true, "cmdr": true, "ave": true, "no": true, "jr": true, "sr": true, "rev": true, "gov": true, "sen": true, "rep": true}

// abbreviation reports whether s ends with an abbreviation's word.
func abbreviation(s string) bool {
	k := strings.LastIndexAny(s, " \n(") + 1
	return abbreviations[strings.ToLower(s[k:])]
}

func trim(text string, s, e int) (int, int) {
	for s < e && (text[s] == ' ' || text[s] == '\n' || text[s] == '\t') {
		s++
	}
	for e > s && (text[e-1] == ' ' || text[e-1] == '\n' || text[e-1] == '\t') {
		e--
	}
	return s, e
}

// textFeatures returns the features of text as the learned model reads
// them: words, word pairs, shapes and what the rules found, with the
// draft's account and covert status.
func textFeatures(text string, d *Draft) []string {
	ws := words(text)
	fs := make([]string, 0, 2*len(ws)+16)
	fs = append(fs, "bias")
	if d.Covert {
		fs = append(fs, "covert")
	} else {
		fs = append(fs, "overt")
	}
	if d.Department != "" {
		fs = append(fs, "dept:"+strings.ToLower(d.Department))
	}
	prev := "^"
	for _, w := range ws {
		t := w.text
		if isNumber(t) {
			t = "#num"
		}
		fs = append(fs, "w:"+t)
		_ = prev
		if d.Covert {
			fs = append(fs, "cw:"+t)
		}
		prev = t
	}
	lws := cueWords(text)
	fs = cueFeatures(lws, fs)
	fs = shapeFeatures(lws, fs)
	if strings.ContainsRune(text, '$') {
		fs = append(fs, "s:money")
	}
	if strings.ContainsRune(text, '%') {
		fs = append(fs, "s:percent")
	}
	if strings.ContainsRune(text, '?') {
		fs = append(fs, "s:question")
	}
	if strings.ContainsRune(text, '!') {
		fs = append(fs, "s:exclaim")
	}
	if text != "" && strings.ToLower(text) == text {
		fs = append(fs, "s:lowercase")
	}
	for _, r := range text {
		if emoji(r) {
			fs = append(fs, "e:"+string(r), "s:emoji")
		}
	}
	for _, code := range []string{"threat", "illegal_activity", "vulgar", "harassment", "campaign"} {
		if len(classify.WordSpans(text, code)) > 0 {
			fs = append(fs, "l:"+code)
		}
	}
	// What the comment classifier, trained on thousands of comments, reads
	// in the text: its scores for the codes that overlap the draft codes.
	if cm, err := classify.Default(); err == nil {
		sc := cm.Screen(text, "").Scores
		for _, code := range []string{"threat", "illegal_activity", "campaign", "private_info", "harassment", "defamation", "vulgar", "investigation", "safety"} {
			switch v := sc[code]; {
			case v >= 0.5:
				fs = append(fs, "cs:"+code+":high", "cs:"+code)
			case v >= 0.2:
				fs = append(fs, "cs:"+code)
			}
		}
	}
	if classify.CampaignCue(text) {
		fs = append(fs, "l:campaign_cue")
	}
	for _, h := range classify.RuleSpans(text) {
		fs = append(fs, "r:"+h.Rule)
	}
	if len(nameCandidates(text)) > 0 {
		fs = append(fs, "s:name")
	}
	return fs
}

func isNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9') {
			return false
		}
	}
	return s != ""
}

// emoji reports whether r is a pictograph (emoji) rune.
func emoji(r rune) bool {
	return r >= 0x1F000 && r <= 0x1FAFF || r >= 0x2600 && r <= 0x27BF || r >= 0x2B00 && r <= 0x2BFF || r == 0x203C || r == 0x2049
}

// nameCandidate is a run of capitalized words that may be a person's name,
// with the role words before it ("Owner", "Council Member") cut off.
type nameCandidate struct {
	start, end int
	words      []word // the name's words
	roles      []string
	before     []string // up to two lower-case words before the run
	after      string
	first      bool // starts a sentence
}

// officialTitles come before the name of someone who speaks for a public
// body: a name after one is a public official's, not a private person's.
var officialTitles = map[string]bool{
	"mayor": true, "council": true, "commissioner": true, "chief": true, "officer": true, "sgt": true, "sergeant": true,
	"lt": true, "lieutenant": true, "captain": true, "cmdr": true, "commander": true, "director": true, "deputy": true,
	"inspector": true, "superintendent": true, "sheriff": true, "judge": true, "senator": true, "representative": true,
	"governor": true, "president": true, "firefighter": true, "librarian": true, "spokesperson": true,
}

// notNameWords are capitalized words that are never part of a person's name.
var notNameWords = map[string]bool{
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true, "saturday": true, "sunday": true,
	"january": true, "february": true, "march": true, "april": true, "june": true, "july": true, "august": true,
	"september": true, "october": true, "november": true, "december": true, "park": true, "lake": true, "street": true,
	"avenue": true, "ave": true, "st": true, "road": true, "center": true, "library": true, "hall": true, "city": true,
	"department": true, "police": true, "fire": true, "county": true, "state": true, "minnesota": true, "minneapolis": true,
	"saint": true, "precinct": true, "station": true, "school": true, "program": true, "bureau": true,
	"office": true, "board": true, "commission": true, "committee": true, "foundation": true, "association": true,
	"club": true, "market": true, "bridge": true, "trail": true, "pool": true, "garden": true, "gardens": true,
	"rd": true, "pkwy": true, "parkway": true, "blvd": true, "boulevard": true, "dr": true, "drive": true, "ln": true,
	"lane": true, "way": true, "field": true, "fields": true, "lifeline": true, "crisis": true, "happy": true,
	"thanksgiving": true, "christmas": true, "juneteenth": true, "day": true, "week": true, "month": true, "year": true,
	"river": true, "falls": true, "island": true, "hospital": true, "clinic": true, "church": true, "university": true,
	"college": true, "services": true, "service": true, "officers": true, "workers": true, "alliance": true, "collective": true, "inc": true, "llc": true, "team": true,
}

// roleWords come before a name and say who the person is.
var roleWords = map[string]bool{
	"mayor": true, "council": true, "member": true, "president": true, "commissioner": true, "chief": true, "officer": true,
	"sgt": true, "sergeant": true, "lt": true, "lieutenant": true, "captain": true, "cmdr": true, "commander": true,
	"director": true, "manager": true, "coordinator": true, "owner": true, "volunteer": true, "patron": true, "driver": true,
	"taxi": true, "resident": true, "organizer": true, "deputy": true, "inspector": true, "firefighter": true,
	"librarian": true, "superintendent": true, "sheriff": true, "candidate": true, "dr": true, "judge": true,
	"senator": true, "rep": true, "representative": true, "governor": true, "health": true, "fire": true, "police": true,
	"city": true, "county": true, "state": true, "mr": true, "mrs": true, "ms": true, "neighbor": true, "victim": true,
	"suspect": true, "longtime": true, "welcome": true, "congratulations": true, "thanks": true, "thank": true,
}

// nameCandidates finds runs of two to four capitalized words, or one and
// "family" ("Hartmann family").
func nameCandidates(text string) []nameCandidate {
	ws := words(text)
	sents := sentences(text)
	starts := make(map[int]bool, len(sents))
	for _, s := range sents {
		starts[s[0]] = true
	}
	isFirst := func(pos int) bool { return pos == 0 || starts[pos] }
	var out []nameCandidate
	officialEnd := -1 // where the last official's name ended
	for i := 0; i < len(ws); {
		if !capitalized(ws[i].raw) {
			i++
			continue
		}
		j := i + 1
		for j < len(ws) && capitalized(ws[j].raw) && onlySpace(text[ws[j-1].end:ws[j].start]) {
			j++
		}
		k := i
		var roles []string
		for k < j && roleWords[ws[k].text] {
			roles = append(roles, ws[k].text)
			k++
		}
		family := j < len(ws) && ws[j].text == "family" && j-k == 1 && onlySpace(text[ws[j-1].end:ws[j].start])
		n := j - k
		if family {
			n, j = 2, j+1
		}
		official := false
		for _, r := range roles {
			official = official || officialTitles[r] || officialTitles[strings.TrimSuffix(r, "s")]
		}
		// "librarian Gloria Nakamura-Pike": a title in lower case.
		official = official || i > 0 && officialTitles[ws[i-1].text] && onlySpace(text[ws[i-1].end:ws[i].start])
		// "Council Members Priya Halvorsen and Dwayne Okafor".
		if officialEnd >= 0 && (text[officialEnd:ws[i].start] == " and " || text[officialEnd:ws[i].start] == ", ") {
			official = true
		}
		if official {
			officialEnd = ws[j-1].end
		}
		place := false
		for _, w := range ws[k:j] {
			place = place || notNameWords[w.text]
		}
		if n >= 2 && n <= 4 && !official && !place {
			c := nameCandidate{start: ws[k].start, end: ws[j-1].end, words: ws[k:j], roles: roles, first: isFirst(ws[i].start)}
			for b := i - 1; b >= 0 && b >= i-2; b-- {
				c.before = append(c.before, ws[b].text)
			}
			if j < len(ws) {
				c.after = ws[j].text
			}
			out = append(out, c)
		}
		i = j
	}
	return out
}

func onlySpace(s string) bool { return s == " " }

func capitalized(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	if !unicode.IsUpper(r) {
		return false
	}
	// "ATM", "NEWS": all capitals is not a name.
	for _, r := range s[n:] {
		if unicode.IsLower(r) {
			return true
		}
	}
	return len(s) == n
}

// nameFeatures are what the model reads of a name candidate.
func nameFeatures(text string, c nameCandidate, d *Draft) []string {
	fs := []string{"bias", "n:" + string(rune('0'+len(c.words)))}
	if d.Covert {
		fs = append(fs, "covert")
	}
	for _, r := range c.roles {
		fs = append(fs, "role:"+r)
	}
	if len(c.roles) == 0 {
		fs = append(fs, "role:none")
	}
	for i, b := range c.before {
		fs = append(fs, "p"+string(rune('1'+i))+":"+b)
	}
	if len(c.before) == 0 {
		fs = append(fs, "p1:^")
	}
	fs = append(fs, "a:"+c.after)
	if c.first {
		fs = append(fs, "first")
	}
	for _, w := range c.words {
		fs = append(fs, "cw:"+w.text)
		if len(w.text) > 4 {
			fs = append(fs, "suf:"+w.text[len(w.text)-3:])
		}
		if strings.Contains(w.raw, "-") {
			fs = append(fs, "hyphen")
		}
	}
	if c.end < len(text) {
		switch text[c.end] {
		case ',':
			fs = append(fs, "next:comma")
		case '\'':
			fs = append(fs, "next:possessive")
		case ':':
			fs = append(fs, "next:colon")
		}
	}
	return fs
}
