package classify

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// CodeQuality is one code's quality on the held-out civic split.
type CodeQuality struct {
	Code                  string
	Support, TP, FP, FN   int
	Precision, Recall, F1 float64
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
	for _, row := range d.Civic {
		if !HeldOut(row.ID) {
			if row.Protected {
				r.ProtectedAll++
				if len(m.Screen(row.Comment, row.Post).Labels) > 0 {
					r.ProtectedAllFlagged++
				}
			}
			continue
		}
		r.HeldOut++
		s := m.Screen(row.Comment, row.Post)
		var want [nCodes]bool
		for _, l := range row.Labels {
			want[codeIndex(l)] = true
		}
		var got [nCodes]bool
		for _, l := range s.Labels {
			got[codeIndex(l)] = true
		}
		for c := range nCodes {
			switch {
			case got[c] && want[c]:
				tp[c]++
			case got[c]:
				fp[c]++
			case want[c]:
				fn[c]++
			}
		}
		if len(row.Labels) > 0 {
			r.WithLabel++
			if len(s.Labels) > 0 {
				r.FlaggedWithLabel++
			}
		}
		if row.Protected {
			r.Protected++
			r.ProtectedAll++
			if len(s.Labels) > 0 {
				r.ProtectedFlagged++
				r.ProtectedAllFlagged++
			}
		}
	}
	var stp, sfp, sfn int
	for c, code := range Codes {
		q := CodeQuality{Code: code, Support: tp[c] + fn[c], TP: tp[c], FP: fp[c], FN: fn[c]}
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
	if k > 1 {
		r.DavidsonFolds, r.DavidsonN = k, len(d.Davidson)
		r.DavidsonAUC, r.DavidsonHateAUC = davidsonCV(d, k, opt)
	}
	return r
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

// Write prints the report as text, or as Markdown tables if markdown is set.
func (r Report) Write(w io.Writer, markdown bool) {
	row := func(cells ...string) {
		if markdown {
			fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
		} else {
			fmt.Fprintf(w, "%-16s %s\n", cells[0], strings.Join(cells[1:], "  "))
		}
	}
	rule := func(n int) {
		if markdown {
			fmt.Fprintf(w, "|%s\n", strings.Repeat("---|", n))
		}
	}
	f3 := func(v float64) string { return fmt.Sprintf("%.3f", v) }
	fmt.Fprintf(w, "Held-out civic split: %d comments (never trained on)\n\n", r.HeldOut)
	row("code", "support", "TP", "FP", "FN", "precision", "recall", "F1")
	rule(8)
	for _, q := range r.Codes {
		row(q.Code, fmt.Sprint(q.Support), fmt.Sprint(q.TP), fmt.Sprint(q.FP), fmt.Sprint(q.FN), f3(q.Precision), f3(q.Recall), f3(q.F1))
	}
	fmt.Fprintln(w)
	row("measure", "value", "goal")
	rule(3)
	row("micro precision", f3(r.MicroP), "")
	row("micro recall", f3(r.MicroR), "")
	row("micro F1", f3(r.MicroF1), "≥ 0.85")
	row("flag recall", fmt.Sprintf("%s (%d of %d)", f3(r.FlagRecall()), r.FlaggedWithLabel, r.WithLabel), "≥ 0.90")
	row("protected flagged (held out)", fmt.Sprintf("%.1f%% (%d of %d)", 100*ratio(r.ProtectedFlagged, r.Protected), r.ProtectedFlagged, r.Protected), "≤ 2%")
	row("protected flagged (all, incl. trained)", fmt.Sprintf("%.1f%% (%d of %d)", 100*ratio(r.ProtectedAllFlagged, r.ProtectedAll), r.ProtectedAllFlagged, r.ProtectedAll), "")
	row("Wikipedia toxicity ROC-AUC", fmt.Sprintf("%s (%d comments)", f3(r.WikiAUC), r.WikiN), "≥ 0.93")
	if r.DavidsonFolds > 0 {
		row("Davidson ROC-AUC, offensive or hate", fmt.Sprintf("%s (%d-fold, %d tweets)", f3(r.DavidsonAUC), r.DavidsonFolds, r.DavidsonN), "")
		row("Davidson ROC-AUC, hate", fmt.Sprintf("%s (%d-fold)", f3(r.DavidsonHateAUC), r.DavidsonFolds), "")
	}
	row("identity templates flagged, NOT_BAD", fmt.Sprintf("%.2f%% (%d of %d)", 100*ratio(r.MadlibsGoodFlagged, r.MadlibsGood), r.MadlibsGoodFlagged, r.MadlibsGood), "≤ 5%")
	row("identity templates flagged, BAD", fmt.Sprintf("%.2f%% (%d of %d)", 100*ratio(r.MadlibsBadFlagged, r.MadlibsBad), r.MadlibsBadFlagged, r.MadlibsBad), "")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Private-data rules on presidio-synth (span overlap):")
	fmt.Fprintln(w)
	row("type", "spans", "found", "recall", "rule hits", "precision")
	rule(6)
	for _, q := range r.PII {
		row(q.Type, fmt.Sprint(q.Spans), fmt.Sprint(q.Found), f3(ratio(q.Found, q.Spans)), fmt.Sprint(q.Hits), f3(ratio(q.HitsRight, q.Hits)))
	}
}
