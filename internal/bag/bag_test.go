package bag

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// write returns a bag holding files (path → content) written in order.
func write(t testing.TB, paths []string, content func(i int) string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for i, p := range paths {
		f, err := w.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(f, content(i))
	}
	if err := w.WriteTags([][2]string{{"Source-Organization", "Steward"}, {"External-Description", "line one\nline two"}}); err != nil {
		t.Fatal(err)
	}
	n := len(w.Files())
	if f, err := w.Create("proof/last.txt"); err != nil {
		t.Fatal(err)
	} else {
		io.WriteString(f, fmt.Sprint(n))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	data := write(t, []string{"data/a.txt", "data/b/c.txt", "proof/x.txt"}, func(i int) string { return strings.Repeat("x", i) })
	b, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(b.Names("")); got != "[bag-info.txt bagit.txt data/a.txt data/b/c.txt manifest-sha256.txt proof/last.txt proof/x.txt tagmanifest-sha256.txt]" {
		t.Errorf("names %s", got)
	}
	if b.Info["External-Description"] != "line one line two" || len(b.InfoLabels) != 2 {
		t.Errorf("info %v %v", b.Info, b.InfoLabels)
	}
	// proof/last.txt was written after WriteTags: it counts the files
	// before it, and the tag manifest covers it.
	last, err := b.ReadSmall("proof/last.txt", 10)
	if err != nil || string(last) != "6" {
		t.Errorf("proof/last.txt = %q, %v", last, err)
	}
	if b.Sum("data/a.txt") != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("sum of the empty file = %s", b.Sum("data/a.txt"))
	}
}

func TestWriterRefuses(t *testing.T) {
	t.Parallel()
	w := NewWriter(io.Discard)
	if _, err := w.Create("data/A.txt"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"data/a.txt", "../x", "/x", `data\x`, "data//x", "data/./x", "data/x.", "c:x"} {
		if _, err := w.Create(p); err == nil {
			t.Errorf("Create(%q) succeeded", p)
		}
	}
	w.WriteTags(nil)
	if _, err := w.Create("data/late.txt"); err == nil {
		t.Error("a payload file after the manifest was accepted")
	}
}

func TestCheckName(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		path string
		want string // "" when valid
	}{
		{"data/items.jsonl", ""},
		{"data/média/é.txt", ""},
		{"", "empty"},
		{"/etc/passwd", "absolute"},
		{"../x", `".."`},
		{"data/../x", `".."`},
		{"./data/x", `"."`},
		{"data//x", "empty part"},
		{"data/", "empty part"},
		{`data\x`, "backslash"},
		{"C:/x", "colon"},
		{"data/x\n", "control"},
		{"data/x\x00", "control"},
		{"data/\xff", "UTF-8"},
		{"data/e\u0301", "form C"},
		{"data/x ", "space"},
		{"data/x.", "dot"},
		{strings.Repeat("a", MaxNameLen+1), "longer"},
	} {
		err := checkName(c.path)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("checkName(%q) = %v, want %q", c.path, err, c.want)
		}
	}
	if foldName("DATA/Ｉtems.jsonl") != foldName("data/items.jsonl") || foldName("data/straße") != foldName("data/STRASSE") {
		t.Error("foldName does not fold case and compatibility forms")
	}
}

// TestZip64 reads a bag of more files than a zip without zip64 records
// can count.
func TestZip64(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("writes 66,000 files")
	}
	paths := make([]string, 66000)
	for i := range paths {
		paths[i] = fmt.Sprintf("data/media/%06d", i)
	}
	data := write(t, paths, func(i int) string { return fmt.Sprint(i) })
	b, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(b.Names("data/media/")); n != 66000 {
		t.Errorf("%d media files", n)
	}
}

// TestLimits gives Open zips whose records claim more than a bag may hold:
// each is refused before anything is allocated for it.
func TestLimits(t *testing.T) {
	t.Parallel()
	le := binary.LittleEndian
	// A zip64 end record claiming 2^40 files, its locator and end record.
	var z bytes.Buffer
	end64 := make([]byte, 56)
	le.PutUint32(end64, end64Sig)
	le.PutUint64(end64[4:], 44)
	le.PutUint64(end64[24:], 1<<40)
	le.PutUint64(end64[32:], 1<<40)
	le.PutUint64(end64[40:], 1<<50)
	z.Write(end64)
	loc := make([]byte, 20)
	le.PutUint32(loc, locator64Sig)
	le.PutUint32(loc[16:], 1)
	z.Write(loc)
	end := make([]byte, 22)
	le.PutUint32(end, endSig)
	le.PutUint16(end[8:], 0xffff)
	le.PutUint16(end[10:], 0xffff)
	le.PutUint32(end[12:], 0xffffffff)
	le.PutUint32(end[16:], 0xffffffff)
	z.Write(end)
	_, err := Open(bytes.NewReader(z.Bytes()), int64(z.Len()))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "more than the 1048576 a bag may hold") {
		t.Errorf("a zip claiming 2^40 files: %v", err)
	}
}

// FuzzOpen checks that no input makes Open panic or accept a bag whose
// files it cannot read back.
func FuzzOpen(f *testing.F) {
	f.Add(write(f, []string{"data/a.txt", "proof/b.txt"}, func(i int) string { return "content" }))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("an error that is not ErrInvalid: %v", err)
			}
			return
		}
		for _, n := range b.Names("") {
			r, err := b.File(n)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, r); err != nil {
				t.Fatal(err)
			}
		}
	})
}
