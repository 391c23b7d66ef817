package classify

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Buckets is the number of hashed features; a power of two.
const Buckets = 1 << 18

// MaxScored is how much of a comment is read, in bytes: the rest of a
// longer comment is not scored (its first MaxScored bytes are).
const MaxScored = 32 << 10

// The dense features: what the rules and word lists found, and the
// comment's shape, each a value the model weighs.
const (
	fEmail = iota
	fPhone
	fPhoneInPost
	fSSN
	fCard
	fAddress
	fAddressInPost
	fPersonal
	fLink
	fLinkUnrelated
	fLinkRelated
	fLinkShort
	fLinkSocial
	fLinks2
	fCaps
	fExclaim
	fEmoji
	fMoney
	fShort
	fLong
	fMention
	fHashtag
	fQuestion
	fOverlap0
	fOverlapLow
	fOverlapHigh
	fQuoteLong
	fNoLetters
	fTrademark
	fName
	fListCtx     // word-list hits of the abuse codes in negated or reported use
	fCounter     // the comment condemns hate (counter-speech)
	fThanks      // the comment thanks someone
	fCampaignCue // a campaign phrase: "vote for", "re-elect", "yes on", "#ReElect…"
	fPlate       // a license plate number after "plate" or "tag"
	fLinkNews    // a link to a news site
	fGroupAttack // a group named together with dehumanizing or excluding words, in the commenter's own words
	fCity        // always 1 when screening; 0 on outside training sets, so city comments get their own calibration
	fList        // fList+i: hits of code i's word list
	nDense       = fList + nCodes
)

// personalWords mark a private person's details ("her number", "lives at").
var personalWords = []string{"lives at", "lives on", "live at", "her number", "his number", "their number", "her address",
	"his address", "home address", "call her", "call him", "text her", "text him", "her phone", "his phone", "her cell",
	"his cell", "apt", "apartment", "room", "unit", "ssn", "social security", "card number", "date of birth", "dob",
	"license plate", "her email", "his email", "email her", "email him", "she lives", "he lives", "they live"}

// personalByFirst holds personalWords as words, by their first word.
var personalByFirst = func() map[string][][]string {
	m := map[string][][]string{}
	for _, p := range personalWords {
		w := strings.Fields(p)
		m[w[0]] = append(m[w[0]], w)
	}
	return m
}()

// personalCue reports whether the words hold one of personalWords.
func personalCue(toks []token) bool {
	for i, t := range toks {
	phrases:
		for _, p := range personalByFirst[t.text] {
			if i+len(p) > len(toks) {
				continue
			}
			for k := 1; k < len(p); k++ {
				if toks[i+k].text != p[k] {
					continue phrases
				}
			}
			return true
		}
	}
	return false
}

// features is what one comment gives the model.
type features struct {
	hashed []uint32 // bucket indexes, with repeats
	// post and postWords are the last post seen and its words of four
	// letters or more.
	post      string
	postWords map[string]bool
	// dropped counts the features negated or reported words would have
	// given: they count in the scaling, so a comment does not read louder
	// for losing them.
	dropped int
	dense   [nDense]float32
	toks    []token
	words   []wordHit
	rules   []ruleHit
	noPost  bool
	// thanks and campaignCue are fThanks and fCampaignCue; question is a
	// "?" in the comment.
	thanks, question, campaignCue bool
	campaignWords                 bool // a campaign phrase or a word of the campaign list
	groupAttack                   bool // a group named with a dehumanizing word or an excluding phrase
	unrelatedLink                 bool // a link that is not related to the post
	// defused: the comment's groups and hateful words are all negated or
	// reported, or it is counter-speech; nothing hateful is said plainly.
	defused bool
	// criticism: the comment criticizes the government's work with no
	// abuse or accusation word (protected speech).
	criticism bool
}

// fnv-1a, 32 bits.
const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func hashString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= fnvPrime
	}
	return h
}

// extract computes the features of comment (its first MaxScored bytes) with post as context.
func (m *Model) extract(comment, post string, f *features) {
	if len(comment) > MaxScored {
		cut := MaxScored
		for cut > 0 && !utf8.RuneStart(comment[cut]) {
			cut--
		}
		comment = comment[:cut]
	}
	if len(post) > MaxScored {
		cut := MaxScored
		for cut > 0 && !utf8.RuneStart(post[cut]) {
			cut--
		}
		post = post[:cut]
	}
	f.hashed = f.hashed[:0]
	f.dropped = 0
	f.dense = [nDense]float32{}
	f.toks = tokenize(comment, f.toks[:0])
	f.words = m.lex.match(f.toks, f.words[:0])
	f.rules = findNumbers(comment, f.rules[:0])
	f.rules = findEmails(comment, f.rules)
	f.rules = findAddresses(comment, f.rules)
	f.rules = findLinks(comment, f.rules)
	f.rules = findPlates(comment, f.rules)

	counter := markContext(comment, f.toks)
	if counter {
		// Counter-speech names the hate it condemns: its groups and
		// hateful words are reported, not said.
		for i := range f.toks {
			t := &f.toks[i]
			if t.ctx == ctxPlain && (identityWord[t.text] || hotWords[t.text] || hot(f.words, i)) {
				t.ctx = ctxReported
			}
		}
	}

	// Hashed word unigrams and bigrams, and character 3- and 4-grams (of
	// letters, not bytes, so every script gets them). A negated or reported
	// word has features of its own.
	const wordSeed, bigramSeed, charSeed = 0x9e3779b9, 0x85ebca6b, 0xc2b2ae35
	prev := uint32(0)
	for i, t := range f.toks {
		w := t.text
		if t.alt != "" {
			w = t.alt
		}
		// Words that carry abuse or name a group mean something else when
		// negated or reported: they give no feature then (fListCtx counts
		// them). Other words keep their features.

		if t.ctx != ctxPlain && (hot(f.words, i) || identityWord[w] || hotWords[w]) {
			f.dropped += 2 + 2*utf8.RuneCountInString(w) + 1
			continue
		}
		h := hashString(fnvOffset^wordSeed, w)
		f.hashed = append(f.hashed, h%Buckets)
		if i > 0 {
			f.hashed = append(f.hashed, (hashString(prev^bigramSeed, w)*fnvPrime)%Buckets)
		}
		prev = h
		padded := len(w) + 2
		if padded > 64 || (len(w) <= 4 && !isAlnum(w[0]) && utf8.RuneCountInString(w) == 1) {
			continue // too long, or one character (a Han character, an emoji): the unigram says it all
		}
		var buf [66]byte
		buf[0] = ' '
		copy(buf[1:], w)
		buf[padded-1] = ' '
		var starts [67]int
		nr := 0
		for k := 0; k < padded; k++ {
			if utf8.RuneStart(buf[k]) {
				starts[nr] = k
				nr++
			}
		}
		starts[nr] = padded
		for n := 3; n <= 4; n++ {
			for k := 0; k+n <= nr; k++ {
				f.hashed = append(f.hashed, hashString(fnvOffset^charSeed^uint32(n), string(buf[starts[k]:starts[k+n]]))%Buckets)
			}
		}
	}

	d := &f.dense
	d[fCity] = 1
	f.noPost = strings.TrimSpace(post) == ""
	lowerPost := ""
	if post != "" {
		lowerPost = strings.ToLower(post)
	}
	for _, r := range f.rules {
		switch r.rule {
		case "email":
			d[fEmail] = 1
		case "phone":
			if post != "" && strings.Contains(digitsOf(post), digitsOf(comment[r.start:r.end])) {
				d[fPhoneInPost] = 1
			} else {
				d[fPhone] = 1
			}
		case "ssn":
			d[fSSN] = 1
		case "card":
			d[fCard] = 1
		case "plate":
			d[fPlate] = 1
		case "address":
			if strings.Contains(lowerPost, strings.ToLower(comment[r.start:r.end])) {
				d[fAddressInPost] = 1
			} else {
				d[fAddress] = 1
			}
		case "link":
			d[fLink]++
			switch {
			case shorteners[r.host]:
				d[fLinkShort] = 1
				d[fLinkUnrelated] = 1
			case hostRelated(r.host, lowerPost), isNews(r.host) && pathRelated(comment[r.start:r.end], comment, lowerPost):
				d[fLinkRelated] = 1
			default:
				d[fLinkUnrelated] = 1
			}
			if isSocial(r.host) {
				d[fLinkSocial] = 1
			}
			if isNews(r.host) {
				d[fLinkNews] = 1
			}
		}
	}
	if d[fLink] >= 2 {
		d[fLinks2] = 1
	}
	d[fLink] = min(d[fLink], 1)
	campaignHit := false
	for k := range f.words {
		h := &f.words[k]
		plain := false
		for j := h.from; j < h.to; j++ {
			plain = plain || f.toks[j].ctx == ctxPlain
		}
		h.quiet = false
		for _, c := range h.codes {
			if !abuseCode(c) {
				d[fList+c] = min(d[fList+c]+1, 3)
				campaignHit = campaignHit || c == codeCampaign
				continue
			}
			switch {
			case !plain:
				d[fListCtx] = min(d[fListCtx]+1, 3)
				h.quiet = true
			case counter && h.to == h.from+1 && condemnWord(f.toks[h.from].text):
				h.quiet = true
			default:
				d[fList+c] = min(d[fList+c]+1, 3)
			}
		}
	}
	if counter {
		d[fCounter] = 1
	}
	f.defused = defused(f.toks, f.words) || counter
	f.criticism = criticism(f.toks, f.words)
	f.groupAttack = false
	if !counter {
		if a := groupAttack(f.toks); a > 0 {
			d[fGroupAttack] = 1
			f.groupAttack = a == 2
		}
	}
	f.unrelatedLink = d[fLinkUnrelated] > 0
	f.thanks = thanks(f.toks)
	f.campaignCue = campaignCue(comment, f.toks)
	f.campaignWords = campaignHit || f.campaignCue
	f.question = strings.ContainsAny(comment, "?？؟")
	if f.thanks {
		d[fThanks] = 1
	}
	if f.campaignCue {
		d[fCampaignCue] = 1
	}
	d[fListCtx] = min(d[fListCtx], 3)
	for i := fList; i < nDense; i++ {
		if d[i] > 0 {
			d[i] = 1 + (d[i]-1)*0.25
		}
	}
	m.shape(comment, post, f)
}

func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// shape sets the features of the comment's form and of its overlap with the post.
func (m *Model) shape(comment, post string, f *features) {
	d := &f.dense
	letters, upper, emoji, exclaim := 0, 0, 0, 0
	for _, r := range comment {
		switch {
		case r == '!':
			exclaim++
		case unicode.IsUpper(r):
			upper++
			letters++
		case unicode.IsLetter(r):
			letters++
		case r >= 0x1F000 || (r >= 0x2600 && r <= 0x27BF):
			emoji++
		}
	}
	if letters >= 10 && upper*2 > letters {
		d[fCaps] = 1
	}
	if exclaim >= 3 {
		d[fExclaim] = 1
	}
	if emoji >= 2 {
		d[fEmoji] = 1
	}
	if letters == 0 {
		d[fNoLetters] = 1
	}
	if strings.Contains(comment, "$") || strings.Contains(comment, "€") || strings.Contains(comment, "£") {
		d[fMoney] = 1
	}
	if len(comment) < 25 {
		d[fShort] = 1
	}
	if len(comment) > 300 {
		d[fLong] = 1
	}
	if strings.Contains(comment, "@") {
		d[fMention] = 1
	}
	if strings.Contains(comment, "#") {
		d[fHashtag] = 1
	}
	if strings.Contains(comment, "?") {
		d[fQuestion] = 1
	}
	if strings.ContainsAny(comment, "®™©") {
		d[fTrademark] = 1
	}
	if hasName(comment) {
		d[fName] = 1
	}
	if q := strings.IndexAny(comment, "\"“"); q >= 0 && len(comment)-q > 150 {
		d[fQuoteLong] = 1
	}
	// Personal-detail words.
	if personalCue(f.toks) {
		d[fPersonal] = 1
	}
	// Content words shared with the post; a comment in another script than
	// the post shares none and says nothing by it.
	if post == "" || latinMajority(post) != latinMajority(comment) {
		return
	}
	// The post's words are kept for the next comment on the same post:
	// screening goes thread by thread.
	if post != f.post || f.postWords == nil {
		f.post = post
		f.postWords = postWords(post, f.postWords)
	}
	pw := f.postWords
	n, shared := 0, 0
	for _, t := range f.toks {
		if len(t.text) >= 4 {
			n++
			if pw[t.text] {
				shared++
			}
		}
	}
	switch {
	case n == 0:
	case shared == 0:
		d[fOverlap0] = 1
	case shared*5 < n:
		d[fOverlapLow] = 1
	default:
		d[fOverlapHigh] = 1
	}
}

// hasName reports two capitalized words in a row that do not start a
// sentence: most often a person's name ("Dale Kessinger").
func hasName(s string) bool {
	prevCap, sentence := false, true
	for i := 0; i < len(s); {
		for i < len(s) && !isAlpha(s[i]) {
			if s[i] == '.' || s[i] == '!' || s[i] == '?' || s[i] == '\n' || s[i] == ':' || s[i] == '"' {
				sentence, prevCap = true, false
			}
			i++
		}
		j := i
		for j < len(s) && (isAlpha(s[j]) || s[j] == '\'') {
			j++
		}
		if j == i {
			break
		}
		word := s[i:j]
		c := len(word) >= 2 && 'A' <= word[0] && word[0] <= 'Z' && 'a' <= word[1] && word[1] <= 'z'
		if c && prevCap {
			return true
		}
		prevCap = c && !sentence
		sentence = false
		i = j
	}
	return false
}

// hot reports whether token i is in an abuse code's word-list hit.
func hot(words []wordHit, i int) bool {
	for _, h := range words {
		if h.from <= i && i < h.to {
			for _, c := range h.codes {
				if abuseCode(c) {
					return true
				}
			}
		}
	}
	return false
}

// hotWords say what is felt or done to someone: negated or reported, they
// mean something else ("I don't hate …", "nobody is going to hurt you").
var hotWords = map[string]bool{"hate": true, "hates": true, "hating": true, "despise": true, "against": true, "hurt": true,
	"kill": true, "attack": true, "belong": true, "welcome": true, "trust": true, "problem": true, "crime": true, "dangerous": true}

// defused reports a comment whose hateful words and groups are all negated
// or reported ("I don't hate Muslims", "someone wrote 'Somalis out'") and
// that has at least one.
func defused(toks []token, words []wordHit) bool {
	marked := false
	for i, t := range toks {
		if !(hot(words, i) || identityWord[t.text] || hotWords[t.text]) {
			continue
		}
		if t.ctx == ctxPlain && !identityWord[t.text] {
			return false // something hateful said plainly
		}
		marked = marked || t.ctx != ctxPlain
	}
	return marked
}

// postWords returns the post's words of four letters or more, as
// tokenize normalizes them, reusing m. An ASCII post (most are) is split
// directly: lower case, letters, digits and apostrophes.
func postWords(post string, m map[string]bool) map[string]bool {
	if m == nil {
		m = map[string]bool{}
	}
	clear(m)
	// The fast split gives what tokenize gives for ASCII text without
	// symbols that stand for letters (@ $ ! | + *) and without runs of three
	// of a letter; other posts are tokenized.
	simple := true
	for i := 0; i < len(post) && simple; i++ {
		c := post[i]
		if c == 0xe2 && i+2 < len(post) && post[i+1] == 0x80 && (post[i+2] == 0x93 || post[i+2] == 0x94) {
			i += 2 // an en or em dash separates words, as in tokenize
			continue
		}
		simple = c < utf8.RuneSelf && strings.IndexByte("@$!|+*", c) < 0 &&
			!(i >= 2 && isAlpha(c) && post[i-1]|0x20 == c|0x20 && post[i-2]|0x20 == c|0x20)
	}
	if !simple {
		for _, t := range tokenize(post, nil) {
			if len(t.text) >= 4 {
				m[t.text] = true
			}
		}
		return m
	}
	var buf [64]byte
	for i := 0; i < len(post); {
		for i < len(post) && !(isAlnum(post[i]) || post[i] == '\'') {
			i++
		}
		j := i
		for j < len(post) && (isAlnum(post[j]) || post[j] == '\'') {
			j++
		}
		w := strings.Trim(post[i:j], "'")
		if len(w) >= 4 && len(w) <= len(buf) {
			letters := false
			for k := 0; k < len(w); k++ {
				letters = letters || isAlpha(w[k])
			}
			b := buf[:len(w)]
			for k := 0; k < len(w); k++ {
				c := w[k]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				if letters && leet[c] != 0 {
					c = leet[c] // "29th" is read as tokenize reads it
				}
				b[k] = c
			}
			m[string(b)] = true
		}
		i = j
	}
	return m
}
