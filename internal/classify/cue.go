package classify

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// abuseCode reports the codes whose word-list hits count only in plain
// use (not negated, not reported): obscene, vulgar, threat, harassment,
// discrimination.
func abuseCode(c int) bool { return c <= 4 }

// thanksWords thank someone, in the languages residents write.
var thanksWords = map[string]bool{
	"thanks": true, "thank": true, "thx": true, "ty": true, "tysm": true, "kudos": true, "appreciate": true,
	"appreciated": true, "gracias": true, "merci": true, "mahadsanid": true, "mahadsanidiin": true, "mahadsantahay": true,
	"mahadsantihiin": true, "tsaug": true, "спасибо": true, "благодарю": true, "شكرا": true, "galatoomaa": true,
	"galatoomi": true, "አመሰግናለሁ": true, "እናመሰግናለን": true, "cám": true,
	// Good wishes and congratulations are kind in the same way.
	"congrats": true, "congratulations": true, "felicidades": true, "hambalyo": true, "praying": true, "prayers": true,
	"поздравляю": true, "恭喜": true, "mubarak": true, "مبروك": true,
}

// thanksPairs are thanks written as two words (or two characters).
var thanksPairs = [][2]string{{"cảm", "ơn"}, {"cám", "ơn"}, {"谢", "谢"}, {"感", "谢"}, {"多", "谢"}, {"great", "job"}, {"good", "job"},
	{"well", "done"}, {"great", "work"}, {"get", "well"}, {"happy", "thanksgiving"}, {"happy", "holidays"}, {"merry", "christmas"},
	{"happy", "new"}, {"happy", "birthday"}, {"happy", "fourth"}, {"happy", "eid"}, {"eid", "mubarak"},
	{"shout", "out"}, {"chúc", "mừng"}, {"feliz", "navidad"}}

// thanksPairSet holds thanksPairs, for one lookup per word.
var thanksPairSet = func() map[[2]string]bool {
	m := map[[2]string]bool{}
	for _, p := range thanksPairs {
		m[p] = true
	}
	return m
}()

// thanks reports whether the comment thanks someone.
func thanks(toks []token) bool {
	for i, t := range toks {
		if thanksWords[t.text] || i > 0 && thanksPairSet[[2]string{toks[i-1].text, t.text}] {
			return true
		}
	}
	return false
}

// campaignPhrases ask for a vote for or against someone or something.
var campaignPhrases = [][]string{
	{"vote", "for"}, {"voting", "for"}, {"vote", "against"}, {"re-elect"}, {"reelect"}, {"re", "elect"}, {"elect"},
	{"for", "mayor"}, {"for", "council"}, {"for", "city", "council"}, {"for", "ward"}, {"for", "senate"},
	{"for", "governor"}, {"for", "congress"}, {"for", "school", "board"}, {"yes", "on"}, {"no", "on"},
	{"vota", "por"}, {"voten", "por"}, {"votemos", "por"}, {"vote", "por"}, {"votar", "por"}, {"vota", "sí"}, {"vota", "si"},
	{"pov", "npav", "rau"}, {"u", "codee"}, {"u", "dhiib"}, {"codeeya"}, {"голосуйте", "за"}, {"голосуй", "за"},
	{"my", "vote"}, {"your", "vote"}, {"vote", "him", "out"}, {"vote", "her", "out"}, {"vote", "them", "out"},
	{"vote", "them", "both", "out"}, {"ballot", "for"}, {"for", "re-election"}, {"doors", "for"}, {"as", "mayor"},
	{"slate"}, {"for", "city", "council"}, {"city", "council"}, {"re-election"}, {"reelection"}, {"supporting", "council"}, {"supporting", "mayor"}, {"bầu", "cho"}, {"投", "票", "给"}, {"选", "举"}, {"صوتوا"}, {"انتخبوا"}, {"filadhaa"}, {"ምረጡ"},
}

// campaignByFirst indexes campaignPhrases by their first word.
var campaignByFirst = func() map[string][][]string {
	m := map[string][][]string{}
	for _, p := range campaignPhrases {
		m[p[0]] = append(m[p[0]], p)
	}
	return m
}()

// campaignCue reports a phrase that campaigns: "vote for", "re-elect",
// "yes on", "vote NAME", a hashtag that names a vote or an election
// ("#ReElectOrtiz", "#VoteYes"). Talk about voting ("where do I vote?") is
// not one.
func campaignCue(comment string, toks []token) bool {
	for i := range toks {
		// "a 6–1 vote for the contract", "the vote against it": a vote
		// taken, not one asked for.
		if (toks[i].text == "vote" || toks[i].text == "votes") && i > 0 && voteTaken(toks[i-1].text) {
			continue
		}
		for _, p := range campaignByFirst[toks[i].text] {
			if i+len(p) > len(toks) {
				continue
			}
			ok := true
			for k, w := range p {
				if toks[i+k].text != w {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
		// "Malloy 2025": a capitalized name and an election year.
		if i > 0 && (toks[i].text == "2025" || toks[i].text == "2026" || toks[i].text == "2027" || toks[i].text == "2028") {
			n := comment[toks[i-1].start:toks[i-1].end]
			r, _ := utf8.DecodeRuneInString(n)
			if unicode.IsUpper(r) && len(n) > 2 && !notName[strings.ToLower(n)] && !months[strings.ToLower(n)] {
				return true
			}
		}
		// "Vote Ortiz", "vote Dana Lee": vote and a capitalized name.
		if toks[i].text == "vote" && i+1 < len(toks) {
			n := comment[toks[i+1].start:toks[i+1].end]
			r, _ := utf8.DecodeRuneInString(n)
			if unicode.IsUpper(r) && !notName[strings.ToLower(n)] {
				return true
			}
		}
	}
	for k := 0; k < len(comment); k++ {
		if comment[k] != '#' {
			continue
		}
		e := k + 1
		for e < len(comment) && (isAlnum(comment[e]) || comment[e] == '_') {
			e++
		}
		tag := strings.ToLower(comment[k+1 : e])
		if strings.Contains(tag, "vote") || strings.Contains(tag, "for") && len(tag) > 6 || strings.Contains(tag, "elect") || strings.Contains(tag, "formayor") ||
			strings.Contains(tag, "forcouncil") || strings.HasPrefix(tag, "team") || strings.HasPrefix(tag, "yeson") ||
			strings.HasPrefix(tag, "noon") {
			return true
		}
	}
	return false
}

// voteTaken reports a word before "vote" that makes it a vote taken: a
// determiner ("a", "the", "council's") or a tally ("6–1", "unanimous").
func voteTaken(w string) bool {
	switch w {
	case "a", "the", "this", "that", "their", "its", "unanimous", "final", "latest":
		return true
	}
	if strings.HasSuffix(w, "'s") {
		return true
	}
	return w != "" && isDigit(w[len(w)-1])
}

// notName are capitalized words after "vote" that are not a candidate.
var notName = map[string]bool{"yes": true, "no": true, "early": true, "today": true, "tomorrow": true, "here": true,
	"in": true, "on": true, "at": true, "by": true, "the": true, "and": true, "or": true, "for": true, "november": true,
	"tuesday": true, "now": true, "absentee": true, "by mail": true, "please": true, "if": true, "i": true}

var months = map[string]bool{"january": true, "february": true, "march": true, "april": true, "may": true, "june": true,
	"july": true, "august": true, "september": true, "october": true, "november": true, "december": true, "spring": true,
	"summer": true, "fall": true, "winter": true, "since": true, "until": true, "in": true, "of": true}

// dehumanizing words and excluding phrases, said of a group, attack it.
var dehumanizing = map[string]bool{"vermin": true, "animals": true, "rats": true, "cockroaches": true, "parasites": true,
	"savages": true, "subhuman": true, "infestation": true, "plague": true, "freaks": true, "filth": true, "scum": true,
	"criminals": true, "invaders": true, "disease": true, "sick": true, "breed": true, "leeches": true, "thugs": true,
	"mentally": true, "lazy": true, "dirty": true, "cheat": true, "rapists": true, "terrorists": true, "pedophiles": true}

var excluding = [][]string{{"go", "back"}, {"go", "home"}, {"send", "them", "back"}, {"don't", "belong"}, {"do", "not", "belong"},
	{"should", "be", "allowed"}, {"out", "of", "our"}, {"get", "rid", "of"}, {"keep", "the"}, {"keep", "those"},
	{"not", "welcome"}, {"deport"}, {"should", "leave"}, {"ban", "them"}, {"no", "place", "for"}, {"their", "kind"},
	{"own", "kind"}, {"those", "people"}, {"these", "people"}}

// strongDehumanizing words, said of a group, are hate whatever else the
// comment says.
var strongDehumanizing = map[string]bool{"vermin": true, "animals": true, "rats": true, "cockroaches": true, "parasites": true,
	"savages": true, "subhuman": true, "infestation": true, "freaks": true, "filth": true, "scum": true, "invaders": true,
	"leeches": true}

// groupAttack reports a group named (an identity word in plain use)
// together with a dehumanizing word or an excluding phrase: 2 when the
// word is one of strongDehumanizing or the phrase excludes the group
// outright, 1 otherwise, 0 for none.
func groupAttack(toks []token) int {
	group := false
	for _, t := range toks {
		if t.ctx == ctxPlain && identityWord[t.text] {
			group = true
			break
		}
	}
	if !group {
		return 0
	}
	found := 0
	for i, t := range toks {
		if t.ctx != ctxPlain && t.ctx != ctxNegated {
			continue
		}
		if t.ctx == ctxPlain && strongDehumanizing[t.text] {
			return 2
		}
		// "I hate …", "we hate …" with a group named.
		if t.ctx == ctxPlain && (t.text == "hate" || t.text == "despise") && i > 0 && (toks[i-1].text == "i" || toks[i-1].text == "we") {
			return 2
		}
		// "I can't stand …", "we cannot stand …".
		if t.ctx == ctxPlain && t.text == "stand" && i > 1 && (toks[i-1].text == "can't" || toks[i-1].text == "cant" || toks[i-1].text == "cannot") &&
			(toks[i-2].text == "i" || toks[i-2].text == "we") && groupNext(toks, i+1) {
			return 2
		}
		if t.ctx == ctxPlain && dehumanizing[t.text] {
			found = 1
		}
		for _, p := range excluding {
			if i+len(p) > len(toks) {
				continue
			}
			ok := true
			for k, w := range p {
				ok = ok && toks[i+k].text == w
			}
			if ok {
				found = 1
				if p[0] == "should" || p[0] == "don't" || p[0] == "do" || p[0] == "send" || p[0] == "deport" || p[0] == "go" || p[0] == "out" {
					return 2
				}
			}
		}
	}
	return found
}

// groupNext reports whether the words from i on name a group in plain use,
// after at most one determiner: "… stand Somali families", "… stand those
// Hmong kids", but not "… stand seeing Somali families harassed".
func groupNext(toks []token, i int) bool {
	if i < len(toks) && (toks[i].text == "those" || toks[i].text == "these" || toks[i].text == "the" || toks[i].text == "all") {
		i++
	}
	return i < len(toks) && toks[i].ctx == ctxPlain && identityWord[toks[i].text]
}

// govSubjects name the government or its officials.
var govSubjects = map[string]bool{"mayor": true, "council": true, "councilmember": true, "councilwoman": true, "councilman": true,
	"city": true, "chief": true, "manager": true, "administrator": true, "commissioner": true, "commissioners": true,
	"department": true, "board": true, "administration": true, "officials": true, "staff": true, "alderman": true,
	"police": true, "superintendent": true, "director": true, "government": true, "hall": true, "works": true}

// workWords are what criticism of government is about: its decisions,
// money, promises and services ("this city can't fix anything").
var workWords = map[string]bool{"budget": true, "plan": true, "vote": true, "voted": true, "decision": true, "policy": true,
	"contract": true, "promise": true, "promises": true, "taxes": true, "tax": true, "levy": true, "wasted": true, "waste": true,
	"failed": true, "failing": true, "resign": true, "incompetent": true, "spending": true, "money": true, "deal": true,
	"judgment": true, "bid": true, "consultants": true, "response": true, "handled": true, "priorities": true, "ignores": true,
	"ignored": true, "disaster": true, "mess": true, "raise": true, "raised": true, "cuts": true, "cut": true, "broke": true,
	"fix": true, "fixed": true, "fixing": true, "repair": true, "repaired": true, "repairs": true, "plow": true, "plowed": true,
	"plowing": true, "maintenance": true}

// criticism reports a comment about the government's work (a government
// subject and a word of its decisions, money or promises) with no abuse
// word said plainly and no word of a criminal accusation: protected
// speech, however harsh.
func criticism(toks []token, words []wordHit) bool {
	subject, work := false, false
	for _, t := range toks {
		w := strings.TrimSuffix(t.text, "'s") // "the council's vote"
		subject = subject || govSubjects[w]
		work = work || workWords[w]
	}
	if !subject || !work {
		return false
	}
	for _, h := range words {
		for _, c := range h.codes {
			if abuseCode(c) && !h.quiet || c == codeIndex("defamation") || c == codeIndex("threat") {
				return false
			}
		}
	}
	return true
}
