package classify

import (
	"strings"
	"testing"
)

// TestFunctionalSuite runs the suite in testdata/functional with the
// embedded model and fails when a function's accuracy drops below its bar.
func TestFunctionalSuite(t *testing.T) {
	t.Parallel()
	suite, blind := suites(t)
	total := 0
	for _, f := range suite {
		total += len(f.Cases)
	}
	if len(suite) < 10 || total < 400 {
		t.Fatalf("suite has %d functions and %d cases, want at least 10 and 400", len(suite), total)
	}
	m := model(t)
	for _, q := range append(RunFunctional(m, suite), RunFunctional(m, blind)...) {
		t.Run(q.Name, func(t *testing.T) {
			t.Parallel()
			t.Logf("%s: %d of %d right (%.3f, bar %.2f); kept cases flagged %d of %d", q.Name, q.Right, q.N, q.Accuracy(), q.Bar, q.KeepFlagged, q.Keep)
			if q.Accuracy() < q.Bar {
				t.Errorf("%s: accuracy %.3f is under its bar %.2f; wrong:\n%s", q.Name, q.Accuracy(), q.Bar, strings.Join(q.Failures, "\n"))
			}
		})
	}
}

// TestFunctionalSuiteParse checks the suite's file format: slots expand to
// every combination, and bad lines are errors.
func TestFunctionalSuiteParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		cases      int
		err        bool
	}{
		{"slots multiply", "function f\nbar 0.9\nslot a = x | y\nslot b = 1 | 2 | 3\nkeep\t{a} and {b}\nflag threat\t{a}!\n", 8, false},
		{"no slots", "function f\nbar 0.5\nkeep\thello\n", 1, false},
		{"unknown code", "function f\nbar 0.9\nflag nonsense\thi\n", 0, true},
		{"unknown slot", "function f\nbar 0.9\nkeep\t{nope}\n", 0, true},
		{"no bar", "function f\nkeep\thi\n", 0, true},
		{"no tab", "function f\nbar 0.9\nkeep hi\n", 0, true},
		{"bad bar", "function f\nbar 2\nkeep\thi\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := parseFunction(tt.text)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if err == nil && len(f.Cases) != tt.cases {
				t.Errorf("%d cases, want %d", len(f.Cases), tt.cases)
			}
		})
	}
}

// TestFunctionalSuiteNotInTraining checks that no suite case is a training
// example: the suite measures what the model was not shown.
func TestFunctionalSuiteNotInTraining(t *testing.T) {
	t.Parallel()
	suite, blind := suites(t)
	suite = append(suite, blind...)
	written := map[string]bool{}
	for _, set := range [][]Example{IdentityExamples(), CriticismExamples(), CounterfactualExamples()} {
		for _, e := range set {
			written[Normalize(e.Comment)] = true
		}
	}
	for _, f := range suite {
		for _, c := range f.Cases {
			if written[Normalize(c.Comment)] {
				t.Errorf("%s: %q is also a written training example", f.Name, c.Comment)
			}
		}
	}
}

// suites reads the functional suite and the blind suite.
func suites(t *testing.T) (suite, blind []Function) {
	t.Helper()
	suite, err := FunctionalSuite()
	if err != nil {
		t.Fatal(err)
	}
	if blind, err = BlindSuite(); err != nil {
		t.Fatal(err)
	}
	return suite, blind
}
