package draftscreen

import (
	"strings"
	"testing"
	"time"
)

// TestLongHostileDrafts screens drafts of the longest screened size built
// to hit each rule's worst case; none may take long (a quadratic rule
// would take hours; the bound is loose for the race detector and a busy
// machine).
func TestLongHostileDrafts(t *testing.T) {
	t.Parallel()
	for name, text := range map[string]string{
		"hashtag of digits": "#abcdefghijklmno" + strings.Repeat("1", MaxText),
		"hashtags":          strings.Repeat("#ab ", MaxText/4),
		"names":             strings.Repeat("Ann Lee. ", MaxText/9),
		"phones":            strings.Repeat("text me at 612-555-0148 ", MaxText/24),
		"emoji":             strings.Repeat("a 👉 b ", MaxText/8),
		"case numbers":      strings.Repeat("case #AB-12-", MaxText/12),
		"separators":        strings.Repeat("1-", MaxText/2),
		"spaces":            strings.Repeat(" ", MaxText) + "👉 x",
		"here":              strings.Repeat("click here ", MaxText/11),
		"over the limit":    strings.Repeat("word ", MaxText),
		"phrases":           strings.Repeat("I think he was hospitalized; our final offer is useless to their vendor. ", MaxText/74),
		"one sentence":      strings.Repeat("offering her a raise of $1 and their vendor ", MaxText/44),
	} {
		start := time.Now()
		Screen(Draft{Text: text})
		if d := time.Since(start); d > time.Minute {
			t.Errorf("%s: %v", name, d)
		}
	}
}
