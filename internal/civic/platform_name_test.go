package civic

import (
	"strings"
	"testing"
)

func TestPlatformName(t *testing.T) {
	for _, p := range Platforms {
		n := PlatformName(p)
		if n == "" || n == p {
			t.Errorf("platform %q has no name people write", p)
		}
		if strings.ContainsRune(n, ' ') { // the draft counter splits its data at spaces
			t.Errorf("platform %q is named %q, with a space", p, n)
		}
	}
	for p, want := range map[string]string{"youtube": "YouTube", "x": "X", "linkedin": "LinkedIn", "tiktok": "TikTok", "gopher": "gopher", "": ""} {
		if got := PlatformName(p); got != want {
			t.Errorf("PlatformName(%q) = %q, want %q", p, got, want)
		}
	}
}
