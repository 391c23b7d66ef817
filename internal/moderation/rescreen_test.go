package moderation_test

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/moderation"
	"steward.city/steward/internal/storetest"
)

// model is a screener whose model can be replaced, as a new Steward
// release replaces the classifier.
type model struct {
	words moderation.Words
	id    string
}

func (m *model) Screen(comment, post string) civic.Screening { return m.words.Screen(comment, post) }
func (m *model) ModelID() string                             { return m.id }

// TestRescreen: after the model changes, the settings say the queue is
// stale, and screening the last 30 days again queues what the new model
// flags, replaces an entry whose codes changed, clears one it no longer
// flags (with the reason), leaves alone what a person decided and what is
// older than the window, needs moderation.configure, and a second run
// changes nothing.
func TestRescreen(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			m := &model{words: moderation.Words{"harassment": {"idiot"}, "spam": {"cheap"}}, id: "model-a"}
			e := newEnv(t, eng)
			e.svc = moderation.New(moderation.Config{Store: e.store, Screener: m, Carrier: e.carrier, Mailer: e.mail, Clock: e.clock.Now})
			at := e.clock.Now().Add(-24 * time.Hour)
			e.ingest("p1", "post", "@parks", "Road work this week", "visible", at.Add(-time.Hour))
			e.ingest("old", "comment", "@a@x.example", "cheap watches", "visible", at.AddDate(0, 0, -40))
			e.ingest("c1", "comment", "@b@x.example", "you idiot", "visible", at)
			e.ingest("c2", "comment", "@c@x.example", "cheap sunglasses here", "visible", at.Add(time.Minute))
			e.ingest("c3", "comment", "@d@x.example", "thanks for fixing the road", "visible", at.Add(2*time.Minute))
			e.ingest("c4", "comment", "@e@x.example", "what an idiot plan", "visible", at.Add(3*time.Minute))
			e.ingest("c6", "comment", "@f@x.example", "idiot selling cheap stuff", "visible", at.Add(4*time.Minute))
			e.screen(5) // old, c1, c2, c4, c6
			ana := civic.ActorOf(e.ana)
			if stale, err := e.svc.RescreenNeeded(e.ctx); err != nil || stale {
				t.Fatalf("right after screening, RescreenNeeded = %v, %v", stale, err)
			}
			queue := func() map[string]string {
				t.Helper()
				q, err := e.svc.Queue(e.ctx, ana, false)
				if err != nil {
					t.Fatal(err)
				}
				out := map[string]string{}
				for _, r := range q {
					out[r.PlatformID] = fmt.Sprint(r.Labels)
				}
				return out
			}
			q := queue()
			var c4 int64
			all, _ := e.svc.Queue(e.ctx, ana, false)
			for _, r := range all {
				if r.PlatformID == "c4" {
					c4 = r.ID
				}
			}
			if _, err := e.svc.Decide(e.ctx, ana, c4, moderation.DecideInput{Action: civic.DecisionKeep, Code: "harassment"}); err != nil {
				t.Fatal(err)
			}

			// A new model: "cheap" is no longer spam, "thanks" is (a bad
			// model, for the test), "idiot" is still harassment.
			m.words, m.id = moderation.Words{"harassment": {"idiot"}, "spam": {"thanks"}}, "model-b"
			if stale, err := e.svc.RescreenNeeded(e.ctx); err != nil || !stale {
				t.Fatalf("after the model changed, RescreenNeeded = %v, %v", stale, err)
			}
			if _, err := e.svc.Rescreen(e.ctx, civic.ActorOf(e.staff), time.Time{}, nil); civic.ErrorKind(err) != civic.KindForbidden {
				t.Fatalf("staff screening again: %v", err)
			}
			var steps []string
			res, err := e.svc.Rescreen(e.ctx, ana, time.Time{}, func(done, total int64, step string) {
				steps = append(steps, fmt.Sprintf("%d/%d %s", done, total, step))
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Screened != 4 || res.Queued != 1 || res.Changed != 1 || res.Cleared != 1 || res.Unchanged != 1 || res.Decided != 1 {
				t.Errorf("result %+v", res)
			}
			var what []string
			for _, c := range res.Changes {
				what = append(what, fmt.Sprintf("%s %v→%v", c.What, c.Before, c.After))
			}
			sort.Strings(what)
			if fmt.Sprint(what) != "[changed [harassment spam]→[harassment] cleared [spam]→[] queued []→[spam]]" {
				t.Errorf("changes %v", what)
			}
			if len(steps) == 0 || steps[len(steps)-1] != "5/5 screening the comments again" {
				t.Errorf("progress %v", steps)
			}
			got := queue()
			want := map[string]string{"old": "[spam]", "c1": "[harassment]", "c3": "[spam]", "c6": "[harassment]"}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("queue before %v, after %v; want %v", q, got, want)
			}
			closed, err := e.store.Reviews(e.ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			reasons := 0
			for _, r := range closed {
				if r.Status == civic.ReviewClosed && r.CloseReason != "" {
					reasons++
				}
			}
			if reasons != 2 {
				t.Errorf("%d entries closed with a reason, want 2 (c2 cleared, c6 replaced)", reasons)
			}
			if stale, err := e.svc.RescreenNeeded(e.ctx); err != nil || stale {
				t.Errorf("after screening again, RescreenNeeded = %v, %v", stale, err)
			}
			again, err := e.svc.Rescreen(e.ctx, ana, time.Time{}, nil)
			if err != nil || again.Queued+again.Changed+again.Cleared != 0 {
				t.Errorf("a second run: %+v, %v", again, err)
			}
		})
	}
}
