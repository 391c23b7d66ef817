package records

import (
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
)

// The fast paths must write exactly what the encoder writes, and accept
// exactly the lines the strict decoder accepts, reading them the same.

func TestAppendExpectedMatchesEncoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	js := newJSONLines()
	strs := []string{"", "ab", strings.Repeat("0f", 32), "<&>", "a\"b", "a\\b", "\u2028", "é", "\x7f", "\x00", "\xff"}
	ints := []int64{0, 1, -1, 42, math.MaxInt64, math.MinInt64}
	for i := range 2000 {
		e := Expected{ID: pick(rng, ints, i), ItemID: rng.Int64(), LogIndex: pick(rng, ints, i+1), Hash: pick(rng, strs, i), LineSHA256: pick(rng, strs, i+3)}
		want, err := js.encode(&e)
		if err != nil {
			t.Fatal(err)
		}
		want = bytes.Clone(want)
		got, err := newJSONLines().encodeExpected(&e)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%+v: fast %s (%v), encoder %s", e, got, err, want)
		}
	}
}

func TestAppendInclusionMatchesEncoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	js := newJSONLines()
	for i := range 2000 {
		in := Inclusion{ID: rng.Int64() - rng.Int64(), LogIndex: rng.Int64N(1 << 40)}
		switch i % 4 {
		case 0: // nil
		case 1:
			in.Proof = [][]byte{}
		default:
			for range rng.IntN(30) {
				h := make([]byte, []int{32, 32, 0, 1, 31, 33}[rng.IntN(6)])
				for k := range h {
					h[k] = byte(rng.Uint32())
				}
				in.Proof = append(in.Proof, h)
			}
		}
		want, err := js.encode(&in)
		if err != nil {
			t.Fatal(err)
		}
		if got := newJSONLines().encodeInclusion(&in); !bytes.Equal(got, want) {
			t.Fatalf("%+v: fast %s, encoder %s", in, got, want)
		}
	}
}

func pick[T any](rng *rand.Rand, xs []T, i int) T {
	if i%3 == 0 {
		return xs[rng.IntN(len(xs))]
	}
	return xs[i%len(xs)]
}

const (
	goodExpected  = `{"id":7,"item_id":3,"log_index":6,"hash":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","line_sha256":"60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"}`
	goodInclusion = `{"id":7,"log_index":6,"proof":["n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=","YDA64iuZiGG84+KPM+7Bvl2KITyGyTwHbb6fVYwRx1I="]}`
)

// forms are crafted variants of a good line: each must be read by the fast
// path exactly as the strict decoder reads it, refused when it refuses.
func forms(good string) []string {
	out := []string{good, good + " ", " " + good, good + "\n", good + "{}", strings.Replace(good, `{"id":7`, `{"id":07`, 1),
		strings.Replace(good, `{"id":7`, `{"id":+7`, 1), strings.Replace(good, `{"id":7`, `{"id":7.0`, 1), strings.Replace(good, `{"id":7`, `{"id":-0`, 1),
		strings.Replace(good, `{"id":7`, `{"id":99999999999999999999`, 1), strings.Replace(good, `{"id":7`, `{"ID":7`, 1),
		strings.Replace(good, `{"id":7`, `{"id":7,"id":7`, 1), strings.Replace(good, `{"id":7`, `{"id": 7`, 1),
		strings.Replace(good, `{"id":7`, `{"x":1,"id":7`, 1), strings.Replace(good, `"log_index":6`, `"log_index":"6"`, 1),
		strings.Replace(good, `"9f`, `"\u0039f`, 1), strings.Replace(good, `"60`, `"6\/0`, 1), strings.Replace(good, `"n4`, `"\u006e4`, 1),
		strings.Replace(good, `=",`, `=\n",`, 1), strings.Replace(good, `=",`, `",`, 1), strings.Replace(good, `"YDA64iuZiGG84+KPM+7Bvl2KITyGyTwHbb6fVYwRx1I="`, `null`, 1),
		strings.Replace(good, `"proof":[`, `"proof":null,"x":[`, 1), `{"id":7,"log_index":6,"proof":[]}`, `{"id":7,"log_index":6,"proof":null}`,
		`{"id":7,"log_index":6,"proof":[""]}`, `{"id":7,"log_index":6,"proof":["AA=="]}`, `{"id":7,"log_index":6,"proof":["AA="]}`,
		`{"id":7,"log_index":6,"proof":["AB=="]}`, `{"id":7,"log_index":6,"proof":[,]}`, `{"id":7,"log_index":6,"proof":["AA==",]}`,
		`{"id":7,"item_id":3,"log_index":6,"hash":"","line_sha256":""}`, `{"id":7,"item_id":3,"log_index":6,"hash":"<a&b>","line_sha256":"x"}`,
		`{"id":7,"item_id":3,"log_index":6,"hash":"é","line_sha256":"x"}`, "{\"id\":7,\"item_id\":3,\"log_index\":6,\"hash\":\"\xff\",\"line_sha256\":\"x\"}",
		`{"id":7,"item_id":3,"log_index":6,"hash":"a\"b","line_sha256":"x"}`, `{"id":7,"item_id":3,"log_index":6,"hash":"a\\b","line_sha256":"x"}`,
		`{"id":7,"item_id":3,"log_index":6,"hash":"x","line_sha256":"x"`, `{"id":7,"item_id":3,"log_index":6,"hash":"x","line_sha256":"x"}}`, `{}`, ``, `null`}
	for i := 1; i < len(good); i += 7 {
		out = append(out, good[:i], good[:i]+"x"+good[i+1:])
	}
	return out
}

func TestDecodeExpectedMatchesDecoder(t *testing.T) {
	for _, line := range append(forms(goodExpected), forms(goodInclusion)...) {
		checkDecodeExpected(t, []byte(line))
		checkDecodeInclusion(t, []byte(line))
	}
}

func checkDecodeExpected(t *testing.T, line []byte) {
	t.Helper()
	var fast, slow Expected
	errFast := decodeExpected(newJSONLines(), line, &fast)
	errSlow := newJSONLines().decode(line, &slow)
	if (errFast == nil) != (errSlow == nil) || fast != slow {
		t.Errorf("%q: fast path %+v, %v; strict decoder %+v, %v", line, fast, errFast, slow, errSlow)
	}
}

func checkDecodeInclusion(t *testing.T, line []byte) {
	t.Helper()
	var fast, slow Inclusion
	errFast := decodeInclusion(newJSONLines(), line, &fast)
	errSlow := newJSONLines().decode(line, &slow)
	if (errFast == nil) != (errSlow == nil) || !reflect.DeepEqual(fast, slow) {
		t.Errorf("%q: fast path %+v, %v; strict decoder %+v, %v", line, fast, errFast, slow, errSlow)
	}
}

func FuzzDecodeExpected(f *testing.F) {
	for _, l := range forms(goodExpected) {
		f.Add([]byte(l))
	}
	f.Fuzz(func(t *testing.T, line []byte) { checkDecodeExpected(t, line) })
}

func FuzzDecodeInclusion(f *testing.F) {
	for _, l := range forms(goodInclusion) {
		f.Add([]byte(l))
	}
	f.Fuzz(func(t *testing.T, line []byte) { checkDecodeInclusion(t, line) })
}

// A line of items.jsonl as Export writes it, and crafted variants of it.
const goodLine = `{"id":4,"item_id":2,"account":"mastodon:@parks@city.example","platform_id":"c2","kind":"comment","parent_id":"p1","thread_id":"p1",` +
	`"captured_at":"2026-11-19T12:01:00Z","platform_time":"2026-11-19T12:00:30+01:00","author":{"id":"42","handle":"@resident","name":"A Resident"},` +
	`"text":"Call me <about> the \"splash\" pad & \u2028 é","media":[{"sha256":"00","type":"image/png","size":3}],"state":"visible","tags":["a","b"],` +
	`"raw_base64":"eyJpZCI6ImMyIn0=","hash":"ab","log_index":3}`

func TestDecodeLineMatchesDecoder(t *testing.T) {
	good := newJSONLines()
	var l Line
	if err := good.decode([]byte(goodLine), &l); err != nil {
		t.Fatalf("the good line is not canonical: %v", err)
	}
	var v2 Line // the fast path must take the good line, not fall back
	if err := jsonv2.Unmarshal([]byte(goodLine), &v2); err != nil || !bytes.Equal(mustEncode(t, &v2), []byte(goodLine)) {
		t.Fatalf("encoding/json/v2 reads the good line as %+v (%v), which does not write back the same", v2, err)
	}
	variants := forms(goodLine)
	for _, r := range [][2]string{{`"id":4`, `"id":4,"ID":4`}, {`"text":"`, `"Text":"`}, {`é`, "\xe9"}, {`\u2028`, "\u2028"}, {`\"splash\"`, `\u0022splash\u0022`},
		{`<about>`, `\u003cabout\u003e`}, {`"tags":["a","b"],`, `"tags":[],`}, {`"tags":["a","b"],`, `"tags":null,`}, {`"tags":["a","b"],`, ``},
		{`"parent_id":"p1",`, `"parent_id":"",`}, {`12:01:00Z`, `12:01:00.000Z`}, {`12:01:00Z`, `12:01:00+00:00`}, {`+01:00`, `+0100`},
		{`"eyJpZCI6ImMyIn0="`, `"eyJpZCI6ImMyIn0"`}, {`"eyJpZCI6ImMyIn0="`, `"eyJpZCI6\nImMyIn0="`}, {`"eyJpZCI6ImMyIn0="`, `""`},
		{`"size":3`, `"size":3.0`}, {`"size":3`, `"size":3e0`}, {`"redacted"`, `"x"`}, {`"log_index":3}`, `"log_index":3,"redacted":true}`},
		{`"log_index":3}`, `"log_index":3,"redacted":false}`}, {`"author":{"id":"42",`, `"author":{"id":"42","id":"43",`},
		{`"name":"A Resident"}`, `"name":"A Resident","x":1}`}, {`"state":"visible"`, `"state":"Visible"`}, {`"state":"visible"`, `"state":1`}} {
		variants = append(variants, strings.Replace(goodLine, r[0], r[1], 1))
	}
	for _, line := range variants {
		checkDecodeLine(t, []byte(line))
	}
}

func checkDecodeLine(t *testing.T, line []byte) {
	t.Helper()
	var fast, slow Line
	errFast := decodeLine(newJSONLines(), line, &fast)
	errSlow := newJSONLines().decode(line, &slow)
	if (errFast == nil) != (errSlow == nil) || (errFast != nil && errFast.Error() != errSlow.Error()) {
		t.Errorf("%q: fast path %v; strict decoder %v", line, errFast, errSlow)
		return
	}
	if errFast == nil && (fast.version().ComputeHash() != slow.version().ComputeHash() || !bytes.Equal(mustEncode(t, &fast), mustEncode(t, &slow))) {
		t.Errorf("%q: the fast path reads %+v, the strict decoder %+v", line, fast, slow)
	}
}

func mustEncode(t *testing.T, l *Line) []byte {
	b, err := newJSONLines().encode(l)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Clone(b)
}

func FuzzDecodeLine(f *testing.F) {
	for _, l := range forms(goodLine) {
		f.Add([]byte(l))
	}
	f.Fuzz(func(t *testing.T, line []byte) { checkDecodeLine(t, line) })
}
