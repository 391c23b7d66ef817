package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestCaptureNowQueues: "capture now", in the API and on the page, queues a
// capture job and returns at once (no pass runs in the request), and asking
// again while one waits queues nothing more, so a pass never overlaps the
// schedule's pass of the same connection.
func TestCaptureNowQueues(t *testing.T) {
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	ctx := context.Background()
	it := app.token(demoEmail(civic.RoleIT))
	const id = 1
	before, err := app.store.CaptureRuns(ctx, id, 100)
	if err != nil {
		t.Fatal(err)
	}
	type queued struct {
		Job           int64 `json:"job"`
		AlreadyQueued bool  `json:"already_queued"`
	}
	var first, second queued
	for _, q := range []*queued{&first, &second} {
		res := app.do(request{method: "POST", path: fmt.Sprintf("/api/v1/capture/connections/%d/run", id), body: "{}", bearer: it})
		raw := readBody(t, res)
		if res.StatusCode != http.StatusAccepted {
			t.Fatalf("capture now: %d %s", res.StatusCode, raw)
		}
		if err := json.Unmarshal([]byte(raw), q); err != nil {
			t.Fatal(err)
		}
	}
	if first.Job == 0 || first.AlreadyQueued || !second.AlreadyQueued {
		t.Errorf("first %+v, second %+v: want one job, the second ask finding it queued", first, second)
	}
	res := app.do(request{method: "POST", path: fmt.Sprintf("/capture/%d/run", id), body: "x=1", cookie: app.session(demoEmail(civic.RoleIT))})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "notice=pass_already") {
		t.Errorf("capture now on the page: %d %s", res.StatusCode, loc)
	}
	admin := civic.ActorOf(&civic.User{ID: 1, Grants: []civic.Grant{{Role: civic.RoleAdmin}}})
	js, err := app.svcs.Jobs.List(ctx, admin, "available")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, j := range js {
		if j.Kind == "capture" && j.Args == fmt.Sprintf(`{"connection":%d}`, id) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d capture jobs queued for connection %d, want 1: %+v", n, id, js)
	}
	after, err := app.store.CaptureRuns(ctx, id, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("a request ran a capture pass: %d runs before, %d after", len(before), len(after))
	}
	if res := app.do(request{method: "POST", path: "/api/v1/capture/connections/999999/run", body: "{}", bearer: it}); res.StatusCode != http.StatusNotFound {
		t.Errorf("capture now of no connection: %d", res.StatusCode)
	}
}
