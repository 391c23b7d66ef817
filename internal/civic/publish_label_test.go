package civic

import (
	"strings"
	"testing"
)

// Every draft status reads as words on a page: no code with an underscore
// reaches staff.
func TestDraftStatusLabels(t *testing.T) {
	for _, s := range DraftStatuses {
		if l := s.Label(); l == "" || strings.Contains(l, "_") {
			t.Errorf("%s reads %q", s, l)
		}
	}
}
