package classify

import (
	"hash/fnv"
)

// Weights of each source in training: the city's own comments count most,
// since city pages differ from tweets and chat.
const (
	outsideWeight = 1
	spamWeight    = 1
	openAIWeight  = 2
	tuneFolds     = 4
)

// CivicExample turns a civic comment into an example that says yes or no
// about every code.
func CivicExample(r CivicRow) Example {
	e := Example{ID: r.ID, Comment: r.Comment, Post: r.Post, Weight: 1, Civic: true, Protected: r.Protected}
	for _, l := range r.Labels {
		if c := codeIndex(l); c >= 0 {
			e.Labels[c] = 1
		}
	}
	return e
}

// DavidsonExample maps a Davidson tweet: offensive or hateful is vulgar,
// hateful is discrimination; other codes are unknown.
func DavidsonExample(t Text) Example {
	l := Unknown()
	l[codeIndex("vulgar")] = b2i(t.Class != 2)
	l[codeIndex("discrimination")] = b2i(t.Class == 0)
	return Example{Comment: t.Text, Labels: l, Weight: outsideWeight}
}

// OpenAIExample maps the OpenAI categories: S and S3 are obscene, H and H2
// discrimination, HR harassment, V and H2 threat.
func OpenAIExample(r OpenAIRow) Example {
	l := Unknown()
	v := func(p *int) int8 {
		if p == nil {
			return -1
		}
		return b2i(*p == 1)
	}
	or := func(a, b int8) int8 { return max(a, b) }
	l[codeIndex("obscene")] = or(v(r.S), v(r.S3))
	l[codeIndex("discrimination")] = or(v(r.H), v(r.H2))
	l[codeIndex("harassment")] = v(r.HR)
	l[codeIndex("threat")] = or(v(r.V), v(r.H2))
	return Example{Comment: r.Prompt, Labels: l, Weight: openAIWeight}
}

// SpamExample maps a YouTube or SMS message onto spam.
func SpamExample(t Text) Example {
	l := Unknown()
	l[codeSpam] = b2i(t.Yes)
	return Example{Comment: t.Text, Labels: l, Weight: spamWeight}
}

func b2i(b bool) int8 {
	if b {
		return 1
	}
	return 0
}

// TrainingSet returns the examples Train learns from: every outside set
// (Davidson tweets whose index keep rejects are left out) and the civic
// comments outside the held-out split, and every written civic comment.
func TrainingSet(d *Data, keepDavidson func(i int) bool) (outside, civic []Example) {
	for i, t := range d.Davidson {
		if keepDavidson == nil || keepDavidson(i) {
			outside = append(outside, DavidsonExample(t))
		}
	}
	for _, r := range d.OpenAI {
		outside = append(outside, OpenAIExample(r))
	}
	for _, t := range d.Spam {
		outside = append(outside, SpamExample(t))
	}
	outside = append(outside, IdentityExamples()...)
	outside = append(outside, CriticismExamples()...)
	outside = append(outside, CounterfactualExamples()...)
	for _, r := range d.Civic {
		if !d.heldOut(r.ID) {
			civic = append(civic, CivicExample(r))
		}
	}
	for _, r := range d.Written {
		civic = append(civic, CivicExample(r))
	}
	return outside, civic
}

func foldOf(id string, k int) int {
	h := fnv.New32a()
	h.Write([]byte("fold:" + id))
	return int(h.Sum32() % uint32(k))
}

// Fit trains the model to ship: thresholds are tuned on out-of-fold scores
// of the civic training split (k-fold), then the model is trained on all of
// the training data. The held-out civic split is never read.
func Fit(d *Data, opt TrainOptions) *Model {
	outside, civ := TrainingSet(d, nil)
	return fitExamples(outside, civ, opt)
}

func fitExamples(outside, civ []Example, opt TrainOptions) *Model {
	opt.defaults()
	if opt.Sample > 1 {
		var kept []Example
		for i, e := range outside {
			if i%opt.Sample == 0 {
				kept = append(kept, e)
			}
		}
		outside = kept
	}
	tuneFolds := opt.Folds
	var scores [][nCodes]float64
	var labels [][nCodes]int8
	var protected []bool
	for k := range tuneFolds {
		train := append([]Example(nil), outside...)
		var test []Example
		for _, e := range civ {
			if foldOf(e.ID, tuneFolds) == k {
				test = append(test, e)
			} else {
				train = append(train, e)
			}
		}
		m := Train(train, opt)
		for _, e := range test {
			scores = append(scores, m.Score(e.Comment, e.Post))
			labels = append(labels, e.Labels)
			protected = append(protected, e.Protected)
		}
	}
	var floors [nCodes]float64
	for c := range floors {
		floors[c] = opt.OtherFloor
	}
	for _, c := range append([]int{codeIndex("illegal_activity"), codeIndex("defamation")}, abuseCodes...) {
		floors[c] = opt.Floor
	}
	m := Train(append(append([]Example(nil), outside...), civ...), opt)
	scores = m.calibrate(scores, labels)
	m.measureCurves(scores, labels)
	th := TuneThresholds(scores, labels, floors)
	th = spareProtected(th, scores, labels, protected, opt.ProtectedMargin)
	fb := tuneFallback(th, scores, labels, protected)
	return m.withThresholdArray(th, fb)
}

// spareProtected raises thresholds until at most half of
// maxProtectedFlagged of the protected comments is flagged in the
// out-of-fold scores, each time raising the code that loses the least F1
// per protected comment spared. A threshold is raised margin (a share of
// the score) above the protected comment's score, not just above it: a
// threshold set a hair over one comment spares that comment and no other
// like it.
func spareProtected(th [nCodes]float64, scores [][nCodes]float64, labels [][nCodes]int8, protected []bool, margin float64) [nCodes]float64 {
	nProt := 0
	for _, p := range protected {
		if p {
			nProt++
		}
	}
	budget := int(maxProtectedFlagged / 2 * float64(nProt))
	f1 := func(c int, t float64) float64 {
		tp, fp, fn := 0, 0, 0
		for i := range scores {
			flag, want := scores[i][c] >= t, labels[i][c] == 1
			switch {
			case flag && want:
				tp++
			case flag:
				fp++
			case want:
				fn++
			}
		}
		_, _, f := prf(tp, fp, fn)
		return f
	}
	flagged := func(th [nCodes]float64) int {
		n := 0
		for i := range scores {
			if !protected[i] {
				continue
			}
			for c := range nCodes {
				if scores[i][c] >= th[c] {
					n++
					break
				}
			}
		}
		return n
	}
	for step := 0; step < 200; step++ {
		now := flagged(th)
		if now <= budget {
			break
		}
		best, bestCost, bestT := -1, 0.0, 0.0
		for c := range nCodes {
			// The lowest protected score over this code's threshold.
			lowest := 2.0
			for i := range scores {
				if protected[i] && scores[i][c] >= th[c] {
					lowest = min(lowest, scores[i][c])
				}
			}
			if lowest > 1 || lowest >= 0.95 {
				continue
			}
			t := min(lowest*(1+margin)+1e-6, 0.95)
			nt := th
			nt[c] = t
			spared := now - flagged(nt)
			if spared <= 0 {
				continue
			}
			cost := (f1(c, th[c]) - f1(c, t)) / float64(spared)
			if best < 0 || cost < bestCost {
				best, bestCost, bestT = c, cost, t
			}
		}
		if best < 0 {
			break
		}
		th[best] = bestT
	}
	return th
}

// maxProtectedFlagged is the share of protected comments the fallback may
// flag in tuning.
const maxProtectedFlagged = 0.02

// tuneFallback picks the fallback ratio (0: none) that gives the best sum
// of micro-F1 and flag recall over out-of-fold scores while flagging at most
// maxProtectedFlagged of the protected comments.
func tuneFallback(th [nCodes]float64, scores [][nCodes]float64, labels [][nCodes]int8, protected []bool) float64 {
	bestR, bestV := 0.0, -1.0
	for _, r := range []float64{0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5, 0.45, 0.4} {
		m := &Model{thresholds: th, fallback: r}
		tp, fp, fn, withLabel, flaggedWith, prot, protFlagged := 0, 0, 0, 0, 0, 0, 0
		for i := range scores {
			l := m.label(&scores[i])
			has, flagged := false, false
			for c := range nCodes {
				want := labels[i][c] == 1
				has = has || want
				flagged = flagged || l[c]
				switch {
				case l[c] && want:
					tp++
				case l[c]:
					fp++
				case want:
					fn++
				}
			}
			if has {
				withLabel++
				if flagged {
					flaggedWith++
				}
			}
			if protected[i] {
				prot++
				if flagged {
					protFlagged++
				}
			}
		}
		if prot > 0 && float64(protFlagged) > maxProtectedFlagged*float64(prot) && r != 0 {
			continue
		}
		_, _, f1 := prf(tp, fp, fn)
		if v := f1 + ratio(flaggedWith, withLabel); v > bestV+1e-9 {
			bestR, bestV = r, v
		}
	}
	return bestR
}
