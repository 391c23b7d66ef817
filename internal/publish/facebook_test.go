package publish_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/facebook"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/storetest"
)

// graphPage is the part of the Graph API that publishing as a Page uses,
// answering as the Pages API documents: POST /{page}/feed makes a post
// ("{page}_{n}") and refuses the Page's latest text again with error 506;
// GET /{page}/posts lists the Page's posts newest first; POST /{post}
// edits, DELETE /{post} deletes, GET /{post} reads one; /{post}/comments
// makes and lists comments. A post or comment that is not there answers
// error 100, subcode 33. Facebook has no local server to run in tests; the
// adapter's own tests check each call against recorded answers.
type graphPage struct {
	mu       sync.Mutex
	now      func() time.Time
	posts    []*graphPost // oldest first
	comments map[string][]*graphPost
	n        int
	feeds    int // POST /{page}/feed calls
	// lose makes the next feed post be made and then answered with a
	// 502 HTML page, as when the answer is lost on the way back.
	lose bool
}

type graphPost struct {
	ID      string `json:"id"`
	Message string `json:"message"`
	Created string `json:"created_time"`
	Updated string `json:"updated_time,omitempty"`
	From    struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"from"`
}

const pageID = "1020"

func (g *graphPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	answer := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	graphErr := func(code, sub int, msg string) {
		answer(400, map[string]any{"error": map[string]any{"message": msg, "type": "OAuthException", "code": code, "error_subcode": sub, "fbtrace_id": "T"}})
	}
	if r.Header.Get("Authorization") != "Bearer page-token" {
		graphErr(190, 0, "Invalid OAuth access token.")
		return
	}
	_ = r.ParseForm()
	stamp := g.now().UTC().Format("2006-01-02T15:04:05-0700")
	newPost := func(id, msg string) *graphPost {
		p := &graphPost{ID: id, Message: msg, Created: stamp}
		p.From.ID, p.From.Name = pageID, "Springfield Parks"
		return p
	}
	find := func(id string) int {
		for i, p := range g.posts {
			if p.ID == id {
				return i
			}
		}
		return -1
	}
	path := strings.TrimPrefix(r.URL.Path, "/v21.0/")
	obj, edge, _ := strings.Cut(path, "/")
	switch {
	case obj == pageID && edge == "feed" && r.Method == http.MethodPost:
		g.feeds++
		msg := r.PostForm.Get("message")
		if len(g.posts) > 0 && g.posts[len(g.posts)-1].Message == msg {
			graphErr(506, 0, "(#506) Duplicate status message")
			return
		}
		g.n++
		p := newPost(fmt.Sprintf("%s_%d", pageID, g.n), msg)
		g.posts = append(g.posts, p)
		if g.lose {
			g.lose = false
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			fmt.Fprint(w, "<html><body>502 Bad Gateway</body></html>")
			return
		}
		answer(200, map[string]string{"id": p.ID})
	case obj == pageID && edge == "posts" && r.Method == http.MethodGet:
		data := []any{}
		for i := len(g.posts) - 1; i >= 0; i-- {
			data = append(data, g.posts[i])
		}
		answer(200, map[string]any{"data": data})
	case edge == "" && find(obj) < 0:
		graphErr(100, 33, "Unsupported request. Object with ID '"+obj+"' does not exist")
	case edge == "" && r.Method == http.MethodGet:
		answer(200, g.posts[find(obj)])
	case edge == "" && r.Method == http.MethodPost:
		p := g.posts[find(obj)]
		p.Message, p.Updated = r.PostForm.Get("message"), stamp
		answer(200, map[string]bool{"success": true})
	case edge == "" && r.Method == http.MethodDelete:
		g.posts = append(g.posts[:find(obj)], g.posts[find(obj)+1:]...)
		answer(200, map[string]bool{"success": true})
	case edge == "comments" && find(obj) < 0:
		graphErr(100, 33, "Unsupported request. Object with ID '"+obj+"' does not exist")
	case edge == "comments" && r.Method == http.MethodGet:
		data := []any{}
		cs := g.comments[obj]
		for i := len(cs) - 1; i >= 0; i-- {
			data = append(data, cs[i])
		}
		answer(200, map[string]any{"data": data})
	case edge == "comments" && r.Method == http.MethodPost:
		g.n++
		_, num, _ := strings.Cut(obj, "_")
		c := newPost(fmt.Sprintf("%s_%d", num, g.n), r.PostForm.Get("message"))
		g.comments[obj] = append(g.comments[obj], c)
		answer(200, map[string]string{"id": c.ID})
	default:
		graphErr(100, 0, "Unknown path components: /"+path)
	}
}

// TestFacebookPublish publishes as a Page through the Facebook adapter:
// the post goes out once, also when its answer is lost (the retry finds
// it among the Page's posts); a correction edits the post, or, where the
// city chooses replies, is a comment as the Page in the post's thread,
// archived as a reply; an approved deletion deletes the post.
func TestFacebookPublish(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	g := &graphPage{now: clock.Now, comments: map[string][]*graphPost{}}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	e := newEnv(t, storetest.OpenSQLite(t, clock.Now), clock, map[string]civic.Platform{"facebook": facebook.New(platform.Config{Now: clock.Now})}, "springfieldparks")
	addAccount(t, e, "facebook", "springfieldparks")
	conn := &civic.Connection{AccountID: e.acct.ID, Platform: "facebook", BaseURL: srv.URL + "/v21.0", RemoteID: pageID, Handle: "springfieldparks", Interval: 10 * time.Minute}
	if err := e.conns.Connect(e.ctx, e.as(e.it), conn, civic.PlatformToken{AccessToken: "page-token"}); err != nil {
		t.Fatal(err)
	}
	author, director := e.as(e.author), e.as(e.director)

	// 1. A post: once, recorded with the Page's post id.
	d1, out, err := publishText(t, e, "Café in the park opens Saturday: \"bring a blanket\" 🧺")
	if err != nil || len(out) != 1 || out[0].Status != civic.PublicationPublished || out[0].PlatformID != "1020_1" ||
		out[0].URL != "https://www.facebook.com/1020/posts/1" {
		t.Fatalf("publish: %+v, %v", out, err)
	}
	pubs, err := e.store.Publications(e.ctx, civic.PublicationFilter{DraftID: d1.ID})
	if err != nil || len(pubs) != 1 || pubs[0].PlatformID != "1020_1" || pubs[0].Kind != civic.PublishPost || pubs[0].Body != g.posts[0].Message {
		t.Fatalf("publication %+v, %v", pubs, err)
	}
	if item, err := e.store.CapturedItem(e.ctx, conn.Ref(), "1020_1"); err != nil || item.Text != g.posts[0].Message {
		t.Errorf("archived post %+v, %v", item, err)
	}
	if _, err := e.svc.Publish(e.ctx, director, d1.ID); err != nil || g.feeds != 1 {
		t.Fatalf("second publish: %v, %d feed posts", err, g.feeds)
	}

	// 2. The Page took the post, the answer was lost: the publication
	// failed; publishing again finds the post among the Page's own and
	// does not post it twice.
	g.lose = true
	d2, out, err := publishText(t, e, "The pool opens at 9.")
	if err == nil || out[0].Status != civic.PublicationFailed || len(g.posts) != 2 {
		t.Fatalf("publish with a lost answer: %+v, %v; %d posts", out, err, len(g.posts))
	}
	clock.Advance(time.Minute)
	out, err = e.svc.Publish(e.ctx, author, d2.ID)
	if err != nil || out[0].Status != civic.PublicationPublished || out[0].PlatformID != "1020_2" || g.feeds != 2 || len(g.posts) != 2 {
		t.Fatalf("retry: %+v, %v; %d feed posts, %d posts", out, err, g.feeds, len(g.posts))
	}

	// 3. A correction edits the Page's post.
	c1, err := e.svc.Correct(e.ctx, author, d1.ID, publish.CorrectionInput{Text: "Café in the park opens Sunday: \"bring a blanket\" 🧺"})
	if err != nil {
		t.Fatal(err)
	}
	approve(t, e, author, director, c1)
	out, err = e.svc.Publish(e.ctx, author, c1.ID)
	if err != nil || out[0].Status != civic.PublicationPublished || out[0].PlatformID != "1020_1" {
		t.Fatalf("publish the correction: %+v, %v", out, err)
	}
	if g.posts[0].Message != "Correction: Café in the park opens Sunday: \"bring a blanket\" 🧺" || g.posts[0].Updated == "" {
		t.Errorf("the edited post %+v", g.posts[0])
	}
	if pubs, err := e.store.Publications(e.ctx, civic.PublicationFilter{DraftID: c1.ID}); err != nil || len(pubs) != 1 || pubs[0].Kind != civic.PublishEdit {
		t.Fatalf("correction publication %+v, %v", pubs, err)
	}

	// 4. Where the city corrects by reply: a comment as the Page.
	if err := e.store.Update(e.ctx, civic.Actor{Label: "test"}, func(tx civic.Tx) error {
		return tx.SetSetting(e.ctx, publish.CorrectionModeSetting, "reply")
	}); err != nil {
		t.Fatal(err)
	}
	c2, err := e.svc.Correct(e.ctx, author, d2.ID, publish.CorrectionInput{Text: "The pool opens at 10."})
	if err != nil {
		t.Fatal(err)
	}
	approve(t, e, author, director, c2)
	out, err = e.svc.Publish(e.ctx, author, c2.ID)
	if err != nil || out[0].Status != civic.PublicationPublished || !strings.HasPrefix(out[0].PlatformID, "2_") {
		t.Fatalf("publish the correction reply: %+v, %v", out, err)
	}
	cs := g.comments["1020_2"]
	if len(cs) != 1 || cs[0].Message != "Correction: The pool opens at 10." || cs[0].From.ID != pageID || g.posts[1].Message != "The pool opens at 9." {
		t.Errorf("comments %+v, post %+v", cs, g.posts[1])
	}
	if pubs, err := e.store.Publications(e.ctx, civic.PublicationFilter{DraftID: c2.ID}); err != nil || len(pubs) != 1 || pubs[0].Kind != civic.PublishReply {
		t.Fatalf("reply publication %+v, %v", pubs, err)
	}
	if item, err := e.store.CapturedItem(e.ctx, conn.Ref(), out[0].PlatformID); err != nil || item.ParentID != "1020_2" {
		t.Errorf("archived reply %+v, %v", item, err)
	}

	// 5. An approved deletion deletes the post.
	del, err := e.svc.RequestDeletion(e.ctx, author, d1.ID, publish.DeletionInput{Reason: "The event was cancelled."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Review(e.ctx, director, del.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove}); err != nil {
		t.Fatal(err)
	}
	out, err = e.svc.Publish(e.ctx, author, del.ID)
	if err != nil || out[0].Status != civic.PublicationPublished || len(g.posts) != 1 || g.posts[0].ID != "1020_2" {
		t.Fatalf("delete: %+v, %v; posts %+v", out, err, g.posts)
	}
	if g.feeds != 2 {
		t.Errorf("%d feed posts, want 2", g.feeds)
	}
}
