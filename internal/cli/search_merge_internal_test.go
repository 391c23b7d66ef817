package cli

import (
	"context"
	"errors"
	"testing"
)

// stepMerger has steps steps of merging left; cancel, when set, is called
// after the step it names.
type stepMerger struct {
	steps, calls int
	cancelAt     int
	cancel       func()
	err          error
}

func (m *stepMerger) MergeSearchIndex(context.Context, int) (bool, error) {
	m.calls++
	if m.calls == m.cancelAt {
		m.cancel()
	}
	if m.err != nil {
		return false, m.err
	}
	return m.calls < m.steps, nil
}

// The merge takes steps until none is left, stops at the first error, and
// a cut-off (the job's timeout, a shutdown) ends it between steps.
func TestMergeSearchIndexSteps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := &stepMerger{steps: 5}
	if n, err := mergeSearchIndex(ctx, m); err != nil || n != 5 || m.calls != 5 {
		t.Errorf("five steps: %d steps, %d calls, %v", n, m.calls, err)
	}
	boom := errors.New("disk full")
	m = &stepMerger{steps: 5, err: boom}
	if n, err := mergeSearchIndex(ctx, m); !errors.Is(err, boom) || n != 1 {
		t.Errorf("failing step: %d steps, %v", n, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	m = &stepMerger{steps: 100, cancelAt: 3, cancel: cancel}
	if n, err := mergeSearchIndex(cctx, m); !errors.Is(err, context.Canceled) || n != 3 || m.calls != 3 {
		t.Errorf("cut off after step 3: %d steps, %d calls, %v", n, m.calls, err)
	}
}
