package moderation_test

import (
	"maps"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/moderation"
	"steward.city/steward/internal/storetest"
)

// tunable is a TunableScreener: "cheap" scores spam 0.5, "idiot" scores
// harassment 0.3, and a code is a label at or over its threshold (0.4
// unless tuned). "hola" makes a comment Spanish.
type tunable struct{ th map[string]float64 }

func newTunable() *tunable {
	t := &tunable{th: map[string]float64{}}
	for _, c := range moderation.DefaultCodes {
		t.th[c.Code] = 0.4
	}
	return t
}

func (t *tunable) Screen(comment, post string) civic.Screening {
	s := civic.Screening{Scores: map[string]float64{}}
	lc := strings.ToLower(comment)
	if strings.Contains(lc, "cheap") {
		s.Scores["spam"] = 0.5
	}
	if strings.Contains(lc, "idiot") {
		s.Scores["harassment"] = 0.3
	}
	for _, c := range moderation.DefaultCodes {
		if v := s.Scores[c.Code]; v > 0 && v >= t.th[c.Code] {
			s.Labels = append(s.Labels, c.Code)
		}
	}
	return s
}

func (t *tunable) Thresholds() map[string]float64 { return maps.Clone(t.th) }

func (t *tunable) Curve(code string) ([]civic.CurvePoint, int) {
	var out []civic.CurvePoint
	for k := 1; k <= 19; k++ {
		th := float64(k) / 20
		out = append(out, civic.CurvePoint{Threshold: th, Precision: th, Recall: 1 - th})
	}
	return out, 42
}

func (t *tunable) Tuned(th map[string]float64) (civic.Screener, error) {
	c := newTunable()
	for k, v := range th {
		if _, ok := c.th[k]; !ok || v < 0 || v > 1 {
			return nil, civic.Invalid("thresholds", "bad %s", k)
		}
		c.th[k] = v
	}
	return c, nil
}

func (t *tunable) Language(text string) string {
	if strings.Contains(strings.ToLower(text), "hola") {
		return "es"
	}
	return "en"
}

func TestThresholdsAndQueueFilter(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			e := newEnv(t, eng)
			e.svc = moderation.New(moderation.Config{Store: e.store, Screener: newTunable(), Clock: e.clock.Now})
			testThresholds(t, e)
		})
	}
}

func testThresholds(t *testing.T, e *env) {
	// The city's thresholds, with the precision and recall measured at them.
	if _, err := e.svc.Thresholds(e.ctx, civic.ActorOf(e.staff)); civic.ErrorKind(err) != civic.KindForbidden {
		t.Fatalf("staff read thresholds: %v", err)
	}
	th, err := e.svc.Thresholds(e.ctx, civic.ActorOf(e.ana))
	if err != nil || len(th) != len(moderation.DefaultCodes) {
		t.Fatalf("Thresholds = %d, %v", len(th), err)
	}
	if th[0].Threshold != 0.4 || th[0].City || th[0].Support != 42 || th[0].Precision != 0.4 || th[0].Recall != 0.6 {
		t.Fatalf("first threshold %+v", th[0])
	}
	tests := []struct {
		name        string
		actor       *civic.User
		code, value string
		kind        civic.Kind
		field       string
	}{
		{"staff may not", e.staff, "harassment", "0.25", civic.KindForbidden, ""},
		{"unknown code", e.ana, "rudeness", "0.25", civic.KindInvalid, "code"},
		{"not a number", e.ana, "harassment", "low", civic.KindInvalid, "threshold"},
		{"too low", e.ana, "harassment", "0.01", civic.KindInvalid, "threshold"},
		{"too high", e.ana, "harassment", "0.99", civic.KindInvalid, "threshold"},
	}
	for _, tt := range tests {
		err := e.svc.SetThreshold(e.ctx, civic.ActorOf(tt.actor), tt.code, tt.value)
		if civic.ErrorKind(err) != tt.kind || (tt.field != "" && civic.ErrorField(err) != tt.field) {
			t.Errorf("%s: err %v", tt.name, err)
		}
	}

	at := time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC)
	e.ingest("p1", "post", "@parks", "Splash pad opens Saturday.", "visible", at)
	e.ingest("c1", "comment", "@a@x.example", "cheap sunglasses", "visible", at.Add(time.Minute))
	e.ingest("c2", "comment", "@b@x.example", "you idiot", "visible", at.Add(2*time.Minute))
	e.screen(1) // spam 0.5 reaches 0.4; harassment 0.3 does not

	// The city lowers harassment's threshold: the next comment is queued.
	if err := e.svc.SetThreshold(e.ctx, civic.ActorOf(e.ana), "harassment", "0.25"); err != nil {
		t.Fatal(err)
	}
	th, _ = e.svc.Thresholds(e.ctx, civic.ActorOf(e.ana))
	for _, c := range th {
		if c.Code == "harassment" && (c.Threshold != 0.25 || !c.City || c.Default != 0.4 || c.Precision != 0.25) {
			t.Fatalf("harassment %+v", c)
		}
	}
	e.ingest("c3", "comment", "@c@x.example", "hola, another idiot", "visible", at.Add(3*time.Minute))
	e.ingest("c4", "comment", "@d@x.example", "cheap watches, idiot", "visible", at.Add(4*time.Minute))
	e.screen(2)
	// Back to the classifier's own.
	if err := e.svc.SetThreshold(e.ctx, civic.ActorOf(e.ana), "harassment", ""); err != nil {
		t.Fatal(err)
	}
	if th, _ = e.svc.Thresholds(e.ctx, civic.ActorOf(e.ana)); th[3].City || th[3].Threshold != 0.4 {
		t.Fatalf("after reset %+v", th[3])
	}

	texts := func(p *moderation.QueuePage) string {
		var out []string
		for _, r := range p.Entries {
			out = append(out, r.Text)
		}
		return strings.Join(out, "|")
	}
	e.clock.Advance(time.Hour)
	queue := []struct {
		name  string
		f     moderation.QueueFilter
		want  string
		total int
	}{
		{"longest waiting first", moderation.QueueFilter{}, "cheap sunglasses|hola, another idiot|cheap watches, idiot", 3},
		{"by code", moderation.QueueFilter{Code: "harassment"}, "hola, another idiot|cheap watches, idiot", 2},
		{"by language", moderation.QueueFilter{Lang: "es"}, "hola, another idiot", 1},
		{"by score", moderation.QueueFilter{MinScore: 0.45}, "cheap sunglasses|cheap watches, idiot", 2},
		{"sorted by score", moderation.QueueFilter{Sort: "score"}, "cheap sunglasses|cheap watches, idiot|hola, another idiot", 3},
		{"by account", moderation.QueueFilter{Account: "nobody"}, "", 0},
		{"page 2 of 3", moderation.QueueFilter{PerPage: 1, Page: 2}, "hola, another idiot", 3},
		{"past the end", moderation.QueueFilter{PerPage: 2, Page: 9}, "cheap watches, idiot", 3},
	}
	for _, tt := range queue {
		p, err := e.svc.QueueFiltered(e.ctx, civic.ActorOf(e.ana), tt.f)
		if err != nil {
			t.Fatal(err)
		}
		if got := texts(p); got != tt.want || p.Total != tt.total {
			t.Errorf("%s: %q (%d), want %q (%d)", tt.name, got, p.Total, tt.want, tt.total)
		}
	}
	p, _ := e.svc.QueueFiltered(e.ctx, civic.ActorOf(e.ana), moderation.QueueFilter{})
	if strings.Join(p.Langs, ",") != "en,es" || p.Entries[0].TopCode != "spam" || p.Entries[0].TopScore != 0.5 {
		t.Errorf("langs %v, top %s %v", p.Langs, p.Entries[0].TopCode, p.Entries[0].TopScore)
	}
	if _, err := e.svc.QueueFiltered(e.ctx, civic.ActorOf(e.staff), moderation.QueueFilter{}); civic.ErrorKind(err) != civic.KindForbidden {
		t.Errorf("staff: %v", err)
	}
}
