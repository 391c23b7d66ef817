package pdf

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// fpdf compresses each page's content as it writes the document, with a
// zlib writer made anew for every page: about 1 MB allocated and cleared
// per page, more CPU than the compression itself for a long report. So
// fpdf makes the document uncompressed, and writePages puts in the pages'
// contents (content.go), compressed as each page was done (pagestream.go).

// errLayout is returned when fpdf's output is not laid out as expected.
var errLayout = errors.New("pdf: unexpected layout of the document")

// object is one indirect object of the document: its number and where it
// lies.
type object struct {
	num        int
	start, end int
}

// pageSource gives the pages' zlib streams, each once, in page order.
type pageSource interface {
	count() int
	// page returns the nth page's stream, valid until the next call.
	page(n int) ([]byte, error)
}

// writePages writes doc, an uncompressed PDF written by fpdf, to w with
// the content stream of its nth page replaced by pages' nth, a zlib
// stream.
func writePages(w io.Writer, doc []byte, pages pageSource) error {
	objs, xref, trailer, err := readObjects(doc)
	if err != nil {
		return err
	}
	contents := map[int]int{} // content stream's object -> page
	for _, o := range objs {
		body := doc[o.start:o.end]
		_, rest, _ := bytes.Cut(body, []byte("\n"))
		if !bytes.HasPrefix(rest, []byte("<</Type /Page\n")) {
			continue
		}
		i := bytes.LastIndex(rest, []byte("/Contents "))
		if i < 0 {
			return errLayout
		}
		num, _, ok := bytes.Cut(rest[i+len("/Contents "):], []byte(" 0 R>>"))
		n, err := strconv.Atoi(string(num))
		if !ok || err != nil {
			return errLayout
		}
		contents[n] = len(contents)
	}
	if len(contents) != pages.count() {
		return errLayout
	}
	bw := &offsetWriter{w: w}
	offsets := make([]int, len(xref))
	bw.Write(doc[:objs[0].start]) // the header
	for _, o := range objs {
		offsets[o.num] = bw.n
		n, ok := contents[o.num]
		if !ok {
			bw.Write(doc[o.start:o.end])
			continue
		}
		if _, err := streamOf(doc[o.start:o.end], o.num); err != nil {
			return err
		}
		z, err := pages.page(n)
		if err != nil {
			return err
		}
		bw.Write(doc[o.start : o.start+len(strconv.Itoa(o.num))+len(" 0 obj\n")])
		bw.Write([]byte("<</Filter /FlateDecode /Length " + strconv.Itoa(len(z)) + ">>\nstream\n"))
		bw.Write(z)
		bw.Write([]byte("\nendstream\nendobj\n"))
	}
	// The table of offsets, then the trailer as fpdf wrote it.
	at := bw.n
	tail := make([]byte, 0, 20*len(xref)+len(trailer)+64)
	tail = append(tail, "xref\n0 "...)
	tail = strconv.AppendInt(tail, int64(len(xref)), 10)
	tail = append(tail, "\n0000000000 65535 f \n"...)
	for _, off := range offsets[1:] {
		tail = fmt.Appendf(tail, "%010d 00000 n \n", off)
	}
	tail = append(tail, trailer...)
	tail = append(tail, "startxref\n"...)
	tail = strconv.AppendInt(tail, int64(at), 10)
	tail = append(tail, "\n%%EOF\n"...)
	bw.Write(tail)
	return bw.err
}

// streamOf returns the stream of object num, uncompressed as fpdf writes
// a page's content: "N 0 obj", "<</Length L>>", "stream", L bytes,
// "endstream", "endobj", each followed by a line end.
func streamOf(body []byte, num int) ([]byte, error) {
	head := strconv.Itoa(num) + " 0 obj\n<</Length "
	rest, ok := bytes.CutPrefix(body, []byte(head))
	if !ok {
		return nil, errLayout
	}
	ls, rest, ok := bytes.Cut(rest, []byte(">>\nstream\n"))
	n, err := strconv.Atoi(string(ls))
	if !ok || err != nil || n < 0 || n > len(rest) {
		return nil, errLayout
	}
	if string(rest[n:]) != "\nendstream\nendobj\n" {
		return nil, errLayout
	}
	return rest[:n], nil
}

// readObjects reads fpdf's table of offsets (xref) and returns the
// objects in the order they lie, the table (offsets by object number, 0
// for the free object 0) and the trailer, from "trailer" to "startxref".
func readObjects(doc []byte) (objs []object, xref []int, trailer []byte, err error) {
	i := bytes.LastIndex(doc, []byte("\nstartxref\n"))
	if i < 0 {
		return nil, nil, nil, errLayout
	}
	num, _, _ := bytes.Cut(doc[i+len("\nstartxref\n"):], []byte("\n"))
	at, err := strconv.Atoi(string(num))
	if err != nil || at < 0 || at > i {
		return nil, nil, nil, errLayout
	}
	table := doc[at : i+1]
	rest, ok := bytes.CutPrefix(table, []byte("xref\n0 "))
	if !ok {
		return nil, nil, nil, errLayout
	}
	count, rest, _ := bytes.Cut(rest, []byte("\n"))
	n, err := strconv.Atoi(string(count))
	if err != nil || n < 2 || len(rest) < 20*n {
		return nil, nil, nil, errLayout
	}
	xref = make([]int, n)
	for k := 1; k < n; k++ {
		line := rest[20*k : 20*k+20]
		if string(line[10:]) != " 00000 n \n" {
			return nil, nil, nil, errLayout
		}
		if xref[k], err = strconv.Atoi(string(line[:10])); err != nil || xref[k] <= 0 || xref[k] >= at {
			return nil, nil, nil, errLayout
		}
		objs = append(objs, object{num: k, start: xref[k]})
	}
	trailer = rest[20*n:]
	if !bytes.HasPrefix(trailer, []byte("trailer\n")) {
		return nil, nil, nil, errLayout
	}
	slices.SortFunc(objs, func(a, b object) int { return cmp.Compare(a.start, b.start) })
	for k := range objs {
		objs[k].end = at
		if k+1 < len(objs) {
			objs[k].end = objs[k+1].start
		}
		if objs[k].end <= objs[k].start {
			return nil, nil, nil, errLayout
		}
		want := strconv.Itoa(objs[k].num) + " 0 obj\n"
		if !bytes.HasPrefix(doc[objs[k].start:objs[k].end], []byte(want)) {
			return nil, nil, nil, errLayout
		}
	}
	return objs, xref, trailer, nil
}

// offsetWriter counts what it writes and keeps the first error.
type offsetWriter struct {
	w   io.Writer
	n   int
	err error
}

func (o *offsetWriter) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	o.n += n
	o.err = err
	return n, err
}
