package pdf

import (
	"bytes"
	"cmp"
	"compress/flate"
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/adler32"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
)

// Each page's content is compressed as soon as the page is done, on
// another core, and only the compressed bytes are kept: a report of
// 100,000 items no longer holds hundreds of megabytes of page contents
// until Close, and Close no longer compresses them all at the end.
//
// A page's footer says "Page N of {nb}", and the number of pages is known
// only at the end. So the content before the footer's {nb} is compressed
// into a zlib stream that is left open (a deflate sync flush, with the
// Adler-32 of what it holds saved), and finish completes it with the
// number and the few bytes after it. Only the footer's {nb} is replaced:
// a record whose text reads "{nb}" prints as written (fpdf replaces the
// alias wherever it appears, in a resident's comment too).

// pageStream is one page's content, compressed (zlib, as fpdf compresses
// at BestSpeed).
type pageStream struct {
	z       []byte // the zlib stream, or its open start when counted; nil when spilled
	off     int64  // spilled: where z lies in the spill file
	n       int    // spilled: its length
	spilled bool
	adler   []byte // counted: the Adler-32 state after the start's content
	tail    []byte // counted: the content after the footer's {nb}
	open    bool   // the stream waits for the number of pages
}

// spillAt is how many bytes of compressed pages (their buffers' capacity)
// a document holds in memory; the pages done after that go to a temporary file, read back one
// at a time by Close. A records bag of a million versions has a report of
// several hundred megabytes, which the export process held whole until
// its end.
const spillAt = 16 << 20

// compressor compresses pages in goroutines, as many at once as there are
// cores; a page waits for a free one, so at most that many pages are held
// uncompressed. Each goroutine ends with its page: a Document abandoned
// before Close leaves none behind (and its spill file, removed from its
// folder when made, goes when the process closes it).
type compressor struct {
	slots   chan struct{}
	wg      sync.WaitGroup
	writers sync.Pool // *flate.Writer at BestSpeed
	streams []*pageStream
	spillAt int64

	mu       sync.Mutex // guards what follows, written by the goroutines
	held     int64      // bytes of the streams held in memory (capacity)
	spill    *os.File   // the pages past spillAt; nil until then
	spillEnd int64
	remove   string // the spill file's name, when it could not be removed at once
	err      error  // the first spill that failed
}

func newCompressor() *compressor {
	c := &compressor{slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0))), spillAt: spillAt}
	c.writers.New = func() any {
		w, _ := flate.NewWriter(nil, flate.BestSpeed) // the level is valid
		return w
	}
	return c
}

// zlibHead is the zlib header Go's writer writes at BestSpeed.
var zlibHead = [2]byte{0x78, 0x01}

// add compresses page, whose footer's {nb} starts at alias (-1: none), in
// the background. page is not used by the caller after.
func (c *compressor) add(page []byte, alias int) {
	ps := &pageStream{}
	c.streams = append(c.streams, ps)
	c.slots <- struct{}{}
	c.wg.Go(func() {
		defer func() { <-c.slots }()
		fw := c.writers.Get().(*flate.Writer)
		defer c.writers.Put(fw)
		var buf bytes.Buffer
		buf.Grow(len(page)/3 + 64)
		buf.Write(zlibHead[:])
		fw.Reset(&buf)
		sum := adler32.New()
		head := page
		if alias >= 0 {
			head = page[:alias]
		}
		fw.Write(head) // writes to a bytes.Buffer do not fail
		sum.Write(head)
		if alias < 0 {
			fw.Close()
			ps.z = binary.BigEndian.AppendUint32(buf.Bytes(), sum.Sum32())
		} else {
			fw.Flush()
			ps.z = buf.Bytes()
			ps.adler, _ = sum.(encoding.BinaryMarshaler).MarshalBinary() // adler32's digest marshals
			ps.tail = bytes.Clone(page[alias+len(alias16):])
			ps.open = true
		}
		c.keep(ps)
	})
}

// keep holds ps's stream in memory, or past spillAt writes it to the
// spill file.
func (c *compressor) keep(ps *pageStream) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil || c.held+int64(cap(ps.z)) <= c.spillAt {
		c.held += int64(cap(ps.z))
		return
	}
	if c.spill == nil {
		f, err := os.CreateTemp("", "steward-pdf-pages-*")
		if err != nil {
			c.err = fmt.Errorf("pdf: a file for the pages: %w", err)
			return
		}
		if os.Remove(f.Name()) != nil {
			c.remove = f.Name() // a system that cannot remove an open file
		}
		c.spill = f
	}
	if _, err := c.spill.Write(ps.z); err != nil {
		c.err = fmt.Errorf("pdf: writing the pages: %w", err)
		return
	}
	ps.off, ps.n, ps.spilled, ps.z = c.spillEnd, len(ps.z), true, nil
	c.spillEnd += int64(ps.n)
}

// finish waits for every page and returns them, to be read in order
// (pageSet.page), the open ones completed with pages, the number of pages.
func (c *compressor) finish(pages int) (*pageSet, error) {
	c.wg.Wait()
	p := &pageSet{c: c, nb: utf16BE(strconv.Itoa(pages))}
	if c.err != nil {
		return nil, cmp.Or(c.err, p.close())
	}
	return p, nil
}

// pageSet reads a finished document's page streams, one at a time.
type pageSet struct {
	c   *compressor
	nb  []byte // the number of pages, as the footers write it
	buf []byte // the last page read from the spill file
}

func (p *pageSet) count() int { return len(p.c.streams) }

// page returns the nth page's zlib stream, valid until the next call.
func (p *pageSet) page(n int) ([]byte, error) {
	ps := p.c.streams[n]
	p.c.streams[n] = nil
	if ps == nil {
		return nil, errors.New("pdf: a page read twice")
	}
	z := ps.z
	if ps.spilled {
		p.buf = slices.Grow(p.buf[:0], ps.n)[:ps.n]
		if _, err := p.c.spill.ReadAt(p.buf, ps.off); err != nil {
			return nil, fmt.Errorf("pdf: reading the pages back: %w", err)
		}
		z = p.buf
	}
	if !ps.open {
		return z, nil
	}
	fw := p.c.writers.Get().(*flate.Writer)
	defer p.c.writers.Put(fw)
	buf := bytes.NewBuffer(z)
	fw.Reset(buf)
	fw.Write(p.nb)
	fw.Write(ps.tail)
	fw.Close()
	sum := adler32.New()
	if err := sum.(encoding.BinaryUnmarshaler).UnmarshalBinary(ps.adler); err != nil {
		return nil, err
	}
	sum.Write(p.nb)
	sum.Write(ps.tail)
	out := binary.BigEndian.AppendUint32(buf.Bytes(), sum.Sum32())
	if ps.spilled {
		p.buf = out
	}
	return out, nil
}

// close closes and removes the spill file, if any.
func (p *pageSet) close() error {
	c := p.c
	c.streams = nil
	if c.spill == nil {
		return nil
	}
	err := c.spill.Close()
	if c.remove != "" {
		err = cmp.Or(err, os.Remove(c.remove))
	}
	c.spill = nil
	return err
}

// alias16 is the alias {nb} as a page's text holds it: UTF-16BE.
var alias16 = utf16BE(aliasNb)
