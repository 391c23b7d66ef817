package pdf

import (
	"fmt"
	"io"
	"testing"
)

// BenchmarkForm writes a one-page form whose comment mixes Latin, Arabic,
// Han and an emoji: five fonts read and subset per document.
func BenchmarkForm(b *testing.B) {
	for b.Loop() {
		d := New(io.Discard, Meta{Title: "Form", Created: created})
		d.Heading("Removed Comments Tracking Form 1")
		d.Field("4. Entire comment that was removed:", "Hello مرحبا بكم 道路已经关闭 😀 — “done”")
		if err := d.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReport writes 5,000 lines of Latin text, about 80 pages.
func BenchmarkReport(b *testing.B) {
	for b.Loop() {
		d := New(io.Discard, Meta{Title: "Report", Created: created})
		for i := range 5000 {
			d.Line(fmt.Sprintf("  %d. Captured 2026-11-19 12:00:00 UTC by A Resident (@resident), visible — the splash pad", i))
		}
		if err := d.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
