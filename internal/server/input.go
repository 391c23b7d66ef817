package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

// limitBody caps every request body at MaxBodyBytes. Reading past the
// limit fails with a KindTooLarge error, which every decoder passes on, so
// a body too large is a 413 wherever it is read.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = &limitedBody{ReadCloser: http.MaxBytesReader(w, r.Body, MaxBodyBytes), orig: r.Body, limit: MaxBodyBytes}
		next.ServeHTTP(w, r)
	})
}

// limitedBody turns http.MaxBytesReader's error into a civic error.
type limitedBody struct {
	io.ReadCloser
	orig  io.ReadCloser // the body without the limit
	limit int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		err = &civic.Error{Kind: civic.KindTooLarge, Message: fmt.Sprintf("the request body is larger than %s, the most Steward takes", sizeText(b.limit)), Err: err}
	}
	return n, err
}

func sizeText(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// upload gives an authorized request to an Upload route that route's
// body limit instead of the server's, and no read or write deadline: a
// large export takes longer to send than a page.
func upload(w http.ResponseWriter, r *http.Request, rt route.Route) {
	b, ok := r.Body.(*limitedBody)
	if rt.Upload <= 0 || !ok {
		return
	}
	r.Body = &limitedBody{ReadCloser: http.MaxBytesReader(w, b.orig, rt.Upload), orig: b.orig, limit: rt.Upload}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
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
