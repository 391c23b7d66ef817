package records

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// jsonLines writes and reads the JSON lines of a bag in their one form:
// what a json.Encoder without HTML escaping writes, with no line feed.
// Export writes every line through it, and VerifyBag accepts a line only if
// writing what it read gives back the same bytes, so that no two readers
// can take one line two ways (a key twice, a key in another case, an
// unknown key, invalid UTF-8, bytes after the object).
type jsonLines struct {
	buf  bytes.Buffer
	enc  *json.Encoder
	fast []byte // the fast paths' line (fastline.go)
}

func newJSONLines() *jsonLines {
	j := &jsonLines{}
	j.enc = json.NewEncoder(&j.buf)
	j.enc.SetEscapeHTML(false)
	return j
}

// encode returns v's line, without the line feed. The slice is valid until
// the next call.
func (j *jsonLines) encode(v any) ([]byte, error) {
	j.buf.Reset()
	if err := j.enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(j.buf.Bytes(), []byte("\n")), nil
}

// decode reads line into v strictly; the error says what is wrong with the
// line. What encoding/json lets pass (unknown keys, keys in another case,
// a key twice, spacing) makes the line differ from its re-encoding, and
// diagnose names it.
func (j *jsonLines) decode(line []byte, v any) error {
	if !utf8.Valid(line) {
		return errors.New("is not valid UTF-8")
	}
	if err := json.Unmarshal(line, v); err != nil {
		return fmt.Errorf("is not the JSON object a bag holds here: %v", err)
	}
	canon, err := j.encode(v)
	if err != nil {
		return fmt.Errorf("cannot be written back: %v", err)
	}
	if !bytes.Equal(canon, line) {
		return diagnose(line, canon)
	}
	return nil
}

// diagnose says how line differs from canon, the same value as Steward
// writes it.
func diagnose(line, canon []byte) error {
	got, err := objectKeys(line)
	if err != nil {
		return fmt.Errorf("is not valid JSON: %v", err)
	}
	want, _ := objectKeys(canon)
	for _, k := range got {
		if k.dup {
			return fmt.Errorf("has the key %q twice", k.path)
		}
	}
	for _, k := range got {
		if slices.ContainsFunc(want, func(w jsonKey) bool { return w.path == k.path }) {
			continue
		}
		if i := slices.IndexFunc(want, func(w jsonKey) bool { return strings.EqualFold(w.path, k.path) }); i >= 0 {
			return fmt.Errorf("has the key %q, which differs in case from %q", k.path, want[i].path)
		}
		return fmt.Errorf("has an unknown key %q", k.path)
	}
	return errors.New("is not written the way Steward writes it (spacing, escapes, numbers, key order or an empty value differ)")
}

type jsonKey struct {
	path string // "author.name"
	dup  bool   // the object has this key already
}

// objectKeys lists the keys of data's objects, with their paths.
func objectKeys(data []byte) ([]jsonKey, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out []jsonKey
	var walk func(path string) error
	walk = func(path string) error {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		d, ok := t.(json.Delim)
		if !ok {
			return nil
		}
		switch d {
		case '{':
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string)
				p := strings.TrimPrefix(path+"."+k, ".")
				out = append(out, jsonKey{path: p, dup: seen[k]})
				seen[k] = true
				if err := walk(p); err != nil {
					return err
				}
			}
		case '[':
			for dec.More() {
				if err := walk(path); err != nil {
					return err
				}
			}
		}
		_, err = dec.Token() // the closing delimiter
		return err
	}
	return out, walk("")
}
