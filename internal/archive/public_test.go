package archive

import (
	"testing"

	"steward.city/steward/internal/civic"
)

// TestTextParts checks that redacted spans become gaps citing the statute,
// and that a span that does not fit the text hides the rest of it rather
// than showing less of a gap than was recorded.
func TestTextParts(t *testing.T) {
	t.Parallel()
	red := func(start, end int, reason string) *civic.Redaction {
		return &civic.Redaction{Start: start, End: end, Reason: reason}
	}
	for _, c := range []struct {
		text string
		rs   []*civic.Redaction
		want string
	}{
		{"call me at 651-555-0199 today", nil, "call me at 651-555-0199 today"},
		{"call me at 651-555-0199 today", []*civic.Redaction{red(11, 23, "13.356")}, "call me at [redacted: Minn. Stat. 13.356] today"},
		{"ab cd ef", []*civic.Redaction{red(0, 2, "13.43"), red(6, 8, "13.82")}, "[redacted: Minn. Stat. 13.43] cd [redacted: Minn. Stat. 13.82]"},
		{"short", []*civic.Redaction{red(2, 50, "13.43")}, "[redacted: Minn. Stat. 13.43]"},
		{"ab cd ef", []*civic.Redaction{red(3, 8, "13.43"), red(4, 5, "13.82")}, "ab [redacted: Minn. Stat. 13.43]"},
		{"é secret", []*civic.Redaction{red(1, 8, "13.43")}, "[redacted: Minn. Stat. 13.43]"},
	} {
		v := PublicVersion{Parts: textParts(c.text, c.rs)}
		if got := v.Text(); got != c.want {
			t.Errorf("%q %v: %q, want %q", c.text, c.rs, got, c.want)
		}
	}
}
