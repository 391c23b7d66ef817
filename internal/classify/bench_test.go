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
