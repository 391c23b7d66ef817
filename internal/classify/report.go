package classify

import (
	"fmt"
	"io"
	"strings"
)

// The goals, on held-out comments.
const (
	goalFlagRecall    = 0.85
	goalMicroF1       = 0.80
	goalProtected     = 0.02
	goalClean         = 0.05
	goalLangRecall    = 0.75
	goalLangMin       = 20 // held-out comments a language needs for the per-language goal
	goalFunctionKeep  = 0.10
	goalWikiAUC       = 0.93
	goalIdentity      = 0.05
	goalCommentsPerS  = 20000
	goalModelMB       = 10
	functionKeepGoals = "negation counter_speech identity"
)

// Write prints the report as text, or as Markdown tables if markdown is set.
func (r Report) Write(w io.Writer, markdown bool) {
	row := func(cells ...string) {
		if markdown {
			fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
		} else {
			fmt.Fprintf(w, "%-34s %s\n", cells[0], strings.Join(cells[1:], "  "))
		}
	}
	rule := func(n int) {
		if markdown {
			fmt.Fprintf(w, "|%s\n", strings.Repeat("---|", n))
		}
	}
	f3 := func(v float64) string { return fmt.Sprintf("%.3f", v) }
	pct := func(a, b int) string { return fmt.Sprintf("%.1f%% (%d of %d)", 100*ratio(a, b), a, b) }
	met := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "**no**"
	}
	fmt.Fprintf(w, "Held-out civic split: %d comments (never trained on)\n\n", r.HeldOut)
	row("code", "threshold", "support", "TP", "FP", "FN", "precision", "recall", "F1")
	rule(9)
	for _, q := range r.Codes {
		row(q.Code, fmt.Sprintf("%.2f", q.Threshold), fmt.Sprint(q.Support), fmt.Sprint(q.TP), fmt.Sprint(q.FP), fmt.Sprint(q.FN), f3(q.Precision), f3(q.Recall), f3(q.F1))
	}
	fmt.Fprintln(w)
	row("measure", "value", "goal", "met")
	rule(4)
	row("micro precision", f3(r.MicroP), "", "")
	row("micro recall", f3(r.MicroR), "", "")
	row("micro F1", f3(r.MicroF1), fmt.Sprintf("≥ %.2f", goalMicroF1), met(r.MicroF1 >= goalMicroF1))
	row("flag recall", fmt.Sprintf("%s (%d of %d)", f3(r.FlagRecall()), r.FlaggedWithLabel, r.WithLabel),
		fmt.Sprintf("≥ %.2f (stretch 0.90)", goalFlagRecall), met(r.FlagRecall() >= goalFlagRecall))
	row("protected flagged", pct(r.ProtectedFlagged, r.Protected), "≤ 2%", met(ratio(r.ProtectedFlagged, r.Protected) <= goalProtected))
	row("clean comments flagged", pct(r.CleanFlagged, r.Clean), "≤ 5%", met(ratio(r.CleanFlagged, r.Clean) <= goalClean))
	row("protected flagged (training split, for reference)", pct(r.ProtectedAllFlagged-r.ProtectedFlagged, r.ProtectedAll-r.Protected), "", "")
	row("Wikipedia toxicity ROC-AUC", fmt.Sprintf("%s (%d comments)", f3(r.WikiAUC), r.WikiN), "≥ 0.93", met(r.WikiAUC >= goalWikiAUC))
	if r.DavidsonFolds > 0 {
		row("Davidson ROC-AUC, offensive or hate", fmt.Sprintf("%s (%d-fold, %d tweets)", f3(r.DavidsonAUC), r.DavidsonFolds, r.DavidsonN), "", "")
		row("Davidson ROC-AUC, hate", fmt.Sprintf("%s (%d-fold)", f3(r.DavidsonHateAUC), r.DavidsonFolds), "", "")
	}
	row("identity templates flagged, NOT_BAD", pct(r.MadlibsGoodFlagged, r.MadlibsGood), "≤ 5%", met(ratio(r.MadlibsGoodFlagged, r.MadlibsGood) <= goalIdentity))
	row("identity templates flagged, BAD", pct(r.MadlibsBadFlagged, r.MadlibsBad), "", "")
	for _, q := range r.Functional {
		if strings.Contains(functionKeepGoals, q.Name) {
			row("functional "+q.Name+": kept cases flagged", pct(q.KeepFlagged, q.Keep), "≤ 10%", met(ratio(q.KeepFlagged, q.Keep) <= goalFunctionKeep))
		}
	}
	if r.PerSecond > 0 {
		row("comments screened per second, one core", r.speedText(), "≥ 20,000", met(r.Speed() >= goalCommentsPerS))
	}
	if r.ModelBytes > 0 {
		row("model embedded (gzip)", fmt.Sprintf("%.2f MB (%.2f MB in memory)", float64(r.ModelBytes)/1e6, float64(r.ModelMemory)/1e6),
			"≤ 10 MB", met(float64(r.ModelBytes) <= goalModelMB*1e6))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "By civic file and by language (held out):")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "The queue's language guess (DetectLanguage) names the labeled language of %s held-out comments.\n\n", pct(r.LangRight, r.HeldOut))
	row("group", "comments", "flag recall", "micro F1", "protected flagged", "clean flagged", "goal")
	rule(7)
	for _, g := range r.Sets {
		row("file "+g.Name, fmt.Sprint(g.N), fmt.Sprintf("%s (%d of %d)", f3(g.FlagRecall()), g.FlaggedWithLabel, g.WithLabel), f3(g.MicroF1()),
			pct(g.ProtectedFlagged, g.Protected), pct(g.CleanFlagged, g.Clean), "")
	}
	for _, g := range r.Langs {
		goal := "(under 20 held out)"
		if g.N >= goalLangMin {
			goal = fmt.Sprintf("recall ≥ %.2f: %s", goalLangRecall, met(g.FlagRecall() >= goalLangRecall))
		}
		row("lang "+g.Name, fmt.Sprint(g.N), fmt.Sprintf("%s (%d of %d)", f3(g.FlagRecall()), g.FlaggedWithLabel, g.WithLabel), f3(g.MicroF1()),
			pct(g.ProtectedFlagged, g.Protected), pct(g.CleanFlagged, g.Clean), goal)
	}
	for _, s := range []struct {
		title string
		qs    []FunctionQuality
	}{{"Functional suite (testdata/functional):", r.Functional}, {"Blind functional suite (testdata/functional-blind):", r.Blind}} {
		if len(s.qs) == 0 {
			continue
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, s.title)
		fmt.Fprintln(w)
		row("function", "cases", "accuracy", "bar", "kept cases flagged", "flag cases caught")
		rule(6)
		for _, q := range s.qs {
			row(q.Name, fmt.Sprint(q.N), f3(q.Accuracy()), fmt.Sprintf("%.2f", q.Bar), pct(q.KeepFlagged, q.Keep), pct(q.FlagRight, q.Flag))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Reliability (every held-out comment × code score):")
	fmt.Fprintln(w)
	row("score", "pairs", "mean score", "share labeled")
	rule(4)
	for _, b := range r.Calibration {
		row(fmt.Sprintf("%.1f–%.1f", b.Lo, b.Hi), fmt.Sprint(b.N), f3(b.MeanProb), f3(ratio(b.Yes, b.N)))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Private-data rules on presidio-synth (span overlap):")
	fmt.Fprintln(w)
	row("type", "spans", "found", "recall", "rule hits", "precision")
	rule(6)
	for _, q := range r.PII {
		row(q.Type, fmt.Sprint(q.Spans), fmt.Sprint(q.Found), f3(ratio(q.Found, q.Spans)), fmt.Sprint(q.Hits), f3(ratio(q.HitsRight, q.Hits)))
	}
}
