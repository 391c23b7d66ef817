package x

import (
	"encoding/json"
	"testing"
)

// A captured post's text is as its author wrote it (links expanded, no
// HTML escapes, a long post whole), as Steward archives what it
// publishes, with X's own text kept beside it when it differs; a post X
// did not rewrite carries none.
func TestObserveAsWritten(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, raw, text, written string }{
		{"link and escapes", `{"id":"1","author_id":"9","conversation_id":"1","text":"Pool &amp; splash pad: https://t.co/abc123",
			"entities":{"urls":[{"url":"https://t.co/abc123","expanded_url":"https://www.city.example/pool?x=1&y=2"}]}}`,
			"Pool &amp; splash pad: https://t.co/abc123", "Pool & splash pad: https://www.city.example/pool?x=1&y=2"},
		{"attached media's link dropped", `{"id":"2","author_id":"9","conversation_id":"2","text":"Plow map https://t.co/m3d1a",
			"entities":{"urls":[{"url":"https://t.co/m3d1a","expanded_url":"https://x.com/city/status/2/photo/1","media_key":"3_1"}]}}`,
			"Plow map https://t.co/m3d1a", "Plow map"},
		{"a long post's note", `{"id":"3","author_id":"9","conversation_id":"3","text":"Snow emergency rules… https://t.co/long",
			"note_tweet":{"text":"Snow emergency rules, in full: park on the even side.","entities":{}}}`,
			"Snow emergency rules… https://t.co/long", "Snow emergency rules, in full: park on the even side."},
		{"plain", `{"id":"4","author_id":"9","conversation_id":"4","text":"Library opens at 9"}`, "Library opens at 9", ""},
	} {
		o, _, err := observe(json.RawMessage(c.raw), nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want, platform := c.written, c.text
		if c.written == "" {
			want, platform = c.text, ""
		}
		if o.Text != want || o.PlatformText != platform {
			t.Errorf("%s: text %q, platform's %q; want %q and %q", c.name, o.Text, o.PlatformText, want, platform)
		}
	}
}
