package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

// limitBody caps every request body at MaxBodyBytes. Reading past the
// limit fails with a KindTooLarge error, which every decoder passes on, so
// a body too large is a 413 wherever it is read.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = &limitedBody{ReadCloser: http.MaxBytesReader(w, r.Body, MaxBodyBytes)}
		next.ServeHTTP(w, r)
	})
}

// limitedBody turns http.MaxBytesReader's error into a civic error.
type limitedBody struct{ io.ReadCloser }

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		err = &civic.Error{Kind: civic.KindTooLarge, Message: fmt.Sprintf("the request body is larger than %d MiB, the most Steward takes", MaxBodyBytes>>20), Err: err}
	}
	return n, err
}

// input reads what a page's handler reads, its query and form, and refuses
// before the handler runs what no handler may see: a body over the limit
// (413) and text that is not valid UTF-8 or holds a NUL character (422
// naming the field). PostgreSQL refuses both in text; SQLite's full-text
// search stumbles on them. API routes have their query checked here and
// their JSON body by the API's decoder. Routes with RawBody keep their body
// unread.
func input(r *http.Request, rt route.Route) error {
	if !rt.API && !rt.RawBody {
		if err := r.ParseForm(); err != nil {
			if civic.ErrorKind(err) == civic.KindTooLarge {
				return err
			}
			return civic.Invalid("", "the form could not be read; send it again from the page")
		}
		for k, vs := range r.PostForm {
			if err := checkText(k, vs); err != nil {
				return err
			}
		}
	}
	for k, vs := range r.URL.Query() {
		if err := checkText(k, vs); err != nil {
			return err
		}
	}
	return nil
}

// checkText refuses a field whose name or values are not valid UTF-8 or
// hold a NUL character.
func checkText(field string, values []string) error {
	bad := func(s string) bool { return !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 }
	if bad(field) {
		return civic.Invalid("", "a field name is not valid UTF-8 text")
	}
	for _, v := range values {
		switch {
		case !utf8.ValidString(v):
			return civic.Invalid(field, "%s is not valid UTF-8 text", field)
		case strings.IndexByte(v, 0) >= 0:
			return civic.Invalid(field, "%s holds a NUL character, which Steward does not take in text", field)
		}
	}
	return nil
}
