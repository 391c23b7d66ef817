package classify

import (
	"os"
	"strings"
	"testing"
)

// BenchmarkScreen measures screening speed on a mix of city comments; it
// reports comments per second (run with -cpu 1 for one core).
func BenchmarkScreen(b *testing.B) {
	m, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/bench.txt")
	if err != nil {
		b.Fatal(err)
	}
	comments := strings.Split(strings.TrimSpace(string(raw)), "\n")
	const post = "Water main break on Lyndale Ave S at 31st St. Lyndale is closed between 29th and 33rd while crews repair it."
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m.Screen(comments[i%len(comments)], post)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "comments/s")
}

// BenchmarkScreenPosts is BenchmarkScreen with a different post for every
// comment, so the post's words are never reused.
func BenchmarkScreenPosts(b *testing.B) {
	m, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/bench.txt")
	if err != nil {
		b.Fatal(err)
	}
	comments := strings.Split(strings.TrimSpace(string(raw)), "\n")
	posts := []string{
		"Water main break on Lyndale Ave S at 31st St. Lyndale is closed between 29th and 33rd while crews repair it.",
		"The council will vote Tuesday on the 2026 budget, which raises the levy 6.8 percent. Public hearing at 6 p.m.",
		"Pride in the Park is Saturday noon to 5 at the bandshell, with music, vendors and a story time at 1 p.m.",
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m.Screen(comments[i%len(comments)], posts[i%len(posts)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "comments/s")
}
