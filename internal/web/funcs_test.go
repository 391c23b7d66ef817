package web

import (
	"testing"
	"time"
)

// TestWithheld: the words of a redaction, and nothing (never a failed page)
// for a span a forged row puts outside the text.
func TestWithheld(t *testing.T) {
	withheld := templateFuncs(time.UTC)["withheld"].(func(string, int, int) string)
	for _, c := range []struct {
		start, end int
		want       string
	}{{0, 5, "Found"}, {6, 7, "a"}, {-1, 3, ""}, {3, 99, ""}, {5, 5, ""}, {7, 2, ""}} {
		if got := withheld("Found a dog", c.start, c.end); got != c.want {
			t.Errorf("withheld(%d, %d) = %q, want %q", c.start, c.end, got, c.want)
		}
	}
}
