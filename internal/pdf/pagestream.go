package pdf

import (
	"bytes"
	"compress/flate"
	"encoding"
	"encoding/binary"
	"hash/adler32"
	"runtime"
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
	z     []byte // the zlib stream, or its open start when counted
	adler []byte // counted: the Adler-32 state after the start's content
	tail  []byte // counted: the content after the footer's {nb}
	open  bool   // the stream waits for the number of pages
}

// compressor compresses pages in goroutines, as many at once as there are
// cores; a page waits for a free one, so at most that many pages are held
// uncompressed. Each goroutine ends with its page: a Document abandoned
// before Close leaves none behind.
type compressor struct {
	slots   chan struct{}
	wg      sync.WaitGroup
	writers sync.Pool // *flate.Writer at BestSpeed
	streams []*pageStream
}

func newCompressor() *compressor {
	c := &compressor{slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))}
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
			return
		}
		fw.Flush()
		ps.z = buf.Bytes()
		ps.adler, _ = sum.(encoding.BinaryMarshaler).MarshalBinary() // adler32's digest marshals
		ps.tail = bytes.Clone(page[alias+len(alias16):])
		ps.open = true
	})
}

// finish waits for every page and returns their zlib streams, the open
// ones completed with pages, the number of pages.
func (c *compressor) finish(pages int) ([][]byte, error) {
	c.wg.Wait()
	nb := utf16BE(strconv.Itoa(pages))
	out := make([][]byte, len(c.streams))
	fw := c.writers.Get().(*flate.Writer)
	defer c.writers.Put(fw)
	for i, ps := range c.streams {
		if !ps.open {
			out[i] = ps.z
			continue
		}
		buf := bytes.NewBuffer(ps.z)
		fw.Reset(buf)
		fw.Write(nb)
		fw.Write(ps.tail)
		fw.Close()
		sum := adler32.New()
		if err := sum.(encoding.BinaryUnmarshaler).UnmarshalBinary(ps.adler); err != nil {
			return nil, err
		}
		sum.Write(nb)
		sum.Write(ps.tail)
		out[i] = binary.BigEndian.AppendUint32(buf.Bytes(), sum.Sum32())
	}
	c.streams = nil
	return out, nil
}

// alias16 is the alias {nb} as a page's text holds it: UTF-16BE.
var alias16 = utf16BE(aliasNb)
