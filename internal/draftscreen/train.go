package draftscreen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"slices"
	"strings"
)

// Row is one labeled draft of the data file (draft-screening-dev.jsonl).
type Row struct {
	ID         string       `json:"id"`
	Account    string       `json:"account"`
	Department string       `json:"department"`
	Covert     bool         `json:"covert"`
	Category   string       `json:"category"`
	Text       string       `json:"text"`
	Findings   []RowFinding `json:"findings"`
}

// RowFinding is a labeled finding: its code and the exact text it covers
// ("" for the whole draft).
type RowFinding struct {
	Code string `json:"code"`
	Span string `json:"span"`
}

// Draft returns the row as a draft to screen.
func (r Row) Draft() Draft {
	return Draft{Text: r.Text, Account: r.Account, Department: r.Department, Covert: r.Covert}
}

// Has reports whether the row is labeled with code.
func (r Row) Has(code string) bool {
	for _, f := range r.Findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

// HeldOut reports whether a row is in the held-out split, which training
// never reads: a quarter of the ids, chosen by the FNV-1a hash of the id,
// so the split depends on nothing but the id.
func HeldOut(id string) bool {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()%4 == 0
}

// LoadRows reads a data file of labeled drafts, checking each row: a known
// category and codes, and spans that are in the text.
func LoadRows(path string) ([]Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadRows(f)
}

// ReadRows reads labeled drafts as JSON lines.
func ReadRows(r io.Reader) ([]Row, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var rows []Row
	seen := map[string]bool{}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var row Row
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&row); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if row.ID == "" || seen[row.ID] {
			return nil, fmt.Errorf("line %d: id: missing or repeated %q", n, row.ID)
		}
		seen[row.ID] = true
		if _, err := DataCategory(row.Category); err != nil {
			return nil, fmt.Errorf("line %d: category: %w", n, err)
		}
		for _, f := range row.Findings {
			if Clause(f.Code) == "" || !slices.Contains(PolicyCodes, f.Code) {
				return nil, fmt.Errorf("line %d: findings: unknown code %q", n, f.Code)
			}
			if !strings.Contains(row.Text, f.Span) {
				return nil, fmt.Errorf("line %d: findings: span %q is not in the text", n, f.Span)
			}
		}
		rows = append(rows, row)
	}
	return rows, sc.Err()
}

// example is one training example: features and a target.
type example struct {
	fs     []string
	y      int // for a binary head 0 or 1; for the category head its index
	weight float64
}

// TrainOptions tune training; the zero value is the default.
type TrainOptions struct {
	Epochs int     // passes over the data (default 40)
	Rate   float64 // learning rate (default 0.2)
	L2     float64 // weight decay (default 1e-2)
	Beta   float64 // thresholds maximize F-beta (default 1)
	Floor  float64 // the lowest threshold chosen (default 0.05)
	// NoCues trains without the cue-list features (cues.go): the cue lists
	// were written while reading the training drafts' labels, so
	// cross-validation with them flatters the screen; without them it is
	// closer to what unseen drafts get.
	NoCues bool
	// Written are drafts written to train on (traindata/drafts-written.jsonl):
	// always training rows, whatever HeldOut says of their ids; every fold
	// trains on them and none is measured.
	Written []Row
}

func (o TrainOptions) withDefaults() TrainOptions {
	if o.Epochs == 0 {
		o.Epochs = 40
	}
	if o.Rate == 0 {
		o.Rate = 0.2
	}
	if o.Floor == 0 {
		o.Floor = 0.05
	}
	if o.Beta == 0 {
		o.Beta = 1
	}
	if o.L2 == 0 {
		o.L2 = 1e-2
	}
	return o
}

// Train learns a model from the rows outside the held-out split (held-out
// rows are skipped even if given). Each code's threshold is chosen on
// predictions made by four models each trained without a quarter of the
// training rows.
func Train(rows []Row, opt TrainOptions) (*Model, Dev) {
	opt = opt.withDefaults()
	var train []Row
	for _, r := range rows {
		if !HeldOut(r.ID) {
			train = append(train, r)
		}
	}
	m := fit(append(slices.Clip(train), opt.Written...), opt)
	// Out-of-fold predictions for the thresholds.
	oof := map[string][]scored{}
	folds := make([]*Model, Folds)
	for fold := range Folds {
		var in, out []Row
		for _, r := range train {
			if foldOf(r.ID) == fold {
				out = append(out, r)
			} else {
				in = append(in, r)
			}
		}
		fm := fit(append(in, opt.Written...), opt)
		folds[fold] = fm
		for _, r := range out {
			d := r.Draft()
			fs := textFeatures(r.Text, &d)
			rs, _, _ := ruleSpans(r.Text)
			for _, c := range LearnedCodes {
				p := fm.Codes[c].prob(fs)
				if !modelMayFind(c, r.Text) {
					p = 0
				}
				oof[c] = append(oof[c], scored{p, r.Has(c), hasCode(rs, c)})
			}
			for _, ex := range nameExamples(r) {
				oof["name"] = append(oof["name"], scored{fm.Name.prob(ex.fs), ex.y == 1, false})
			}
		}
	}
	var dev Dev
	for _, c := range LearnedCodes {
		m.Codes[c].Threshold = bestThreshold(oof[c], opt.Beta, opt.Floor)
	}
	m.Name.Threshold = bestThreshold(oof["name"], opt.Beta, opt.Floor)
	for _, x := range oof["name"] {
		switch {
		case x.p >= m.Name.Threshold && x.yes:
			dev.NameTP++
		case x.p >= m.Name.Threshold:
			dev.NameFP++
		case x.yes:
			dev.NameFN++
		}
	}
	for _, r := range train {
		m.TrainIDs = append(m.TrainIDs, r.ID)
	}
	m.Written = len(opt.Written)
	// The whole screen, rules and fold models with the chosen thresholds, on
	// each fold's rows: a draft is screened by the model that never saw it.
	screeners := make([]*Screener, Folds)
	for k, fm := range folds {
		for _, c := range LearnedCodes {
			fm.Codes[c].Threshold = m.Codes[c].Threshold
		}
		fm.Name.Threshold = m.Name.Threshold
		screeners[k] = &Screener{maxGrade: DefaultMaxGrade, model: fm}
	}
	dev.Report = evaluate(rows, DefaultMaxGrade, func(r Row) *Screener {
		if HeldOut(r.ID) {
			return nil
		}
		return screeners[foldOf(r.ID)]
	})
	dev.Thresholds = map[string]float64{"name": m.Name.Threshold}
	for _, c := range LearnedCodes {
		dev.Thresholds[c] = m.Codes[c].Threshold
	}
	return m, dev
}

// Folds is how many parts cross-validation splits the training drafts into.
const Folds = 4

// Dev is what training measured by cross-validation within the training
// split (never the held-out one): each training draft screened by the
// rules and a model trained without its fold. It is what options and rules
// are chosen on.
type Dev struct {
	Report
	// NameTP, NameFP, NameFN count name candidates found, found wrongly and missed.
	NameTP, NameFP, NameFN int
	Thresholds             map[string]float64
}

func foldOf(id string) int {
	h := fnv.New32a()
	h.Write([]byte("fold:" + id))
	return int(h.Sum32() % Folds)
}

type scored struct {
	p    float64
	yes  bool
	rule bool // a rule already finds the code, whatever the model says
}

// bestThreshold picks the threshold with the best F-beta on out-of-fold
// scores of the whole screen: a draft a rule already finds counts as found
// at every threshold, so the model is tuned for what the rules miss.
func bestThreshold(s []scored, beta, floor float64) float64 {
	best, bestF := 0.5, -1.0
	for t := floor; t < 0.951; t += 0.025 {
		tp, fp, fn := 0, 0, 0
		for _, x := range s {
			switch {
			case (x.rule || x.p >= t) && x.yes:
				tp++
			case x.rule || x.p >= t:
				fp++
			case x.yes:
				fn++
			}
		}
		f := (1 + beta*beta) * float64(tp) / math.Max(1, (1+beta*beta)*float64(tp)+beta*beta*float64(fn)+float64(fp))
		if f > bestF {
			best, bestF = t, f
		}
	}
	return math.Round(best*1000) / 1000
}

// fit trains every head on rows.
func fit(rows []Row, opt TrainOptions) *Model {
	m := &Model{Version: 1, Codes: map[string]*head{}}
	feats := make([][]string, len(rows))
	for i, r := range rows {
		d := r.Draft()
		feats[i] = textFeatures(r.Text, &d)
		if opt.NoCues {
			feats[i] = withoutCues(feats[i])
		}
	}
	for _, c := range LearnedCodes {
		var exs []example
		pos := 0
		for i, r := range rows {
			y := 0
			if r.Has(c) {
				y, pos = 1, pos+1
			}
			exs = append(exs, example{fs: feats[i], y: y, weight: 1})
		}
		balance(exs, pos)
		m.Codes[c] = trainHead(exs, 1, opt)
	}
	var names []example
	pos := 0
	for _, r := range rows {
		for _, ex := range nameExamples(r) {
			pos += ex.y
			names = append(names, ex)
		}
	}
	balance(names, pos)
	m.Name = trainHead(names, 1, opt)
	var cats []example
	for i, r := range rows {
		c, _ := DataCategory(r.Category)
		cats = append(cats, example{fs: categoryFeatures(feats[i]), y: categoryIndex(c), weight: 1})
	}
	m.Category = trainHead(cats, len(Categories), opt)
	return m
}

// balance weighs positive examples by the square root of how much rarer they are.
func balance(exs []example, pos int) {
	if pos == 0 || pos == len(exs) {
		return
	}
	w := math.Sqrt(float64(len(exs)-pos) / float64(pos))
	for i := range exs {
		if exs[i].y == 1 {
			exs[i].weight = w
		}
	}
}

// nameExamples are a row's name candidates, positive when they overlap a
// labeled private_person_name span.
func nameExamples(r Row) []example {
	d := r.Draft()
	var spans [][2]int
	for _, f := range r.Findings {
		if f.Code == PrivatePersonName && f.Span != "" {
			for from := 0; ; {
				k := strings.Index(r.Text[from:], f.Span)
				if k < 0 {
					break
				}
				spans = append(spans, [2]int{from + k, from + k + len(f.Span)})
				from += k + len(f.Span)
			}
		}
	}
	var out []example
	for _, c := range nameCandidates(r.Text) {
		y := 0
		for _, s := range spans {
			if s[0] < c.end && c.start < s[1] {
				y = 1
			}
		}
		out = append(out, example{fs: nameFeatures(r.Text, c, &d), y: y, weight: 1})
	}
	return out
}

// trainHead fits a logistic (one output) or softmax (several) head by
// stochastic gradient descent in a fixed order: the same rows give the
// same weights.
func trainHead(exs []example, outputs int, opt TrainOptions) *head {
	h := newHead(outputs)
	order := make([]int, len(exs))
	for i := range order {
		order[i] = i
	}
	p := make([]float64, outputs)
	for epoch := range opt.Epochs {
		// A fixed shuffle per epoch.
		for i := len(order) - 1; i > 0; i-- {
			j := int(mix(uint64(epoch)*1_000_003+uint64(i)) % uint64(i+1))
			order[i], order[j] = order[j], order[i]
		}
		rate := opt.Rate / (1 + 0.1*float64(epoch))
		for _, i := range order {
			ex := exs[i]
			z := h.logits(ex.fs)
			if outputs == 1 {
				p[0] = sigmoid(z[0]) - float64(ex.y)
			} else {
				softmax(z, p)
				p[ex.y]--
			}
			v := featureValue(ex.fs)
			for k := range p {
				g := rate * ex.weight * p[k]
				h.Bias[k] -= g
				g *= v
				for _, f := range ex.fs {
					w := h.Weights[f]
					if w == nil {
						w = make([]float64, outputs)
						h.Weights[f] = w
					}
					w[k] -= g + rate*opt.L2*w[k]
				}
			}
		}
	}
	return h
}

func softmax(z, p []float64) {
	mx := z[0]
	for _, v := range z {
		mx = math.Max(mx, v)
	}
	sum := 0.0
	for k, v := range z {
		p[k] = math.Exp(v - mx)
		sum += p[k]
	}
	for k := range p {
		p[k] /= sum
	}
}

// mix is splitmix64.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// categoryFeatures are the features the category head learns from: not the
// comment screen's scores and lists, the rules' hits or the findings' cue
// lists, which say what is wrong with a draft, not what it is about
// (cross-validated: 166 of 260 right without them, 159 with). A head has
// no weight for a feature it never learned, so screening needs no filter.
func categoryFeatures(fs []string) []string {
	out := fs[:0:0]
	for _, f := range fs {
		if !strings.HasPrefix(f, "cs:") && !strings.HasPrefix(f, "l:") && !strings.HasPrefix(f, "r:") && !strings.HasPrefix(f, "cue:") {
			out = append(out, f)
		}
	}
	return out
}

// withoutCues drops the cue-list features.
func withoutCues(fs []string) []string {
	out := fs[:0:0]
	for _, f := range fs {
		if !strings.HasPrefix(f, "cue:") && !strings.HasPrefix(f, "cat:") {
			out = append(out, f)
		}
	}
	return out
}
