package cli

import (
	"bytes"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

// startPeakHeapProfile samples the heap in use every 200 ms until stop is
// called, and then writes to path the heap profile taken at the largest
// sample: where the memory of a long command's worst moment went. An empty
// path does nothing.
func startPeakHeapProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	pf, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	done, finished := make(chan struct{}), make(chan []byte)
	go func() {
		var peak uint64
		var best []byte
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak {
				var b bytes.Buffer
				if pprof.Lookup("heap").WriteTo(&b, 0) == nil {
					peak, best = ms.HeapInuse, b.Bytes()
				}
			}
			select {
			case <-done:
				finished <- best
				return
			case <-t.C:
			}
		}
	}()
	return func() error {
		close(done)
		b := <-finished
		_, werr := pf.Write(b)
		cerr := pf.Close()
		if werr != nil {
			return werr
		}
		return cerr
	}, nil
}
