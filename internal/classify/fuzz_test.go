package classify

import (
	"testing"
)

// FuzzScreen checks that no comment or post makes Screen panic, give a
// score outside 0..1, or point evidence outside the comment.
func FuzzScreen(f *testing.F) {
	m, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", "f u c k", "sh1t", "call 612-555-0148", "123-45-6789", "4111 1111 1111 1111",
		"a@b.co", "1910 Hemlock Dr", "www.x.com", "🔥🔥", "ѕһіt", "\xff\xfe", "f*ck", "a$$", "F.U.C.K", "(612) 555-0148"} {
		f.Add(s, "post")
	}
	f.Fuzz(func(t *testing.T, comment, post string) {
		s := m.Screen(comment, post)
		if len(s.Scores) != len(Codes) {
			t.Fatalf("%d scores", len(s.Scores))
		}
		for c, v := range s.Scores {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("score %s = %v", c, v)
			}
		}
		for _, e := range s.Evidence {
			if e.Start < 0 || e.End > len(comment) || e.Start >= e.End || comment[e.Start:e.End] != e.Text {
				t.Fatalf("evidence %+v outside %q", e, comment)
			}
		}
		for _, tok := range tokenize(comment, nil) {
			if tok.start < 0 || tok.end > len(comment) || tok.start >= tok.end {
				t.Fatalf("token %+v outside %q", tok, comment)
			}
		}
	})
}
