package publish_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/publish"
)

// TestUpload: a draft's file is checked by its bytes (the kind the author
// names must be the one the bytes show), refused past its kind's limit
// with nothing stored, and refused to someone who may post nowhere; the
// same file sent twice is one upload.
func TestUpload(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		author := e.as(e.author)
		img := pngOf(t, 8, 8, 3)
		up := e.upload(e.author, `C:\Users\sam\splash pad.png`, img)
		if up.Kind != "image" || up.ContentType != "image/png" || up.Size != int64(len(img)) || up.File != "splash pad.png" || len(up.SHA256) != 64 {
			t.Fatalf("upload %+v", up)
		}
		if again := e.upload(e.author, "other.png", img); again.SHA256 != up.SHA256 || again.File != "splash pad.png" {
			t.Fatalf("the same file again: %+v", again)
		}
		if ok, _ := e.arch.Blobs().Has(e.ctx, up.SHA256); !ok {
			t.Fatal("the file is not in the blob store")
		}
		// A poster uploads the bytes of a captured record's damaged image
		// (a PNG signature, no image): refused, and the record's file stays.
		damaged := []byte("\x89PNG\r\n\x1a\n a captured image, cut short by the platform")
		kept, _, err := e.arch.Blobs().Put(e.ctx, "", bytes.NewReader(damaged))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Upload(e.ctx, author, publish.UploadInput{File: "x.png"}, bytes.NewReader(damaged)); civic.ErrorKind(err) != civic.KindInvalid {
			t.Errorf("the damaged image's bytes uploaded: %v", err)
		}
		if ok, _ := e.arch.Blobs().Has(e.ctx, kept); !ok {
			t.Error("a refused upload deleted the archive's file of the same bytes")
		}
		cases := []struct {
			name  string
			in    publish.UploadInput
			body  io.Reader
			kind  civic.Kind
			field string
			words string
		}{
			{"kind the bytes do not show", publish.UploadInput{File: "a.png", Kind: "video"}, bytes.NewReader(img), civic.KindInvalid, "kind", "not a video"},
			{"unknown kind", publish.UploadInput{File: "a.png", Kind: "hologram"}, bytes.NewReader(img), civic.KindInvalid, "kind", "not a kind"},
			{"a program", publish.UploadInput{File: "setup.exe"}, strings.NewReader("MZ\x90\x00\x03\x00\x00\x00 this program cannot be run in DOS mode"), civic.KindInvalid, "file", "not a file Steward attaches"},
			{"an HTML page named .jpg", publish.UploadInput{File: "x.jpg", Kind: "image"}, strings.NewReader("<html><script>alert(1)</script>"), civic.KindInvalid, "file", "text/html"},
			{"empty", publish.UploadInput{File: "a.png"}, strings.NewReader(""), civic.KindInvalid, "file", "empty"},
			{"a PNG signature with no image", publish.UploadInput{File: "a.png"}, strings.NewReader("\x89PNG\r\n\x1a\n garbage"), civic.KindInvalid, "file", "does not decode"},
			{"over the image limit", publish.UploadInput{File: "huge.png"}, io.MultiReader(bytes.NewReader(img), io.LimitReader(zeros{}, publish.MediaLimits["image"])), civic.KindTooLarge, "file", "larger than 10.5 MB"},
		}
		for _, c := range cases {
			_, err := e.svc.Upload(e.ctx, author, c.in, c.body)
			if civic.ErrorKind(err) != c.kind || civic.ErrorField(err) != c.field || !strings.Contains(civic.ErrorMessage(err), c.words) {
				t.Errorf("%s: %v (kind %s, field %q), want %s on %q saying %q", c.name, err, civic.ErrorKind(err), civic.ErrorField(err), c.kind, c.field, c.words)
			}
		}
		if _, err := e.svc.Upload(e.ctx, e.as(e.stranger), publish.UploadInput{File: "a.png"}, bytes.NewReader(pngOf(t, 2, 2, 5))); civic.ErrorKind(err) != civic.KindForbidden {
			t.Errorf("an upload by someone who may post nowhere: %v", err)
		}
		if _, err := e.store.MediaUpload(e.ctx, e.stranger.ID, up.SHA256); civic.ErrorKind(err) != civic.KindNotFound {
			t.Errorf("the stranger's upload: %v", err)
		}
	})
}

// zeros reads zero bytes forever.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestDraftMedia: a draft names files by their hashes, only files its
// author uploaded, of the kind they are; every revision keeps its own;
// a network that cannot take the attachments through Steward is named at
// once; the files are read only by those who may read the draft; and
// nothing deletes a file a draft uses.
func TestDraftMedia(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		author := e.as(e.author)
		first, second := e.upload(e.author, "a.png", pngOf(t, 5, 5, 1)), e.upload(e.author, "b.png", pngOf(t, 6, 6, 2))
		in := publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: "announcement", Text: "The pool opens at noon.",
			Media: []civic.DraftMedia{{SHA256: first.SHA256, Alt: "The pool, empty, at sunrise."}}}
		d, err := e.svc.CreateDraft(e.ctx, author, in)
		if err != nil {
			t.Fatal(err)
		}
		if m := d.Current.Media; len(m) != 1 || m[0].Kind != "image" || m[0].File != "a.png" || m[0].ContentType != "image/png" || m[0].Size != first.Size {
			t.Fatalf("the revision's media %+v", m)
		}
		in.Media[0].SHA256 = second.SHA256
		if d, err = e.svc.Revise(e.ctx, author, d.ID, in); err != nil {
			t.Fatal(err)
		}
		revs, err := e.store.DraftRevisions(e.ctx, d.ID)
		if err != nil || len(revs) != 2 || revs[0].Media[0].SHA256 != first.SHA256 || revs[1].Media[0].SHA256 != second.SHA256 {
			t.Fatalf("revisions %+v: %v", revs, err)
		}

		// Someone else's file, or a file named as another kind, is refused.
		// (Another poster's upload, as the store keeps it.)
		theirs := pngOf(t, 7, 7, 3)
		hash, _, err := e.arch.Blobs().Put(e.ctx, "", bytes.NewReader(theirs))
		if err != nil {
			t.Fatal(err)
		}
		other := &civic.MediaUpload{SHA256: hash, UserID: e.director.ID, File: "theirs.png", Kind: "image", ContentType: "image/png", Size: int64(len(theirs))}
		if err := e.store.Update(e.ctx, civic.Actor{Label: "test"}, func(tx civic.Tx) error { return tx.AddMediaUpload(e.ctx, other) }); err != nil {
			t.Fatal(err)
		}
		bad := in
		bad.Media = []civic.DraftMedia{{SHA256: other.SHA256, Alt: "x"}}
		_, err = e.svc.CreateDraft(e.ctx, author, bad)
		wantErr(t, err, civic.KindInvalid, "media[0].sha256", "no file you uploaded")
		bad.Media = []civic.DraftMedia{{SHA256: first.SHA256, Kind: "gif", Alt: "x"}}
		_, err = e.svc.CreateDraft(e.ctx, author, bad)
		wantErr(t, err, civic.KindInvalid, "media[0].kind", "not a gif")
		bad.Media = []civic.DraftMedia{{SHA256: "not-a-hash"}}
		_, err = e.svc.CreateDraft(e.ctx, author, bad)
		wantErr(t, err, civic.KindInvalid, "media[0].sha256", "64 hexadecimal")

		// Networks that cannot take them through Steward are named, at once.
		mastodonAcct := e.acct
		addAccount(t, e, "x", "@cityparks")
		xAcct := e.acct
		bad = in
		bad.AccountIDs = []int64{mastodonAcct.ID, xAcct.ID}
		_, err = e.svc.CreateDraft(e.ctx, author, bad)
		wantErr(t, err, civic.KindInvalid, "media", "X: Steward cannot send attachments to X yet; remove them or post there without Steward (@cityparks)")
		addAccount(t, e, "bluesky", "parks.example")
		bsky := e.acct
		bad.AccountIDs = []int64{bsky.ID}
		bad.Text = "The pool opens at noon."
		big := e.upload(e.author, "big.png", append(pngOf(t, 1000, 1000, 4), make([]byte, 1<<20)...))
		bad.Media = []civic.DraftMedia{{SHA256: big.SHA256, Alt: "x"}}
		_, err = e.svc.CreateDraft(e.ctx, author, bad)
		wantErr(t, err, civic.KindInvalid, "media[0]", "Bluesky takes an image of at most")
		e.acct = mastodonAcct
		if ds, _ := e.store.Drafts(e.ctx, civic.DraftFilter{}); len(ds) != 1 {
			t.Fatalf("%d drafts stored, want only the good one", len(ds))
		}

		// Only those who may read the draft read its files.
		for _, who := range []*civic.User{e.author, e.director, e.comms} {
			f, m, err := e.svc.DraftMedia(e.ctx, e.as(who), d.ID, first.SHA256)
			if err != nil {
				t.Fatalf("%s reads the draft's first file: %v", who.Email, err)
			}
			got, _ := io.ReadAll(f)
			f.Close()
			if m.SHA256 != first.SHA256 || int64(len(got)) != first.Size {
				t.Fatalf("%s read %d bytes of %+v", who.Email, len(got), m)
			}
		}
		for _, who := range []*civic.User{e.stranger, e.policeDirector, e.it} {
			if _, _, err := e.svc.DraftMedia(e.ctx, e.as(who), d.ID, first.SHA256); civic.ErrorKind(err) != civic.KindNotFound {
				t.Errorf("%s reads the draft's file: %v, want not found", who.Email, err)
			}
		}
		// A file the draft does not hold is not read through it.
		if _, _, err := e.svc.DraftMedia(e.ctx, author, d.ID, other.SHA256); civic.ErrorKind(err) != civic.KindNotFound {
			t.Errorf("another's file through this draft: %v", err)
		}

		// An archived record cannot name a draft's file by its hash alone,
		// to carry it into exports: only with its bytes.
		rec := archive.Record{Account: "mastodon:@parks", ID: "leak-1", Kind: "post", CapturedAt: e.clock.Now().Format(time.RFC3339Nano), Text: "x",
			Media: []archive.MediaRecord{{SHA256: first.SHA256, Type: "image/png", Size: first.Size}}}
		res, err := e.arch.Ingest(e.ctx, civic.CLI, []archive.Record{rec}, nil)
		if err != nil || res.Rejected != 1 || res.Records[0].Error == nil || res.Records[0].Error.Field != "media[0].sha256" {
			t.Fatalf("a record naming a draft's file: %+v, %v", res, err)
		}
		rec.Media[0].Data = pngOf(t, 5, 5, 1)
		if res, err := e.arch.Ingest(e.ctx, civic.CLI, []archive.Record{rec}, nil); err != nil || res.Stored != 1 {
			t.Fatalf("the same record with the file's bytes: %+v, %v", res, err)
		}

		// Nothing deletes a file a draft uses; other files go.
		blobs := e.arch.Blobs()
		if err := blobs.Delete(e.ctx, first.SHA256); err != nil {
			t.Fatal(err)
		}
		if ok, _ := blobs.Has(e.ctx, first.SHA256); !ok {
			t.Fatal("Delete removed a draft's file")
		}
		hash, _, err = blobs.Put(e.ctx, "", strings.NewReader("an export's result"))
		if err != nil {
			t.Fatal(err)
		}
		if err := blobs.Delete(e.ctx, hash); err != nil {
			t.Fatal(err)
		}
		if ok, _ := blobs.Has(e.ctx, hash); ok {
			t.Fatal("Delete kept a file no draft uses")
		}
	})
}

// TestMediaNeverDropped: a draft whose attachments cannot be sent (one
// written before files were uploaded, only named) is not published as
// its text alone: publishing fails, naming the file, and the network is
// never called.
func TestMediaNeverDropped(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"id": "1", "content": "x", "created_at": time.Now()})
		}))
		t.Cleanup(srv.Close)
		e.connect(srv.URL, "1", civic.PlatformToken{AccessToken: "t"})
		author, director := e.as(e.author), e.as(e.director)
		d, err := e.svc.CreateDraft(e.ctx, author, publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: "announcement", Text: "The rink opens."})
		if err != nil {
			t.Fatal(err)
		}
		// The revision as a draft written before uploads holds it.
		if err := e.store.Update(e.ctx, author, func(tx civic.Tx) error {
			return tx.AddDraftRevision(e.ctx, &civic.DraftRevision{DraftID: d.ID, AuthorID: e.author.ID, Text: "The rink opens.", Category: "announcement",
				Media: []civic.DraftMedia{{File: "rink.jpg", Kind: "image", Alt: "The rink."}}, Links: []string{}, Screen: d.Current.Screen})
		}); err != nil {
			t.Fatal(err)
		}
		// Submitting it names the file at once.
		_, err = e.svc.Submit(e.ctx, author, d.ID)
		wantErr(t, err, civic.KindInvalid, "media[0].sha256", "rink.jpg was never uploaded")
		// Approved anyway (before this check existed), it is not published.
		if err := e.store.Update(e.ctx, author, func(tx civic.Tx) error {
			return tx.SetDraftStatus(e.ctx, d.ID, civic.DraftInReview, "draft.submit")
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Review(e.ctx, director, d.ID, publish.ReviewInput{Revision: 2, Decision: civic.ReviewApprove, Override: "no alt text needed"}); err != nil {
			t.Fatal(err)
		}
		out, err := e.svc.Publish(e.ctx, author, d.ID)
		if err == nil || len(out) != 1 || out[0].Status != civic.PublicationFailed || !strings.Contains(out[0].Error, "rink.jpg was never uploaded") {
			t.Fatalf("publish: %+v, %v", out, err)
		}
		if n := calls.Load(); n != 0 {
			t.Fatalf("the network was called %d times", n)
		}
	})
}

// TestMediaRetry: a post with an image whose answer was lost (the server
// made the status, then answered 502) is not made again: asked again,
// Steward finds it among the account's newest statuses and records it;
// the image was uploaded once, the status made once.
func TestMediaRetry(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		var mu sync.Mutex
		var uploads, posts int
		var made []map[string]any
		mux := http.NewServeMux()
		mux.HandleFunc("POST /api/v2/media", func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			uploads++
			if _, _, err := r.FormFile("file"); err != nil || r.FormValue("description") != "The rink." {
				http.Error(w, `{"error":"bad upload"}`, http.StatusUnprocessableEntity)
				return
			}
			_, _ = io.WriteString(w, `{"id":"m1","type":"image","url":"https://files.example/m1.png","description":"The rink."}`)
		})
		mux.HandleFunc("POST /api/v1/statuses", func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			posts++
			made = append(made, map[string]any{"id": "s1", "created_at": time.Now().UTC().Format(time.RFC3339), "content": "<p>" + r.FormValue("status") + "</p>",
				"account": map[string]string{"id": "1", "username": "parks", "acct": "parks"}, "media_attachments": []map[string]string{{"id": r.FormValue("media_ids[]"), "type": "image"}}})
			http.Error(w, `{"error":"bad gateway"}`, http.StatusBadGateway) // the answer is lost
		})
		mux.HandleFunc("GET /api/v1/accounts/1/statuses", func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			_ = json.NewEncoder(w).Encode(made)
		})
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		e.connect(srv.URL, "1", civic.PlatformToken{AccessToken: "t"})
		author, director := e.as(e.author), e.as(e.director)
		up := e.upload(e.author, "rink.png", pngOf(t, 9, 9, 9))
		d, err := e.svc.CreateDraft(e.ctx, author, publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: "announcement", Text: "The rink opens.",
			Media: []civic.DraftMedia{{SHA256: up.SHA256, Alt: "The rink."}}})
		if err != nil {
			t.Fatal(err)
		}
		approve(t, e, author, director, d)
		if out, err := e.svc.Publish(e.ctx, author, d.ID); err == nil || out[0].Status != civic.PublicationFailed {
			t.Fatalf("the lost answer: %+v, %v", out, err)
		}
		out, err := e.svc.Publish(e.ctx, author, d.ID)
		if err != nil || out[0].Status != civic.PublicationPublished || out[0].PlatformID != "s1" {
			t.Fatalf("asked again: %+v, %v", out, err)
		}
		if uploads != 1 || posts != 1 {
			t.Fatalf("%d uploads and %d statuses, want one of each", uploads, posts)
		}
	})
}
