package classify

import (
	"slices"
	"testing"
)

// hitCodes returns the codes of the word-list hits in s.
func hitCodes(lx *lexicon, s string) []string {
	var out []string
	for _, h := range lx.match(tokenize(s, nil), nil) {
		for _, c := range h.codes {
			out = append(out, Codes[c])
		}
	}
	return out
}

func TestWordListsFindDisguisedWords(t *testing.T) {
	t.Parallel()
	lx := compileLexicon()
	for _, s := range []string{"fuck", "FUCKING", "motherfucker", "f*ck", "sh*t", "sh!t", "a$$hole", "fuuuuuck",
		"F U C K", "ѕһіt", "bullshit", "ｓｈｉｔ", "b1tch", "sh\u200bit"} {
		if !slices.Contains(hitCodes(lx, s), "vulgar") {
			t.Errorf("%q: no vulgar hit (got %v)", s, hitCodes(lx, s))
		}
	}
	if got := hitCodes(lx, "I will kill you"); !slices.Contains(got, "threat") {
		t.Errorf("phrase not found: %v", got)
	}
}

// The Scunthorpe problem: innocent words holding a listed root never match.
func TestWordListsAllowInnocentWords(t *testing.T) {
	t.Parallel()
	lx := compileLexicon()
	for _, s := range []string{"Scunthorpe", "Scunthorpe's", "Essex", "Middlesex", "Sussex", "assassinate", "assassination",
		"cocktail", "Hancock", "Dickens", "Dickinson", "therapist", "grapes", "class", "grass", "bass", "passed",
		"analysis", "canal", "shiitake", "shitake", "Penistone", "cucumber", "document", "hello", "shell",
		"electric", "election", "voters", "snigger", "niggling", "title", "pigment", "Massachusetts", "cumulative"} {
		if got := hitCodes(lx, s); len(got) > 0 {
			t.Errorf("%q matched %v", s, got)
		}
	}
}

func TestMaskedWords(t *testing.T) {
	t.Parallel()
	lx := compileLexicon()
	for _, tt := range []struct {
		s    string
		want bool
	}{
		{"f*ck", true}, {"f**k", true}, {"sh*t", true}, {"b*tch", true}, {"***", false}, {"5*3", false}, {"a*b", false},
	} {
		if got := slices.Contains(hitCodes(lx, tt.s), "vulgar"); got != tt.want {
			t.Errorf("%q: vulgar %v, want %v", tt.s, got, tt.want)
		}
	}
}

// The second round's entries in other languages are found in a sentence.
func TestLanguageListsFound(t *testing.T) {
	t.Parallel()
	lx := compileLexicon()
	for _, tt := range []struct{ s, code string }{
		{"Eres una mentirosa y una sinvergüenza.", "harassment"},
		{"El concejal es un corrupto, aceptó sobornos.", "defamation"},
		{"Ты лжец и ничтожество.", "harassment"},
		{"Мэр взяточник, все знают.", "defamation"},
		{"أنت كذاب ومنافق", "harassment"},
		{"Ông ta tham nhũng và ăn hối lộ.", "defamation"},
		{"他贪污了好多钱", "defamation"},
		{"Gudoomiyuhu waa beenaale.", "harassment"},
		{"Dadkaasi waa maskax buka.", "discrimination"},
		{"lady cyclists in spandex any day 🥵🍑", "obscene"},
	} {
		if got := hitCodes(lx, tt.s); !slices.Contains(got, tt.code) {
			t.Errorf("%q: no %s hit (got %v)", tt.s, tt.code, got)
		}
	}
}
