package classify

import (
	"slices"
	"sync"
)

// Span is what one of the comment screen's rules or word lists found in a
// text: the rule ("phone", "email", "ssn", "card", "address", "plate",
// "link", or a word list's code) and the byte range [Start, End).
// Other screens (the draft screen) use these rules through it.
type Span struct {
	Rule       string
	Start, End int
}

// RuleSpans returns what the private-data and link rules find in s, in
// text order: phone numbers, SSNs, card numbers, e-mail addresses, street
// addresses, license plates and links.
func RuleSpans(s string) []Span {
	var hits []ruleHit
	hits = findNumbers(s, hits)
	hits = findEmails(s, hits)
	hits = findAddresses(s, hits)
	hits = findLinks(s, hits)
	hits = findPlates(s, hits)
	out := make([]Span, 0, len(hits))
	for _, h := range hits {
		out = append(out, Span{Rule: h.rule, Start: h.start, End: h.end})
	}
	slices.SortStableFunc(out, func(a, b Span) int { return a.Start - b.Start })
	return out
}

var sharedLexicon = sync.OnceValue(compileLexicon)

// WordSpans returns the words and phrases of s that the curated word list
// of code ("vulgar", "obscene", "threat", …) holds, as matched by the
// comment screen (normalized, masked "f*ck" and spaced-out spellings
// included, the allow-list excepted). Each span's Rule is code.
func WordSpans(s, code string) []Span {
	c := codeIndex(code)
	if c < 0 {
		return nil
	}
	toks := tokenize(s, nil)
	var out []Span
	for _, h := range sharedLexicon().match(toks, nil) {
		if slices.Contains(h.codes, c) {
			out = append(out, Span{Rule: code, Start: toks[h.from].start, End: toks[h.to-1].end})
		}
	}
	return out
}

// CampaignCue reports whether s holds a phrase that campaigns ("vote for",
// "re-elect", "yes on", "vote NAME", "#VoteYes"), as the comment screen's
// campaign rule reads it.
func CampaignCue(s string) bool { return campaignCue(s, tokenize(s, nil)) }
