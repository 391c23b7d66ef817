package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/route"
)

// mediaUpload takes a file for a draft's attachment: the request's body
// (any type but multipart; the query names it, "name", and may say its
// "kind"), or the part "file" of a multipart/form-data body (with an
// optional "kind" field). It answers 201 with the upload, whose sha256 a
// draft's media then names.
func (a *publishAPI) mediaUpload(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	in := publish.UploadInput{File: q.Get("name"), Kind: q.Get("kind")}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		if r.ContentLength == 0 {
			return civic.Invalid("file", "send the file as the request's body, or as the form field \"file\"")
		}
		m, err := a.svc.Upload(r.Context(), route.Actor(r), in, r.Body)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusCreated, m)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return civic.Invalid("file", "the form could not be read; send it again")
	}
	var m *civic.MediaUpload
	kind := in.Kind
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if civic.ErrorKind(err) == civic.KindTooLarge {
				return err
			}
			return civic.Invalid("file", "the form could not be read; send it again")
		}
		switch part.FormName() {
		case "file":
			if m != nil {
				return civic.Invalid("file", "send one file per request")
			}
			if m, err = a.svc.Upload(r.Context(), route.Actor(r), publish.UploadInput{File: part.FileName(), Kind: kind}, part); err != nil {
				return err
			}
		case "kind":
			b, err := io.ReadAll(io.LimitReader(part, 64))
			if err != nil {
				return civic.Invalid("kind", "the form could not be read; send it again")
			}
			kind = strings.TrimSpace(string(b))
		}
	}
	if m == nil {
		return civic.Invalid("file", "choose the file to send")
	}
	if kind != "" && kind != m.Kind {
		return civic.Invalid("kind", "%s is %s, not %s", m.File, m.ContentType, kind)
	}
	return writeJSON(w, http.StatusCreated, m)
}

// mediaFile sends a file of a draft's attachment to one who may read the
// draft (anyone else: 404): its sniffed type, never rendered as a page
// (nosniff, a sandbox), kept by no shared cache.
func (a *publishAPI) mediaFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, m, err := a.svc.DraftMedia(r.Context(), route.Actor(r), id, strings.ToLower(r.PathValue("sha256")))
	if err != nil {
		return err
	}
	defer f.Close()
	route.SendUpload(w, f, m.ContentType, m.File, m.Size)
	return nil
}
