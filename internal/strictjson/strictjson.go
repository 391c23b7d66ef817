// Package strictjson decodes the JSON that clients send Steward (API
// request bodies, archive ingest batches) strictly, so that what Steward
// reads is what the sender meant and what any other reader of the same
// bytes would read: exactly one JSON value; member names matched exactly
// (Go's encoding/json matches them ignoring case); a name twice in one
// object, an unknown name, a wrong type, invalid UTF-8 (a lone surrogate
// too) and, unless allowed, a NUL character in a string are refused.
//
// It is built on github.com/go-json-experiment/json, the Go team's
// implementation of encoding/json/v2, whose defaults refuse duplicate
// names, case-insensitive matches and invalid UTF-8. Every error is a
// civic error of kind invalid naming the field (records[3].author.handle),
// except an error from the reader that already has a kind (a body over
// the server's limit is too_large), which is passed on.
package strictjson

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"steward.city/steward/internal/civic"
)

// Options changes what Decode accepts. The zero value is the strictest.
type Options struct {
	// AllowNUL accepts NUL characters (\u0000) in strings, for a caller
	// that cleans them itself (archive records keep the platform's text
	// and replace NUL with U+FFFD).
	AllowNUL bool
}

// errNUL is the cause of a string refused for a NUL character.
var errNUL = errors.New("NUL character")

// The decoding options, fixed once: refuse unknown names; everything else
// strict is json/v2's default. noNUL adds a check of every string.
var (
	base  = json.JoinOptions(json.RejectUnknownMembers(true))
	noNUL = json.JoinOptions(base, json.WithUnmarshalers(json.UnmarshalFromFunc(unmarshalString)))
)

// Decode reads one JSON value from r into dst, which must be a non-nil
// pointer, refusing NUL characters in strings.
func Decode(r io.Reader, dst any) error { return Options{}.Decode(r, dst) }

// Unmarshal decodes data into dst as Decode does.
func Unmarshal(data []byte, dst any) error { return Options{}.Unmarshal(data, dst) }

// Decode reads one JSON value from r into dst, which must be a non-nil
// pointer. Anything after the value but white space is an error.
func (o Options) Decode(r io.Reader, dst any) error {
	if err := json.UnmarshalRead(r, dst, o.options()); err != nil {
		return explain(err)
	}
	return nil
}

// Unmarshal decodes data into dst as Decode does.
func (o Options) Unmarshal(data []byte, dst any) error {
	if err := json.Unmarshal(data, dst, o.options()); err != nil {
		return explain(err)
	}
	return nil
}

func (o Options) options() json.Options {
	if o.AllowNUL {
		return base
	}
	return noNUL
}

// unmarshalString decodes a JSON string into a Go string, refusing one
// that holds a NUL character. Anything else is left to the default
// (which reports the wrong type).
func unmarshalString(dec *jsontext.Decoder, s *string) error {
	if dec.PeekKind() != '"' {
		return json.SkipFunc
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	v := tok.String()
	if strings.IndexByte(v, 0) >= 0 {
		return errNUL
	}
	*s = v
	return nil
}

// explain turns a decoding error into a civic error naming the field.
func explain(err error) error {
	if k := civic.ErrorKind(err); k != civic.KindInternal {
		return err // the reader's own error: a body too large
	}
	var syn *jsontext.SyntacticError
	var sem *json.SemanticError
	switch {
	case errors.Is(err, io.EOF):
		return civic.Invalid("", "the body is empty; send a JSON object")
	case errors.As(err, &syn):
		f := Field(syn.JSONPointer)
		switch {
		case errors.Is(syn.Err, jsontext.ErrDuplicateName):
			return civic.Invalid(f, "%s appears twice in one object; send each field once", f)
		case syn.Err != nil && syn.Err.Error() == "invalid UTF-8":
			return civic.Invalid(f, "%s is not valid UTF-8 text", orBody(f))
		case errors.Is(syn.Err, io.ErrUnexpectedEOF) && f == "" && syn.ByteOffset == 0:
			return civic.Invalid("", "the body is empty; send a JSON object")
		case errors.Is(syn.Err, io.ErrUnexpectedEOF):
			return civic.Invalid(f, "the JSON ends in the middle (at byte %d)", syn.ByteOffset)
		case syn.Err != nil && strings.Contains(syn.Err.Error(), "after top-level value"):
			return civic.Invalid("", "the body must hold exactly one JSON value; more follows at byte %d", syn.ByteOffset)
		case syn.Err != nil && strings.Contains(syn.Err.Error(), "surrogate"):
			return civic.Invalid(f, "%s holds an unpaired UTF-16 surrogate (\\ud800-\\udfff), which is not text", orBody(f))
		}
		return civic.Invalid(f, "the body is not valid JSON (at byte %d)", syn.ByteOffset)
	case errors.As(err, &sem):
		f := Field(sem.JSONPointer)
		switch {
		case errors.Is(sem.Err, json.ErrUnknownName):
			name := sem.JSONPointer.LastToken()
			return civic.Invalid(f, "unknown field %q (names are matched exactly, case included)", name)
		case errors.Is(sem.Err, errNUL):
			return civic.Invalid(f, "%s holds a NUL character, which Steward does not take in text", orBody(f))
		case sem.GoType != nil && sem.JSONKind != 0 && sem.JSONKind != want(sem.GoType):
			return civic.Invalid(f, "%s must be %s, not %s", orBody(f), describe(sem.GoType), kindName(sem.JSONKind))
		case sem.GoType != nil:
			return civic.Invalid(f, "%s must be %s", orBody(f), describe(sem.GoType))
		}
		return civic.Invalid(f, "%s could not be read", orBody(f))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return civic.Invalid("", "the JSON ends in the middle")
	}
	return &civic.Error{Kind: civic.KindInvalid, Message: "the body could not be read", Err: err}
}

// Field turns a JSON pointer into the field name Steward's errors use:
// "/records/3/author/handle" is "records[3].author.handle". A token of
// digits only is taken for an array index.
func Field(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.ParseUint(tok, 10, 64); err == nil && b.Len() > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

func orBody(field string) string {
	if field == "" {
		return "the body"
	}
	return field
}

// want is the JSON kind a Go type is read from.
func want(t reflect.Type) jsontext.Kind {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return '"'
	case reflect.Bool:
		return 't'
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return '0'
	case reflect.Slice, reflect.Array:
		return '['
	case reflect.Struct, reflect.Map:
		if t.String() == "time.Time" {
			return '"'
		}
		return '{'
	}
	return 0
}

// describe names what a Go type is in JSON, for an error message.
func describe(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch want(t) {
	case '"':
		if t.String() == "time.Time" {
			return "an RFC 3339 time"
		}
		return "a string"
	case 't':
		return "true or false"
	case '0':
		switch t.Kind() {
		case reflect.Float32, reflect.Float64:
			return "a number"
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return "a whole number, 0 or more, in range"
		}
		return "a whole number in range"
	case '[':
		return "an array"
	case '{':
		return "an object"
	}
	return "a " + t.String()
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "true or false"
	case 'n':
		return "null"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return fmt.Sprintf("%v", k)
}
