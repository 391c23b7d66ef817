package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/storetest"
)

// TestBrowserLargeExport is the records export at scale, as a clerk does
// it: the demo city's archive grows by STEWARD_LARGE_EXPORT_ITEMS generated
// comments (3,000 by default; set 1000000 to run the million), a
// request covers all of it, the clerk presses Export in Chromium and watches
// the page, which must show the worker's real progress (no row is faked
// here) and then the download link, each state passing axe-core. The bag
// is downloaded to a file and verified offline, and holds every version.
func TestBrowserLargeExport(t *testing.T) {
	n := 3000
	if s := os.Getenv("STEWARD_LARGE_EXPORT_ITEMS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("STEWARD_LARGE_EXPORT_ITEMS=%q: want a positive number", s)
		}
		n = v
	}
	app, vkey, _ := exportApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	ctx := context.Background()
	start := time.Now()
	ingestGenerated(t, app, n)
	t.Logf("ingested %d generated items in %s", n, time.Since(start).Round(time.Millisecond))

	clerk := app.token(demoEmail(civic.RoleClerk))
	res := app.do(request{method: "POST", path: "/api/v1/records/requests", bearer: clerk,
		body: `{"requester":"A Journalist","received_on":"2026-11-20","description":"every record of the city's accounts","scope":["from:1970-01-01"]}`})
	var created struct{ ID int64 }
	if err := json.Unmarshal([]byte(readBody(t, res)), &created); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %v", res.StatusCode, err)
	}
	rid := strconv.FormatInt(created.ID, 10)

	// The browser lives as long as the export may take.
	wait := 2*time.Minute + time.Duration(n)*3*time.Millisecond
	b := browsertest.NewFor(t, wait+2*time.Minute)
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}
	if got := tab.signIn(demoEmail(civic.RoleClerk)); got != http.StatusOK {
		t.Fatalf("sign in: %d", got)
	}
	tab.check(tab.open("/records/"+rid), http.StatusOK)
	if err := app.svcs.StartJobs(ctx); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	tab.check(tab.Submit("form[action='/records/"+rid+"/export'] button"), http.StatusOK)
	page := tab.path()
	var job int64
	if _, err := fmt.Sscanf(page, "/records/"+rid+"/exports/%d", &job); err != nil {
		t.Fatalf("after Export the browser is at %s", page)
	}

	// The page refreshes itself; read what it says until the bag is ready.
	deadline := start.Add(wait)
	var seen []string
	checked := false
	for {
		got := tab.Text("#task")
		if len(seen) == 0 || seen[len(seen)-1] != got {
			seen = append(seen, got)
			t.Logf("%6.1f s: %s", time.Since(start).Seconds(), strings.Join(strings.Fields(got), " "))
		}
		if strings.Contains(got, "Ready") || strings.Contains(got, "failed") {
			break
		}
		if !checked && midway.MatchString(got) {
			// A real worker's progress, mid-way, passes axe-core.
			tab.check(http.StatusOK, http.StatusOK)
			tab.screenshot("records-export-large-running.png")
			checked = true
		}
		if time.Now().After(deadline) {
			t.Fatalf("the export did not finish in %s: %q", time.Since(start).Round(time.Second), got)
		}
		time.Sleep(500 * time.Millisecond)
	}
	took := time.Since(start)
	if got := seen[len(seen)-1]; !strings.Contains(got, "Ready") {
		t.Fatalf("the export failed: %q\n%s", got, app.logs)
	}
	if tab.path() != page {
		t.Errorf("the page moved to %s while refreshing", tab.path())
	}
	tab.check(http.StatusOK, http.StatusOK)
	tab.screenshot("records-export-large-ready.png")
	if n >= 20000 && !checked {
		t.Errorf("an export of %d items never showed its progress: %q", n, seen)
	}

	// Download it as the clerk's browser would, to a file, and verify it.
	res = app.do(request{method: "GET", path: fmt.Sprintf("/api/v1/records/requests/%s/exports/%d/bag", rid, job), bearer: clerk})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("download: %d %s", res.StatusCode, readBody(t, res))
	}
	path := filepath.Join(t.TempDir(), "bag.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	size, err := io.Copy(f, res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	vstart := time.Now()
	rep, err := records.VerifyBag(f, size, records.VerifyOptions{Key: vkey, Request: created.ID})
	if err != nil {
		t.Fatalf("the bag does not verify: %v", err)
	}
	if rep.Versions < int64(n) {
		t.Errorf("the bag holds %d versions, want at least the %d generated", rep.Versions, n)
	}
	t.Logf("export of %d versions: %.1f MB in %s (%.1f MB/s, page to ready), verified in %s",
		rep.Versions, float64(size)/1e6, took.Round(time.Millisecond), float64(size)/1e6/took.Seconds(), time.Since(vstart).Round(time.Millisecond))
}

// midway matches a task page's progress past its start ("37% done").
var midway = regexp.MustCompile(`\b[1-9][0-9]?% done`)

// ingestGenerated adds n generated items to the demo Parks account through
// the archive's ingest: a post, then comments on it, 20 items a thread,
// spread over the year before the app's clock.
func ingestGenerated(t *testing.T, app *testApp, n int) {
	t.Helper()
	words := strings.Fields(`pothole splash pad library hours snow plow parking permit park bench trail bridge
		garbage pickup recycling council meeting budget streetlight crosswalk sidewalk playground zoning
		water main leak noise complaint festival parade bus route bike lane tree trimming flooding`)
	rng := rand.New(rand.NewPCG(7, 11))
	now := app.clock.Now()
	batch := make([]archive.Record, 0, archive.MaxBatch)
	post := ""
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if _, err := app.svcs.Archive.IngestAs(context.Background(), "system:capture", batch); err != nil {
			t.Fatalf("ingest: %v", err)
		}
		batch = batch[:0]
	}
	for i := range n {
		at := now.Add(-time.Duration(n-i) * (365 * 24 * time.Hour / time.Duration(n+1)))
		var text strings.Builder
		for text.Len() < 280 {
			text.WriteString(words[rng.IntN(len(words))])
			text.WriteByte(' ')
		}
		id := fmt.Sprintf("gen-%d", i)
		rec := archive.Record{Account: "mastodon:@parks@demo-city.example", ID: id, Kind: "comment", Parent: post, Thread: post,
			CapturedAt: at.Format(time.RFC3339Nano), PlatformTime: at.Add(-time.Minute).Format(time.RFC3339),
			Author: civic.Author{ID: fmt.Sprintf("@resident%d@social.example", rng.IntN(5000)), Name: "A Resident"},
			Text:   strings.TrimSpace(text.String())}
		if i%20 == 0 {
			rec.Kind, rec.Parent, rec.Thread = "post", "", ""
			rec.Author = civic.Author{ID: "@parks", Handle: "@parks", Name: "Demo City Parks"}
			post = id
		}
		rec.Author.Handle = rec.Author.ID
		rec.Raw, _ = json.Marshal(map[string]any{"id": id, "content": rec.Text, "created_at": rec.PlatformTime})
		batch = append(batch, rec)
		if len(batch) == cap(batch) {
			flush()
		}
	}
	flush()
}
