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
	"steward.city/steward/internal/platform/threads"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/storetest"
)

// threadsAPI is the part of the Threads API that publishing uses,
// answering as it documents: a TEXT container, threads_publish of it
// (a container is published once: its status becomes PUBLISHED), the
// container's status, a media object, the user's threads and replies
// newest first, and delete. Threads has no local server to run in tests;
// the adapter's own tests check each call against recorded answers.
type threadsAPI struct {
	mu         sync.Mutex
	now        func() time.Time
	n          int
	containers map[string]*threadsMedia
	media      []*threadsMedia // oldest first
	publishes  int
	// lose makes the next threads_publish publish and then answer 502.
	lose bool
}

type threadsMedia struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	Timestamp string `json:"timestamp,omitempty"`
	Permalink string `json:"permalink,omitempty"`
	MediaType string `json:"media_type,omitempty"`
	Status    string `json:"status,omitempty"`
	ReplyTo   string `json:"-"`
}

const threadsUser = "2400"

func (s *threadsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	answer := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	thErr := func(code, sub int, msg string) {
		answer(400, map[string]any{"error": map[string]any{"message": msg, "type": "THApiException", "code": code, "error_subcode": sub, "fbtrace_id": "T"}})
	}
	if r.Header.Get("Authorization") != "Bearer th-token" {
		thErr(190, 0, "Invalid OAuth access token.")
		return
	}
	_ = r.ParseForm()
	find := func(id string) int {
		for i, m := range s.media {
			if m.ID == id {
				return i
			}
		}
		return -1
	}
	list := func(replies bool) {
		data := []any{}
		for i := len(s.media) - 1; i >= 0; i-- {
			if m := s.media[i]; (m.ReplyTo != "") == replies {
				data = append(data, m)
			}
		}
		answer(200, map[string]any{"data": data})
	}
	switch p := strings.TrimPrefix(r.URL.Path, "/v1.0/"); {
	case p == threadsUser+"/threads" && r.Method == http.MethodPost:
		if r.PostForm.Get("media_type") != "TEXT" {
			thErr(100, 0, "Param media_type is required")
			return
		}
		s.n++
		c := &threadsMedia{ID: fmt.Sprintf("1788%d", s.n), Text: r.PostForm.Get("text"), ReplyTo: r.PostForm.Get("reply_to_id"), Status: "FINISHED"}
		s.containers[c.ID] = c
		answer(200, map[string]string{"id": c.ID})
	case p == threadsUser+"/threads_publish" && r.Method == http.MethodPost:
		s.publishes++
		c := s.containers[r.PostForm.Get("creation_id")]
		if c == nil || c.Status != "FINISHED" {
			thErr(100, 0, "The media container cannot be published")
			return
		}
		c.Status = "PUBLISHED"
		s.n++
		m := &threadsMedia{ID: fmt.Sprintf("1805%d", s.n), Text: c.Text, ReplyTo: c.ReplyTo, MediaType: "TEXT_POST",
			Timestamp: s.now().UTC().Format("2006-01-02T15:04:05-0700"), Permalink: fmt.Sprintf("https://www.threads.net/@springfieldcity/post/C%d", s.n)}
		s.media = append(s.media, m)
		if s.lose {
			s.lose = false
			answer(502, map[string]string{"error": "upstream"})
			return
		}
		answer(200, map[string]string{"id": m.ID})
	case p == threadsUser+"/threads" && r.Method == http.MethodGet:
		list(false)
	case p == threadsUser+"/replies" && r.Method == http.MethodGet:
		list(true)
	case s.containers[p] != nil && r.Method == http.MethodGet:
		answer(200, map[string]string{"id": p, "status": s.containers[p].Status})
	case find(p) >= 0 && r.Method == http.MethodGet:
		answer(200, s.media[find(p)])
	case find(p) >= 0 && r.Method == http.MethodDelete:
		s.media = append(s.media[:find(p)], s.media[find(p)+1:]...)
		answer(200, map[string]any{"success": true, "deleted_id": p})
	default:
		thErr(100, 33, "Object with ID '"+p+"' does not exist")
	}
}

// TestThreadsPublish publishes through the Threads adapter: a post in two
// steps, once, also when threads_publish's answer is lost (the container
// is PUBLISHED, and its post is found instead of published again); a
// correction (Threads cannot edit) is a reply to the post; an approved
// deletion deletes it.
func TestThreadsPublish(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	api := &threadsAPI{now: clock.Now, containers: map[string]*threadsMedia{}}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	e := newEnv(t, storetest.OpenSQLite(t, clock.Now), clock, map[string]civic.Platform{"threads": threads.New(platform.Config{Now: clock.Now})}, "springfieldcity")
	addAccount(t, e, "threads", "springfieldcity")
	conn := &civic.Connection{AccountID: e.acct.ID, Platform: "threads", BaseURL: srv.URL + "/v1.0", RemoteID: threadsUser, Handle: "springfieldcity", Interval: 10 * time.Minute}
	if err := e.conns.Connect(e.ctx, e.as(e.it), conn, civic.PlatformToken{AccessToken: "th-token"}); err != nil {
		t.Fatal(err)
	}
	author, director := e.as(e.author), e.as(e.director)

	d1, out, err := publishText(t, e, "Leaf pickup starts Monday 🍂 — «recogida de hojas» el lunes.")
	if err != nil || out[0].Status != civic.PublicationPublished || out[0].PlatformID != api.media[0].ID || out[0].URL != api.media[0].Permalink {
		t.Fatalf("publish: %+v, %v", out, err)
	}
	id1 := out[0].PlatformID
	if _, err := e.svc.Publish(e.ctx, director, d1.ID); err != nil || api.publishes != 1 || len(api.containers) != 1 {
		t.Fatalf("second publish: %v, %d publishes, %d containers", err, api.publishes, len(api.containers))
	}

	// threads_publish took the container, its answer was lost: the
	// adapter sees the container PUBLISHED and finds the post.
	api.lose = true
	_, out, err = publishText(t, e, "The pool opens at 9.")
	if err != nil || out[0].Status != civic.PublicationPublished || len(api.media) != 2 || out[0].PlatformID != api.media[1].ID || api.publishes != 2 {
		t.Fatalf("publish with a lost answer: %+v, %v; %d media, %d publishes", out, err, len(api.media), api.publishes)
	}

	c, err := e.svc.Correct(e.ctx, author, d1.ID, publish.CorrectionInput{Text: "Leaf pickup starts Tuesday 🍂."})
	if err != nil {
		t.Fatal(err)
	}
	approve(t, e, author, director, c)
	out, err = e.svc.Publish(e.ctx, author, c.ID)
	if err != nil || out[0].Status != civic.PublicationPublished || len(api.media) != 3 {
		t.Fatalf("publish the correction: %+v, %v", out, err)
	}
	if r := api.media[2]; r.ReplyTo != id1 || r.Text != "Correction: Leaf pickup starts Tuesday 🍂." || out[0].PlatformID != r.ID {
		t.Errorf("the correction %+v", r)
	}
	if pubs, err := e.store.Publications(e.ctx, civic.PublicationFilter{DraftID: c.ID}); err != nil || len(pubs) != 1 || pubs[0].Kind != civic.PublishReply {
		t.Fatalf("correction publication %+v, %v", pubs, err)
	}

	del, err := e.svc.RequestDeletion(e.ctx, author, d1.ID, publish.DeletionInput{Reason: "The schedule changed."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Review(e.ctx, director, del.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove}); err != nil {
		t.Fatal(err)
	}
	out, err = e.svc.Publish(e.ctx, author, del.ID)
	if err != nil || out[0].Status != civic.PublicationPublished || len(api.media) != 2 || api.media[0].ID == id1 {
		t.Fatalf("delete: %+v, %v; media %+v", out, err, api.media)
	}
}
