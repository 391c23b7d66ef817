package classify

import "strings"

// How a word is used. A word-list hit counts as the commenter's own words
// only in plain use; the model also sees negated and reported words apart
// from plain ones (their hashed features are seeded differently), so "I
// don't hate Muslims" and "calling them vermin is disgusting" do not read
// like "I hate Muslims" and "they are vermin".
const (
	ctxPlain    = 0
	ctxNegated  = 1 // in the scope of a negation: "I don't hate …", "nobody thinks …"
	ctxReported = 2 // someone else's words: in quotation marks, or after "calling them", "yelled that", "the word"
)

// negators start a negation's scope.
var negators = map[string]bool{
	"not": true, "no": true, "never": true, "nobody": true, "nothing": true, "none": true, "nor": true, "neither": true,
	"don't": true, "dont": true, "doesn't": true, "doesnt": true, "didn't": true, "didnt": true, "isn't": true, "isnt": true,
	"aren't": true, "arent": true, "wasn't": true, "wasnt": true, "weren't": true, "won't": true, "wont": true,
	"wouldn't": true, "wouldnt": true, "can't": true, "cant": true, "cannot": true, "shouldn't": true, "shouldnt": true,
	"haven't": true, "hasn't": true, "ain't": true, "nunca": true, "jamás": true, "jamas": true, "никогда": true, "не": true,
}

// reporters introduce someone else's words.
var reporters = map[string]bool{
	"calling": true, "called": true, "call": true, "saying": true, "said": true, "says": true, "yelled": true,
	"yelling": true, "shouted": true, "shouting": true, "screamed": true, "wrote": true, "written": true, "writing": true,
	"posted": true, "posting": true, "claims": true, "claimed": true, "claiming": true, "chanting": true, "chanted": true,
	"word": true, "words": true, "slur": true, "slurs": true, "sign": true, "flyer": true, "flyers": true, "graffiti": true,
	"spray-painted": true, "painted": true, "tagged": true, "told": true, "telling": true,
}

// selfSpeakers before a reporter make it the commenter's own words: "I'm
// just saying …", "like I said".
var selfSpeakers = map[string]bool{"i": true, "i'm": true, "im": true, "just": true, "we": true, "i've": true}

// scopeEnds end a negation's scope.
var scopeEnds = map[string]bool{
	"but": true, "and": true, "or": true, "because": true, "so": true, "until": true, "unless": true, "though": true,
	"if": true, "then": true, "pero": true, "y": true,
}

// copulas end a reported scope: "calling them vermin | is disgusting".
var copulas = map[string]bool{"is": true, "are": true, "was": true, "were": true, "isn't": true, "aren't": true, "has": true, "have": true}

// condemnations say that words or acts are wrong.
var condemnations = []string{"disgusting", "vile", "wrong", "shameful", "ashamed", "unacceptable", "appalling", "horrible",
	"sickening", "gross", "hateful", "condemn", "condemns", "condemned", "condemning", "no place", "stand with",
	"stand against", "not okay", "not ok", "racist", "bigoted", "cowardly", "reported it", "report it", "knock it off",
	"stop", "remove it", "clean it", "take it down", "has no place", "not welcome", "vergüenza", "inaceptable"}

// hateNouns name hate as a thing to condemn.
var hateNouns = map[string]bool{"hate": true, "hatred": true, "racism": true, "bigotry": true, "antisemitism": true,
	"islamophobia": true, "homophobia": true, "transphobia": true, "xenophobia": true, "slur": true, "slurs": true,
	"flyer": true, "flyers": true, "graffiti": true, "tag": true, "tags": true, "swastika": true, "racismo": true, "odio": true}

// quoteMark reports the quotation marks people write around words.
func quoteMark(r rune) bool {
	switch r {
	case '"', '“', '”', '«', '»', '„', '「', '」', '『', '』':
		return true
	}
	return false
}

// breaks reports whether the text between two words ends a clause.
func breaks(gap string) bool { return strings.ContainsAny(gap, ".,;:!?\n()—–") }

// markContext sets each token's ctx: reported inside quotation marks and
// after a reporting word, negated after a negator, until the clause ends.
// It returns whether the comment condemns hate (counter-speech).
func markContext(comment string, toks []token) (counter bool) {
	inQuote := false
	negLeft, repLeft := 0, 0
	reported, hateNoun := false, false
	for i := range toks {
		t := &toks[i]
		gapStart := 0
		if i > 0 {
			gapStart = toks[i-1].end
		}
		gap := ""
		if gapStart <= t.start {
			gap = comment[gapStart:t.start]
		}
		for _, r := range gap {
			if quoteMark(r) {
				inQuote = !inQuote
			}
		}
		if breaks(gap) && !inQuote {
			negLeft, repLeft = 0, 0
		}
		w := t.text
		if scopeEnds[w] {
			negLeft = 0
		}
		if copulas[w] {
			repLeft = 0
		}
		hateNoun = hateNoun || hateNouns[w]
		switch {
		case inQuote:
			t.ctx = ctxReported
			reported = true
		case repLeft > 0:
			t.ctx = ctxReported
			repLeft--
			reported = true
		case negLeft > 0:
			t.ctx = ctxNegated
			negLeft--
		}
		// "No Somali people should …", "no more …": a determiner, not a negation.
		// "I can't stand …" says hate; "don't let those … near" asks to keep
		// someone out: neither negates the words after it.
		if negators[w] && !(w == "no" && i+1 < len(toks) && (identityWord[toks[i+1].text] || toks[i+1].text == "more")) &&
			!(i+1 < len(toks) && toks[i+1].text == "stand") && !letThem(toks, i+1) {
			negLeft = 6
		}
		if reporters[w] && (i == 0 || !selfSpeakers[toks[i-1].text]) {
			repLeft = 8
		}
	}
	if !reported && !hateNoun {
		return false
	}
	lc := strings.ToLower(comment)
	for _, c := range condemnations {
		if k := strings.Index(lc, c); k >= 0 && (k == 0 || !isAlpha(lc[k-1])) && (k+len(c) == len(lc) || !isAlpha(lc[k+len(c)])) {
			return true
		}
	}
	return false
}

// letThem reports "let those …", "let them …", "let Somali …" at i: after a
// negator it asks to keep a group out ("don't let those … near the pool"),
// unlike "don't let anyone tell you …".
func letThem(toks []token, i int) bool {
	if i+1 >= len(toks) || toks[i].text != "let" {
		return false
	}
	switch w := toks[i+1].text; w {
	case "those", "these", "them", "the", "any", "more":
		return true
	default:
		return identityWord[w]
	}
}

// condemnWord reports a word-list hit that, in counter-speech, judges the
// hate rather than a person ("… is disgusting").
func condemnWord(w string) bool {
	switch w {
	case "disgusting", "vile", "pathetic", "disgrace", "cowardly", "coward", "cowards":
		return true
	}
	return false
}
