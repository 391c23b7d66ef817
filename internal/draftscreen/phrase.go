package draftscreen

import (
	"regexp"
	"strings"
)

// Phrase rules find what a few words say plainly in any official post:
// "I think", "between us, 6% has the votes", "her chemotherapy". Each is
// general English, written from what the code means, not from the words of
// particular labeled drafts; the learned model finds the rest. A phrase
// finding spans the sentence that holds the phrase.

// opinionRule matches a first-person opinion or a verdict on people.
var opinionRule = regexp.MustCompile(`\b(i (really )?(think|believe|feel)|in my (humble |honest )?opinion|imo|imho|personally,? i|my two cents|if you ask me|speaking for myself|i'd (ban|rather|say|argue)|you're (all )?wrong|should be (embarrassed|ashamed)|waste of (taxpayer )?(money|time)|(is|are) (just )?being (selfish|ignorant|stupid|lazy)|(completely|totally|utterly) failed|(is|was) unacceptable|unacceptable[.!])`)

// negotiationRule matches a negotiating position or a pending deal.
var negotiationRule = regexp.MustCompile(`\b(won't go (higher|above|over|beyond|lower|below)|between us|closed session|negotiat\w*|in talks (to|with)|close to (settling|a deal|an agreement)|prepared to (offer|pay)|(walk-?away|asking|reserve) price|(our|top|final|opening|best) (offer|bid)|offering .{0,40}(raise|extension|contract|lease|\$\d)|(settle|settling) (with|for))\b`)

// partnerRule matches plainly negative words about someone's work.
var partnerRule = regexp.MustCompile(`\b(useless|(a|total|complete) disaster|sloppy|incompetent|unreliable|messed up|(is|are|was|were) a joke|don't bother (with|calling)|be warned|nobody ever (answers|picks up|shows up|calls back)|never (answers|picks up|shows up|calls back)|worst (service|vendor|contractor|partner|company)|(terrible|awful|lousy) (job|service|work))\b`)

// partnerWords name who a criticism is about: a partner, a vendor, "their".
var partnerWords = regexp.MustCompile(`\b(partner\w*|vendor\w*|contractor\w*|their|they|them|company|agency|nonprofit|hotline|clinic|provider|club|collective|alliance|unlike)\b`)

// medicalRule matches medical words and details of a case.
var medicalRule = regexp.MustCompile(`\b(tested positive|positive for|diagnos\w*|chemo\w*|cancer|hiv|hepatitis|tuberculosis|overdosed|opioid use|addict\w*|rehab|mental (health|illness) (crisis|condition|issues)|psychiatric|pregnan\w*|miscarriage|medical (leave|condition|history)|surgery|critical condition|hospitali[sz]ed|injured|injuries|history of|dementia|alzheimer\w*|seizures?|heart attack|diabet\w*|medication|prescription|disabilit\w*|autis\w*|suicide attempt|broke (his|her|their) \w+|arrested|charged with|warrant|on probation|on parole|prior (arrests|convictions)|criminal record)\b`)

// personRule names one person in a sentence: a pronoun or a word for a
// person in a role.
var personRule = regexp.MustCompile(`\b(he|she|his|her|him|hers|himself|herself|the (man|woman|boy|girl|teen|child|manager|owner|employee|resident|tenant|homeowner|driver|patient|victim|suspect|nephew|niece|son|daughter|mother|father|wife|husband|neighbor|worker|firefighter|officer|student|customer)|\d{1,2}-year-old)\b`)

// phraseSpans adds the phrase rules' findings, each the sentence holding the phrase.
func phraseSpans(text string, sents [][2]int, names []nameCandidate, dst []span) []span {
	for _, se := range sents {
		// The rules are written in lower case: matching lowered text is
		// several times faster than matching case-insensitively.
		s := strings.ToLower(text[se[0]:se[1]])
		if opinionRule.MatchString(s) {
			dst = appendNew(dst, span{PersonalOpinion, se[0], se[1], "opinion_phrase"})
		}
		if negotiationRule.MatchString(s) {
			dst = appendNew(dst, span{PendingNegotiation, se[0], se[1], "negotiation_phrase"})
		}
		if partnerRule.MatchString(s) && partnerWords.MatchString(s) {
			dst = appendNew(dst, span{PartnerCriticism, se[0], se[1], "criticism_phrase"})
		}
		if violenceRule.MatchString(s) {
			dst = appendNew(dst, span{ViolenceOrCrime, se[0], se[1], "violence_phrase"})
		}
		if medicalRule.MatchString(s) && (personRule.MatchString(s) || nameIn(names, se)) {
			dst = appendNew(dst, span{MedicalOrCase, se[0], se[1], "medical_phrase"})
		}
	}
	return dst
}

func nameIn(names []nameCandidate, se [2]int) bool {
	for _, c := range names {
		if c.start >= se[0] && c.end <= se[1] {
			return true
		}
	}
	return false
}

// violenceRule matches a call to hurt someone, a weapon for sale or on
// hand, or taking the law into one's own hands.
var violenceRule = regexp.MustCompile(`(\b((rough|beat|jump|smoke|pop|shoot|stab|hurt|mess) (him|her|them|that \w+|those \w+)( up)?|(slide|run up|pull up) on (him|her|them|those|these|that|us)|put(ting)? (him|her|them) in the hospital|glock|ghost gun|(auto )?switch for|ammo|(slash(ed)?|slashing) (his|her|their) tires|tires slashed|(take|taking) matters into (their|your|our) own hands|got (a|the) plug)\b|🔫|🔪)`)

// violenceWords are words of violence or crime; a learned violence_or_crime
// finding needs one, so a covert persona's small talk ("just got a puppy")
// is not read as a threat because of the account it comes from.
var violenceWords = regexp.MustCompile(`(\b(hurt|hit|beat\w*|jump\w*|fight\w*|shoot\w*|shot|stab\w*|kill\w*|hospital|slash\w*|gun|glock|strap|ammo|switch|slide|smoke|pop|rough|weapon|knife|steal\w*|stole|stolen|hot|catalytic|gas cards|no title|no questions|don't ask|percs?|xans?|lean|plug|pills|dope|rob\w*|snitch\w*|matters into|teach \w+ a lesson|deserves?|vandal\w*)\b|🔫|🔪|👊|💥)`)
