package mastodon_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/mastodon"
)

// TestPublishMedia: each file is uploaded as a multipart part with its
// alt text as the description and a Content-Length; an upload the server
// answers 202 without a url is asked after until it has one; the status
// names the uploads in order; an upload that fails posts nothing.
func TestPublishMedia(t *testing.T) {
	img := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 5000)...)
	var polls, statuses atomic.Int32
	var got []string
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v2/media", func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength <= 0 || len(r.TransferEncoding) > 0 {
			http.Error(w, `{"error":"length required"}`, http.StatusLengthRequired)
			return
		}
		f, h, err := r.FormFile("file")
		if err != nil {
			http.Error(w, `{"error":"no file"}`, http.StatusUnprocessableEntity)
			return
		}
		b, _ := io.ReadAll(f)
		if !bytes.Equal(b, img) || h.Header.Get("Content-Type") != "image/png" {
			http.Error(w, `{"error":"wrong file"}`, http.StatusUnprocessableEntity)
			return
		}
		id := "m" + h.Filename
		got = append(got, id+"="+r.FormValue("description"))
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"id":"`+id+`","type":"image","url":null,"description":"`+r.FormValue("description")+`"}`)
	})
	mux.HandleFunc("GET /api/v1/media/{id}", func(w http.ResponseWriter, r *http.Request) {
		if polls.Add(1) == 1 {
			w.WriteHeader(http.StatusPartialContent)
			_, _ = io.WriteString(w, `{"id":"`+r.PathValue("id")+`","type":"image","url":null}`)
			return
		}
		_, _ = io.WriteString(w, `{"id":"`+r.PathValue("id")+`","type":"image","url":"https://files.example/x.png"}`)
	})
	mux.HandleFunc("POST /api/v1/statuses", func(w http.ResponseWriter, r *http.Request) {
		statuses.Add(1)
		_ = r.ParseForm()
		got = append(got, "status:"+strings.Join(r.PostForm["media_ids[]"], ","))
		_, _ = io.WriteString(w, `{"id":"200","created_at":"2026-03-01T10:00:00.000Z","content":"<p>Pool opens</p>","account":`+acct+`,"media_attachments":[]}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	a := mastodon.New(platform.Config{})
	ep := &civic.Endpoint{BaseURL: srv.URL, Token: civic.PlatformToken{AccessToken: "t"}}
	file := func(name, alt string) civic.OutgoingMedia {
		return civic.OutgoingMedia{File: name, Kind: "image", ContentType: "image/png", Size: int64(len(img)), Alt: alt,
			Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(img)), nil }}
	}
	p, err := a.Publish(t.Context(), ep, civic.OutgoingPost{Text: "Pool opens", IdempotencyKey: "k",
		Media: []civic.OutgoingMedia{file("a.png", "The pool."), file("b.png", "The slide.")}})
	if err != nil || p.ID != "200" {
		t.Fatalf("publish: %+v, %v", p, err)
	}
	if want := "ma.png=The pool.|mb.png=The slide.|status:ma.png,mb.png"; strings.Join(got, "|") != want {
		t.Fatalf("calls %q, want %q", strings.Join(got, "|"), want)
	}
	if polls.Load() < 3 {
		t.Errorf("the processing uploads were asked after %d times", polls.Load())
	}
	// A file that cannot be read: nothing is posted.
	bad := file("c.png", "x")
	bad.Open = func(context.Context) (io.ReadCloser, error) { return nil, io.ErrUnexpectedEOF }
	if _, err := a.Publish(t.Context(), ep, civic.OutgoingPost{Text: "Pool opens", Media: []civic.OutgoingMedia{bad}}); err == nil || statuses.Load() != 1 {
		t.Fatalf("an unreadable file: %v, %d statuses", err, statuses.Load())
	}
	if a.MediaLimit("image") == 0 || a.MediaLimit("hologram") != 0 {
		t.Errorf("media limits: image %d, hologram %d", a.MediaLimit("image"), a.MediaLimit("hologram"))
	}
}
