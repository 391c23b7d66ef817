package platform

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/textproto"
	"strings"
)

// Field is one text field of a multipart form.
type Field struct{ Name, Value string }

// Multipart is a multipart/form-data body of the fields, then one file
// part (field, its file name and content type) streamed from file, which
// holds size bytes: the body, its content type and its exact length, so
// that it is sent with a Content-Length, not chunked (some servers refuse
// a chunked upload), and never held whole in memory.
func Multipart(fields []Field, field, name, contentType string, size int64, file io.Reader) (io.Reader, string, int64) {
	var head, tail bytes.Buffer
	sw := &switchWriter{w: &head}
	mw := multipart.NewWriter(sw)
	for _, f := range fields {
		_ = mw.WriteField(f.Name, f.Value)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="`+quote(field)+`"; filename="`+quote(name)+`"`)
	h.Set("Content-Type", contentType)
	_, _ = mw.CreatePart(h)
	sw.w = &tail
	_ = mw.Close()
	length := int64(head.Len()) + size + int64(tail.Len())
	return io.MultiReader(&head, io.LimitReader(file, size), &tail), mw.FormDataContentType(), length
}

type switchWriter struct{ w io.Writer }

func (s *switchWriter) Write(p []byte) (int, error) { return s.w.Write(p) }

var quoter = strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "", "\n", "")

func quote(s string) string { return quoter.Replace(s) }
