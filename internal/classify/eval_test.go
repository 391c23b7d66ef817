package classify

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// dataDir is the shared data folder, which the repository does not need:
// tests that read it skip when it is absent.
var dataDir = filepath.Join("..", "..", "..", "shared", "data")

// TestTrainingNeverReadsHeldOut loads the real data when it is present and
// checks the split: about 30% held out, and no held-out comment (nor its
// text) in the training set.
func TestTrainingNeverReadsHeldOut(t *testing.T) {
	if _, err := os.Stat(filepath.Join(dataDir, "civic-comments-more.jsonl")); err != nil {
		t.Skip("no ../shared/data")
	}
	d, err := LoadData(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	outside, civ := TrainingSet(d, nil)
	held := map[string]bool{}
	heldBySet, bySet := map[string]int{}, map[string]int{}
	for _, r := range d.Civic {
		bySet[r.Set]++
		if HeldOut(r.ID) {
			held[r.Comment] = true
			heldBySet[r.Set]++
		}
	}
	for _, f := range CivicFiles {
		share := float64(heldBySet[f.Set]) / float64(bySet[f.Set])
		if bySet[f.Set] < 500 || share < 0.2 || share > 0.4 {
			t.Errorf("%s: held out %d of %d", f.File, heldBySet[f.Set], bySet[f.Set])
		}
	}
	for _, e := range append(outside, civ...) {
		if held[e.Comment] {
			t.Fatalf("training example %q is held out", e.Comment)
		}
		if e.Civic && e.ID != "" && HeldOut(e.ID) {
			t.Fatalf("training example %s is held out", e.ID)
		}
	}
	for _, w := range d.Wiki {
		for _, e := range civ {
			if e.Comment == w.Text {
				t.Fatalf("a Wikipedia test comment is in training")
			}
		}
	}
	if len(d.Davidson) < 20000 || len(d.Spam) < 5000 || len(d.OpenAI) < 1000 || len(d.Wiki) < 1000 || len(d.Madlibs) < 70000 || len(d.PII) < 1000 {
		t.Errorf("sets too small: %d %d %d %d %d %d", len(d.Davidson), len(d.Spam), len(d.OpenAI), len(d.Wiki), len(d.Madlibs), len(d.PII))
	}
	// The embedded model scores the held-out split; the numbers are in
	// docs/classifier.md. Here: it runs and finds something.
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	d.Madlibs, d.Davidson = d.Madlibs[:2000], nil // keep the test quick; steward eval reads them all
	r := Evaluate(m, d, 0, TrainOptions{})
	if r.HeldOut == 0 || r.MicroF1 <= 0 || r.WikiAUC <= 0.5 || r.MadlibsGood == 0 {
		t.Errorf("report %+v", r)
	}
}

// TestFitPlatt checks the calibration fit: it recovers a known scaling, and
// stays finite on separable scores.
func TestFitPlatt(t *testing.T) {
	t.Parallel()
	// Labels drawn as sigmoid(2z - 1): deterministic by quantiles.
	var z []float64
	var y []bool
	for i := range 2000 {
		v := -4 + 8*float64(i)/2000
		p := sigmoid(2*v - 1)
		for k := range 10 {
			z = append(z, v)
			y = append(y, float64(k)+0.5 < 10*p)
		}
	}
	a, b := fitPlatt(z, y)
	if math.Abs(a-2) > 0.3 || math.Abs(b+1) > 0.2 {
		t.Errorf("fitPlatt = %v, %v, want about 2, -1", a, b)
	}
	a, b = fitPlatt([]float64{-5, -5, -5, 5, 5, 5}, []bool{false, false, false, true, true, true})
	if math.IsNaN(a) || math.IsInf(a, 0) || a > 5 || b < -10 || b > 10 {
		t.Errorf("separable: fitPlatt = %v, %v", a, b)
	}
}

// TestMeasureSpeed: both speeds are measured over the held-out comments
// only, and the speed the goal is judged by is the CPU-time one where
// there is one.
func TestMeasureSpeed(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	d := &Data{Civic: []CivicRow{
		{ID: "a", Comment: "Thanks for plowing Elm St so early!", Post: "Snow emergency tonight."},
		{ID: "b", Comment: "Call me at 612-555-0148, I'll sell you a permit", Post: "Parking permits are on sale."},
	}}
	d.held = func(string) bool { return false }
	var r Report
	r.MeasureSpeed(m, d)
	if r.PerSecond != 0 || r.PerCPUSecond != 0 {
		t.Fatalf("no held-out comment, yet speed %v and %v", r.PerSecond, r.PerCPUSecond)
	}
	d.held = func(string) bool { return true }
	r.MeasureSpeed(m, d)
	if r.PerSecond <= 0 {
		t.Fatalf("wall-clock speed %v", r.PerSecond)
	}
	if _, ok := cpuTime(); ok && (r.PerCPUSecond <= 0 || r.Speed() != r.PerCPUSecond) {
		t.Fatalf("CPU-time speed %v, Speed %v", r.PerCPUSecond, r.Speed())
	}
}
