package pdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"steward.city/steward/internal/pdf/pdftest"
)

var created = time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC)

// write makes a document with f and returns its bytes.
func write(t *testing.T, m Meta, f func(d *Document)) []byte {
	t.Helper()
	var buf bytes.Buffer
	d := New(&buf, m)
	f(d)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestFontCoverage checks each embedded font's cmap has the characters
// it is there for, and that the Latin font lacks Arabic, so the fallback
// is exercised.
func TestFontCoverage(t *testing.T) {
	faces, err := loadFaces()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		face int
		has  string
	}{
		{sans, "Aa’—“”ệĐđ’ЁёЖжΩ€"},
		{sansBold, "Removed ệЖ"},
		{arabic, "\u0627\u0644\uFEFB\uFE91\uFEF4\uFB58\u060C"},
		{hebrew, "שלום"},
		{ethiopic, "መንገዱ።"},
		{han, "道路已经关闭請修理的。"},
		{emoji, "☀☕❤\uE600\uE44D"}, // 😀 and 👍 moved to the private use area
		{symbols, "\u25A1\uFFFD→"},
	}
	for _, c := range cases {
		for _, r := range c.has {
			if !faces[c.face].has.contains(r) {
				t.Errorf("%s lacks %q (U+%04X)", faces[c.face].file, r, r)
			}
		}
	}
	if faces[sans].has.contains(0x0627) || faces[sans].has.contains(0x4E00) {
		t.Error("the Latin font claims Arabic or Han: the cmap is misread")
	}
	if _, err := readCmap([]byte("not a font")); err == nil {
		t.Error("readCmap reads garbage")
	}
}

// TestShapeArabic checks the presentation forms chosen for each position,
// lam-alef, and that marks do not break joining.
func TestShapeArabic(t *testing.T) {
	shape := func(s string) string {
		cs := make([]cell, 0)
		for _, r := range s {
			cs = append(cs, cell{src: r, text: r, glyph: r})
		}
		shapeArabic(cs)
		var b strings.Builder
		for _, c := range cs {
			if !c.hidden {
				b.WriteRune(c.glyph)
			}
		}
		return b.String()
	}
	cases := []struct{ in, want string }{
		{"بيت", "\uFE91\uFEF4\uFE96"},          // beh initial, yeh medial, teh final
		{"لا", "\uFEFB"},                       // lam-alef isolated
		{"سلام", "\uFEB3\uFEFC\uFEE1"},         // seen initial, lam-alef final, meem isolated
		{"دار", "\uFEA9\uFE8D\uFEAD"},          // dal joins nothing after it, nor alef
		{"بِت", "\uFE91\u0650\uFE96"},          // a kasra between does not break the join
		{"ب ب", "\uFE8F \uFE8F"},               // a space does
		{"abc", "abc"},                         // not Arabic: untouched
		{"پیک", "\uFB58\uFBFF\uFB8F"},          // Persian letters
		{"ـب", "\u0640\uFE90"},                 // tatweel joins
		{"\u0644\u0623\u0646", "\uFEF7\uFEE5"}, // lam-alef with hamza, then noon isolated
		{"\u0645\u0644\u0627\u0645", "\uFEE3\uFEFC\uFEE1"},
	}
	for _, c := range cases {
		if got := shape(c.in); got != c.want {
			t.Errorf("shape(%q) = %+q, want %+q", c.in, got, c.want)
		}
	}
}

// TestVisualOrder checks the implicit bidirectional levels and their
// reordering.
func TestVisualOrder(t *testing.T) {
	visual := func(s string) string {
		cs := make([]cell, 0)
		for _, r := range s {
			cs = append(cs, cell{src: r, text: r, glyph: r})
		}
		order, _ := visualOrder(levels(cs, baseRTL(cs)))
		var b strings.Builder
		for _, i := range order {
			b.WriteRune(cs[i].src)
		}
		return b.String()
	}
	cases := []struct{ in, want string }{
		{"abc def", "abc def"},
		{"abc אבג def", "abc גבא def"}, // RTL word inside LTR
		{"אבג def הוז", "זוה def גבא"}, // LTR word inside RTL
		{"אבג 123 דהו", "והד 123 גבא"}, // numbers stay left to right
		{"abc אבג 123 דהו", "abc והד 123 גבא"},
		{"abc\u202Edef", "abc\u202Edef"}, // an override is not obeyed
		{"", ""},
	}
	for _, c := range cases {
		if got := visual(c.in); got != c.want {
			t.Errorf("visual(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestWrap checks lines fit, words break only when alone too wide, and
// nothing is lost.
func TestWrap(t *testing.T) {
	var buf bytes.Buffer
	d := New(&buf, Meta{Created: created})
	for _, text := range []string{
		strings.Repeat("word ", 200),
		strings.Repeat("x", 3000),
		strings.Repeat("道路已经关闭", 100),
		"short",
		"",
	} {
		cs := d.cells(text, false)
		lines := wrap(cs, 40)
		var got strings.Builder
		for _, ln := range lines {
			w := 0.0
			for _, c := range cs[ln[0]:ln[1]] {
				w += c.w
				got.WriteRune(c.src)
			}
			if w > 40 && ln[1]-ln[0] > 1 {
				t.Errorf("a line of %.1f em is wider than 40", w)
			}
		}
		if strings.ReplaceAll(got.String(), " ", "") != strings.ReplaceAll(text, " ", "") {
			t.Errorf("wrapping %.20q... loses text", text)
		}
		if text == "" && len(lines) != 1 {
			t.Errorf("an empty paragraph is %d lines", len(lines))
		}
	}
}

// TestCells checks what is drawn for characters no font has, control
// characters, invalid UTF-8 and format characters.
func TestCells(t *testing.T) {
	var buf bytes.Buffer
	d := New(&buf, Meta{Created: created})
	for _, c := range []struct {
		in    rune
		boxed bool
		text  rune
	}{
		{'ก', true, 'ก'},            // Thai: no font
		{0x20000, true, 0x20000},    // Han beyond the BMP
		{0x00, true, '\uFFFD'},      // NUL
		{0x1B, true, '\uFFFD'},      // ESC
		{0x85, true, '\uFFFD'},      // NEL, a C1 control
		{'\uFFFD', false, '\uFFFD'}, // drawn by the symbols font
		{'😀', false, '😀'},           // the emoji font, moved
		{'a', false, 'a'},
	} {
		cs := d.cells(string(c.in), false)
		if len(cs) != 1 || cs[0].boxed != c.boxed || cs[0].text != c.text || cs[0].face < 0 || cs[0].w <= 0 {
			t.Errorf("%+q: cell %+v", c.in, cs)
		}
		if c.boxed && cs[0].glyph != box {
			t.Errorf("%+q is not drawn as the box", c.in)
		}
	}
	for _, r := range []rune{0x202E, 0x200D, 0xFE0F, 0xFEFF, 0xE0041} {
		if cs := d.cells(string(r), false); !cs[0].hidden {
			t.Errorf("%+q is drawn", r)
		}
	}
	// A letter and its marks draw as the precomposed letter; the marks
	// are hidden, kept for the text layer. Without a precomposed form
	// (q + U+0302) the mark draws by itself, in the letter's font.
	if cs := d.cells("e\u0302\u0301", false); cs[0].glyph != 'ế' || cs[0].src != 'e' || !cs[1].hidden || !cs[2].hidden {
		t.Errorf("e + marks: %+v", cs)
	}
	if cs := d.cells("q\u0302", false); cs[0].glyph != 'q' || cs[1].hidden || cs[1].face != cs[0].face {
		t.Errorf("q + circumflex: %+v", cs)
	}
	if got := splitParagraphs("a\xffb\r\nc\td\u2028e"); fmt.Sprint(got) != "[a\uFFFDb c    d e]" {
		t.Errorf("splitParagraphs = %q", got)
	}
}

// TestDocument writes a document of two pages and reads back its text,
// page numbers and metadata.
func TestDocument(t *testing.T) {
	doc := write(t, Meta{Title: "Tracking “form” — ٣", Author: "Ana Núñez", Subject: "Test", Lang: "en-US", Created: created}, func(d *Document) {
		d.Heading("Heading — ‘one’")
		d.Field("Label:", "Value (a) \\ b")
		for i := range 80 {
			d.Line(fmt.Sprintf("line %d", i))
		}
	})
	if !bytes.HasPrefix(doc, []byte("%PDF-1.")) || !bytes.Contains(doc, []byte("/Lang (en-US)")) {
		t.Errorf("no PDF header or no /Lang: %q", doc[:20])
	}
	pdftest.Save(t, "pdf-document", doc)
	info, ok := pdftest.Info(t, doc)
	if ok && (info["Title"] != "Tracking “form” — ٣" || info["Author"] != "Ana Núñez" || info["Pages"] != "2" || !strings.HasPrefix(info["CreationDate"], "Thu Nov 19 12:00:00 2026")) {
		t.Errorf("pdfinfo: %v", info)
	}
	text, ok := pdftest.Text(t, doc)
	if !ok {
		return
	}
	got := pdftest.Normalize(text)
	for _, want := range []string{"Heading — ‘one’", "Label: Value (a) \\ b", "line 0 line 1", "line 79", "Page 1 of 2", "Page 2 of 2"} {
		if !strings.Contains(got, want) {
			t.Errorf("pdftotext does not find %q in %s", want, got)
		}
	}
	// The same content gives the same bytes.
	again := write(t, Meta{Title: "Tracking “form” — ٣", Author: "Ana Núñez", Subject: "Test", Lang: "en-US", Created: created}, func(d *Document) {
		d.Heading("Heading — ‘one’")
		d.Field("Label:", "Value (a) \\ b")
		for i := range 80 {
			d.Line(fmt.Sprintf("line %d", i))
		}
	})
	if !bytes.Equal(doc, again) {
		t.Error("the same document gives other bytes")
	}
}

// TestHostileInput writes what an attacker might post — a 10,000-character
// comment, a 3,000-character word, control characters, invalid UTF-8,
// right-to-left overrides, a lang that would break out of the catalog —
// and checks the PDF is valid, wraps, and reads back what can be read.
func TestHostileInput(t *testing.T) {
	long := strings.Repeat("Lorem ipsum dolor sit amet, ", 360)[:10000]
	word := strings.Repeat("ا", 1500) + strings.Repeat("x", 1500)
	controls := "bell\x07 nul\x00 esc\x1b[31m del\x7f nel\u0085 end"
	invalid := "bad \xff\xfe\xc3 bytes"
	override := "abc\u202Edef\u202C ghi \u2066jkl\u2069"
	unknown := "Thai ก Deseret 𐐀 Han 𠀀"
	doc := write(t, Meta{Title: "x\x00)\\(", Lang: "en) /OpenAction (x", Created: created}, func(d *Document) {
		for _, s := range []string{long, word, controls, invalid, override, unknown, strings.Repeat("\n", 200), strings.Repeat(" ", 5000) + "deep"} {
			d.Field("Field:", s)
		}
	})
	if bytes.Contains(doc, []byte("/OpenAction")) {
		t.Error("the lang escaped into the catalog")
	}
	if !utf8.Valid([]byte(pdftest.Normalize(long))) {
		t.Fatal("unreachable")
	}
	pdftest.Save(t, "pdf-hostile", doc)
	text, ok := pdftest.Text(t, doc)
	if !ok {
		return
	}
	info, _ := pdftest.Info(t, doc)
	if info["Pages"] == "1" || info["Pages"] == "" {
		t.Errorf("10,000 characters and 200 blank lines fit on %q pages", info["Pages"])
	}
	got := pdftest.Normalize(regexp.MustCompile(`Page \d+ of \d+`).ReplaceAllString(text, ""))
	for _, want := range []string{
		pdftest.Normalize(long),
		strings.Repeat("x", 50),
		"bell\uFFFD nul\uFFFD esc\uFFFD[31m del\uFFFD nel\uFFFD end",
		"bad \uFFFD", "bytes",
		"abcdef ghi jkl",         // overrides hidden and dropped by Normalize, not obeyed
		"Thai ก Deseret 𐐀 Han 𠀀", // the boxes read as the characters
		"deep",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("pdftotext does not find %.80q in the hostile PDF", want)
		}
	}
	if !strings.Contains(text, "\u202E") {
		t.Error("the text layer lost the U+202E written in the comment")
	}
	if strings.Contains(text, "?") {
		t.Error("the hostile PDF prints '?'")
	}
	if n := strings.Count(pdftest.Normalize(strings.Join(pdftest.RTLRuns(text), "")), "ا"); n != 1500 {
		t.Errorf("%d of 1,500 alefs read back", n)
	}
}

// TestContentMatchesFpdf writes the same document twice: once with
// fpdf writing and compressing the pages itself, as before content.go,
// and once as New does, the Document writing the pages' contents and
// Close compressing them. The documents must be the same once their
// streams are inflated: pages of several scripts, boxes, marks,
// right-to-left lines with mirrored brackets and marked text, characters
// fpdf escapes, a page of blank lines, bold and headings.
func TestContentMatchesFpdf(t *testing.T) {
	fill := func(d *Document) {
		d.Heading("Compression (and \\ escapes)")
		for i := range 300 {
			d.Line(fmt.Sprintf("%d. Hello مرحبا (بكم) 道路已经关闭 😀 — “done” שלום መንገዱ Ёё (%d) \\ x\u0301", i, i*i))
			if i%50 == 0 {
				d.Field("Label "+strings.Repeat("long ", i/10), "ế e\u0302\u0301 \u202Eevil\u202C \x01 end")
			}
		}
		for range 70 {
			d.Line("")
		}
		d.Paragraph("the end")
	}
	var ours bytes.Buffer
	d := New(&ours, Meta{Title: "Compression", Lang: "en", Created: created})
	fill(d)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	var theirs bytes.Buffer
	d = New(&theirs, Meta{Title: "Compression", Lang: "en", Created: created})
	d.viaFpdf = true
	fill(d)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if pages := bytes.Count(theirs.Bytes(), []byte("/Type /Page\n")); pages < 5 {
		t.Fatalf("only %d pages", pages)
	}
	// The pages are compressed apart from fpdf (each as it is done, its
	// footer's page count at the end): the documents must be the same
	// once every stream is inflated, the offsets they move left out.
	o, th := inflated(t, ours.Bytes()), inflated(t, theirs.Bytes())
	if !bytes.Equal(o, th) {
		i := 0
		for i < min(len(o), len(th)) && o[i] == th[i] {
			i++
		}
		t.Errorf("the Document wrote %d bytes inflated, fpdf %d: they differ from byte %d: %q and %q", len(o), len(th), i, o[i:min(len(o), i+80)], th[i:min(len(th), i+80)])
	}
}

// inflated returns doc with every FlateDecode stream inflated, its
// /Length left out, and without the table of offsets.
func inflated(t *testing.T, doc []byte) []byte {
	t.Helper()
	if i := bytes.LastIndex(doc, []byte("\nxref\n")); i >= 0 {
		doc = doc[:i]
	}
	var out []byte
	for {
		i := bytes.Index(doc, []byte(">>\nstream\n"))
		if i < 0 {
			out = append(out, doc...)
			break
		}
		dict := doc[:i]
		if k := bytes.LastIndex(dict, []byte(" obj\n")); k >= 0 {
			dict = dict[k:]
		}
		m := regexp.MustCompile(`/Length (\d+)`).FindSubmatch(dict)
		if m == nil {
			t.Fatalf("a stream without /Length: %q", dict)
		}
		n, _ := strconv.Atoi(string(m[1]))
		start := i + len(">>\nstream\n")
		data := doc[start : start+n]
		head := regexp.MustCompile(`/Length \d+`).ReplaceAll(doc[:i], []byte("/Length ?"))
		out = append(out, head...)
		out = append(out, ">>\nstream\n"...)
		if bytes.Contains(dict, []byte("/FlateDecode")) {
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("a stream is not zlib: %v", err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("a stream does not inflate: %v", err)
			}
			data = plain
		}
		out = append(out, data...)
		doc = doc[start+n:]
	}
	return out
}

// TestAliasOnlyInFooter: a record's text that reads {nb} prints as
// written; only the footers' {nb} becomes the number of pages, on every
// page, however many pages there are (the count is filled in after each
// page was compressed).
func TestAliasOnlyInFooter(t *testing.T) {
	for _, lines := range []int{1, 70, 700} {
		doc := write(t, Meta{Title: "Alias", Lang: "en", Created: created}, func(d *Document) {
			d.Line("A resident wrote {nb} and (\\{nb}) here")
			for i := range lines {
				d.Line(fmt.Sprintf("line %d", i))
			}
		})
		text, ok := pdftest.Text(t, doc)
		if !ok {
			return
		}
		got := pdftest.Normalize(text)
		info, _ := pdftest.Info(t, doc)
		pages, _ := strconv.Atoi(info["Pages"])
		if !strings.Contains(got, "A resident wrote {nb} and (\\{nb}) here") {
			t.Errorf("%d lines: the record's {nb} was not kept: %.200s", lines, got)
		}
		for p := 1; p <= pages; p++ {
			if !strings.Contains(got, fmt.Sprintf("Page %d of %d", p, pages)) {
				t.Errorf("%d lines, %d pages: no footer %q", lines, pages, fmt.Sprintf("Page %d of %d", p, pages))
			}
		}
		if pages == 0 || strings.Count(got, "{nb}") != 2 {
			t.Errorf("%d lines: %d pages, {nb} %d times", lines, pages, strings.Count(got, "{nb}"))
		}
	}
}

// TestWritePagesRefusesOtherLayouts feeds writePages documents it
// does not know: it must refuse them, not write a broken PDF.
func TestWritePagesRefusesOtherLayouts(t *testing.T) {
	var raw capture
	d := New(&bytes.Buffer{}, Meta{Title: "T", Created: created})
	d.viaFpdf = true
	d.Line("hello")
	if err := d.f.Output(&raw); err != nil { // uncompressed, as Close gives writePages
		t.Fatal(err)
	}
	one := func() pageList { return pageList{[]byte("BT ET\n")} }
	if err := writePages(io.Discard, raw.b, one()); err != nil {
		t.Fatalf("the plain document: %v", err)
	}
	if err := writePages(io.Discard, raw.b, append(one(), one()...)); err == nil {
		t.Error("two pages for a document of one: accepted")
	}
	bad := map[string][]byte{
		"not a PDF":     []byte("hello"),
		"truncated":     raw.b[:len(raw.b)/2],
		"no xref":       bytes.Replace(raw.b, []byte("\nxref\n"), []byte("\nxrex\n"), 1),
		"wrong length":  bytes.Replace(raw.b, []byte("<</Length "), []byte("<</Length 1"), 1),
		"moved object":  bytes.Replace(raw.b, []byte("\n3 0 obj\n"), []byte("\n 3 0 obj\n"), 1),
		"bad startxref": append(bytes.Clone(raw.b), []byte("startxref\n999999999\n%%EOF\n")...),
	}
	for name, doc := range bad {
		if err := writePages(io.Discard, doc, one()); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestPlainPathMatchesGeneral lays out random text, most of it plain
// Latin (the quick path of block) and some not, twice: once as block
// does and once with every paragraph laid out the general way (cells,
// levels, drawLine). The documents must be the same bytes.
func TestPlainPathMatchesGeneral(t *testing.T) {
	pieces := []string{"the", "splash", "pad", " ", " ", "  ", "12", "3.5", "(open)", "[x]", "café", "Ñandú", "ĐĂ", "ʻokina", "—", "“quoted”",
		"‘a’", "…", "•", "-", "\u00A0", "\u00AD", "x\u0301", "مرحبا", "שלום", "道路", "😀", "\u202E", "\x01", "\t", "\u2028", "Ёж",
		"Supercalifragilisticexpialidociousandthensomemoreletterstomakeawordwiderthanthelineitself", "\u2030", "\u2013", "ß"}
	rng := rand.New(rand.NewPCG(1, 2))
	var texts []string
	for range 300 {
		var b strings.Builder
		plainOnly := rng.IntN(2) == 0
		for range rng.IntN(40) {
			p := pieces[rng.IntN(len(pieces))]
			if plainOnly && strings.IndexFunc(p, func(r rune) bool { return !plain(r) }) >= 0 {
				continue
			}
			b.WriteString(p)
			if rng.IntN(3) == 0 {
				b.WriteByte(' ')
			}
		}
		texts = append(texts, b.String())
	}
	fill := func(d *Document) {
		d.Heading("Plain — “and” not")
		for i, s := range texts {
			switch i % 5 {
			case 0:
				d.Field("Label "+s, s)
			case 1:
				d.Paragraph(s)
			default:
				d.Line(strings.Repeat(" ", i%7) + s)
			}
		}
	}
	var fast, slow bytes.Buffer
	d := New(&fast, Meta{Title: "Plain", Created: created})
	fill(d)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d = New(&slow, Meta{Title: "Plain", Created: created})
	d.slow = true
	fill(d)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fast.Bytes(), slow.Bytes()) {
		t.Errorf("the quick path wrote %d bytes, the general one %d: they differ", fast.Len(), slow.Len())
	}
}

// TestSpilledPagesSameBytes writes one long document twice: with its
// compressed pages held in memory, and with every page but the first few
// written to the spill file and read back by Close. The two must be the
// same bytes, and the spill file must be gone after Close.
func TestSpilledPagesSameBytes(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	fill := func(d *Document) {
		for i := range 2000 {
			d.Line(fmt.Sprintf("%d. A record of the archive, with {nb} in its text and مرحبا (%d)", i, i*i))
		}
	}
	write := func(spill int64) []byte {
		var b bytes.Buffer
		d := New(&b, Meta{Title: "Spill", Lang: "en", Created: created})
		d.zip.spillAt = spill
		fill(d)
		if err := d.Close(); err != nil {
			t.Fatalf("spill at %d: %v", spill, err)
		}
		return b.Bytes()
	}
	held := write(spillAt)
	spilled := write(3000) // a few pages in memory, the rest in the file
	all := write(0)        // every page in the file
	if pages := bytes.Count(held, []byte("/Type /Page\n")); pages < 20 {
		t.Fatalf("only %d pages", pages)
	}
	if !bytes.Equal(held, spilled) || !bytes.Equal(held, all) {
		t.Errorf("spilled pages changed the document: %d, %d and %d bytes", len(held), len(spilled), len(all))
	}
	if !bytes.Contains(inflated(t, all), alias16) {
		t.Error("the record's {nb} was replaced")
	}
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("left behind in the temporary folder: %s", e.Name())
	}
}

// TestSpillFailureIsAnError: a document whose pages cannot be written to
// a file says so at Close rather than write a document without them.
func TestSpillFailureIsAnError(t *testing.T) {
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	d := New(io.Discard, Meta{Title: "Spill", Created: created})
	d.zip.spillAt = 0
	for i := range 200 {
		d.Line(fmt.Sprintf("line %d", i))
	}
	if err := d.Close(); err == nil || !strings.Contains(err.Error(), "a file for the pages") {
		t.Fatalf("Close = %v, want the spill file's error", err)
	}
}

// pageList is a pageSource held in memory, for writePages' tests.
type pageList [][]byte

func (l pageList) count() int                 { return len(l) }
func (l pageList) page(n int) ([]byte, error) { return l[n], nil }
