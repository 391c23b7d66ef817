package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"steward.city/steward/internal/plain"
)

// progressBar shows a long command's progress on w (standard error): a bar
// redrawn in place on a terminal; otherwise, once the command has run ten
// seconds, a plain line when the step changes and every ten seconds, so
// that a log file gets a few lines, not a bar's thousands, and a short
// command none.
type progressBar struct {
	w     io.Writer
	what  string // "export"
	tty   bool
	now   func() time.Time
	start time.Time // when the command started
	from  time.Time // when the current count started
	done  int64     // the count last reported
	last  time.Time
	step  string
	drawn bool
}

// quietFor is how long a command runs before plain lines start.
const quietFor = 10 * time.Second

// newProgress returns the progress display of the command what on w.
func newProgress(w io.Writer, what string, now func() time.Time) *progressBar {
	t := now()
	return &progressBar{w: w, what: what, tty: isTerminal(w), now: now, start: t, from: t}
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Report shows done of total in step; it is a records.Progress. A count
// that starts again (a command's next stage: the export after the
// ingest, the verification after the export) starts the pace again.
func (p *progressBar) Report(done, total int64, step string) {
	now := p.now()
	if done < p.done {
		p.from = now
	}
	p.done = done
	every := 10 * time.Second
	if p.tty {
		every = 100 * time.Millisecond
	}
	if !p.tty && now.Sub(p.start) < quietFor {
		return
	}
	if step == p.step && now.Sub(p.last) < every {
		return
	}
	p.step, p.last = step, now
	pct := 0
	if total > 0 {
		pct = int(min(100, done*100/total))
	}
	left := ""
	if spent := now.Sub(p.from); done > 0 && total > done && spent > time.Second {
		left = ", about " + plain.Duration(time.Duration(float64(spent)*float64(total-done)/float64(done)).Round(time.Second)) + " left"
	}
	if !p.tty {
		fmt.Fprintf(p.w, "%s: %d%%, %s (%s of %s)%s\n", p.what, pct, step, plain.Number(int(done)), plain.Number(int(total)), left)
		return
	}
	const width = 30
	bar := strings.Repeat("#", pct*width/100) + strings.Repeat(".", width-pct*width/100)
	fmt.Fprintf(p.w, "\r\033[K%s [%s] %3d%% %s%s", p.what, bar, pct, step, left)
	p.drawn = true
}

// Done ends the bar's line on a terminal.
func (p *progressBar) Done() {
	if p.tty && p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
