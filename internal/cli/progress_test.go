package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

// Off a terminal a long command logs a few plain lines: none in its first
// ten seconds, then one when the step changes and one every ten seconds,
// each with the percentage, the counts and the time left; never a bar or
// a carriage return.
func TestProgressPlainLines(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { return at }
	var out bytes.Buffer
	p := newProgress(&out, "export", now)
	if p.tty {
		t.Fatal("a buffer is taken for a terminal")
	}
	for i := int64(1); i <= 50; i++ {
		at = at.Add(100 * time.Millisecond) // 5 s in all
		p.Report(i, 1000, "reading the archive")
	}
	if out.Len() != 0 {
		t.Fatalf("a command under ten seconds printed %q", out.String())
	}
	for i := int64(51); i <= 250; i++ {
		at = at.Add(100 * time.Millisecond) // to 25 s
		p.Report(i, 1000, "reading the archive")
	}
	p.Report(250, 1000, "writing the proofs")
	// The next stage counts from nothing: its pace starts again.
	at = at.Add(10 * time.Second)
	p.Report(0, 100, "checking the versions")
	at = at.Add(10 * time.Second)
	p.Report(50, 100, "checking the versions")
	p.Done()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	want := []string{
		"export: 10%, reading the archive (100 of 1,000), about 1 minute 30 seconds left",
		"export: 20%, reading the archive (200 of 1,000), about 1 minute 20 seconds left",
		"export: 25%, writing the proofs (250 of 1,000), about 1 minute 15 seconds left",
		"export: 0%, checking the versions (0 of 100)",
		"export: 50%, checking the versions (50 of 100), about 10 seconds left",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") || strings.ContainsAny(out.String(), "\r#") {
		t.Errorf("lines:\n%s\nwant:\n%s", out.String(), strings.Join(want, "\n"))
	}
}

// On a terminal the bar is redrawn in place and cleared at the end.
func TestProgressBarOnTerminal(t *testing.T) {
	t.Parallel()
	f, err := os.Open("/dev/null")
	if err != nil {
		t.Skip("no /dev/null")
	}
	defer f.Close()
	if !isTerminal(f) {
		t.Fatal("/dev/null, a character device, is not taken for a terminal")
	}
	tmp, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer tmp.Close()
	if isTerminal(tmp) {
		t.Error("a file is taken for a terminal")
	}
	at := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	p := &progressBar{w: &out, what: "verify", tty: true, now: func() time.Time { return at }, start: at, from: at}
	at = at.Add(2 * time.Second)
	p.Report(500, 1000, "checking the versions")
	p.Done()
	got := out.String()
	if !strings.HasPrefix(got, "\r\033[Kverify [###############...............]  50% checking the versions, about 2 seconds left") || !strings.HasSuffix(got, "\r\033[K") {
		t.Errorf("bar = %q", got)
	}
}
