package publish_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/bluesky"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/storetest"
)

// pds is the part of a Bluesky PDS that publishing uses, answering as the
// reference PDS does: createRecord names the record by the key it is
// given and refuses a key already taken; getRecord, getPosts and
// getAuthorFeed read the records back; deleteRecord removes one.
// Bluesky has no local server to run in tests; the adapter's own tests
// check each call against recorded answers.
type pds struct {
	mu      sync.Mutex
	order   []string
	records map[string]map[string]any // by rkey
	creates int
	// lose makes the next createRecord take the record and then answer
	// 502, as when the answer is lost on the way back.
	lose bool
	// blobs are the files uploadBlob took, by their link; uploads counts
	// the calls.
	blobs   map[string][]byte
	uploads int
}

func (p *pds) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	const did = "did:plc:parks"
	uri := func(rkey string) string { return "at://" + did + "/app.bsky.feed.post/" + rkey }
	view := func(rkey string) map[string]any {
		return map[string]any{"uri": uri(rkey), "cid": "bafy" + rkey, "author": map[string]string{"did": did, "handle": "parks.example"},
			"record": p.records[rkey], "indexedAt": p.records[rkey]["createdAt"]}
	}
	answer := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	q := r.URL.Query()
	switch r.URL.Path {
	case "/xrpc/com.atproto.repo.uploadBlob":
		// As the reference PDS: the body is the file, named by its CID
		// (here its SHA-256), typed by the request's Content-Type.
		b, err := io.ReadAll(r.Body)
		if err != nil || int64(len(b)) != r.ContentLength || len(b) > bluesky.MaxImage {
			answer(400, map[string]string{"error": "InvalidRequest", "message": "bad blob"})
			return
		}
		sum := sha256.Sum256(b)
		link := "bafkrei" + hex.EncodeToString(sum[:])
		if p.blobs == nil {
			p.blobs = map[string][]byte{}
		}
		p.blobs[link] = b
		p.uploads++
		answer(200, map[string]any{"blob": map[string]any{"$type": "blob", "ref": map[string]string{"$link": link}, "mimeType": r.Header.Get("Content-Type"), "size": len(b)}})
	case "/xrpc/com.atproto.repo.createRecord":
		var in struct {
			Repo, Collection, Rkey string
			Record                 map[string]any
		}
		_ = json.NewDecoder(r.Body).Decode(&in)
		p.creates++
		if _, taken := p.records[in.Rkey]; taken || in.Rkey == "" {
			answer(400, map[string]string{"error": "InvalidRequest", "message": "Record already exists"})
			return
		}
		p.records[in.Rkey] = in.Record
		p.order = append(p.order, in.Rkey)
		if p.lose {
			p.lose = false
			answer(502, map[string]string{"error": "UpstreamFailure"})
			return
		}
		answer(200, map[string]string{"uri": uri(in.Rkey), "cid": "bafy" + in.Rkey})
	case "/xrpc/com.atproto.repo.getRecord":
		rec, ok := p.records[q.Get("rkey")]
		if !ok {
			answer(400, map[string]string{"error": "RecordNotFound", "message": "Could not locate record"})
			return
		}
		answer(200, map[string]any{"uri": uri(q.Get("rkey")), "cid": "bafy" + q.Get("rkey"), "value": rec})
	case "/xrpc/app.bsky.feed.getPosts":
		posts := []any{}
		if rkey, ok := strings.CutPrefix(q.Get("uris"), uri("")); ok && p.records[rkey] != nil {
			posts = append(posts, view(rkey))
		}
		answer(200, map[string]any{"posts": posts})
	case "/xrpc/app.bsky.feed.getAuthorFeed":
		feed := []any{}
		for i := len(p.order) - 1; i >= 0; i-- {
			if p.records[p.order[i]] != nil {
				feed = append(feed, map[string]any{"post": view(p.order[i])})
			}
		}
		answer(200, map[string]any{"feed": feed})
	case "/xrpc/com.atproto.repo.deleteRecord":
		var in struct{ Rkey string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		delete(p.records, in.Rkey)
		answer(200, map[string]any{})
	default:
		answer(501, map[string]string{"error": "MethodNotImplemented"})
	}
}

// TestBlueskyPublish publishes through the Bluesky adapter: the post goes
// out once, with a TID record key, also when the answer is lost; a correction (Bluesky cannot edit) is a
// reply in the post's thread whose root and parent name the post, archived
// as a reply linked to it; an approved deletion removes the record.
func TestBlueskyPublish(t *testing.T) {
	p := &pds{records: map[string]map[string]any{}}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	clock := storetest.NewClock(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	e := newEnv(t, storetest.OpenSQLite(t, clock.Now), clock, map[string]civic.Platform{bluesky.Name: bluesky.New(platform.Config{Now: clock.Now})}, "parks.example")
	// The Parks department's Bluesky account, with the author's grant.
	addAccount(t, e, bluesky.Name, "parks.example")
	conn := &civic.Connection{AccountID: e.acct.ID, Platform: bluesky.Name, BaseURL: srv.URL, RemoteID: "did:plc:parks", Handle: "parks.example", Interval: 10 * time.Minute}
	if err := e.conns.Connect(e.ctx, e.as(e.it), conn, civic.PlatformToken{AccessToken: "access", RefreshToken: "refresh"}); err != nil {
		t.Fatal(err)
	}
	author, director := e.as(e.author), e.as(e.director)
	approve := func(d *civic.Draft) {
		t.Helper()
		if _, err := e.svc.Submit(e.ctx, author, d.ID); err != nil {
			t.Fatal(err)
		}
		d, err := e.store.Draft(e.ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Review(e.ctx, director, d.ID, publish.ReviewInput{Revision: d.Revision, Decision: civic.ReviewApprove}); err != nil {
			t.Fatal(err)
		}
	}

	d, err := e.svc.CreateDraft(e.ctx, author, publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: "announcement",
		Text: "Café in the park opens Saturday: https://www.city.example/parks"})
	if err != nil {
		t.Fatal(err)
	}
	approve(d)
	out, err := e.svc.Publish(e.ctx, author, d.ID)
	if err != nil || len(out) != 1 || out[0].Status != civic.PublicationPublished || !strings.HasPrefix(out[0].PlatformID, "at://did:plc:parks/app.bsky.feed.post/") {
		t.Fatalf("publish: %+v, %v", out, err)
	}
	id := out[0].PlatformID
	rkey := id[strings.LastIndex(id, "/")+1:]
	if len(rkey) != 13 || p.creates != 1 {
		t.Errorf("record key %q (want a TID), %d createRecord calls", rkey, p.creates)
	}
	// Asked again, nothing is posted again.
	if _, err := e.svc.Publish(e.ctx, director, d.ID); err != nil || p.creates != 1 {
		t.Fatalf("second publish: %v, %d createRecord calls", err, p.creates)
	}

	// A post whose answer is lost after the PDS took it: the record at
	// its key is the post, found at once, and it is not posted again.
	d2, err := e.svc.CreateDraft(e.ctx, author, publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: "announcement", Text: "The pool opens at 9."})
	if err != nil {
		t.Fatal(err)
	}
	approve(d2)
	p.lose = true
	out, err = e.svc.Publish(e.ctx, author, d2.ID)
	if err != nil || out[0].Status != civic.PublicationPublished || p.creates != 2 || len(p.order) != 2 {
		t.Fatalf("publish with a lost answer: %+v, %v; %d calls, %d records", out, err, p.creates, len(p.order))
	}

	c, err := e.svc.Correct(e.ctx, author, d.ID, publish.CorrectionInput{Text: "Café in the park opens Sunday: https://www.city.example/parks"})
	if err != nil {
		t.Fatal(err)
	}
	approve(c)
	out, err = e.svc.Publish(e.ctx, author, c.ID)
	if err != nil || out[0].Status != civic.PublicationPublished || out[0].PlatformID == id {
		t.Fatalf("publish the correction: %+v, %v", out, err)
	}
	reply := p.records[out[0].PlatformID[strings.LastIndex(out[0].PlatformID, "/")+1:]]
	b, _ := json.Marshal(reply)
	var rec struct {
		Text  string
		Reply struct{ Root, Parent struct{ URI, CID string } }
	}
	_ = json.Unmarshal(b, &rec)
	if !strings.HasPrefix(rec.Text, "Correction: ") || rec.Reply.Root.URI != id || rec.Reply.Parent.URI != id || rec.Reply.Parent.CID != "bafy"+rkey {
		t.Errorf("the correction record %s", b)
	}
	pubs, err := e.store.Publications(e.ctx, civic.PublicationFilter{DraftID: c.ID})
	if err != nil || len(pubs) != 1 || pubs[0].Kind != civic.PublishReply {
		t.Fatalf("correction publication %+v, %v", pubs, err)
	}
	item, err := e.store.CapturedItem(e.ctx, conn.Ref(), out[0].PlatformID)
	if err != nil || item.ParentID != id {
		t.Errorf("archived correction %+v, %v", item, err)
	}

	del, err := e.svc.RequestDeletion(e.ctx, author, d.ID, publish.DeletionInput{Reason: "The event was cancelled."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Review(e.ctx, director, del.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove}); err != nil {
		t.Fatal(err)
	}
	out, err = e.svc.Publish(e.ctx, author, del.ID)
	if err != nil || out[0].Status != civic.PublicationPublished || p.records[rkey] != nil {
		t.Fatalf("delete: %+v, %v; record still there: %v", out, err, p.records[rkey] != nil)
	}
}

// TestBlueskyImages: a post with an image goes out with the image
// uploaded (uploadBlob) and embedded with its alt text; a lost answer
// uploads the image again but makes one post; the authority record and
// the archived version name the file that went out.
func TestBlueskyImages(t *testing.T) {
	p := &pds{records: map[string]map[string]any{}}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	clock := storetest.NewClock(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	e := newEnv(t, storetest.OpenSQLite(t, clock.Now), clock, map[string]civic.Platform{bluesky.Name: bluesky.New(platform.Config{Now: clock.Now})}, "parks.example")
	addAccount(t, e, bluesky.Name, "parks.example")
	conn := &civic.Connection{AccountID: e.acct.ID, Platform: bluesky.Name, BaseURL: srv.URL, RemoteID: "did:plc:parks", Handle: "parks.example", Interval: 10 * time.Minute}
	if err := e.conns.Connect(e.ctx, e.as(e.it), conn, civic.PlatformToken{AccessToken: "access", RefreshToken: "refresh"}); err != nil {
		t.Fatal(err)
	}
	author, director := e.as(e.author), e.as(e.director)
	img := pngOf(t, 40, 30, 7)
	up := e.upload(e.author, "skate.png", img)
	const alt = "Skaters on the frozen pond at dusk, lights strung over the ice."
	d, err := e.svc.CreateDraft(e.ctx, author, publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: "announcement",
		Text: "The pond is open for skating.", Media: []civic.DraftMedia{{SHA256: up.SHA256, Alt: alt}}})
	if err != nil {
		t.Fatal(err)
	}
	approve(t, e, author, director, d)
	p.lose = true
	out, err := e.svc.Publish(e.ctx, author, d.ID)
	if err != nil || len(out) != 1 || out[0].Status != civic.PublicationPublished {
		t.Fatalf("publish: %+v, %v", out, err)
	}
	if _, err := e.svc.Publish(e.ctx, author, d.ID); err != nil || len(p.order) != 1 {
		t.Fatalf("publish again: %v; %d records", err, len(p.order))
	}
	b, _ := json.Marshal(p.records[p.order[0]])
	var rec struct {
		Text  string
		Embed struct {
			Type   string `json:"$type"`
			Images []struct {
				Alt   string
				Image struct {
					Type     string            `json:"$type"`
					Ref      map[string]string `json:"ref"`
					MimeType string            `json:"mimeType"`
				}
			}
		}
	}
	_ = json.Unmarshal(b, &rec)
	if rec.Embed.Type != "app.bsky.embed.images" || len(rec.Embed.Images) != 1 {
		t.Fatalf("the record's embed: %s", b)
	}
	im := rec.Embed.Images[0]
	if im.Alt != alt || im.Image.Type != "blob" || im.Image.MimeType != "image/png" || !bytes.Equal(p.blobs[im.Image.Ref["$link"]], img) {
		t.Fatalf("the embedded image %+v (the PDS holds %d bytes under it)", im, len(p.blobs[im.Image.Ref["$link"]]))
	}
	pub, err := e.store.PublicationByPlatformID(e.ctx, bluesky.Name, out[0].PlatformID)
	if err != nil || len(pub.Authority.Media) != 1 || pub.Authority.Media[0].SHA256 != up.SHA256 || pub.Authority.Media[0].Alt != alt {
		t.Fatalf("the authority record's media: %+v, %v", pub, err)
	}
	item, err := e.store.CapturedItem(e.ctx, conn.Ref(), out[0].PlatformID)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := e.store.ArchiveVersions(e.ctx, item.ID)
	if err != nil || len(vs) != 1 || len(vs[0].Media) != 1 || vs[0].Media[0].SHA256 != up.SHA256 || vs[0].Media[0].Type != "image/png" ||
		!strings.Contains(string(vs[0].Raw), alt) {
		t.Fatalf("the archived version %+v, %v", vs, err)
	}
}
