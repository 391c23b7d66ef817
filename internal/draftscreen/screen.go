package draftscreen

import (
	"cmp"
	"regexp"
	"slices"
	"strings"

	"steward.city/steward/internal/classify"
)

// MaxText is the longest draft text screened, in bytes; the rest is not read.
const MaxText = 64 << 10

// Config sets what a city chooses.
type Config struct {
	// MaxGrade is the highest Flesch-Kincaid grade a draft may read at
	// before it gets a reading_grade finding; 0 means DefaultMaxGrade.
	MaxGrade float64
	// Model is the learned model; nil means the embedded one.
	Model *Model
}

// DefaultMaxGrade is the reading grade used when a city sets none: plain
// language guidance aims at grade 8 for the public.
const DefaultMaxGrade = 9

// Screener screens drafts. It never changes once built and is safe for
// concurrent use.
type Screener struct {
	maxGrade float64
	model    *Model
}

// New builds a screener.
func New(c Config) (*Screener, error) {
	s := &Screener{maxGrade: c.MaxGrade, model: c.Model}
	if s.maxGrade <= 0 {
		s.maxGrade = DefaultMaxGrade
	}
	if s.model == nil {
		m, err := DefaultModel()
		if err != nil {
			return nil, err
		}
		s.model = m
	}
	return s, nil
}

// Screen screens a draft with the embedded model and the default reading
// grade. It panics only if the embedded model is broken, which the
// package's tests rule out.
func Screen(d Draft) Result {
	s, err := New(Config{})
	if err != nil {
		panic(err)
	}
	return s.Screen(d)
}

// campaignRule matches words that campaign for or against a candidate or a
// ballot question.
var campaignRule = regexp.MustCompile(`(?i:\b((vote )?(yes|no) on ((question|prop(osition)?|amendment|measure|referendum)( [\w-]+\b)?|\d+\b)|vote (for|yes|no|against)\b|re-?elect\b|committee to elect\b|campaign (fundraiser|event|rally|kickoff|office|headquarters|needs|volunteers?)\b|door-?knock(ers|ing)\b|donate to (the |my |our )?\w+ campaign\b)|#vote\w*|#(re)?elect\w*)|\b(?i:vote) [A-Z][a-z]+ on\b`)

// Screen screens a draft: its category and its findings in text order.
func (s *Screener) Screen(d Draft) Result {
	text := d.Text
	if len(text) > MaxText {
		cut := MaxText
		for cut > 0 && text[cut]&0xC0 == 0x80 {
			cut--
		}
		text = text[:cut]
	}
	d.Text = text
	fs := textFeatures(text, &d)
	res := Result{Category: s.model.category(fs), Findings: []Finding{}}

	spans, names, sents := ruleSpans(text)
	for _, c := range names {
		if s.model.Name.prob(nameFeatures(text, c, &d)) >= s.model.Name.Threshold {
			spans = appendNew(spans, span{PrivatePersonName, c.start, c.end, "model"})
		}
	}
	var sentFeatures [][]string // computed once, when a learned code first needs them
	for _, c := range LearnedCodes {
		h := s.model.Codes[c]
		if hasCode(spans, c) || !modelMayFind(c, text) || h.prob(fs) < h.Threshold {
			continue
		}
		// The sentence that reads most like the code carries the finding.
		if sentFeatures == nil {
			for _, se := range sents {
				sentFeatures = append(sentFeatures, textFeatures(text[se[0]:se[1]], &d))
			}
		}
		best, bestP := [2]int{}, -1.0
		for i, se := range sents {
			if p := h.prob(sentFeatures[i]); p > bestP {
				best, bestP = se, p
			}
		}
		spans = append(spans, span{c, best[0], best[1], "model"})
	}
	// A case or incident number is private only with the person it
	// concerns: alone it is how the police ask for tips.
	private := false
	for _, sp := range spans {
		private = private || sp.code == PrivatePersonName || sp.code == ContactInfo || sp.code == MedicalOrCase ||
			sp.code == IDNumber && sp.rule != "case_number"
	}
	for _, sp := range spans {
		if sp.rule == "case_number" && !private {
			continue
		}
		f := Finding{Code: sp.code, Start: sp.start, End: sp.end, Text: text[sp.start:sp.end], Clause: clauses[sp.code], Block: Review, Rule: sp.rule}
		if sp.code == ViolenceOrCrime && d.Covert {
			f.Block, f.Clause = Absolute, violenceOnCovert
		}
		res.Findings = append(res.Findings, f)
	}
	var grade float64
	res.Findings, grade = s.accessibility(d, res.Findings)
	res.Grade = grade
	slices.SortStableFunc(res.Findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End), strings.Compare(a.Code, b.Code))
	})
	return res
}

// ruleSpans returns what the rules find in text, and the name candidates
// and sentences they read.
func ruleSpans(text string) ([]span, []nameCandidate, [][2]int) {
	hits := classify.RuleSpans(text)
	var spans []span
	spans = contactSpans(text, hits, spans)
	spans = idSpans(text, hits, spans)
	spans = profanitySpans(text, spans)
	for _, m := range campaignRule.FindAllStringIndex(text, -1) {
		spans = appendNew(spans, span{Campaign, m[0], m[1], "campaign_phrase"})
	}
	names := nameCandidates(text)
	sents := sentences(text)
	spans = phraseSpans(text, sents, names, spans)
	return spans, names, sents
}

// modelMayFind reports whether the learned model may report code in text:
// a campaign finding needs a campaign word besides "vote" ("registered to
// vote?" is information), a violence finding a word of violence or crime.
func modelMayFind(code, text string) bool {
	switch code {
	case Campaign:
		return strongCampaignCue(text)
	case ViolenceOrCrime:
		return violenceWords.MatchString(strings.ToLower(text))
	}
	return true
}

func hasCode(spans []span, code string) bool {
	for _, s := range spans {
		if s.code == code {
			return true
		}
	}
	return false
}
