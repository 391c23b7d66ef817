// Package classify scores a public comment, with the post it answers as
// context, for each of the policy's reason codes. It routes comments to
// people with a reason; it never decides.
//
// PLACEHOLDER: the model, rules and training arrive with the moderation
// work; until then Screen scores nothing.
package classify

import "steward.city/steward/internal/civic"

// Model is a trained classifier with its thresholds.
type Model struct{}

// Default returns the model embedded in the binary.
func Default() (*Model, error) { return &Model{}, nil }

// Screen implements civic.Screener.
func (m *Model) Screen(comment, post string) civic.Screening {
	return civic.Screening{Scores: map[string]float64{}}
}
