package classify

import (
	"math"

	"steward.city/steward/internal/civic"
)

// Calibration: the model's raw scores are turned into probabilities by
// Platt scaling, one (a, b) per code fitted on out-of-fold scores of the
// civic training split: p = sigmoid(a·z + b) where z is the raw logit. The
// reliability table of steward eval shows how well the result matches the
// held-out split.

// curveSteps are the thresholds at which Curve reports precision and recall.
const curveSteps = 19 // 0.05, 0.10, … 0.95

// Curve returns code's precision and recall at thresholds 0.05 to 0.95,
// measured on out-of-fold scores of the civic training split when the
// model was trained, and how many of those comments had the code. It
// returns nil for an unknown code.
func (m *Model) Curve(code string) (points []civic.CurvePoint, support int) {
	c := codeIndex(code)
	if c < 0 {
		return nil, 0
	}
	for k := range curveSteps {
		points = append(points, civic.CurvePoint{Threshold: curveThreshold(k), Precision: float64(m.curves[c][k][0]), Recall: float64(m.curves[c][k][1])})
	}
	return points, int(m.support[c])
}

func curveThreshold(k int) float64 { return math.Round(float64(k+1)*5) / 100 }

// logit is the inverse of sigmoid, with p kept inside (1e-6, 1-1e-6).
func logit(p float64) float64 {
	p = min(max(p, 1e-6), 1-1e-6)
	return math.Log(p / (1 - p))
}

// fitPlatt fits p = sigmoid(a·z + b) to the labels by damped Newton
// steps, with Platt's smoothed targets and a light pull of (a, b) towards
// (1, 0) so that separable scores (rules that set a score outright) cannot
// drive them to infinity. With no positive or no negative example it
// returns (1, 0).
func fitPlatt(z []float64, y []bool) (a, b float64) {
	pos, neg := 0, 0
	for _, v := range y {
		if v {
			pos++
		} else {
			neg++
		}
	}
	if pos == 0 || neg == 0 {
		return 1, 0
	}
	const ridge = 1.0
	hi, lo := (float64(pos)+1)/(float64(pos)+2), 1/(float64(neg)+2)
	a, b = 1, 0
	for range 100 {
		ga, gb := ridge*(a-1), ridge*b
		haa, hab, hbb := ridge, 0.0, ridge
		for i := range z {
			t := lo
			if y[i] {
				t = hi
			}
			p := sigmoid(a*z[i] + b)
			d := p - t
			w := p * (1 - p)
			ga += d * z[i]
			gb += d
			haa += w * z[i] * z[i]
			hab += w * z[i]
			hbb += w
		}
		det := haa*hbb - hab*hab
		if det <= 0 {
			break
		}
		da := (hbb*ga - hab*gb) / det
		db := (haa*gb - hab*ga) / det
		// Damp: at most one unit per step.
		if m := max(math.Abs(da), math.Abs(db)); m > 1 {
			da, db = da/m, db/m
		}
		a, b = a-da, b-db
		if math.Abs(da) < 1e-7 && math.Abs(db) < 1e-7 {
			break
		}
	}
	if math.IsNaN(a) || math.IsNaN(b) {
		return 1, 0
	}
	return min(max(a, 0.1), 5), min(max(b, -10), 10)
}

// calibrate fits each code's Platt scaling on out-of-fold scores, stores it
// in m, and returns the scores calibrated.
func (m *Model) calibrate(scores [][nCodes]float64, labels [][nCodes]int8) [][nCodes]float64 {
	out := make([][nCodes]float64, len(scores))
	for c := range nCodes {
		var z []float64
		var y []bool
		for i := range scores {
			if labels[i][c] >= 0 {
				z = append(z, logit(scores[i][c]))
				y = append(y, labels[i][c] == 1)
			}
		}
		a, b := fitPlatt(z, y)
		m.platt[c] = [2]float32{float32(a), float32(b)}
		for i := range scores {
			out[i][c] = sigmoid(a*logit(scores[i][c]) + b)
		}
	}
	return out
}

// measureCurves stores each code's precision and recall at the curve's
// thresholds over out-of-fold scores.
func (m *Model) measureCurves(scores [][nCodes]float64, labels [][nCodes]int8) {
	for c := range nCodes {
		m.support[c] = 0
		for i := range scores {
			if labels[i][c] == 1 {
				m.support[c]++
			}
		}
		for k := range curveSteps {
			t := curveThreshold(k)
			tp, fp, fn := 0, 0, 0
			for i := range scores {
				flag, want := scores[i][c] >= t, labels[i][c] == 1
				switch {
				case flag && want:
					tp++
				case flag && labels[i][c] == 0:
					fp++
				case want:
					fn++
				}
			}
			p, r, _ := prf(tp, fp, fn)
			m.curves[c][k] = [2]float32{float32(p), float32(r)}
		}
	}
}

// Tuned implements civic.TunableScreener: the model with the thresholds of
// the codes in th replaced.
func (m *Model) Tuned(th map[string]float64) (civic.Screener, error) { return m.WithThresholds(th) }

// Language implements civic.TunableScreener with DetectLanguage.
func (m *Model) Language(text string) string { return DetectLanguage(text) }

var _ civic.TunableScreener = (*Model)(nil)
