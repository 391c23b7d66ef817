package classify

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Example is one labeled comment to learn from.
type Example struct {
	ID      string
	Comment string
	Post    string
	// Labels holds, for each code, 1 (has it), 0 (has it not) or -1 (the
	// source does not say: the code is not learned from this example).
	Labels [nCodes]int8
	Weight float32 // how much the example counts; 0 is 1
	Civic  bool    // a city comment: its weight is multiplied by TrainOptions.CivicWeight
	// Protected marks speech that must be kept; tuning keeps the fallback
	// from flagging it.
	Protected bool
}

// Unknown returns labels that say nothing about any code.
func Unknown() [nCodes]int8 {
	var l [nCodes]int8
	for i := range l {
		l[i] = -1
	}
	return l
}

// TrainOptions tunes Train.
type TrainOptions struct {
	Epochs int     // passes over the data; 0 is 6
	Rate   float64 // AdaGrad learning rate; 0 is 0.2
	L2     float64 // weight decay on each update; 0 is 1e-6
	Seed   uint64  // shuffling
	// CivicWeight is how much a civic comment counts against one outside
	// example; 0 is 20.
	CivicWeight float32
	// PosWeight multiplies the weight of a code a civic comment has, against
	// the many it has not; 0 is 1.
	PosWeight float32
	// Floor is the lowest threshold tuning may choose for the abuse codes
	// (obscene, vulgar, threat, harassment, discrimination), illegal
	// activity and defamation, which outside sets teach to fire on identity
	// words and on officials' names; 0 is 0.2. Scores are calibrated
	// probabilities, so it is the least chance at which a code flags.
	Floor float64
	// OtherFloor is the lowest threshold for the other codes; 0 is 0.15.
	OtherFloor float64
	// Sample keeps one of every Sample outside examples (0 or 1: all), to
	// make runs shorter while iterating.
	Sample int
	// Folds is how many folds of the civic training split tune the
	// thresholds; 0 is 4.
	Folds int
	// ProtectedMargin is how far above a protected comment's out-of-fold
	// score a threshold is raised to spare it, as a share of the score
	// (0.05: 5% above), so that comments like it are spared too, not only
	// that one; 0 is defaultProtectedMargin, a negative value raises it
	// just above.
	ProtectedMargin float64
}

// defaultProtectedMargin is the protected margin when none is given: 0.05,
// chosen on four development folds with the written comments (see
// docs/classifier.md, "Third round").
const defaultProtectedMargin = 0.05

func (o *TrainOptions) defaults() {
	if o.Epochs == 0 {
		o.Epochs = 6
	}
	if o.Rate == 0 {
		o.Rate = 0.2
	}
	if o.L2 == 0 {
		o.L2 = 1e-6
	}
	if o.CivicWeight == 0 {
		o.CivicWeight = 20
	}
	if o.PosWeight == 0 {
		o.PosWeight = 1
	}
	if o.OtherFloor == 0 {
		o.OtherFloor = 0.15
	}
	if o.Floor == 0 {
		o.Floor = 0.2
	}
	if o.Sample < 1 {
		o.Sample = 1
	}
	if o.Folds < 2 {
		o.Folds = tuneFolds
	}
	switch {
	case o.ProtectedMargin == 0:
		o.ProtectedMargin = defaultProtectedMargin
	case o.ProtectedMargin < 0:
		o.ProtectedMargin = 0
	}
}

// pre is an example's features, computed once for every epoch.
type pre struct {
	hashed []uint32
	norm   float32
	dense  [nDense]float32
	labels [nCodes]int8
	weight float32
	civic  bool
}

// protectedWeight multiplies the weight of protected civic comments: harsh
// criticism of government must be learned as not harassment.
const protectedWeight = 2

// Train learns a model from examples: multi-label logistic regression by
// AdaGrad over the hashed and dense features. Thresholds start at 0.5; set
// them with WithThresholds or TuneThresholds.
func Train(examples []Example, opt TrainOptions) *Model {
	opt.defaults()
	m := &Model{lex: compileLexicon()}
	data := make([]pre, len(examples))
	var f features
	var pos, known [nCodes]float64
	for i, e := range examples {
		m.extract(e.Comment, e.Post, &f)
		p := pre{hashed: slices.Clone(f.hashed), dense: f.dense, labels: e.Labels, weight: e.Weight, civic: e.Civic}
		if p.weight == 0 {
			p.weight = 1
		}
		if e.Civic {
			p.weight *= opt.CivicWeight
			if e.Protected {
				p.weight *= protectedWeight
			}
		} else {
			p.dense[fCity] = 0
		}
		if n := len(p.hashed) + f.dropped; n > 0 {
			p.norm = 1 / float32(math.Sqrt(float64(n)))
		}
		for c, l := range e.Labels {
			if l >= 0 {
				known[c] += float64(p.weight)
				pos[c] += float64(p.weight) * float64(l)
			}
		}
		data[i] = p
	}
	w := make([]float32, Buckets*nCodes)
	gw := make([]float32, Buckets*nCodes)
	var dw, gd [nDense][nCodes]float32
	var b, gb [nCodes]float32
	for c := range nCodes {
		p := (pos[c] + 1) / (known[c] + 2)
		b[c] = float32(math.Log(p / (1 - p)))
	}
	const eps = 1e-6
	rate, l2, posWeight := float32(opt.Rate), float32(opt.L2), opt.PosWeight
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5eed))
	order := make([]int, len(data))
	for i := range order {
		order[i] = i
	}
	for range opt.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			p := &data[i]
			z := b
			for _, h := range p.hashed {
				row := w[int(h)*nCodes : int(h)*nCodes+nCodes]
				for c := range nCodes {
					z[c] += row[c] * p.norm
				}
			}
			for k, v := range p.dense {
				if v != 0 {
					for c := range nCodes {
						z[c] += v * dw[k][c]
					}
				}
			}
			var g [nCodes]float32
			any := false
			for c := range nCodes {
				if p.labels[c] < 0 {
					continue
				}
				g[c] = (float32(sigmoid(float64(z[c]))) - float32(p.labels[c])) * p.weight
				if p.civic && p.labels[c] == 1 {
					g[c] *= posWeight
				}
				if g[c] != 0 {
					any = true
				}
			}
			if !any {
				continue
			}
			for c := range nCodes {
				if g[c] == 0 {
					continue
				}
				gb[c] += g[c] * g[c]
				b[c] -= rate * g[c] / float32(math.Sqrt(float64(gb[c])+eps))
			}
			for _, h := range p.hashed {
				base := int(h) * nCodes
				for c := range nCodes {
					if g[c] == 0 {
						continue
					}
					gr := g[c]*p.norm + l2*w[base+c]
					gw[base+c] += gr * gr
					w[base+c] -= rate * gr / float32(math.Sqrt(float64(gw[base+c]))+eps)
				}
			}
			for k, v := range p.dense {
				if v == 0 {
					continue
				}
				for c := range nCodes {
					if g[c] == 0 {
						continue
					}
					gr := g[c]*v + l2*dw[k][c]
					gd[k][c] += gr * gr
					dw[k][c] -= rate * gr / float32(math.Sqrt(float64(gd[k][c]))+eps)
				}
			}
		}
	}
	m.bias = b
	m.dense = dw
	m.quantize(w)
	for c := range m.thresholds {
		m.thresholds[c] = 0.5
	}
	return m
}

// quantize stores the hashed weights w as int8 with a scale per code.
func (m *Model) quantize(w []float32) {
	var maxAbs [nCodes]float32
	for i, v := range w {
		c := i % nCodes
		maxAbs[c] = max(maxAbs[c], float32(math.Abs(float64(v))))
	}
	for c := range nCodes {
		m.scale[c] = maxAbs[c] / 127
		if m.scale[c] == 0 {
			m.scale[c] = 1
		}
	}
	m.weights = make([]int8, len(w))
	for i, v := range w {
		m.weights[i] = int8(math.Round(float64(v / m.scale[i%nCodes])))
	}
}

// Score returns each code's score for a comment, in Codes order.
func (m *Model) Score(comment, post string) [nCodes]float64 {
	var f features
	m.extract(comment, post, &f)
	return m.scores(&f)
}

// TuneThresholds sets each code's threshold to the one that gives the best
// F1 over scores (one row per example, Codes order) and labels, trying
// thresholds from lo[c] to 0.9. A code no example has keeps 0.5. Labels of
// -1 are skipped.
func TuneThresholds(scores [][nCodes]float64, labels [][nCodes]int8, floors [nCodes]float64) [nCodes]float64 {
	var th [nCodes]float64
	for c := range nCodes {
		lo := floors[c]
		th[c] = 0.5
		best := -1.0
		for k := 0; ; k++ {
			t := math.Round((lo+0.025*float64(k))*1000) / 1000
			if t > 0.9 {
				break
			}
			tp, fp, fn := 0, 0, 0
			for i := range scores {
				l := labels[i][c]
				if l < 0 {
					continue
				}
				flag := scores[i][c] >= t
				switch {
				case flag && l == 1:
					tp++
				case flag:
					fp++
				case l == 1:
					fn++
				}
			}
			if tp+fn == 0 {
				break
			}
			f1 := 2 * float64(tp) / float64(2*tp+fp+fn)
			if f1 > best+1e-9 {
				best, th[c] = f1, t
			}
		}
	}
	return th
}

// withThresholdArray returns a copy of m with thresholds th and fallback.
func (m *Model) withThresholdArray(th [nCodes]float64, fallback float64) *Model {
	c := m.clone()
	c.thresholds, c.fallback = th, fallback
	return c
}
