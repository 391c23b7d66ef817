package cli

import (
	"errors"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
)

// TestEvalCheck: eval --check exits 2 naming each missed goal, and 0 when
// every goal is met; measures without a goal never fail it.
func TestEvalCheck(t *testing.T) {
	t.Parallel()
	met := civic.CardMeasure{Name: "Model size", Value: "1.3 MB", Goal: "≤ 10 MB", Met: true}
	info := civic.CardMeasure{Name: "Held-out comments", Value: "646"}
	missed := civic.CardMeasure{Name: "Flag recall", Value: "0.680", Goal: "≥ 0.85"}
	if err := evalCheck([]civic.CardMeasure{met, info}); err != nil {
		t.Fatalf("every goal met: %v", err)
	}
	err := evalCheck([]civic.CardMeasure{met, missed, info})
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitProblem || !strings.Contains(err.Error(), "Flag recall: 0.680, goal ≥ 0.85") || !strings.Contains(err.Error(), "1 of 3 goals missed") {
		t.Fatalf("a missed goal: %v", err)
	}
}
