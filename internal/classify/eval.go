package classify

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// CodeQuality is one code's quality on the held-out civic split.
type CodeQuality struct {
	Code                  string
	Support, TP, FP, FN   int
	Precision, Recall, F1 float64
	Threshold             float64
}

// PIIQuality is how the private-data rules did on one presidio-synth type.
type PIIQuality struct {
	Type      string
	Spans     int // labeled spans of the type
	Found     int // labeled spans a rule of the matching kind overlaps
	Hits      int // rule hits of the matching kind
	HitsRight int // rule hits that overlap a labeled span of the type
}

// Report is what Evaluate measured.
type Report struct {
	HeldOut                           int // held-out civic comments
	Codes                             []CodeQuality
	MicroP, MicroR, MicroF1           float64
	WithLabel, FlaggedWithLabel       int // held-out comments with ≥1 label, and of those flagged
	Protected, ProtectedFlagged       int // held-out protected comments, and of those flagged
	ProtectedAll, ProtectedAllFlagged int // every protected comment (training split included)
	WikiN                             int
	WikiAUC                           float64
	DavidsonN, DavidsonFolds          int
	DavidsonAUC                       float64 // hateful or offensive vs neither, by the abuse score
	DavidsonHateAUC                   float64 // hateful vs the rest, by the discrimination score
	MadlibsGood, MadlibsGoodFlagged   int
	MadlibsBad, MadlibsBadFlagged     int
	PII                               []PIIQuality
	Clean, CleanFlagged               int            // held-out comments with no label that are not protected, and of those flagged
	Sets                              []GroupQuality // by civic file
	Langs                             []GroupQuality // by language, most comments first
	Calibration                       []Bin          // every held-out (comment, code) score, in tenths
	Functional                        []FunctionQuality
	Blind                             []FunctionQuality // the blind suite
	ModelBytes, ModelMemory           int               // the embedded file, and the weights in memory
	// FalseFlags lists held-out protected and clean comments that were
	// flagged, and Missed those with a label that were not, for reading.
	FalseFlags, Missed []string
	// LangRight counts held-out comments whose language DetectLanguage names.
	LangRight int
	// PerSecond is how many held-out comments Screen scores a second on
	// one core (testing.Benchmark with GOMAXPROCS 1); 0 if not measured.
	PerSecond float64
	// PerCPUSecond is the same by CPU time rather than wall-clock time:
	// how many a second one core screens when no other program shares it.
	// 0 if not measured (a system without getrusage).
	PerCPUSecond float64
}

// MeasureSpeed sets r.PerSecond: testing.Benchmark screens the held-out
// comments with their posts, in a loop, with GOMAXPROCS set to 1.
func (r *Report) MeasureSpeed(m *Model, d *Data) {
	var rows []CivicRow
	for _, row := range d.Civic {
		if d.heldOut(row.ID) {
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 {
		return
	}
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	res := testing.Benchmark(func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			row := &rows[i%len(rows)]
			m.Screen(row.Comment, row.Post)
		}
	})
	if res.T > 0 {
		r.PerSecond = float64(res.N) / res.T.Seconds()
	}
	// The same comments by CPU time: twenty passes over them.
	const passes = 20
	before, ok := cpuTime()
	if !ok {
		return
	}
	for range passes {
		for i := range rows {
			m.Screen(rows[i].Comment, rows[i].Post)
		}
	}
	if after, _ := cpuTime(); after > before {
		r.PerCPUSecond = float64(passes*len(rows)) / (after - before).Seconds()
	}
}

// Speed is how many held-out comments one core screens a second: by CPU
// time when it was measured, else by wall-clock time.
func (r Report) Speed() float64 {
	if r.PerCPUSecond > 0 {
		return r.PerCPUSecond
	}
	return r.PerSecond
}

// speedText says both speeds and how each was measured.
func (r Report) speedText() string {
	if r.PerCPUSecond > 0 {
		return fmt.Sprintf("%.0f by CPU time (%.0f by wall-clock time on a shared machine), held-out comments", r.PerCPUSecond, r.PerSecond)
	}
	return fmt.Sprintf("%.0f by wall-clock time, held-out comments", r.PerSecond)
}

// GroupQuality is the held-out quality on one group of comments: a civic
// file or a language.
type GroupQuality struct {
	Name                        string
	N                           int
	WithLabel, FlaggedWithLabel int
	Protected, ProtectedFlagged int
	Clean, CleanFlagged         int
	TP, FP, FN                  int
}

// FlagRecall is the share of the group's comments with a label that got one.
func (g GroupQuality) FlagRecall() float64 { return ratio(g.FlaggedWithLabel, g.WithLabel) }

// MicroF1 is the group's F1 over every (comment, code) pair.
func (g GroupQuality) MicroF1() float64 { _, _, f := prf(g.TP, g.FP, g.FN); return f }

// Bin is one bin of a reliability curve: scores in [Lo, Hi), their mean,
// and the share of them whose code is a label.
type Bin struct {
	Lo, Hi   float64
	N, Yes   int
	MeanProb float64
}

// FlagRecall is the share of held-out comments with a label that got one.
func (r Report) FlagRecall() float64 { return ratio(r.FlaggedWithLabel, r.WithLabel) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// abuseCodes score how abusive a comment is, for the toxicity sets.
var abuseCodes = []int{codeIndex("obscene"), codeIndex("vulgar"), codeIndex("threat"), codeIndex("harassment"), codeIndex("discrimination")}

// abuse is the chance that at least one abuse code applies, taking the
// codes' scores as independent (noisy-or).
func abuse(s [nCodes]float64) float64 {
	none := 1.0
	for _, c := range abuseCodes {
		none *= 1 - s[c]
	}
	return 1 - none
}

// AUC is the area under the ROC curve of scores against yes (ties count half).
func AUC(scores []float64, yes []bool) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case scores[a] < scores[b]:
			return -1
		case scores[a] > scores[b]:
			return 1
		}
		return 0
	})
	var rankSum float64
	pos := 0
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks i+1..j
		for k := i; k < j; k++ {
			if yes[idx[k]] {
				rankSum += avg
				pos++
			}
		}
		i = j
	}
	neg := len(scores) - pos
	if pos == 0 || neg == 0 {
		return 0
	}
	return (rankSum - float64(pos)*float64(pos+1)/2) / (float64(pos) * float64(neg))
}

// Evaluate measures m on data it never trained on: the held-out civic split,
// the Wikipedia toxicity test set, the identity templates, presidio-synth;
// and Davidson by k-fold cross-validation, training a model per fold with
// opt (k of 0 skips it).
func Evaluate(m *Model, d *Data, k int, opt TrainOptions) Report {
	var r Report
	var tp, fp, fn [nCodes]int
	sets, langs := map[string]*GroupQuality{}, map[string]*GroupQuality{}
	group := func(all map[string]*GroupQuality, name string) *GroupQuality {
		if all[name] == nil {
			all[name] = &GroupQuality{Name: name}
		}
		return all[name]
	}
	var bins [10]Bin
	for _, row := range d.Civic {
		if !d.heldOut(row.ID) {
			if row.Protected {
				r.ProtectedAll++
				if len(m.Screen(row.Comment, row.Post).Labels) > 0 {
					r.ProtectedAllFlagged++
				}
			}
			continue
		}
		r.HeldOut++
		if DetectLanguage(row.Comment) == row.Lang {
			r.LangRight++
		}
		s := m.Screen(row.Comment, row.Post)
		var want [nCodes]bool
		for _, l := range row.Labels {
			want[codeIndex(l)] = true
		}
		var got [nCodes]bool
		for _, l := range s.Labels {
			got[codeIndex(l)] = true
		}
		gs := []*GroupQuality{group(sets, row.Set), group(langs, row.Lang)}
		for c, code := range Codes {
			b := &bins[min(int(s.Scores[code]*10), 9)]
			b.N++
			b.MeanProb += s.Scores[code]
			if want[c] {
				b.Yes++
			}
			switch {
			case got[c] && want[c]:
				tp[c]++
			case got[c]:
				fp[c]++
			case want[c]:
				fn[c]++
			}
			for _, g := range gs {
				switch {
				case got[c] && want[c]:
					g.TP++
				case got[c]:
					g.FP++
				case want[c]:
					g.FN++
				}
			}
		}
		flagged := len(s.Labels) > 0
		switch {
		case flagged && len(row.Labels) == 0:
			r.FalseFlags = append(r.FalseFlags, fmt.Sprintf("%s %s protected=%v got %v: %s", row.ID, row.Lang, row.Protected, s.Labels, row.Comment))
		case !flagged && len(row.Labels) > 0:
			r.Missed = append(r.Missed, fmt.Sprintf("%s %s want %v: %s", row.ID, row.Lang, row.Labels, row.Comment))
		}
		for _, g := range gs {
			g.N++
			switch {
			case len(row.Labels) > 0:
				g.WithLabel++
				g.FlaggedWithLabel += b2n(flagged)
			case row.Protected:
			default:
				g.Clean++
				g.CleanFlagged += b2n(flagged)
			}
			if row.Protected {
				g.Protected++
				g.ProtectedFlagged += b2n(flagged)
			}
		}
		if len(row.Labels) > 0 {
			r.WithLabel++
			r.FlaggedWithLabel += b2n(flagged)
		} else if !row.Protected {
			r.Clean++
			r.CleanFlagged += b2n(flagged)
		}
		if row.Protected {
			r.Protected++
			r.ProtectedAll++
			r.ProtectedFlagged += b2n(flagged)
			r.ProtectedAllFlagged += b2n(flagged)
		}
	}
	for i := range bins {
		bins[i].Lo, bins[i].Hi = float64(i)/10, float64(i+1)/10
		if bins[i].N > 0 {
			bins[i].MeanProb /= float64(bins[i].N)
		}
	}
	r.Calibration = bins[:]
	r.Sets = sortedGroups(sets)
	r.Langs = sortedGroups(langs)
	var stp, sfp, sfn int
	for c, code := range Codes {
		q := CodeQuality{Code: code, Support: tp[c] + fn[c], TP: tp[c], FP: fp[c], FN: fn[c], Threshold: m.thresholds[c]}
		q.Precision, q.Recall, q.F1 = prf(tp[c], fp[c], fn[c])
		r.Codes = append(r.Codes, q)
		stp, sfp, sfn = stp+tp[c], sfp+fp[c], sfn+fn[c]
	}
	r.MicroP, r.MicroR, r.MicroF1 = prf(stp, sfp, sfn)

	var sc []float64
	var yes []bool
	for _, t := range d.Wiki {
		sc = append(sc, abuse(m.Score(t.Text, "")))
		yes = append(yes, t.Yes)
	}
	r.WikiN, r.WikiAUC = len(sc), AUC(sc, yes)

	for _, t := range d.Madlibs {
		flagged := len(m.Screen(t.Text, "").Labels) > 0
		if t.Yes {
			r.MadlibsBad++
			if flagged {
				r.MadlibsBadFlagged++
			}
		} else {
			r.MadlibsGood++
			if flagged {
				r.MadlibsGoodFlagged++
			}
		}
	}
	r.PII = evalPII(d.PII)
	if suite, err := FunctionalSuite(); err == nil {
		r.Functional = RunFunctional(m, suite)
	}
	if suite, err := BlindSuite(); err == nil {
		r.Blind = RunFunctional(m, suite)
	}
	r.ModelMemory = m.MemoryBytes()
	if k > 1 {
		r.DavidsonFolds, r.DavidsonN = k, len(d.Davidson)
		r.DavidsonAUC, r.DavidsonHateAUC = davidsonCV(d, k, opt)
	}
	return r
}

func b2n(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sortedGroups returns the groups, most comments first, then by name.
func sortedGroups(m map[string]*GroupQuality) []GroupQuality {
	out := make([]GroupQuality, 0, len(m))
	for _, g := range m {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b GroupQuality) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

func prf(tp, fp, fn int) (p, r, f float64) {
	p, r = ratio(tp, tp+fp), ratio(tp, tp+fn)
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

// davidsonCV trains k models, each without one fold of Davidson, and scores
// that fold.
func davidsonCV(d *Data, k int, opt TrainOptions) (auc, hateAUC float64) {
	abuseS := make([]float64, len(d.Davidson))
	hateS := make([]float64, len(d.Davidson))
	disc := codeIndex("discrimination")
	for f := range k {
		outside, civ := TrainingSet(d, func(i int) bool { return i%k != f })
		m := Train(append(outside, civ...), opt)
		for i, t := range d.Davidson {
			if i%k == f {
				s := m.Score(t.Text, "")
				abuseS[i], hateS[i] = abuse(s), s[disc]
			}
		}
	}
	yes := make([]bool, len(d.Davidson))
	hate := make([]bool, len(d.Davidson))
	for i, t := range d.Davidson {
		yes[i], hate[i] = t.Class != 2, t.Class == 0
	}
	return AUC(abuseS, yes), AUC(hateS, hate)
}

// piiRules maps presidio-synth types to the rule that should find them.
var piiRules = []struct{ typ, rule string }{
	{"EMAIL_ADDRESS", "email"}, {"PHONE_NUMBER", "phone"}, {"US_SSN", "ssn"}, {"CREDIT_CARD", "card"}, {"STREET_ADDRESS", "address"},
}

func evalPII(rows []PIIRow) []PIIQuality {
	out := make([]PIIQuality, len(piiRules))
	for i, pr := range piiRules {
		out[i].Type = pr.typ
	}
	for _, row := range rows {
		var hits []ruleHit
		hits = findNumbers(row.Text, hits)
		hits = findEmails(row.Text, hits)
		hits = findAddresses(row.Text, hits)
		for i, pr := range piiRules {
			q := &out[i]
			for _, s := range row.Spans {
				if s.Type != pr.typ {
					continue
				}
				q.Spans++
				for _, h := range hits {
					if h.rule == pr.rule && h.start < s.End && s.Start < h.end {
						q.Found++
						break
					}
				}
			}
			for _, h := range hits {
				if h.rule != pr.rule {
					continue
				}
				q.Hits++
				for _, s := range row.Spans {
					if s.Type == pr.typ && h.start < s.End && s.Start < h.end {
						q.HitsRight++
						break
					}
				}
			}
		}
	}
	return out
}
