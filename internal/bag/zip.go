package bag

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
)

// Limits of what Open reads: a bag beyond them is refused before anything
// else is read, so that a forged bag cannot make the checker hold an
// unbounded amount of memory.
const (
	MaxFiles    = 1 << 20 // files in a bag
	MaxNameLen  = 255     // bytes in a file's path
	maxDirBytes = MaxFiles * (dirHeaderLen + MaxNameLen + 28)
)

// Zip record signatures and sizes (APPNOTE.TXT 4.3).
const (
	localSig     = 0x04034b50
	dirSig       = 0x02014b50
	endSig       = 0x06054b50
	end64Sig     = 0x06064b50
	locator64Sig = 0x07064b50
	descSig      = 0x08074b50

	localHeaderLen = 30
	dirHeaderLen   = 46
	endLen         = 22
	end64Len       = 56
	locator64Len   = 20
	zip64ExtraID   = 0x0001

	flagDescriptor = 0x8
	flagUTF8       = 0x800
)

// entry is one file of the zip on which its central directory, its local
// header and its data descriptor agree.
type entry struct {
	name   string
	offset int64 // of the local header
	data   int64 // of the first byte of data
	size   int64 // stored: compressed and uncompressed sizes are equal
	crc    uint32
	flags  uint16
	zip64  bool // sizes need 64 bits, so the data descriptor has them
}

// readZip reads the zip's structure strictly: one end record at the very
// end (no comment, nothing after it), at most one zip64 end record right
// before it, one central directory right before that, and before it the
// files, each a local header, its stored data and its data descriptor,
// one after the other from byte 0 with no gap, overlap or other bytes. Every
// entry's local header must repeat its central directory entry, and its
// data descriptor the sizes and CRC. Only what Go's archive/zip writes for
// stored files is accepted: no compression, encryption, comments, extra
// fields other than zip64, directories, links or multiple disks.
func readZip(r io.ReaderAt, size int64) ([]*entry, error) {
	eocd, err := findEnd(r, size)
	if err != nil {
		return nil, err
	}
	var b [end64Len]byte
	if _, err := r.ReadAt(b[:endLen], eocd); err != nil {
		return nil, unreadable(err)
	}
	le := binary.LittleEndian
	disk, cdDisk := le.Uint16(b[4:]), le.Uint16(b[6:])
	nDisk, n := uint64(le.Uint16(b[8:])), uint64(le.Uint16(b[10:]))
	cdSize, cdOff := uint64(le.Uint32(b[12:])), uint64(le.Uint32(b[16:]))
	if disk != 0 || cdDisk != 0 || nDisk != n {
		return nil, invalid("the zip spans several disks")
	}
	cdEnd := eocd
	if n == math.MaxUint16 || cdSize == math.MaxUint32 || cdOff == math.MaxUint32 {
		// zip64: a locator right before the end record points at the
		// zip64 end record, which must sit right before the locator.
		loc := eocd - locator64Len
		end64 := loc - end64Len
		if end64 < 0 {
			return nil, unreadable(fmt.Errorf("no room for a zip64 end record"))
		}
		if _, err := r.ReadAt(b[:locator64Len], loc); err != nil {
			return nil, unreadable(err)
		}
		if le.Uint32(b[0:]) != locator64Sig || le.Uint32(b[4:]) != 0 || int64(le.Uint64(b[8:])) != end64 || le.Uint32(b[16:]) != 1 {
			return nil, invalid("the zip64 end record is not right before its locator")
		}
		if _, err := r.ReadAt(b[:end64Len], end64); err != nil {
			return nil, unreadable(err)
		}
		if le.Uint32(b[0:]) != end64Sig || le.Uint64(b[4:]) != end64Len-12 || le.Uint32(b[16:]) != 0 || le.Uint32(b[20:]) != 0 {
			return nil, invalid("the zip64 end record is malformed")
		}
		nDisk, n = le.Uint64(b[24:]), le.Uint64(b[32:])
		cdSize, cdOff = le.Uint64(b[40:]), le.Uint64(b[48:])
		if nDisk != n {
			return nil, invalid("the zip spans several disks")
		}
		cdEnd = end64
	}
	if n > MaxFiles {
		return nil, invalid("the zip holds %d files, more than the %d a bag may hold", n, MaxFiles)
	}
	if cdSize > maxDirBytes || cdSize < n*dirHeaderLen || cdOff > uint64(cdEnd) || cdOff+cdSize != uint64(cdEnd) {
		return nil, invalid("the zip's central directory does not end where its end record begins (a second directory, or bytes between them?)")
	}
	entries, err := readDirectory(r, int64(cdOff), int64(cdSize), int(n))
	if err != nil {
		return nil, err
	}
	if err := checkLocal(r, entries, int64(cdOff)); err != nil {
		return nil, err
	}
	return entries, nil
}

func unreadable(err error) error {
	return invalid("not a readable zip file (truncated or corrupt?): %v", err)
}

// findEnd returns the offset of the end record, which must be the last 22
// bytes of the file.
func findEnd(r io.ReaderAt, size int64) (int64, error) {
	if size < endLen {
		return 0, unreadable(fmt.Errorf("%d bytes", size))
	}
	tail := make([]byte, min(size, endLen+math.MaxUint16))
	if _, err := r.ReadAt(tail, size-int64(len(tail))); err != nil && err != io.EOF {
		return 0, unreadable(err)
	}
	le := binary.LittleEndian
	for i := len(tail) - endLen; i >= 0; i-- {
		if le.Uint32(tail[i:]) != endSig {
			continue
		}
		at := size - int64(len(tail)) + int64(i)
		comment := int64(le.Uint16(tail[i+20:]))
		switch end := at + endLen + comment; {
		case end > size:
			continue // not an end record, or a cut one
		case comment > 0:
			return 0, invalid("the zip has a comment after its end record (%d bytes)", comment)
		case end < size:
			return 0, invalid("%d bytes follow the end of the zip", size-end)
		}
		return at, nil
	}
	return 0, unreadable(fmt.Errorf("no end record"))
}

// readDirectory reads n central directory entries, streaming.
func readDirectory(r io.ReaderAt, off, size int64, n int) ([]*entry, error) {
	br := bufio.NewReaderSize(io.NewSectionReader(r, off, size), 1<<16)
	le := binary.LittleEndian
	entries := make([]*entry, 0, min(n, 1<<12))
	var h [dirHeaderLen]byte
	for i := range n {
		if _, err := io.ReadFull(br, h[:]); err != nil {
			return nil, unreadable(err)
		}
		if le.Uint32(h[0:]) != dirSig {
			return nil, invalid("central directory entry %d is malformed", i+1)
		}
		e := &entry{flags: le.Uint16(h[8:]), crc: le.Uint32(h[16:])}
		method := le.Uint16(h[10:])
		csize, usize := uint64(le.Uint32(h[20:])), uint64(le.Uint32(h[24:]))
		nameLen, extraLen, commentLen := int(le.Uint16(h[28:])), int(le.Uint16(h[30:])), le.Uint16(h[32:])
		diskStart, attrs, offset := le.Uint16(h[34:]), le.Uint32(h[38:]), uint64(le.Uint32(h[42:]))
		if nameLen == 0 || nameLen > MaxNameLen {
			return nil, invalid("central directory entry %d has a name of %d bytes", i+1, nameLen)
		}
		name := make([]byte, nameLen)
		if _, err := io.ReadFull(br, name); err != nil {
			return nil, unreadable(err)
		}
		e.name = string(name)
		extra := make([]byte, extraLen)
		if _, err := io.ReadFull(br, extra); err != nil {
			return nil, unreadable(err)
		}
		what := fmt.Sprintf("zip entry %q", e.name)
		switch {
		case e.flags&1 != 0:
			return nil, invalid("%s is encrypted", what)
		case e.flags&^(flagDescriptor|flagUTF8) != 0:
			return nil, invalid("%s uses zip features a bag does not (flags %#04x)", what, e.flags)
		case method != 0:
			return nil, invalid("%s is compressed (method %d): a bag's files are stored as they are", what, method)
		case commentLen != 0:
			return nil, invalid("%s has a comment", what)
		case diskStart != 0:
			return nil, invalid("%s is on another disk", what)
		case attrs&0x10 != 0:
			return nil, invalid("%s is a directory", what)
		case (attrs>>16)&0o170000 != 0 && (attrs>>16)&0o170000 != 0o100000:
			return nil, invalid("%s is not a regular file (a symbolic link or a device?)", what)
		}
		needU, needC, needO := usize == math.MaxUint32, csize == math.MaxUint32, offset == math.MaxUint32
		for len(extra) > 0 {
			if len(extra) < 4 || int(le.Uint16(extra[2:]))+4 > len(extra) {
				return nil, invalid("%s has a malformed extra field", what)
			}
			id, fl := le.Uint16(extra), int(le.Uint16(extra[2:]))
			field := extra[4 : 4+fl]
			extra = extra[4+fl:]
			if id != zip64ExtraID {
				return nil, invalid("%s has an extra field (id %#04x) a bag does not use", what, id)
			}
			for _, v := range []struct {
				need *bool
				val  *uint64
			}{{&needU, &usize}, {&needC, &csize}, {&needO, &offset}} {
				if !*v.need {
					continue
				}
				if len(field) < 8 {
					return nil, invalid("%s has a short zip64 field", what)
				}
				*v.val, field, *v.need = le.Uint64(field), field[8:], false
			}
		}
		if csize != usize {
			return nil, invalid("%s states two sizes (%d and %d) for stored data", what, csize, usize)
		}
		if needU || needC || needO {
			return nil, invalid("%s needs a zip64 field it lacks", what)
		}
		e.size, e.offset = int64(usize), int64(offset)
		e.zip64 = usize >= math.MaxUint32
		if usize > math.MaxInt64/2 || offset > math.MaxInt64/2 {
			return nil, invalid("%s states an impossible size or offset", what)
		}
		entries = append(entries, e)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return nil, invalid("the central directory holds more than the %d entries its end record counts", n)
	}
	return entries, nil
}

// checkLocal reads each entry's local header and data descriptor and checks
// that the entries tile the file from byte 0 to the central directory.
func checkLocal(r io.ReaderAt, entries []*entry, cdOff int64) error {
	order := slices.Clone(entries)
	slices.SortFunc(order, func(a, b *entry) int {
		switch {
		case a.offset < b.offset:
			return -1
		case a.offset > b.offset:
			return 1
		}
		return 0
	})
	le := binary.LittleEndian
	var at int64
	var h [localHeaderLen]byte
	for _, e := range order {
		what := fmt.Sprintf("zip entry %q", e.name)
		switch {
		case e.offset > at && at == 0:
			return invalid("%d bytes come before the first file of the zip", e.offset)
		case e.offset > at:
			return invalid("%d bytes that no file owns come before %s (hidden data?)", e.offset-at, what)
		case e.offset < at:
			return invalid("%s overlaps the file before it", what)
		}
		if e.offset+localHeaderLen > cdOff {
			return invalid("%s starts past the files' end", what)
		}
		if _, err := r.ReadAt(h[:], e.offset); err != nil {
			return unreadable(err)
		}
		nameLen, extraLen := int64(le.Uint16(h[26:])), int64(le.Uint16(h[28:]))
		switch {
		case le.Uint32(h[0:]) != localSig:
			return invalid("%s has no local header where the directory says", what)
		case le.Uint16(h[6:]) != e.flags || le.Uint16(h[8:]) != 0:
			return invalid("%s: its local header and the central directory disagree on flags or method", what)
		case extraLen != 0:
			return invalid("%s has extra fields in its local header", what)
		case nameLen != int64(len(e.name)):
			return invalid("%s: its local header names another file", what)
		}
		name := make([]byte, nameLen)
		if _, err := r.ReadAt(name, e.offset+localHeaderLen); err != nil {
			return unreadable(err)
		}
		if string(name) != e.name {
			return invalid("%s: its local header names %q", what, name)
		}
		crc, csize, usize := le.Uint32(h[14:]), le.Uint32(h[18:]), le.Uint32(h[22:])
		e.data = e.offset + localHeaderLen + nameLen
		end := e.data + e.size
		if end > cdOff || end < e.data {
			return invalid("%s runs past the files' end (its size, %d, is a lie)", what, e.size)
		}
		if e.flags&flagDescriptor == 0 {
			if crc != e.crc || int64(csize) != e.size || int64(usize) != e.size || e.zip64 {
				return invalid("%s: its local header and the central directory disagree on its size or CRC", what)
			}
		} else {
			if crc != 0 || csize != 0 || usize != 0 {
				return invalid("%s has sizes in its local header and a data descriptor", what)
			}
			n := int64(16)
			if e.zip64 {
				n = 24
			}
			if end+n > cdOff {
				return invalid("%s: its data descriptor runs past the files' end", what)
			}
			d := make([]byte, n)
			if _, err := r.ReadAt(d, end); err != nil {
				return unreadable(err)
			}
			dc, ds, du := le.Uint32(d[4:]), uint64(le.Uint32(d[8:])), uint64(le.Uint32(d[12:]))
			if e.zip64 {
				ds, du = le.Uint64(d[8:]), le.Uint64(d[16:])
			}
			if le.Uint32(d[0:]) != descSig || dc != e.crc || ds != uint64(e.size) || du != uint64(e.size) {
				return invalid("%s: its data descriptor states another size or CRC than the central directory (%d bytes)", what, e.size)
			}
			end += n
		}
		at = end
	}
	if at != cdOff {
		return invalid("%d bytes that no file owns come before the central directory (hidden data or a second zip?)", cdOff-at)
	}
	return nil
}
