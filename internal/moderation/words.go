package moderation

import (
	"regexp"
	"slices"
	"strings"

	"steward.city/steward/internal/civic"
)

// Words is a deterministic screener: each code flags the whole words
// listed for it, case-insensitively, with score 1. The tests and the demo
// city use it; serve uses the trained classifier (internal/classify).
type Words map[string][]string

// Screen implements civic.Screener.
func (w Words) Screen(comment, post string) civic.Screening {
	res := civic.Screening{Scores: map[string]float64{}}
	for _, c := range DefaultCodes {
		for _, word := range w[c.Code] {
			re := regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(strings.TrimSpace(word)) + `\b`)
			for _, m := range re.FindAllStringIndex(comment, -1) {
				res.Evidence = append(res.Evidence, civic.Evidence{Code: c.Code, Start: m[0], End: m[1], Text: comment[m[0]:m[1]], Rule: "wordlist"})
				res.Scores[c.Code] = 1
				if !slices.Contains(res.Labels, c.Code) {
					res.Labels = append(res.Labels, c.Code)
				}
			}
		}
	}
	return res
}
