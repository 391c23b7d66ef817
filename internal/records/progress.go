package records

import "sync"

// Progress is told how far an export is: done of total steps (a version
// read, an item written, a proof made) and what it is doing, in plain
// words. It is called often; it must be quick.
type Progress func(done, total int64, step string)

// The steps of an export, as its page shows them.
const (
	StepRead    = "reading the archive"
	StepIndex   = "writing the web page of the records"
	StepReport  = "writing the printable report"
	StepMedia   = "copying the media"
	StepProofs  = "writing the proofs"
	StepSigning = "signing the bag"
)

// tracker counts an export's steps for a Progress. Its total is the
// checkpoint's size (the versions read), twice the items (index.html and
// the report) and the versions (their proofs), which is known only once
// they are read (until then, the items stand in).
// The export's goroutines share it: its methods may be called at once.
type tracker struct {
	mu          sync.Mutex
	fn          Progress
	read        int64 // the versions read (at)
	done, total int64 // the other steps made (add), and all of them
	step        string
}

func (t *tracker) begin(step string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.step = step
	t.tell()
}

// at sets the count of versions read to done.
func (t *tracker) at(done int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.read = done
	t.tell()
}

func (t *tracker) add(n int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.done += n
	t.tell()
}

// setTotal sets the total.
func (t *tracker) setTotal(total int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.total = total
}

func (t *tracker) tell() {
	if t.fn != nil {
		t.fn(min(t.read+t.done, t.total), t.total, t.step)
	}
}

// ExportTask asks for a request's bag in the background (the job
// "records_export"): the workers write it and keep it for the user By to
// download.
type ExportTask struct {
	Request int64 `json:"request"`
	By      int64 `json:"by"` // the user who asked
}

// Kind names the job.
func (ExportTask) Kind() string { return "records_export" }

// Owner is the user who asked.
func (t ExportTask) Owner() int64 { return t.By }
