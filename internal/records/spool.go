package records

import (
	"bufio"
	"context"
	"io"
	"os"
)

// spool is a file of the bag written by a goroutine into a temporary file
// while the export writes the files before it: the report and the proofs
// are made on the second core while items.jsonl's neighbours are written,
// then copied into the zip in their place.
type spool struct {
	cancel context.CancelFunc
	done   chan struct{}
	f      *os.File
	err    error
}

// startSpool runs write in a goroutine, into a temporary file.
func startSpool(ctx context.Context, write func(ctx context.Context, w io.Writer) error) *spool {
	ctx, cancel := context.WithCancel(ctx)
	sp := &spool{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(sp.done)
		f, err := os.CreateTemp("", "steward-export-*.part")
		if err != nil {
			sp.err = err
			return
		}
		sp.f = f
		bw := bufio.NewWriterSize(f, 1<<20)
		if err := write(ctx, bw); err != nil {
			sp.err = err
			return
		}
		sp.err = bw.Flush()
	}()
	return sp
}

// copyTo waits for the file and copies it to w.
func (sp *spool) copyTo(w io.Writer) error {
	<-sp.done
	if sp.err != nil {
		return sp.err
	}
	_, err := io.Copy(w, io.NewSectionReader(sp.f, 0, 1<<62))
	return err
}

// close stops the goroutine if it still runs, waits for it and removes
// the file. It may be called more than once.
func (sp *spool) close() {
	sp.cancel()
	<-sp.done
	if sp.f != nil {
		sp.f.Close()
		os.Remove(sp.f.Name())
		sp.f = nil
	}
}
