package classify

import (
	"testing"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{"Hello World", "hello world"},
		{"sh1t", "shit"},                           // leetspeak digit
		{"$hit and a$$hole", "shit and asshole"},   // leetspeak symbols
		{"b!tch", "bitch"},                         // ! inside a word
		{"wow!!! great", "wow great"},              // ! as punctuation
		{"ѕһіt", "shit"},                           // Cyrillic look-alikes
		{"ｆｕｃｋ", "fuck"},                           // full-width (NFKC)
		{"ﬁne", "fine"},                            // ligature (NFKC)
		{"fuuuuuck", "fuuck"},                      // long runs cut to two
		{"F U C K you", "fuck you"},                // spaced-out letters
		{"f.u.c.k off", "fuck off"},                // dotted letters
		{"s-h-i-t", "shit"},                        // hyphenated letters
		{"f\u200buck", "fuck"},                     // zero-width space
		{"a b", "a b"},                             // two letters are not a spelled word
		{"call 612-555-0148", "call 612 555 0148"}, // numbers stay numbers
		{"@Nancy Pohl", "nancy pohl"},              // a mention's @ is dropped
		{"Está bien", "está bien"},                 // accents kept
		{"🍑 hi", "🍑 hi"},                           // an emoji is a word
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTokenSpansPointAtOriginal(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"ＳＨＩＴ happens", "x F U C K y", "ѕһіt!", "the f\u200buck", "é sh1t", "\xff\xfe sh!t"} {
		for _, tok := range tokenize(s, nil) {
			if tok.start < 0 || tok.end > len(s) || tok.start >= tok.end {
				t.Fatalf("%q: token %q has span [%d,%d)", s, tok.text, tok.start, tok.end)
			}
			if Normalize(s[tok.start:tok.end]) != tok.text {
				t.Errorf("%q: token %q comes from %q, which normalizes to %q", s, tok.text, s[tok.start:tok.end], Normalize(s[tok.start:tok.end]))
			}
		}
	}
}

// TestPostWords checks the fast split of an ASCII post against tokenize.
func TestPostWords(t *testing.T) {
	t.Parallel()
	for _, post := range []string{
		"Water main break on Lyndale Ave S at 31st St. Lyndale is closed between 29th and 33rd while crews repair it.",
		"The Council's 2026 budget: a 6.8% levy increase! Public hearing Tuesday, 6 p.m. (City Hall, room 317)",
		"'Quoted' words -- and dashes/slashes, e-mail parks@city.example, https://www.city.example/parks",
		"Sooo cool!!! Free entry, 10am-2pm, ages 3+",
		"Parque Central: ¡música en vivo el sábado!",
		"Pool hours 10–6 daily—lifeguards on duty–except Mondays. Open swim 1–3",
		"Bridge closed 8am–5pm–detour via Elm–Main",
	} {
		want := map[string]bool{}
		for _, tok := range tokenize(post, nil) {
			if len(tok.text) >= 4 {
				want[tok.text] = true
			}
		}
		got := postWords(post, nil)
		for w := range want {
			if !got[w] {
				t.Errorf("%q: %q missing", post, w)
			}
		}
		for w := range got {
			if !want[w] {
				t.Errorf("%q: %q extra", post, w)
			}
		}
	}
}
