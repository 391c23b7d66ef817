package draftscreen

import (
	"fmt"
)

// WrittenPath is where the drafts written to train on are, from the
// repository's root. They are not embedded: building, running and testing
// do not need them; only training reads them.
const WrittenPath = "internal/draftscreen/traindata/drafts-written.jsonl"

// LoadWritten reads drafts written to train on, checked as LoadRows checks
// the data file, and refuses an id that is also one of rows': a written
// draft is always a training row and must not be taken for a data row.
func LoadWritten(path string, rows []Row) ([]Row, error) {
	written, err := LoadRows(path)
	if err != nil {
		return nil, err
	}
	ids := make(map[string]bool, len(rows))
	for _, r := range rows {
		ids[r.ID] = true
	}
	for _, w := range written {
		if ids[w.ID] {
			return nil, fmt.Errorf("id %q is also in the data file", w.ID)
		}
	}
	return written, nil
}
