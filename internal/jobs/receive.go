package jobs

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"steward.city/steward/internal/blob"
	"steward.city/steward/internal/civic"
)

// Received is a file a request uploaded for a task, staged in the blob
// store, with the request's other fields.
type Received struct {
	File   *File
	Fields map[string]string // the form's other fields, and the query's
}

// maxField bounds a form field other than the file.
const maxField = 1 << 10

// Receive stages the file a request sends for a task (Stage), of at most
// max bytes: as the part named field of a multipart/form-data body (a
// page's form, or curl -F), or as the whole body of any other type, named
// by the query's "name" (default "export"). Form fields other than the
// file, and the query's, are returned with it. A request without a file is
// invalid, naming field. The caller deletes the staged file when it then
// refuses the request (Discard).
func Receive(r *http.Request, blobs blob.Store, max int64, field string) (*Received, error) {
	out := &Received{Fields: map[string]string{}}
	for k, vs := range r.URL.Query() {
		if len(vs) > 0 {
			out.Fields[k] = vs[0]
		}
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		if r.ContentLength == 0 {
			return nil, civic.Invalid(field, "send the file as the request's body, or as the form field %q", field)
		}
		f, err := Stage(r.Context(), blobs, r.Body, max, field, fileName(out.Fields["name"]), ct)
		if err != nil {
			return nil, err
		}
		out.File = f
		return out, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, civic.Invalid(field, "the form could not be read; send it again")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if civic.ErrorKind(err) == civic.KindTooLarge {
				return out, err
			}
			return out, civic.Invalid(field, "the form could not be read; send it again")
		}
		name := part.FormName()
		switch {
		case name == field && out.File == nil:
			if part.FileName() == "" {
				continue // a form sent with no file chosen
			}
			typ := part.Header.Get("Content-Type")
			f, err := Stage(r.Context(), blobs, part, max, field, fileName(part.FileName()), typ)
			if err != nil {
				return out, err
			}
			out.File = f
		case name != "" && name != field:
			b, err := io.ReadAll(io.LimitReader(part, maxField+1))
			if err != nil {
				return out, civic.Invalid(name, "the form could not be read; send it again")
			}
			if len(b) > maxField || !utf8.Valid(b) {
				return out, civic.Invalid(name, "%s is not a short text", name)
			}
			out.Fields[name] = string(b)
		}
	}
	if out.File == nil {
		return out, civic.Invalid(field, "choose the file to send")
	}
	return out, nil
}

// Discard deletes the staged file of a request refused after it was
// received.
func (rc *Received) Discard(r *http.Request, blobs blob.Store) {
	if rc != nil && rc.File != nil && blobs != nil {
		_ = blobs.Delete(r.Context(), rc.File.Blob)
	}
}

// fileName is an uploaded file's name as Steward keeps it: its base name,
// printable, at most 200 characters; "export" when it has none.
func fileName(s string) string {
	s = path.Base(strings.ReplaceAll(s, "\\", "/"))
	s = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200])
	}
	if s == "" || s == "." || s == "/" || s == ".." {
		return "export"
	}
	return s
}
