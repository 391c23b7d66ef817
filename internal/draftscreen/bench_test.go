package draftscreen

import "testing"

// BenchmarkScreen measures one draft of a typical length.
func BenchmarkScreen(b *testing.B) {
	s, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	d := Draft{Text: "Lost cat Pumpkin is back home with owner Vanessa Kruse at 5520 Larkspur Ave S! 🐱❤️ Thanks to everyone who shared her photo. Questions? Call 311 or text me at 612-555-0181. #lostpets", Department: "Animal Care"}
	for b.Loop() {
		s.Screen(d)
	}
}

// BenchmarkPhraseRules measures the phrase rules alone on the same draft,
// to read as a share of BenchmarkScreen in the same run.
func BenchmarkPhraseRules(b *testing.B) {
	text := "Lost cat Pumpkin is back home with owner Vanessa Kruse at 5520 Larkspur Ave S! 🐱❤️ Thanks to everyone who shared her photo. Questions? Call 311 or text me at 612-555-0181. #lostpets"
	sents, names := sentences(text), nameCandidates(text)
	for b.Loop() {
		phraseSpans(text, sents, names, nil)
	}
}
