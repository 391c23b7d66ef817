package draftscreen

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// CodeQuality is one code's draft-level precision and recall: a draft
// counts as found when the screen reports the code anywhere in it.
type CodeQuality struct {
	Code       string
	TP, FP, FN int
	// Spans counts labeled spans (not whole-draft labels) and SpansHit
	// those a finding of the same code overlaps.
	Spans, SpansHit int
}

func (q CodeQuality) Precision() float64 { return ratio(q.TP, q.TP+q.FP) }
func (q CodeQuality) Recall() float64    { return ratio(q.TP, q.TP+q.FN) }

// Report is what Evaluate measures on the held-out split.
type Report struct {
	Drafts        int
	WithFindings  int // drafts labeled with a finding
	Caught        int // of those, drafts the screen gave a policy finding
	Clean         int // drafts labeled with none
	FalseFlagged  int // of those, drafts the screen gave a policy finding
	AnyFlagged    int // of those, drafts the screen gave any finding, accessibility ones included
	CategoryRight int
	Codes         []CodeQuality
	Accessibility map[string]int // accessibility findings by code, over all held-out drafts
	Misses        []string       // "id: what went wrong", for people reading the report
	MaxGrade      float64
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// CatchRate is the share of drafts with a labeled finding the screen flags.
func (r Report) CatchRate() float64 { return ratio(r.Caught, r.WithFindings) }

// FalseRate is the share of clean drafts the screen gives a policy finding.
func (r Report) FalseRate() float64 { return ratio(r.FalseFlagged, r.Clean) }

// CategoryAccuracy is the share of drafts whose category is right.
func (r Report) CategoryAccuracy() float64 { return ratio(r.CategoryRight, r.Drafts) }

// Goals are the quality goals of docs/draft-screening.md.
var Goals = struct{ Catch, False, Category float64 }{0.95, 0.05, 0.85}

// Evaluate screens the held-out rows (the others are skipped) and compares
// with their labels.
func Evaluate(s *Screener, rows []Row) Report {
	return evaluate(rows, s.maxGrade, func(r Row) *Screener { return pick(s, HeldOut(r.ID)) })
}

// EvaluateTraining screens the training rows instead: the learned model has
// seen them, so its numbers flatter it; it is for working on the rules
// without looking at the held-out drafts.
func EvaluateTraining(s *Screener, rows []Row) Report {
	return evaluate(rows, s.maxGrade, func(r Row) *Screener { return pick(s, !HeldOut(r.ID)) })
}

func pick(s *Screener, ok bool) *Screener {
	if ok {
		return s
	}
	return nil
}

// evaluate screens each row with the screener screener gives it (rows it
// gives none are skipped) and compares with their labels.
func evaluate(rows []Row, maxGrade float64, screener func(Row) *Screener) Report {
	r := Report{Accessibility: map[string]int{}, MaxGrade: maxGrade}
	qs := map[string]*CodeQuality{}
	for _, c := range PolicyCodes {
		qs[c] = &CodeQuality{Code: c}
	}
	for _, row := range rows {
		s := screener(row)
		if s == nil {
			continue
		}
		r.Drafts++
		res := s.Screen(row.Draft())
		got := map[string]bool{}
		anyFinding := false
		for _, f := range res.Findings {
			anyFinding = true
			if qs[f.Code] != nil {
				got[f.Code] = true
			} else {
				r.Accessibility[f.Code]++
			}
		}
		want, _ := DataCategory(row.Category)
		if res.Category == want {
			r.CategoryRight++
		} else {
			r.Misses = append(r.Misses, fmt.Sprintf("%s: category %s, labeled %s: %q", row.ID, res.Category, want, row.Text))
		}
		if len(row.Findings) > 0 {
			r.WithFindings++
			if len(got) > 0 {
				r.Caught++
			} else {
				r.Misses = append(r.Misses, fmt.Sprintf("%s: missed every finding (%s): %q", row.ID, rowCodes(row), row.Text))
			}
		} else {
			r.Clean++
			if len(got) > 0 {
				r.FalseFlagged++
				r.Misses = append(r.Misses, fmt.Sprintf("%s: clean draft given %s: %q", row.ID, resultCodes(res), row.Text))
			}
			if anyFinding {
				r.AnyFlagged++
			}
		}
		for _, c := range PolicyCodes {
			q := qs[c]
			switch {
			case got[c] && row.Has(c):
				q.TP++
			case got[c]:
				q.FP++
			case row.Has(c):
				q.FN++
			}
		}
		for _, lf := range row.Findings {
			if lf.Span == "" {
				continue
			}
			q := qs[lf.Code]
			q.Spans++
			at := strings.Index(row.Text, lf.Span)
			for _, f := range res.Findings {
				if f.Code == lf.Code && f.Start < at+len(lf.Span) && at < f.End {
					q.SpansHit++
					break
				}
			}
		}
	}
	for _, c := range PolicyCodes {
		r.Codes = append(r.Codes, *qs[c])
	}
	return r
}

func rowCodes(r Row) string {
	var cs []string
	for _, f := range r.Findings {
		if !slices.Contains(cs, f.Code) {
			cs = append(cs, f.Code)
		}
	}
	return strings.Join(cs, ", ")
}

func resultCodes(r Result) string {
	var cs []string
	for _, f := range r.Findings {
		cs = append(cs, f.Code+" "+fmt.Sprintf("%q", f.Text))
	}
	return strings.Join(cs, ", ")
}

// Write prints the report as Markdown tables.
func (r Report) Write(w io.Writer, misses bool) {
	mark := func(ok bool) string {
		if ok {
			return "met"
		}
		return "missed"
	}
	fmt.Fprintf(w, "Drafts measured: %d (%d with a finding, %d clean)\n\n", r.Drafts, r.WithFindings, r.Clean)
	fmt.Fprintf(w, "| measure | value | goal | |\n|---|---|---|---|\n")
	fmt.Fprintf(w, "| drafts with a finding caught | %d/%d = %.1f%% | ≥ %.0f%% | %s |\n", r.Caught, r.WithFindings, 100*r.CatchRate(), 100*Goals.Catch, mark(r.CatchRate() >= Goals.Catch))
	fmt.Fprintf(w, "| clean drafts given a policy finding | %d/%d = %.1f%% | ≤ %.0f%% | %s |\n", r.FalseFlagged, r.Clean, 100*r.FalseRate(), 100*Goals.False, mark(r.FalseRate() <= Goals.False))
	fmt.Fprintf(w, "| category right | %d/%d = %.1f%% | ≥ %.0f%% | %s |\n", r.CategoryRight, r.Drafts, 100*r.CategoryAccuracy(), 100*Goals.Category, mark(r.CategoryAccuracy() >= Goals.Category))
	fmt.Fprintf(w, "| clean drafts given any finding (accessibility included, grade %.0f) | %d/%d = %.1f%% | | |\n\n", r.MaxGrade, r.AnyFlagged, r.Clean, 100*ratio(r.AnyFlagged, r.Clean))
	fmt.Fprintf(w, "| finding | drafts labeled | precision | recall | labeled spans overlapped |\n|---|---|---|---|---|\n")
	for _, q := range r.Codes {
		fmt.Fprintf(w, "| %s | %d | %.2f (%d/%d) | %.2f (%d/%d) | %d/%d |\n", q.Code, q.TP+q.FN, q.Precision(), q.TP, q.TP+q.FP, q.Recall(), q.TP, q.TP+q.FN, q.SpansHit, q.Spans)
	}
	fmt.Fprintf(w, "\nAccessibility findings (no labels; counted, not scored):")
	for _, c := range AccessibilityCodes {
		fmt.Fprintf(w, " %s %d;", c, r.Accessibility[c])
	}
	fmt.Fprintln(w)
	if misses {
		fmt.Fprintln(w, "\nMisses:")
		for _, m := range r.Misses {
			fmt.Fprintln(w, "  "+m)
		}
	}
}
