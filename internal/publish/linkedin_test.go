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
	"steward.city/steward/internal/platform/linkedin"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/storetest"
)

const liOrg = "urn:li:organization:5515715"

// liAPI is the part of LinkedIn's Posts and Comments APIs that publishing
// uses, answering as the documentation says: POST /rest/posts answers 201
// with the URN in x-restli-id and refuses commentary whose reserved
// characters are not escaped; a PARTIAL_UPDATE sets the commentary (204);
// GET and DELETE /rest/posts/{urn}; the organization's posts newest first;
// comments on a post, created as the organization. Each call must carry
// the version headers. LinkedIn has no server to run in tests; the
// adapter's own tests check each call against recorded answers.
type liAPI struct {
	now      func() time.Time
	mu       sync.Mutex
	posts    []map[string]any // oldest first
	comments map[string][]map[string]any
	next     int
	calls    map[string]int // by method and kind: "create", "edit", "comment", "delete"
	// lose is the kind of call whose next one is carried out and then
	// answered 504, as when the answer is lost on the way back.
	lose string
}

func (s *liAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	answer := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		if v != nil {
			_ = json.NewEncoder(w).Encode(v)
		}
	}
	if r.Header.Get("Authorization") != "Bearer access" {
		answer(401, map[string]any{"serviceErrorCode": 65600, "message": "Invalid access token", "status": 401})
		return
	}
	if r.Header.Get("LinkedIn-Version") == "" || r.Header.Get("X-Restli-Protocol-Version") != "2.0.0" {
		answer(400, map[string]any{"message": "missing version headers", "status": 400})
		return
	}
	lost := func(kind string) bool {
		s.calls[kind]++
		if s.lose == kind {
			s.lose = ""
			answer(504, map[string]any{"message": "Gateway Timeout", "status": 504})
			return true
		}
		return false
	}
	ms := s.now().UnixMilli()
	urn, isPost := strings.CutPrefix(r.URL.Path, "/rest/posts/")
	target, underSocial := strings.CutPrefix(r.URL.Path, "/rest/socialActions/")
	target, isComments := strings.CutSuffix(target, "/comments")
	isComments = isComments && underSocial
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/rest/posts":
		var in map[string]any
		_ = json.NewDecoder(r.Body).Decode(&in)
		c, _ := in["commentary"].(string)
		if in["author"] != liOrg || !escaped(c) {
			answer(422, map[string]any{"message": "ERROR :: /commentary :: not valid little text, or not the organization", "status": 422})
			return
		}
		s.next++
		id := fmt.Sprintf("urn:li:share:73000000000000%05d", s.next)
		in["id"], in["createdAt"], in["publishedAt"], in["lastModifiedAt"] = id, ms, ms, ms
		s.posts = append(s.posts, in)
		if lost("create") {
			return
		}
		w.Header().Set("x-restli-id", id)
		answer(201, nil)
	case r.Method == http.MethodGet && r.URL.Path == "/rest/posts":
		els := []any{}
		for i := len(s.posts) - 1; i >= 0; i-- {
			els = append(els, s.posts[i])
		}
		answer(200, map[string]any{"paging": map[string]any{"start": 0, "count": 40, "links": []any{}}, "elements": els})
	case isPost:
		i := s.index(urn)
		if i < 0 {
			answer(404, map[string]any{"status": 404, "serviceErrorCode": 100, "code": "NOT_FOUND", "message": "Not Found: " + urn})
			return
		}
		switch {
		case r.Method == http.MethodGet:
			answer(200, s.posts[i])
		case r.Method == http.MethodPost && r.Header.Get("X-RestLi-Method") == "PARTIAL_UPDATE":
			var in struct {
				Patch struct {
					Set map[string]string `json:"$set"`
				} `json:"patch"`
			}
			_ = json.NewDecoder(r.Body).Decode(&in)
			if !escaped(in.Patch.Set["commentary"]) {
				answer(422, map[string]any{"message": "ERROR :: /commentary :: not valid little text", "status": 422})
				return
			}
			s.posts[i]["commentary"], s.posts[i]["lastModifiedAt"] = in.Patch.Set["commentary"], ms
			if !lost("edit") {
				answer(204, nil)
			}
		case r.Method == http.MethodDelete:
			s.posts = append(s.posts[:i], s.posts[i+1:]...)
			if !lost("delete") {
				answer(204, nil)
			}
		default:
			answer(405, map[string]any{"message": "method not allowed", "status": 405})
		}
	case isComments && r.Method == http.MethodGet:
		els := []any{}
		for _, c := range s.comments[target] {
			els = append(els, c)
		}
		answer(200, map[string]any{"paging": map[string]any{"start": 0, "count": 100, "links": []any{}}, "elements": els})
	case isComments && r.Method == http.MethodPost:
		var in map[string]any
		_ = json.NewDecoder(r.Body).Decode(&in)
		if s.index(target) < 0 || in["object"] != target {
			answer(404, map[string]any{"status": 404, "message": "Not Found: " + target})
			return
		}
		s.next++
		id := fmt.Sprintf("73000000000001%05d", s.next)
		activity := strings.Replace(target, "urn:li:share:", "urn:li:activity:", 1)
		c := map[string]any{"actor": in["actor"], "commentUrn": "urn:li:comment:(" + activity + "," + id + ")", "id": id,
			"created": map[string]any{"time": ms}, "lastModified": map[string]any{"time": ms}, "message": in["message"], "object": activity}
		s.comments[target] = append(s.comments[target], c)
		if !lost("comment") {
			answer(201, c)
		}
	default:
		answer(404, map[string]any{"status": 404, "message": "no route " + r.URL.Path})
	}
}

func (s *liAPI) index(urn string) int {
	for i, p := range s.posts {
		if p["id"] == urn {
			return i
		}
	}
	return -1
}

func (s *liAPI) post(urn string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.index(urn); i >= 0 {
		return s.posts[i]
	}
	return nil
}

// escaped reports whether every character little text reserves is
// escaped in c ('#' starts a hashtag and may stand alone).
func escaped(c string) bool {
	rs := []rune(c)
	for i := 0; i < len(rs); i++ {
		switch {
		case rs[i] == '\\':
			i++
		case strings.ContainsRune(`|{}@[]()<>*_~`, rs[i]):
			return false
		}
	}
	return true
}

// TestLinkedInPublish publishes through the LinkedIn adapter: a post goes
// out once with its little text escaped; a post whose answer was lost is
// found among the page's newest posts by its plain text; a correction is
// an edit of the commentary, found done by a lookup when its answer was
// lost; with corrections by reply, a comment of the page, found among the
// post's comments when its answer was lost; an approved deletion deletes
// the post. Nothing is ever sent twice.
func TestLinkedInPublish(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	api := &liAPI{now: clock.Now, comments: map[string][]map[string]any{}, calls: map[string]int{}}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	e := newEnv(t, storetest.OpenSQLite(t, clock.Now), clock, map[string]civic.Platform{linkedin.Name: linkedin.New(platform.Config{Now: clock.Now})}, "springfield-city")
	addAccount(t, e, linkedin.Name, "springfield-parks")
	conn := &civic.Connection{AccountID: e.acct.ID, Platform: linkedin.Name, BaseURL: srv.URL, RemoteID: "5515715", Handle: "springfield-parks", Interval: 10 * time.Minute}
	if err := e.conns.Connect(e.ctx, e.as(e.it), conn, civic.PlatformToken{AccessToken: "access"}); err != nil {
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
	correct := func(d *civic.Draft, text string) *civic.Draft {
		t.Helper()
		c, err := e.svc.Correct(e.ctx, author, d.ID, publish.CorrectionInput{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		approve(t, e, author, director, c)
		return c
	}
	// publishLost publishes d while the platform loses its answer to one
	// call of kind: the first try fails, the next finds what it did.
	publishLost := func(d *civic.Draft, kind string) []publish.Outcome {
		t.Helper()
		api.lose = kind
		out, err := e.svc.Publish(e.ctx, author, d.ID)
		if err == nil || out[0].Status != civic.PublicationFailed {
			t.Fatalf("publish with a lost %s answer: %+v, %v", kind, out, err)
		}
		clock.Advance(time.Minute)
		out, err = e.svc.Publish(e.ctx, author, d.ID)
		if err != nil || out[0].Status != civic.PublicationPublished {
			t.Fatalf("publish again after a lost %s answer: %+v, %v", kind, out, err)
		}
		return out
	}

	d := approved(publish.DraftInput{Text: "Pool hours (summer): 6–9 a.m. & 5–8 p.m. <see the map> at https://www.city.example/pool_hours"})
	out, err := e.svc.Publish(e.ctx, author, d.ID)
	if err != nil || len(out) != 1 || out[0].Status != civic.PublicationPublished || !strings.HasPrefix(out[0].PlatformID, "urn:li:share:") {
		t.Fatalf("publish: %+v, %v", out, err)
	}
	id := out[0].PlatformID
	if c := api.post(id)["commentary"]; c != `Pool hours \(summer\): 6–9 a.m. & 5–8 p.m. \<see the map\> at https://www.city.example/pool\_hours` {
		t.Errorf("commentary %q", c)
	}
	if _, err := e.svc.Publish(e.ctx, director, d.ID); err != nil || api.calls["create"] != 1 {
		t.Fatalf("second publish: %v, %d creates", err, api.calls["create"])
	}

	// A post whose answer was lost: found by its plain text.
	d2 := approved(publish.DraftInput{Text: "Splash pad [north side] opens Saturday @ 10 {weather permitting} #SpringfieldParks"})
	out = publishLost(d2, "create")
	if api.calls["create"] != 2 || len(api.posts) != 2 || out[0].PlatformID != api.posts[1]["id"] {
		t.Fatalf("reconciled %+v; %d creates, %d posts", out, api.calls["create"], len(api.posts))
	}

	// A correction is an edit; its lost answer is checked with a lookup.
	c := correct(d, "Pool hours (summer): 6–9 a.m. & 4–8 p.m. <see the map> at https://www.city.example/pool_hours")
	out = publishLost(c, "edit")
	if api.calls["edit"] != 1 || out[0].PlatformID != id || !strings.Contains(api.post(id)["commentary"].(string), `Correction: Pool hours \(summer\): 6–9 a.m. & 4–8 p.m.`) {
		t.Fatalf("edit: %+v; %d edits; commentary %q", out, api.calls["edit"], api.post(id)["commentary"])
	}
	if pubs, err := e.store.Publications(e.ctx, civic.PublicationFilter{DraftID: c.ID}); err != nil || len(pubs) != 1 || pubs[0].Kind != civic.PublishEdit {
		t.Fatalf("edit publication %+v, %v", pubs, err)
	}

	// Corrections by reply: a comment of the page, not posted twice.
	if err := e.store.Update(e.ctx, civic.Actor{Label: "test"}, func(tx civic.Tx) error {
		return tx.SetSetting(e.ctx, publish.CorrectionModeSetting, "reply")
	}); err != nil {
		t.Fatal(err)
	}
	id2 := api.posts[1]["id"].(string)
	c2 := correct(d2, "Splash pad [north side] opens Sunday @ 10 {weather permitting} #SpringfieldParks")
	out = publishLost(c2, "comment")
	cs := api.comments[id2]
	if api.calls["comment"] != 1 || len(cs) != 1 || out[0].PlatformID != cs[0]["commentUrn"] || cs[0]["actor"] != liOrg {
		t.Fatalf("comment: %+v; %d comment calls, comments %v", out, api.calls["comment"], cs)
	}
	if m := cs[0]["message"].(map[string]any)["text"]; m != "Correction: Splash pad [north side] opens Sunday @ 10 {weather permitting} #SpringfieldParks" {
		t.Errorf("comment text %q (a comment is plain text)", m)
	}
	pubs, err := e.store.Publications(e.ctx, civic.PublicationFilter{DraftID: c2.ID})
	if err != nil || len(pubs) != 1 || pubs[0].Kind != civic.PublishReply {
		t.Fatalf("reply publication %+v, %v", pubs, err)
	}
	if item, err := e.store.CapturedItem(e.ctx, conn.Ref(), out[0].PlatformID); err != nil || item.ParentID != id2 {
		t.Errorf("archived reply %+v, %v", item, err)
	}

	del, err := e.svc.RequestDeletion(e.ctx, author, d.ID, publish.DeletionInput{Reason: "The pool is closed for repairs."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Review(e.ctx, director, del.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove}); err != nil {
		t.Fatal(err)
	}
	out, err = e.svc.Publish(e.ctx, author, del.ID)
	if err != nil || out[0].Status != civic.PublicationPublished || api.post(id) != nil || api.calls["delete"] != 1 {
		t.Fatalf("delete: %+v, %v; post still there: %v", out, err, api.post(id) != nil)
	}
}
