package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/route"
)

// maxDraftField bounds a field of the draft form other than its file.
const maxDraftField = 64 << 10

// readDraftUpload reads the draft form when it comes as
// multipart/form-data (the page's form, which may carry a file): its
// fields into r.PostForm, and the file part "upload", if one was chosen,
// streamed to the publish service (never whole in memory). It returns the
// upload, or nil. The form keeps its fields when the file is refused:
// the error names "media".
func (h *Handler) readDraftUpload(r *http.Request) (*civic.MediaUpload, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return nil, parseForm(r)
	}
	if r.PostForm == nil {
		r.PostForm = url.Values{}
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, civic.Invalid("", "the form could not be read; send it again from the page")
	}
	var up *civic.MediaUpload
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if civic.ErrorKind(err) == civic.KindTooLarge {
				return nil, err
			}
			return nil, civic.Invalid("", "the form could not be read; send it again from the page")
		}
		name := part.FormName()
		if name == "upload" {
			if part.FileName() == "" || up != nil {
				continue // no file chosen
			}
			if up, err = h.publish.Upload(r.Context(), route.Actor(r), publish.UploadInput{File: part.FileName()}, part); err != nil {
				return nil, uploadError(err)
			}
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, maxDraftField+1))
		if err != nil {
			return nil, civic.Invalid(name, "the form could not be read; send it again from the page")
		}
		if len(b) > maxDraftField || !utf8.Valid(b) || strings.IndexByte(string(b), 0) >= 0 || !utf8.ValidString(name) {
			return nil, civic.Invalid(name, "%s is not valid text", name)
		}
		r.PostForm.Add(name, string(b))
	}
	return up, nil
}

// uploadError puts a refused file next to the form's attachment field,
// keeping its kind (a file too large stays 413).
func uploadError(err error) error {
	var ce *civic.Error
	if errors.As(err, &ce) && (ce.Kind == civic.KindInvalid || ce.Kind == civic.KindTooLarge) {
		return &civic.Error{Kind: ce.Kind, Field: "media", Message: ce.Message}
	}
	return err
}

// mediaLink serves a file through a public link the publishing service
// made for a network that fetches a post's files; see
// publish.Service.LinkedMedia.
func (h *Handler) mediaLink(w http.ResponseWriter, r *http.Request) error {
	f, l, err := h.publish.LinkedMedia(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	defer f.Close()
	route.SendUpload(w, f, l.ContentType, l.File, l.Size)
	return nil
}

// draftMedia sends a file of a draft's attachment (its thumbnail on the
// draft page) to one who may read the draft; anyone else gets 404. The
// file is sent with its sniffed type and never rendered as a page.
func (h *Handler) draftMedia(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, m, err := h.publish.DraftMedia(r.Context(), route.Actor(r), id, strings.ToLower(r.PathValue("sha256")))
	if err != nil {
		return err
	}
	defer f.Close()
	route.SendUpload(w, f, m.ContentType, m.File, m.Size)
	return nil
}
