package publish_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/x"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/storetest"
)

// xAPI is the part of X's API v2 that publishing uses, answering as the
// documentation says: POST /2/tweets returns {"data": {"id", "text"}} with
// links as t.co addresses and & < > escaped, and refuses a text the
// account already posted (403, duplicate content); the user timeline
// lists the account's posts newest first with entities.urls; DELETE
// /2/tweets/:id answers {"data": {"deleted": true}}. X has no server to
// run in tests; the adapter's own tests check each call against recorded
// answers.
type xAPI struct {
	now   func() time.Time
	mu    sync.Mutex
	posts []map[string]any // oldest first
	next  int64
	// creates counts POST /2/tweets calls; lose makes the next one take
	// the post and answer 503, as when the answer is lost on the way back.
	creates int
	lose    bool
}

var linkRe = regexp.MustCompile(`https?://\S+`)

func (s *xAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	answer := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	if r.Header.Get("Authorization") != "Bearer access" {
		answer(401, map[string]any{"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})
		return
	}
	escape := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/2/tweets":
		s.creates++
		var in struct {
			Text  string
			Reply *struct {
				InReplyToTweetID string `json:"in_reply_to_tweet_id"`
			}
		}
		_ = json.NewDecoder(r.Body).Decode(&in)
		for _, p := range s.posts {
			if p["plain"] == in.Text {
				answer(403, map[string]any{"detail": "You are not allowed to create a Tweet with duplicate content.", "type": "about:blank", "title": "Forbidden", "status": 403})
				return
			}
		}
		s.next++
		id := strconv.FormatInt(1897000000000000000+s.next, 10)
		var urls []map[string]any
		text := linkRe.ReplaceAllStringFunc(in.Text, func(u string) string {
			tco := fmt.Sprintf("https://t.co/%s%d", id[len(id)-4:], len(urls))
			urls = append(urls, map[string]any{"url": tco, "expanded_url": u, "display_url": strings.TrimPrefix(u, "https://")})
			return tco
		})
		p := map[string]any{"id": id, "text": escape.Replace(text), "created_at": s.now().UTC().Format("2006-01-02T15:04:05.000Z"),
			"author_id": "4400", "edit_history_tweet_ids": []string{id}, "entities": map[string]any{"urls": urls}, "plain": in.Text}
		if in.Reply != nil {
			p["referenced_tweets"] = []map[string]string{{"type": "replied_to", "id": in.Reply.InReplyToTweetID}}
		}
		s.posts = append(s.posts, p)
		if s.lose {
			s.lose = false
			answer(503, map[string]any{"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank", "status": 503})
			return
		}
		answer(201, map[string]any{"data": map[string]string{"id": id, "text": p["text"].(string)}})
	case r.Method == http.MethodGet && r.URL.Path == "/2/users/4400/tweets":
		data := []map[string]any{}
		for i := len(s.posts) - 1; i >= 0; i-- {
			out := map[string]any{}
			for k, v := range s.posts[i] {
				if k != "plain" {
					out[k] = v
				}
			}
			data = append(data, out)
		}
		answer(200, map[string]any{"data": data, "meta": map[string]any{"result_count": len(data)}})
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/2/tweets/"):
		id := strings.TrimPrefix(r.URL.Path, "/2/tweets/")
		for i, p := range s.posts {
			if p["id"] == id {
				s.posts = append(s.posts[:i], s.posts[i+1:]...)
				answer(200, map[string]any{"data": map[string]bool{"deleted": true}})
				return
			}
		}
		answer(200, map[string]any{"data": map[string]bool{"deleted": false}})
	default:
		answer(404, map[string]any{"title": "Not Found Error", "type": "about:blank", "status": 404, "detail": "no such route " + r.URL.Path})
	}
}

// post returns the post with id, or nil.
func (s *xAPI) post(id string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.posts {
		if p["id"] == id {
			return p
		}
	}
	return nil
}

// TestXPublish publishes through the X adapter: a post goes out once; a
// post whose answer was lost is found among the account's newest posts
// by its plain text (X answers with t.co links and escapes) and is not
// posted again; a correction (X has no edit a correction can use) is a
// reply to the post, archived as a reply linked to it; an approved
// deletion deletes the post.
func TestXPublish(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	api := &xAPI{now: clock.Now}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	e := newEnv(t, storetest.OpenSQLite(t, clock.Now), clock, map[string]civic.Platform{x.Name: x.New(platform.Config{Now: clock.Now})}, "springfieldcity")
	addAccount(t, e, x.Name, "springfieldparks")
	conn := &civic.Connection{AccountID: e.acct.ID, Platform: x.Name, BaseURL: srv.URL, RemoteID: "4400", Handle: "springfieldparks", Interval: 10 * time.Minute}
	if err := e.conns.Connect(e.ctx, e.as(e.it), conn, civic.PlatformToken{AccessToken: "access", RefreshToken: "refresh"}); err != nil {
		t.Fatal(err)
	}
	author, director := e.as(e.author), e.as(e.director)
	approved := func(in publish.DraftInput) *civic.Draft {
		t.Helper()
		in.AccountIDs, in.Category = []int64{e.acct.ID}, "announcement"
		d, err := e.svc.CreateDraft(e.ctx, author, in)
		if err != nil {
			t.Fatal(err)
		}
		approve(t, e, author, director, d)
		return d
	}

	d := approved(publish.DraftInput{Text: "Pool hours change Monday: 6–9 a.m. & 5–8 p.m. https://www.city.example/pool"})
	out, err := e.svc.Publish(e.ctx, author, d.ID)
	if err != nil || len(out) != 1 || out[0].Status != civic.PublicationPublished || out[0].URL != "https://x.com/springfieldparks/status/"+out[0].PlatformID {
		t.Fatalf("publish: %+v, %v", out, err)
	}
	id := out[0].PlatformID
	if api.creates != 1 || api.post(id) == nil {
		t.Fatalf("%d POST /2/tweets calls, post %s on X: %v", api.creates, id, api.post(id) != nil)
	}
	// Asked again, nothing is posted again.
	if _, err := e.svc.Publish(e.ctx, director, d.ID); err != nil || api.creates != 1 {
		t.Fatalf("second publish: %v, %d calls", err, api.creates)
	}

	// X took the post but its answer was lost: the publication failed.
	// Asked again, the post is found among the account's newest posts
	// (its t.co link and &amp; read back as written) and not sent again.
	d2 := approved(publish.DraftInput{Text: "Splash pad & <wading pool> open Saturday: https://www.city.example/splash?x=1&y=2"})
	api.lose = true
	out, err = e.svc.Publish(e.ctx, author, d2.ID)
	if err == nil || out[0].Status != civic.PublicationFailed || api.creates != 2 {
		t.Fatalf("publish with a lost answer: %+v, %v; %d calls", out, err, api.creates)
	}
	clock.Advance(time.Minute)
	out, err = e.svc.Publish(e.ctx, author, d2.ID)
	if err != nil || out[0].Status != civic.PublicationPublished || api.creates != 2 {
		t.Fatalf("publish again: %+v, %v; %d calls (want 2)", out, err, api.creates)
	}
	if p := api.post(out[0].PlatformID); p == nil || !strings.Contains(p["text"].(string), "https://t.co/") {
		t.Errorf("reconciled with %s, which X does not hold as the t.co post", out[0].PlatformID)
	}

	c, err := e.svc.Correct(e.ctx, author, d.ID, publish.CorrectionInput{Text: "Pool hours change Monday: 6–9 a.m. & 4–8 p.m. https://www.city.example/pool"})
	if err != nil {
		t.Fatal(err)
	}
	approve(t, e, author, director, c)
	out, err = e.svc.Publish(e.ctx, author, c.ID)
	if err != nil || out[0].Status != civic.PublicationPublished || out[0].PlatformID == id {
		t.Fatalf("publish the correction: %+v, %v", out, err)
	}
	reply := api.post(out[0].PlatformID)
	if reply == nil || !strings.HasPrefix(reply["plain"].(string), "Correction: ") || fmt.Sprint(reply["referenced_tweets"]) != "[map[id:"+id+" type:replied_to]]" {
		t.Errorf("the correction on X: %v", reply)
	}
	pubs, err := e.store.Publications(e.ctx, civic.PublicationFilter{DraftID: c.ID})
	if err != nil || len(pubs) != 1 || pubs[0].Kind != civic.PublishReply {
		t.Fatalf("correction publication %+v, %v", pubs, err)
	}
	item, err := e.store.CapturedItem(e.ctx, conn.Ref(), out[0].PlatformID)
	if err != nil || item.ParentID != id {
		t.Errorf("archived correction %+v, %v", item, err)
	}

	del, err := e.svc.RequestDeletion(e.ctx, author, d.ID, publish.DeletionInput{Reason: "The pool is closed for repairs."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Review(e.ctx, director, del.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove}); err != nil {
		t.Fatal(err)
	}
	out, err = e.svc.Publish(e.ctx, author, del.ID)
	if err != nil || out[0].Status != civic.PublicationPublished || api.post(id) != nil {
		t.Fatalf("delete: %+v, %v; post still there: %v", out, err, api.post(id) != nil)
	}
}
