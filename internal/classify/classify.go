// Package classify scores a public comment, with the post it answers as
// context, for each of the policy's reason codes. It routes comments to
// people with a reason; it never decides.
//
// A comment is normalized (NFKC, look-alike letters, leetspeak, long runs of
// a letter, spelled-out words), matched against curated word lists with an
// allow-list, and searched by rules for private data (e-mail addresses,
// phone numbers, Social Security and card numbers, street addresses) and
// links. A multi-label linear model over hashed word and character n-grams,
// plus what the rules and lists found, gives each code a score from 0 to 1.
// The weights are trained by Train from public data and the city's own
// labeled comments, and embedded in the binary.
package classify

import (
	"fmt"
	"math"
	"strings"
	"sync"

	"steward.city/steward/internal/civic"
)

// Codes are the policy's reason codes, in taxonomy order.
var Codes = []string{
	"obscene", "vulgar", "threat", "harassment", "discrimination", "spam", "private_info", "illegal_activity",
	"campaign", "off_topic", "unrelated_link", "defamation", "ip_violation", "investigation", "safety",
}

const nCodes = 15

// codeIndex returns the index of code in Codes, or -1.
func codeIndex(code string) int {
	for i, c := range Codes {
		if c == code {
			return i
		}
	}
	return -1
}

// Model is a trained classifier with its thresholds. It is safe for
// concurrent use and never changes once built.
type Model struct {
	bias       [nCodes]float32
	scale      [nCodes]float32 // weight = scale × int8
	dense      [nDense][nCodes]float32
	weights    []int8 // Buckets × nCodes, row per bucket
	thresholds [nCodes]float64
	// fallback, when over 0, labels a comment that no code reaches with
	// the code nearest its threshold, if its score is at least fallback
	// times the threshold: a comment that looks wrong in several small ways
	// still goes to a person.
	fallback float64
	// platt is each code's calibration (a, b): p = sigmoid(a·z + b).
	platt [nCodes][2]float32
	// curves and support are what Curve reports.
	curves  [nCodes][curveSteps][2]float32
	support [nCodes]uint32
	lex     *lexicon
	pool    sync.Pool // *features
	// id names the model file: the start of its SHA-256 (ModelID).
	id string
}

// Default returns the model embedded in the binary. It is loaded once; later
// calls return the same model.
func Default() (*Model, error) { return loadDefault() }

var loadDefault = sync.OnceValues(func() (*Model, error) {
	m, err := Decode(embedded)
	if err != nil {
		return nil, fmt.Errorf("classify: embedded model: %w", err)
	}
	return m, nil
})

// Thresholds returns the score at or over which each code is a label.
func (m *Model) Thresholds() map[string]float64 {
	out := make(map[string]float64, nCodes)
	for i, c := range Codes {
		out[c] = m.thresholds[i]
	}
	return out
}

// WithThresholds returns a copy of m whose thresholds for the codes named in
// t are replaced. A code that is not a reason code, or a threshold outside
// 0..1, is an error.
func (m *Model) WithThresholds(t map[string]float64) (*Model, error) {
	c := m.clone()
	for code, v := range t {
		i := codeIndex(code)
		if i < 0 {
			return nil, civic.Invalid("thresholds", "%q is not a reason code", code)
		}
		if math.IsNaN(v) || v < 0 || v > 1 {
			return nil, civic.Invalid("thresholds", "%s: threshold %v is not between 0 and 1", code, v)
		}
		c.thresholds[i] = v
	}
	return c, nil
}

func sigmoid(z float64) float64 {
	if z < -30 {
		return 0
	}
	return 1 / (1 + math.Exp(-z))
}

// scores computes each code's score from f.
func (m *Model) scores(f *features) [nCodes]float64 {
	var acc [nCodes]int32
	w := m.weights
	for _, h := range f.hashed {
		row := w[int(h)*nCodes : int(h)*nCodes+nCodes : int(h)*nCodes+nCodes]
		for c := range nCodes {
			acc[c] += int32(row[c])
		}
	}
	norm := float32(0)
	if n := len(f.hashed) + f.dropped; n > 0 {
		norm = 1 / float32(math.Sqrt(float64(n)))
	}
	var z [nCodes]float32
	for c := range nCodes {
		z[c] = m.bias[c] + m.scale[c]*float32(acc[c])*norm
	}
	for i, v := range f.dense {
		if v == 0 {
			continue
		}
		for c := range nCodes {
			z[c] += v * m.dense[i][c]
		}
	}
	var out [nCodes]float64
	for c := range nCodes {
		a, b := m.platt[c][0], m.platt[c][1]
		if a == 0 {
			a = 1 // not calibrated (a model being trained)
		}
		out[c] = sigmoid(float64(a*z[c] + b))
	}
	// Off topic means nothing without the post.
	if f.noPost {
		out[codeOffTopic] = 0
	}
	// A thank-you, a question or criticism of the government's work ("a
	// 10–3 vote to confirm…") is campaign material only with a campaign
	// phrase in it; any other comment only with a campaign phrase or word.
	if (f.thanks || f.question || f.criticism) && !f.campaignCue || !f.campaignWords {
		out[codeCampaign] = min(out[codeCampaign], 0.01)
	}
	// A link is unrelated only if the comment has one that is.
	if !f.unrelatedLink {
		out[codeLink] = min(out[codeLink], 0.01)
	}
	// Negated or reported hate, and counter-speech, are not abuse: the
	// abuse codes (and illegal activity, which tweets teach the same
	// words) stay under every threshold they can be given by tuning.
	// The same holds for criticism of the government's work, which is
	// protected: then every code without a word or a rule of its own found
	// in the comment stays under its threshold.
	// A thank-you or a question likewise, but a question may be off topic.
	if f.defused || f.criticism || f.thanks || f.question {
		for c := range nCodes {
			if f.dense[fList+c] == 0 && !ruleEvidence(f, c) && !(c == codeOffTopic && f.question && !f.thanks && !f.defused && !f.criticism) {
				out[c] = min(out[c], 0.05)
			}
		}
	}
	// A group called vermin or animals, or told to go back or to stay
	// out, is discrimination.
	if f.groupAttack {
		out[codeDiscrimination] = max(out[codeDiscrimination], 0.9)
	}
	// Numbers that can only be private data: a valid SSN, a card number.
	if f.dense[fSSN] > 0 || f.dense[fCard] > 0 {
		out[codePrivate] = max(out[codePrivate], 0.95)
	}
	return out
}

var (
	codePrivate        = codeIndex("private_info")
	codeLink           = codeIndex("unrelated_link")
	codeSpam           = codeIndex("spam")
	codeOffTopic       = codeIndex("off_topic")
	codeCampaign       = codeIndex("campaign")
	codeDiscrimination = codeIndex("discrimination")
)

// clone returns a copy of m sharing its weights.
func (m *Model) clone() *Model {
	return &Model{bias: m.bias, scale: m.scale, dense: m.dense, weights: m.weights, thresholds: m.thresholds,
		fallback: m.fallback, platt: m.platt, curves: m.curves, support: m.support, lex: m.lex, id: m.id}
}

// ModelID names the model by the SHA-256 of the file it was read from
// (16 hexadecimal digits), so that Steward can tell when a new model came:
// it implements civic.IdentifiedScreener. Thresholds set by a city do not
// change it.
func (m *Model) ModelID() string { return m.id }

// label returns the codes whose scores reach their thresholds, or, if none
// does, the fallback's code.
func (m *Model) label(s *[nCodes]float64) [nCodes]bool {
	var l [nCodes]bool
	any := false
	best, bestRatio := -1, 0.0
	for c := range nCodes {
		if s[c] >= m.thresholds[c] {
			l[c], any = true, true
		}
		if m.thresholds[c] > 0 {
			if r := s[c] / m.thresholds[c]; r > bestRatio {
				best, bestRatio = c, r
			}
		}
	}
	if !any && m.fallback > 0 && best >= 0 && bestRatio >= m.fallback && s[best] > 0 {
		l[best] = true
	}
	return l
}

// Screen implements civic.Screener: each code's score, the codes over their
// thresholds, and the spans of the comment that rules and word lists found
// for those codes.
func (m *Model) Screen(comment, post string) civic.Screening {
	f, _ := m.pool.Get().(*features)
	if f == nil {
		f = &features{}
	}
	defer m.pool.Put(f)
	m.extract(comment, post, f)
	s := m.scores(f)
	out := civic.Screening{Scores: make(map[string]float64, nCodes)}
	// A comment with no word, emoji or number has nothing to score.
	if len(f.toks) == 0 && len(f.rules) == 0 {
		s = [nCodes]float64{}
	}
	labeled := m.label(&s)
	for c, code := range Codes {
		out.Scores[code] = math.Round(s[c]*1e4) / 1e4
		if labeled[c] {
			out.Labels = append(out.Labels, code)
		}
	}
	if len(out.Labels) > 0 {
		out.Evidence = m.evidence(comment, post, f, labeled)
	}
	return out
}

// evidence lists the spans behind the labeled codes, in comment order.
func (m *Model) evidence(comment, post string, f *features, labeled [nCodes]bool) []civic.Evidence {
	var ev []civic.Evidence
	add := func(c, start, end int, rule string) {
		ev = append(ev, civic.Evidence{Code: Codes[c], Start: start, End: end, Text: comment[start:end], Rule: rule})
	}
	for _, h := range f.words {
		start, end := f.toks[h.from].start, f.toks[h.to-1].end
		for _, c := range h.codes {
			if labeled[c] && !(h.quiet && abuseCode(c)) {
				add(c, start, end, "wordlist")
			}
		}
	}
	lowerPost := ""
	for _, r := range f.rules {
		switch r.rule {
		case "link":
			if lowerPost == "" {
				lowerPost = strings.ToLower(post)
			}
			if labeled[codeLink] && (shorteners[r.host] || !hostRelated(r.host, lowerPost)) {
				add(codeLink, r.start, r.end, "link")
			}
			if labeled[codeSpam] {
				add(codeSpam, r.start, r.end, "link")
			}
		default:
			if labeled[codePrivate] {
				add(codePrivate, r.start, r.end, r.rule)
			}
		}
	}
	sortEvidence(ev)
	return ev
}

// ruleEvidence reports whether a rule found something for code c in the
// comment: private data, an unrelated link, a campaign phrase.
func ruleEvidence(f *features, c int) bool {
	d := &f.dense
	switch c {
	case codePrivate:
		return d[fPhone]+d[fEmail]+d[fAddress]+d[fSSN]+d[fCard]+d[fPlate] > 0
	case codeLink, codeSpam:
		return d[fLinkUnrelated] > 0
	case codeCampaign:
		return f.campaignCue
	}
	return false
}
