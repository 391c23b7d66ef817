package capture_test

import (
	"context"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// thread is a platform with one post of account 1 and the comments in
// shown, as one complete thread. It reads no blocks and looks nothing up.
type thread struct {
	pusher
	at    time.Time
	shown []string
}

func (p *thread) Capabilities() civic.Capabilities {
	return civic.Capabilities{civic.CapListPosts, civic.CapListComments}
}

func (p *thread) Poll(context.Context, *civic.Endpoint, string) (*civic.Page, error) {
	th := civic.Thread{Complete: true, Root: civic.Observation{PlatformID: "p1", Kind: civic.ItemPost, ThreadID: "p1",
		Author: civic.Author{ID: "1", Handle: "@parks"}, Text: "Pool opens", State: civic.StateVisible, PlatformTime: &p.at, ViaApp: "Steward"}}
	for _, id := range p.shown {
		th.Items = append(th.Items, civic.Observation{PlatformID: id, Kind: civic.ItemComment, ParentID: "p1", ThreadID: "p1",
			Author: civic.Author{ID: "7", Handle: "@ann@elsewhere.example"}, Text: "comment " + id, State: civic.StateVisible, PlatformTime: &p.at})
	}
	return &civic.Page{Threads: []civic.Thread{th}}, nil
}

// lookingUp also looks items up: those in found are there, others are not
// found.
type lookingUp struct {
	*thread
	found map[string]bool
}

func (p lookingUp) Lookup(_ context.Context, _ *civic.Endpoint, id string) (*civic.Observation, error) {
	if p.found[id] {
		return &civic.Observation{PlatformID: id}, nil
	}
	return nil, &civic.PlatformError{Platform: "mastodon", Kind: civic.PlatformNotFound, Message: "not found"}
}

// TestMissingComments: a comment gone from a complete thread is recorded
// deleted only when the platform, asked directly, does not find it; an
// adapter that cannot ask records it unseen; one still found records
// nothing.
func TestMissingComments(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	base := &thread{at: clock.Now().Add(-time.Hour), shown: []string{"c1", "c2"}}
	for _, c := range []struct {
		name  string
		p     civic.Platform
		state civic.ItemState // of c1's last version after it went; "" none
		dels  int
	}{
		{"no lookup", base, civic.StateUnseen, 0},
		{"not found", lookingUp{base, nil}, civic.StateDeleted, 1},
		{"still found", lookingUp{base, map[string]bool{"c1": true}}, "", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			base.shown = []string{"c1", "c2"}
			e := newEnv(t, storetest.OpenSQLite(t, clock.Now), clock, map[string]civic.Platform{"mastodon": c.p}, "@parks")
			conn := e.connect("https://social.example", "1", civic.PlatformToken{AccessToken: "a"})
			if res, err := e.svc.Pass(e.ctx, conn.ID); err != nil || res.Run.Stored != 3 {
				t.Fatalf("first pass %+v, %v", res, err)
			}
			base.shown = []string{"c2"}
			clock.Advance(time.Minute)
			res, err := e.svc.Pass(e.ctx, conn.ID)
			if err != nil || res.Run.Deletions != c.dels {
				t.Fatalf("second pass %+v, %v, want %d deletions", res, err, c.dels)
			}
			vs := e.versions(conn.Ref(), "c1")
			switch {
			case c.state == "" && len(vs) != 1:
				t.Errorf("c1 still found on the platform got a version: %s", describe(vs))
			case c.state != "" && (len(vs) != 2 || vs[1].State != c.state || vs[1].Text != "comment c1" || vs[1].PlatformTime != nil):
				t.Errorf("c1: %s, want a last version %s", describe(vs), c.state)
			}
			if vs := e.versions(conn.Ref(), "c2"); len(vs) != 1 {
				t.Errorf("c2: %s", describe(vs))
			}
		})
	}
}
