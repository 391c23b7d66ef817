package draftscreen

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzScreen checks that Screen never panics and that every finding's span
// is a byte range of the text that starts and ends on character boundaries
// and holds exactly Text, valid UTF-8 when the text is.
func FuzzScreen(f *testing.F) {
	for _, s := range []string{
		"", "#", "#a", "here: http", "Case #", "DOB 1/1/", "apt 3 at 55 Elm", "👉", "a 👉 b", "\xff\xfe",
		"Call 612-555-0148 or text me at (612) 555-0199.", "F291-440-718-305", "KPX-417", "123-45-6789",
		"Lost cat back home with owner Vanessa Kruse at 5520 Larkspur Ave S! 🐱❤️",
		strings.Repeat("word ", 30) + ".", "x\u200dy", "é\u0301", "#ÉcoleNews #écolenews",
	} {
		f.Add(s, false, "image", "")
	}
	f.Fuzz(func(t *testing.T, text string, covert bool, kind, alt string) {
		res := Screen(Draft{Text: text, Covert: covert, Department: "Police", Media: []Media{{Kind: kind, Alt: alt}}})
		bounds := map[int]bool{len(text): true}
		for i := range text {
			bounds[i] = true
		}
		if categoryIndex(res.Category) < 0 {
			t.Fatalf("category %q is not a category", res.Category)
		}
		for _, x := range res.Findings {
			if x.Start < 0 || x.End < x.Start || x.End > len(text) {
				t.Fatalf("finding %+v out of range of %d bytes", x, len(text))
			}
			if x.Text != text[x.Start:x.End] {
				t.Fatalf("finding %+v: Text is not text[Start:End] = %q", x, text[x.Start:x.End])
			}
			if utf8.ValidString(text) && !utf8.ValidString(x.Text) {
				t.Fatalf("finding %+v cuts a character of %q", x, text)
			}
			// Character boundaries as Go decodes the text: an invalid byte
			// is a character of its own.
			if !bounds[x.Start] || !bounds[x.End] {
				t.Fatalf("finding %+v starts or ends inside a character of %q", x, text)
			}
			if x.Clause == "" || x.Block == "" {
				t.Fatalf("finding %+v without clause or block", x)
			}
		}
	})
}
