package pdf

import (
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// The fonts are subsets made by fonts/build.sh from Debian's packages;
// docs/pdf.md lists them, their ranges and their licences.
//
//go:embed fonts/*.ttf
var fontFiles embed.FS

// A face is one embedded TrueType font and the characters it has.
type face struct {
	family, style, file string
	has                 *coverage
}

// coverage is the set of Basic Multilingual Plane characters a font's
// cmap maps to a glyph: one bit per code.
type coverage [1 << 16 / 64]uint64

func (c *coverage) contains(r rune) bool {
	return r >= 0 && r <= 0xFFFF && c[r/64]&(1<<(r%64)) != 0
}

// The faces, in the order they are tried for a character. Bold text tries
// sansBold first, then the same order from arabic on.
const (
	sans = iota
	sansBold
	arabic
	hebrew
	ethiopic
	han
	emoji
	symbols
	numFaces
)

var faceFiles = [numFaces]face{
	sans:     {family: "sans", file: "NotoSans-Regular.ttf"},
	sansBold: {family: "sans", style: "B", file: "NotoSans-Bold.ttf"},
	arabic:   {family: "arabic", file: "NotoSansArabic-Regular.ttf"},
	hebrew:   {family: "hebrew", file: "NotoSansHebrew-Regular.ttf"},
	ethiopic: {family: "ethiopic", file: "NotoSansEthiopic-Regular.ttf"},
	han:      {family: "han", file: "DroidSansFallback-Han.ttf"},
	emoji:    {family: "emoji", file: "Symbola-Emoji.ttf"},
	symbols:  {family: "symbols", file: "DejaVuSans-Symbols.ttf"},
}

// loadFaces reads the cmaps of the embedded fonts once per process: they
// never change, so every document shares them.
var loadFaces = sync.OnceValues(func() ([numFaces]face, error) {
	faces := faceFiles
	for i := range faces {
		b, err := fontFiles.ReadFile("fonts/" + faces[i].file)
		if err != nil {
			return faces, err
		}
		if faces[i].has, err = readCmap(b); err != nil {
			return faces, fmt.Errorf("font %s: %w", faces[i].file, err)
		}
	}
	return faces, nil
})

// fontBytes returns an embedded font's file.
func fontBytes(f *face) ([]byte, error) {
	return fontFiles.ReadFile("fonts/" + f.file)
}

var errCmap = errors.New("no Unicode cmap of format 4")

// readCmap reads the characters a TrueType font maps to glyphs from its
// Windows Unicode (3,1) or Unicode (0,x) cmap subtable of format 4, the
// one the PDF writer reads too.
func readCmap(b []byte) (*coverage, error) {
	u16 := func(at int) int {
		if at < 0 || at+2 > len(b) {
			return 0
		}
		return int(binary.BigEndian.Uint16(b[at:]))
	}
	u32 := func(at int) int {
		if at < 0 || at+4 > len(b) {
			return 0
		}
		return int(binary.BigEndian.Uint32(b[at:]))
	}
	cmap := -1
	for i := range u16(4) {
		rec := 12 + 16*i
		if rec+16 <= len(b) && string(b[rec:rec+4]) == "cmap" {
			cmap = u32(rec + 8)
		}
	}
	if cmap < 0 || cmap >= len(b) {
		return nil, errCmap
	}
	sub := -1
	for i := range u16(cmap + 2) {
		rec := cmap + 4 + 8*i
		platform, encoding, off := u16(rec), u16(rec+2), u32(rec+4)
		if (platform == 3 && encoding == 1 || platform == 0) && u16(cmap+off) == 4 {
			sub = cmap + off
			break
		}
	}
	if sub < 0 {
		return nil, errCmap
	}
	segs := u16(sub+6) / 2
	ends, starts, deltas, ranges := sub+14, sub+16+2*segs, sub+16+4*segs, sub+16+6*segs
	var c coverage
	for s := range segs {
		end, start, delta, ro := u16(ends+2*s), u16(starts+2*s), u16(deltas+2*s), u16(ranges+2*s)
		for code := start; code <= end && code < 0xFFFF; code++ {
			g := 0
			if ro == 0 {
				g = (code + delta) & 0xFFFF
			} else if g = u16(ranges + 2*s + ro + 2*(code-start)); g != 0 {
				g = (g + delta) & 0xFFFF
			}
			if g != 0 {
				c[code/64] |= 1 << (code % 64)
			}
		}
	}
	return &c, nil
}
