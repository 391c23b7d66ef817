package records

import (
	"bytes"
	"encoding/base64"
	"strconv"

	jsonv2 "github.com/go-json-experiment/json"
)

// Fast paths for the two small line types of a bag, which Export writes
// and VerifyBag reads by the million. Each appender writes exactly what
// jsonLines.encode writes for the value (tested against it); each decoder
// reads only the one form it would write back, checks that by writing it
// back, and leaves every other line to jsonLines.decode, which is the
// rule and names what is wrong. So the fast paths accept exactly the
// lines the slow path accepts, and read them the same.

// appendExpected appends e's line, as jsonLines.encode writes it, to dst.
func appendExpected(dst []byte, e *Expected) ([]byte, bool) {
	if !plainASCII(e.Hash) || !plainASCII(e.LineSHA256) {
		return dst, false
	}
	dst = append(dst, `{"id":`...)
	dst = strconv.AppendInt(dst, e.ID, 10)
	dst = append(dst, `,"item_id":`...)
	dst = strconv.AppendInt(dst, e.ItemID, 10)
	dst = append(dst, `,"log_index":`...)
	dst = strconv.AppendInt(dst, e.LogIndex, 10)
	dst = append(dst, `,"hash":"`...)
	dst = append(dst, e.Hash...)
	dst = append(dst, `","line_sha256":"`...)
	dst = append(dst, e.LineSHA256...)
	return append(dst, `"}`...), true
}

// encodeExpected returns e's line (valid until the next call).
func (j *jsonLines) encodeExpected(e *Expected) ([]byte, error) {
	if b, ok := appendExpected(j.fast[:0], e); ok {
		j.fast = b
		return b, nil
	}
	return j.encode(e)
}

// appendInclusion appends in's line, as jsonLines.encode writes it.
func appendInclusion(dst []byte, in *Inclusion) []byte {
	dst = append(dst, `{"id":`...)
	dst = strconv.AppendInt(dst, in.ID, 10)
	dst = append(dst, `,"log_index":`...)
	dst = strconv.AppendInt(dst, in.LogIndex, 10)
	dst = append(dst, `,"proof":`...)
	if in.Proof == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i, h := range in.Proof {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '"')
			dst = base64.StdEncoding.AppendEncode(dst, h)
			dst = append(dst, '"')
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

// encodeInclusion returns in's line (valid until the next call).
func (j *jsonLines) encodeInclusion(in *Inclusion) []byte {
	j.fast = appendInclusion(j.fast[:0], in)
	return j.fast
}

// plainASCII reports whether s is written in JSON as itself: printable
// ASCII with no quote or backslash.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// fieldReader reads a line in the one form an appender writes.
type fieldReader struct {
	b  []byte
	ok bool
}

func (r *fieldReader) lit(s string) {
	if r.ok && bytes.HasPrefix(r.b, []byte(s)) {
		r.b = r.b[len(s):]
		return
	}
	r.ok = false
}

func (r *fieldReader) int() int64 {
	if !r.ok {
		return 0
	}
	i := 0
	if i < len(r.b) && r.b[i] == '-' {
		i++
	}
	for i < len(r.b) && r.b[i] >= '0' && r.b[i] <= '9' {
		i++
	}
	v, err := strconv.ParseInt(string(r.b[:i]), 10, 64)
	if err != nil {
		r.ok = false
		return 0
	}
	r.b = r.b[i:]
	return v
}

// str reads a string's content up to its closing quote (not read).
func (r *fieldReader) str() []byte {
	if !r.ok {
		return nil
	}
	i := bytes.IndexByte(r.b, '"')
	if i < 0 {
		r.ok = false
		return nil
	}
	s := r.b[:i]
	r.b = r.b[i:]
	return s
}

// decodeExpected reads a line of proof/versions.jsonl into e strictly.
func decodeExpected(j *jsonLines, line []byte, e *Expected) error {
	r := fieldReader{b: line, ok: true}
	var v Expected
	r.lit(`{"id":`)
	v.ID = r.int()
	r.lit(`,"item_id":`)
	v.ItemID = r.int()
	r.lit(`,"log_index":`)
	v.LogIndex = r.int()
	r.lit(`,"hash":"`)
	hash := r.str()
	r.lit(`","line_sha256":"`)
	sum := r.str()
	r.lit(`"}`)
	if r.ok && len(r.b) == 0 {
		v.Hash, v.LineSHA256 = string(hash), string(sum)
		if canon, ok := appendExpected(j.fast[:0], &v); ok {
			j.fast = canon
			if bytes.Equal(canon, line) {
				*e = v
				return nil
			}
		}
	}
	return j.decode(line, e)
}

// decodeInclusion reads a line of proof/inclusion.jsonl into in strictly.
func decodeInclusion(j *jsonLines, line []byte, in *Inclusion) error {
	r := fieldReader{b: line, ok: true}
	var v Inclusion
	r.lit(`{"id":`)
	v.ID = r.int()
	r.lit(`,"log_index":`)
	v.LogIndex = r.int()
	r.lit(`,"proof":[`)
	if r.ok {
		v.Proof = [][]byte{}
	}
	for r.ok && len(r.b) > 0 && r.b[0] != ']' {
		if len(v.Proof) > 0 {
			r.lit(`,`)
		}
		r.lit(`"`)
		s := r.str()
		r.lit(`"`)
		if !r.ok {
			break
		}
		h, err := base64.StdEncoding.AppendDecode(make([]byte, 0, 32), s)
		if err != nil {
			r.ok = false
			break
		}
		v.Proof = append(v.Proof, h)
	}
	r.lit(`]}`)
	if r.ok && len(r.b) == 0 {
		j.fast = appendInclusion(j.fast[:0], &v)
		if bytes.Equal(j.fast, line) {
			*in = v
			return nil
		}
	}
	return j.decode(line, in)
}

// decodeLine reads a line of data/items.jsonl into l strictly. The fast
// path decodes with encoding/json/v2 (github.com/go-json-experiment/json,
// about three times quicker than encoding/json) and accepts the line only
// if encoding/json writes the value back as the very same bytes; any other
// line goes to jsonLines.decode, which refuses it or reads it, and names
// what is wrong. Two values that encode to the same line are the same
// version for every check VerifyBag makes, which reads only what a line
// says.
func decodeLine(j *jsonLines, line []byte, l *Line) error {
	var v Line
	if jsonv2.Unmarshal(line, &v) == nil {
		if canon, err := j.encode(&v); err == nil && bytes.Equal(canon, line) {
			*l = v
			return nil
		}
	}
	return j.decode(line, l)
}
