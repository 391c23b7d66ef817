package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"steward.city/steward/internal/plain"
	"steward.city/steward/internal/platform"
)

// DefaultMediaMax bounds one media file capture keeps when Config.MediaMax
// is 0: 2 GiB.
const DefaultMediaMax = 2 << 30

// DefaultMediaStall is how long a media download may go without receiving
// a byte before it is cut off, when Config.MediaStall is 0.
const DefaultMediaStall = time.Minute

var errNoMediaStore = errors.New("no media store is configured: the file's address is kept in the raw payload")

// errStalled is the cause of a download cut off for receiving nothing;
// errTooSlow of one cut off to leave the pass time to finish.
var (
	errStalled = errors.New("the download stalled")
	errTooSlow = errors.New("the download took too long")
)

// mediaStore reports whether captured media files can be kept.
func (s *Service) mediaStore() bool { return s.archive != nil && s.archive.Blobs() != nil }

// notKeptError is why a media file of a captured item is not in the media
// store: its address is not public, the platform did not serve it, or it is
// larger than the ceiling. The item is archived without the file (its
// address stays in the raw payload), a flag says which file and why, and
// the pass goes on.
type notKeptError struct {
	reason  string
	err     error
	passing bool // a failure that may not happen again (a 503, a dropped connection): tried again at once
}

func (e *notKeptError) Error() string { return e.reason }
func (e *notKeptError) Unwrap() error { return e.err }

func notKept(err error, format string, args ...any) error {
	return &notKeptError{reason: fmt.Sprintf(format, args...), err: err}
}

// passing is notKept for a failure worth trying again.
func passing(err error, format string, args ...any) error {
	return &notKeptError{reason: fmt.Sprintf(format, args...), err: err, passing: true}
}

// mediaTries is how many times fetch tries a file whose download failed in
// passing; it waits Config.MediaRetryWait, then four times that, between.
const mediaTries = 3

// fetch is fetchOnce, tried again after a passing failure: a file a
// platform's server failed to give once is not lost for it.
func (s *Service) fetch(ctx context.Context, url string) (fetched, error) {
	wait := s.mediaRetryWait
	for try := 1; ; try++ {
		f, err := s.fetchOnce(ctx, url)
		var nk *notKeptError
		if !errors.As(err, &nk) || !nk.passing {
			return f, err
		}
		if try == mediaTries {
			nk.reason += fmt.Sprintf(" (tried %d times)", try)
			return f, err
		}
		s.log.Info("capture: media download failed, trying again", "url", url, "try", try, "reason", nk.reason, "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fetched{}, ctx.Err()
		case <-t.C:
		}
		wait *= 4
	}
}

// fetched is a media file capture stored.
type fetched struct {
	hash string
	size int64
	typ  string // the Content-Type the server gave, without parameters
}

// fetchOnce streams a media file into the media store, through the guarded
// client that connects only to public addresses (Config.MediaAllow aside),
// without holding it in memory: the store hashes it as it writes it to a
// temporary file. A file declared larger than the ceiling is not
// downloaded; one that grows past it is cut off and nothing is stored.
// Errors of the file (its address, the platform's answer, its size, the
// download) are *notKeptError; any other error is Steward's own (the media
// store, ctx) and fails the pass, which is tried again later.
func (s *Service) fetchOnce(ctx context.Context, url string) (fetched, error) {
	if !s.mediaStore() {
		return fetched{}, errNoMediaStore
	}
	dctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// A file may take at most three quarters of the time the pass has left
	// (a capture job's --job-timeout): one too slow to arrive in it is not
	// kept, rather than cancelling every pass of the account for ever.
	if end, ok := ctx.Deadline(); ok {
		var stop context.CancelFunc
		dctx, stop = context.WithDeadlineCause(dctx, time.Now().Add(time.Until(end)*3/4), errTooSlow)
		defer stop()
	}
	req, err := http.NewRequestWithContext(dctx, http.MethodGet, url, nil)
	if err != nil {
		return fetched{}, notKept(err, "the address is not a URL Steward can fetch")
	}
	resp, err := s.media.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fetched{}, ctx.Err()
		}
		if errors.Is(context.Cause(dctx), errTooSlow) {
			return fetched{}, notKept(errTooSlow, "the platform did not answer in the time the capture pass had left")
		}
		var private *platform.ErrPrivateAddress
		if errors.As(err, &private) {
			return fetched{}, notKept(err, "the address is not on the public internet (%s): Steward does not fetch it", private.Addr)
		}
		return fetched{}, passing(err, "the download failed: %v", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 500, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode == http.StatusRequestTimeout:
		return fetched{}, passing(nil, "the server answered HTTP %d", resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return fetched{}, notKept(nil, "the server answered HTTP %d", resp.StatusCode)
	}
	if s.mediaMax > 0 && resp.ContentLength > s.mediaMax {
		return fetched{}, notKept(nil, "the file is %s, larger than the media ceiling of %s (--media-max)", bytesOf(resp.ContentLength), bytesOf(s.mediaMax))
	}
	d := &download{r: resp.Body, max: s.mediaMax, stall: s.mediaStall, timer: time.AfterFunc(s.mediaStall, func() { cancel(errStalled) })}
	hash, size, err := s.archive.Blobs().Put(ctx, "", d)
	d.timer.Stop()
	// Only a failure while reading the body is the file's; once it was
	// read, the store's own work (a sync, an upload) may take its time.
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return fetched{}, ctx.Err()
	case d.tooLarge:
		return fetched{}, notKept(nil, "the file grew past the media ceiling of %s (--media-max) and was cut off", bytesOf(s.mediaMax))
	case d.err != nil && errors.Is(context.Cause(dctx), errStalled):
		return fetched{}, notKept(errStalled, "the download stalled after %s: nothing received for %s", bytesOf(d.n), plain.Duration(s.mediaStall))
	case d.err != nil && errors.Is(context.Cause(dctx), errTooSlow):
		return fetched{}, notKept(errTooSlow, "the download was too slow: %s arrived in the time the capture pass had left (--job-timeout)", bytesOf(d.n))
	case d.err != nil:
		return fetched{}, passing(d.err, "the download failed after %s: %v", bytesOf(d.n), d.err)
	default:
		return fetched{}, fmt.Errorf("media store: %w", err)
	}
	typ, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return fetched{hash: hash, size: size, typ: typ}, nil
}

// download reads a media file's body for the media store: it fails once
// more than max bytes arrive (max 0: no limit), restarts the stall timer
// on every read, and remembers its own failure apart from the store's.
type download struct {
	r        io.Reader
	max, n   int64
	stall    time.Duration
	timer    *time.Timer
	tooLarge bool
	err      error // the download's error, not the store's
}

func (d *download) Read(p []byte) (int, error) {
	if d.max > 0 && int64(len(p)) > d.max-d.n+1 {
		p = p[:d.max-d.n+1] // one byte past the ceiling is enough to know
	}
	n, err := d.r.Read(p)
	d.n += int64(n)
	if err == nil {
		d.timer.Reset(d.stall)
	} else {
		d.timer.Stop() // the body is over: what the store does next is not a stall
	}
	if d.max > 0 && d.n > d.max {
		d.tooLarge, d.err = true, errors.New("larger than the media ceiling")
		return 0, d.err
	}
	if err != nil && err != io.EOF {
		d.err = err
	}
	return n, err
}

// bytesOf writes a file size in plain words: "1,000 bytes", and past a
// megabyte with its size in MB or GB too: "2,147,483,648 bytes (2.0 GB)".
func bytesOf(n int64) string {
	s := plain.Count(int(n), "byte", "bytes")
	switch {
	case n >= 1<<30:
		s += fmt.Sprintf(" (%.1f GB)", float64(n)/(1<<30))
	case n >= 1<<20:
		s += fmt.Sprintf(" (%.1f MB)", float64(n)/(1<<20))
	}
	return s
}
