package draftscreen

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sync"
)

// LearnedCodes are the findings the learned model finds at the level of the
// draft; private_person_name is learned on each name candidate.
var LearnedCodes = []string{MedicalOrCase, PersonalOpinion, Campaign, PartnerCriticism, PendingNegotiation, ViolenceOrCrime}

// head is one learned linear scorer: Outputs weights per feature.
type head struct {
	Outputs   int                  `json:"outputs"`
	Bias      []float64            `json:"bias"`
	Threshold float64              `json:"threshold,omitempty"`
	Weights   map[string][]float64 `json:"weights"`
}

func newHead(outputs int) *head {
	return &head{Outputs: outputs, Bias: make([]float64, outputs), Weights: map[string][]float64{}}
}

// logits returns the head's raw scores for the features.
func (h *head) logits(fs []string) []float64 {
	z := slices.Clone(h.Bias)
	v := featureValue(fs)
	for _, f := range fs {
		if w, ok := h.Weights[f]; ok {
			for k := range z {
				z[k] += v * w[k]
			}
		}
	}
	return z
}

// prob is a one-output head's probability.
func (h *head) prob(fs []string) float64 { return sigmoid(h.logits(fs)[0]) }

// featureValue is the value of each present feature. (Scaling by one over
// the square root of their number measured worse on the training split.)
func featureValue(fs []string) float64 { return 1 }

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// Model is the learned part of the screen. It never changes once built.
type Model struct {
	Version  int              `json:"version"`
	TrainIDs []string         `json:"train_ids"`         // the data rows it learned from, so a test can check none is held out
	Written  int              `json:"written,omitempty"` // how many drafts written to train on it also learned from
	Codes    map[string]*head `json:"codes"`
	Name     *head            `json:"name"`
	Category *head            `json:"category"`
}

//go:embed model/drafts.json
var embedded []byte

var loadDefault = sync.OnceValues(func() (*Model, error) { return DecodeModel(embedded) })

// DefaultModel returns the model embedded in the binary.
func DefaultModel() (*Model, error) { return loadDefault() }

// DecodeModel reads a model written by Encode.
func DecodeModel(data []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("draft model: %w", err)
	}
	if m.Version != 1 || m.Name == nil || m.Category == nil || m.Category.Outputs != len(Categories) {
		return nil, fmt.Errorf("draft model: not a version 1 model with %d categories", len(Categories))
	}
	for _, c := range LearnedCodes {
		if m.Codes[c] == nil {
			return nil, fmt.Errorf("draft model: no weights for %s", c)
		}
	}
	for _, h := range append([]*head{m.Name, m.Category}, values(m.Codes)...) {
		if len(h.Bias) != h.Outputs {
			return nil, fmt.Errorf("draft model: a head has %d biases for %d outputs", len(h.Bias), h.Outputs)
		}
		for f, w := range h.Weights {
			if len(w) != h.Outputs {
				return nil, fmt.Errorf("draft model: feature %q has %d weights for %d outputs", f, len(w), h.Outputs)
			}
		}
	}
	return &m, nil
}

func values(m map[string]*head) []*head {
	var out []*head
	for _, h := range m {
		out = append(out, h)
	}
	return out
}

// Encode writes the model as JSON, weights rounded to four decimals and
// features whose weights are all near zero dropped.
func (m *Model) Encode() ([]byte, error) {
	for _, h := range append([]*head{m.Name, m.Category}, values(m.Codes)...) {
		for k := range h.Bias {
			h.Bias[k] = round4(h.Bias[k])
		}
		for f, w := range h.Weights {
			keep := false
			for k := range w {
				w[k] = round4(w[k])
				keep = keep || math.Abs(w[k]) >= 0.002
			}
			if !keep {
				delete(h.Weights, f)
			}
		}
	}
	return json.Marshal(m)
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// category returns the most likely category of a draft.
func (m *Model) category(fs []string) Category {
	z := m.Category.logits(fs)
	best := 0
	for k := range z {
		if z[k] > z[best] {
			best = k
		}
	}
	return Categories[best]
}
