package strictjson_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/strictjson"
)

type author struct {
	ID     string `json:"id"`
	Handle string `json:"handle"`
}

type input struct {
	Name   string          `json:"name"`
	Count  int             `json:"count"`
	Active *bool           `json:"active"`
	Author author          `json:"author"`
	Tags   []string        `json:"tags"`
	Steps  []author        `json:"steps"`
	When   time.Time       `json:"when"`
	Raw    json.RawMessage `json:"raw"`
}

// TestDecode checks what is refused, with the field each error names, and
// that what is accepted decodes as encoding/json would.
func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		allowNUL   bool
		field      string // "" with ok: accepted
		ok         bool
		says       string
	}{
		{name: "good", body: `{"name":"a","count":2,"author":{"id":"1"},"tags":["x"],"raw":{ "keep" :  "spacing" }}`, ok: true},
		{name: "white space after", body: "{\"name\":\"a\"}\n\t ", ok: true},
		{name: "duplicate", body: `{"name":"a","name":"b"}`, field: "name", says: "twice"},
		{name: "duplicate nested", body: `{"author":{"id":"a","id":"b"}}`, field: "author.id", says: "twice"},
		{name: "duplicate in raw", body: `{"raw":{"a":1,"a":2}}`, field: "raw.a", says: "twice"},
		{name: "case variant", body: `{"Name":"a"}`, field: "Name", says: "unknown field"},
		{name: "case variant nested", body: `{"author":{"ID":"a"}}`, field: "author.ID", says: "case included"},
		{name: "case variant beside exact", body: `{"name":"a","NAME":"b"}`, field: "NAME", says: "unknown field"},
		{name: "unknown", body: `{"nickname":"a"}`, field: "nickname", says: "unknown field"},
		{name: "unknown in array", body: `{"steps":[{"id":"1"},{"id":"2","role":"x"}]}`, field: "steps[1].role", says: "unknown field"},
		{name: "invalid UTF-8", body: "{\"name\":\"caf\xe9\"}", field: "name", says: "UTF-8"},
		{name: "overlong UTF-8", body: "{\"name\":\"\xc0\xae\"}", field: "name", says: "UTF-8"},
		{name: "invalid UTF-8 in a name", body: "{\"n\xffame\":\"a\"}", says: "UTF-8"},
		{name: "lone surrogate", body: `{"name":"\ud800"}`, field: "name", says: "surrogate"},
		{name: "NUL", body: `{"name":"a\u0000b"}`, field: "name", says: "NUL"},
		{name: "NUL in array", body: `{"tags":["ok","\u0000"]}`, field: "tags[1]", says: "NUL"},
		{name: "NUL allowed", body: `{"name":"a\u0000b"}`, allowNUL: true, ok: true},
		{name: "wrong type", body: `{"count":"2"}`, field: "count", says: "count must be a whole number in range, not a string"},
		{name: "fraction", body: `{"count":1.5}`, field: "count", says: "whole number"},
		{name: "wrong type nested", body: `{"author":{"id":1}}`, field: "author.id", says: "must be a string, not a number"},
		{name: "bad time", body: `{"when":"yesterday"}`, field: "when", says: "RFC 3339"},
		{name: "trailing", body: `{"name":"a"} {}`, says: "exactly one"},
		{name: "empty", body: ``, says: "empty"},
		{name: "cut short", body: `{"name":`, field: "name", says: "ends in the middle"},
		{name: "not JSON", body: `{name: 1}`, says: "not valid JSON"},
		{name: "array", body: `[]`, says: "must be an object, not an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got input
			err := strictjson.Options{AllowNUL: tt.allowNUL}.Decode(strings.NewReader(tt.body), &got)
			if tt.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				var want input
				if err := json.Unmarshal([]byte(tt.body), &want); err != nil {
					t.Fatal(err)
				}
				if g, w := must(json.Marshal(got)), must(json.Marshal(want)); g != w {
					t.Errorf("decoded %s, encoding/json %s", g, w)
				}
				return
			}
			if civic.ErrorKind(err) != civic.KindInvalid || civic.ErrorField(err) != tt.field || !strings.Contains(civic.ErrorMessage(err), tt.says) {
				t.Errorf("error %v (kind %s, field %q), want invalid naming %q saying %q", err, civic.ErrorKind(err), civic.ErrorField(err), tt.field, tt.says)
			}
		})
	}
}

// TestReaderError checks that an error from the reader that has a kind
// (the server's body limit) is passed on unchanged.
func TestReaderError(t *testing.T) {
	t.Parallel()
	tooLarge := civic.Errorf(civic.KindTooLarge, "the request body is larger than 1 MiB")
	var v input
	err := strictjson.Decode(&failing{prefix: `{"name":"`, err: tooLarge}, &v)
	if !errors.Is(err, tooLarge) || civic.ErrorKind(err) != civic.KindTooLarge {
		t.Errorf("error %v (kind %s), want the reader's", err, civic.ErrorKind(err))
	}
}

type failing struct {
	prefix string
	err    error
}

func (f *failing) Read(p []byte) (int, error) {
	if f.prefix == "" {
		return 0, f.err
	}
	n := copy(p, f.prefix)
	f.prefix = f.prefix[n:]
	return n, nil
}

func must(b []byte, err error) string {
	if err != nil {
		panic(err)
	}
	return string(b)
}
