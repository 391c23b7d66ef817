package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/blob/disk"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/cli"
	"steward.city/steward/internal/demo"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/storetest"
)

// exportApp is a demo city whose server can export: a checkpoint key, a
// media store for the bags and a job queue that works jobs (started by
// the test in this process, or in another: worker). It returns the app,
// the verifier key and a records service that exports as the server does
// but signs no new checkpoint, so that it writes its bag against the
// newest one.
func exportApp(t *testing.T, e storetest.Engine) (app *testApp, vkey string, same *records.Service) {
	app, vkey, same, _ = exportApps(t, e)
	return app, vkey, same
}

// exportApps is exportApp with worker, which starts a second process's
// services and job queue on the same database and media store.
func exportApps(t *testing.T, e storetest.Engine) (app *testApp, vkey string, same *records.Service, worker func()) {
	t.Helper()
	return exportAppsWith(t, e, nil)
}

// exportAppsWith is exportApps with a comment screener.
func exportAppsWith(t *testing.T, e storetest.Engine, screener civic.Screener) (app *testApp, vkey string, same *records.Service, worker func()) {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	s := e.Open(t, clock.Now)
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if _, err := demo.Seed(ctx, s); err != nil {
		t.Fatal(err)
	}
	signer, vkey, err := archive.LoadOrCreateKey(filepath.Join(t.TempDir(), "k"), "steward.test")
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	arch := archive.New(archive.Config{Store: s, Signer: signer, Blobs: blobs, Clock: clock.Now, Logger: log})
	if err := arch.PublishVerifier(ctx, vkey); err != nil {
		t.Fatal(err)
	}
	url := ""
	if e.Name == "postgres" {
		url = storetest.PostgresURL(t, s)
	}
	q, err := jobs.New(jobs.Config{Engine: s.Engine(), DB: s.DB(), URL: url, Store: s, Logger: log, FetchPoll: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q.Stop(sctx)
	})
	svcs := cli.NewServices(cli.ServicesConfig{Store: s, Clock: clock.Now, Logger: log, Archive: arch, Jobs: q, Location: cityZone(t), Screener: screener})
	srv, err := svcs.Handler(cli.HandlerConfig{MetricsToken: metricsToken})
	if err != nil {
		t.Fatal(err)
	}
	worker = func() {
		t.Helper()
		// Another process: its own services and job queue on the same
		// database and the same media store; the app's queue only inserts.
		wq, err := jobs.New(jobs.Config{Engine: s.Engine(), DB: s.DB(), URL: url, Store: s, Logger: log, FetchPoll: 50 * time.Millisecond, ID: "worker-process"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			wq.Stop(sctx)
		})
		warch := archive.New(archive.Config{Store: s, Signer: signer, Blobs: blobs, Clock: clock.Now, Logger: log})
		ws := cli.NewServices(cli.ServicesConfig{Store: s, Clock: clock.Now, Logger: log, Archive: warch, Jobs: wq, Location: cityZone(t), Screener: screener})
		if err := ws.StartJobs(ctx); err != nil {
			t.Fatal(err)
		}
	}
	same = records.New(records.Config{Store: s, Archive: archive.New(archive.Config{Store: s, Blobs: blobs, Clock: clock.Now}), Blobs: blobs, Signer: signer, Clock: clock.Now, Location: cityZone(t)})
	app = &testApp{t: t, store: s, auth: svcs.Auth, server: srv, clock: clock, logs: logs, reg: svcs.Registry, svcs: svcs}
	return app, vkey, same, worker
}

type exportJSON struct {
	ID          int64  `json:"id"`
	State       string `json:"state"`
	Ready       bool   `json:"ready"`
	Done        int64  `json:"done"`
	Total       int64  `json:"total"`
	Percent     int    `json:"percent"`
	Error       string `json:"error"`
	URL         string `json:"url"`
	DownloadURL string `json:"download_url"`
	Size        int64  `json:"size"`
	Summary     string `json:"summary"`
}

func (a *testApp) exportStatus(url, bearer string) exportJSON {
	a.t.Helper()
	res := a.do(request{method: "GET", path: url, bearer: bearer})
	raw := readBody(a.t, res)
	if res.StatusCode != http.StatusOK {
		a.t.Fatalf("GET %s: %d %s", url, res.StatusCode, raw)
	}
	var v exportJSON
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		a.t.Fatal(err)
	}
	return v
}

func (a *testApp) waitExport(url, bearer string, done func(exportJSON) bool) exportJSON {
	a.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		v := a.exportStatus(url, bearer)
		if done(v) {
			return v
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("export %s: %+v\n%s", url, v, a.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRecordsExportJob: pressing Export (the API's POST) only queues the
// export: 202 and its URL, the work done by a worker of another process
// (its own services and job queue), not by the request.
// Its progress is read from any process through that URL, the bag is
// downloaded separately, byte for byte the bag the synchronous export
// writes, and it verifies with Steward's own verifier. Another clerk, an
// administrator without the records permission, a crafted job number (a
// job of another kind, another request's export) get nothing; an export
// whose scope matches nothing fails with that reason in plain words.
func TestRecordsExportJob(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			app, vkey, sync, worker := exportApps(t, e)
			ctx := context.Background()
			clerk, attorney, admin := app.token(demoEmail(civic.RoleClerk)), app.token(demoEmail(civic.RoleAttorney)), app.token(demoEmail(civic.RoleAdmin))

			res := app.do(request{method: "POST", path: "/api/v1/records/requests/2/export", bearer: clerk})
			raw := readBody(t, res)
			if res.StatusCode != http.StatusAccepted {
				t.Fatalf("export: %d %s", res.StatusCode, raw)
			}
			var queued exportJSON
			if err := json.Unmarshal([]byte(raw), &queued); err != nil {
				t.Fatal(err)
			}
			if queued.State != "available" || queued.Ready || res.Header.Get("Location") != queued.URL ||
				queued.URL != fmt.Sprintf("/api/v1/records/requests/2/exports/%d", queued.ID) {
				t.Fatalf("queued: %s (Location %q)", raw, res.Header.Get("Location"))
			}
			// Nothing is exported until a worker runs: the request did no work.
			if v := app.exportStatus(queued.URL, clerk); v.State != "available" || v.Done != 0 {
				t.Errorf("before any worker: %+v", v)
			}
			if res := app.do(request{method: "GET", path: queued.URL + "/bag", bearer: clerk}); res.StatusCode != http.StatusConflict {
				t.Errorf("download before it is ready: %d", res.StatusCode)
			}

			// A worker in another process writes it; this one, which
			// works no jobs, shows its progress and serves the bag.
			worker()
			v := app.waitExport(queued.URL, clerk, func(v exportJSON) bool { return v.State != "available" && v.State != "running" })
			if !v.Ready || v.State != "completed" || v.Done != v.Total || v.Total == 0 || v.Percent != 100 || v.DownloadURL != queued.URL+"/bag" {
				t.Fatalf("finished: %+v\n%s", v, app.logs)
			}
			res = app.do(request{method: "GET", path: v.DownloadURL, bearer: clerk})
			bagBytes := []byte(readBody(t, res))
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/zip" || int64(len(bagBytes)) != v.Size ||
				!strings.Contains(res.Header.Get("Content-Disposition"), "records-request-2-") {
				t.Fatalf("download: %d %v, %d bytes of %d", res.StatusCode, res.Header, len(bagBytes), v.Size)
			}
			if _, err := records.VerifyBag(bytes.NewReader(bagBytes), int64(len(bagBytes)), records.VerifyOptions{Key: vkey, Request: 2}); err != nil {
				t.Fatalf("the bag does not verify: %v", err)
			}
			// The synchronous export, as the same clerk at the same time
			// against the same checkpoint, writes the same bytes. (The
			// server's own would sign a new checkpoint first: the export
			// added an audit event.)
			u, err := app.store.UserByEmail(ctx, demoEmail(civic.RoleClerk))
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if _, err := sync.Export(ctx, civic.ActorOf(u), 2, &want); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want.Bytes(), bagBytes) {
				t.Errorf("the background bag (%d bytes) differs from the synchronous one (%d bytes): %s", len(bagBytes), want.Len(), zipDiff(t, bagBytes, want.Bytes()))
			}

			// The server's write timeout, which ends any page that takes
			// too long, does not cut a download short: here it is a
			// nanosecond, too short for the progress JSON, not for the bag.
			slow := httptest.NewUnstartedServer(app.server)
			slow.Config.WriteTimeout = time.Nanosecond
			slow.Start()
			t.Cleanup(slow.Close)
			get := func(path string) (int, int, error) {
				req, _ := http.NewRequest("GET", slow.URL+path, nil)
				req.Header.Set("Authorization", "Bearer "+clerk)
				res, err := slow.Client().Do(req)
				if err != nil {
					return 0, 0, err
				}
				defer res.Body.Close()
				time.Sleep(5 * time.Millisecond)
				b, err := io.ReadAll(res.Body)
				return res.StatusCode, len(b), err
			}
			if _, _, err := get(queued.URL); err == nil {
				t.Errorf("the write timeout did not end a page: the download check below proves nothing")
			}
			if code, n, err := get(v.DownloadURL); err != nil || code != http.StatusOK || int64(n) != v.Size {
				t.Errorf("download under a short write timeout: %d, %d of %d bytes, %v", code, n, v.Size, err)
			}

			// Nobody else gets it.
			for _, c := range []struct {
				who, bearer, path string
				want              int
			}{
				{"another clerk (the attorney)", attorney, queued.URL, http.StatusNotFound},
				{"another clerk (the attorney)", attorney, queued.URL + "/bag", http.StatusNotFound},
				{"the administrator", admin, queued.URL + "/bag", http.StatusForbidden},
				{"the clerk, under another request", clerk, fmt.Sprintf("/api/v1/records/requests/1/exports/%d/bag", queued.ID), http.StatusNotFound},
				{"the clerk, a job of another kind", clerk, fmt.Sprintf("/api/v1/records/requests/2/exports/%d/bag", firstScreenJob(t, app)), http.StatusNotFound},
				{"the clerk, a number no job has", clerk, "/api/v1/records/requests/2/exports/99999999/bag", http.StatusNotFound},
				{"the clerk, not a number", clerk, "/api/v1/records/requests/2/exports/1%20OR%201=1/bag", http.StatusNotFound},
			} {
				res := app.do(request{method: "GET", path: c.path, bearer: c.bearer})
				body := readBody(t, res)
				if res.StatusCode != c.want || strings.Contains(body, "PK") {
					t.Errorf("%s: GET %s = %d, want %d", c.who, c.path, res.StatusCode, c.want)
				}
			}

			// A scope that matches nothing fails the export, saying so.
			res = app.do(request{method: "POST", path: "/api/v1/records/requests", bearer: clerk,
				body: `{"requester":"A Resident","received_on":"2026-11-20","description":"nothing","scope":["zzz-no-such-word"]}`})
			var rq struct{ ID int64 }
			if err := json.Unmarshal([]byte(readBody(t, res)), &rq); err != nil || rq.ID == 0 {
				t.Fatalf("create: %d %v", res.StatusCode, err)
			}
			res = app.do(request{method: "POST", path: fmt.Sprintf("/api/v1/records/requests/%d/export", rq.ID), bearer: clerk})
			if err := json.Unmarshal([]byte(readBody(t, res)), &queued); err != nil || res.StatusCode != http.StatusAccepted {
				t.Fatalf("export of an empty scope: %d %v", res.StatusCode, err)
			}
			v = app.waitExport(queued.URL, clerk, func(v exportJSON) bool { return v.State == "cancelled" || v.State == "completed" })
			if v.Ready || !strings.Contains(v.Error, "scope matches nothing") {
				t.Errorf("failed export: %+v", v)
			}
		})
	}
}

// firstScreenJob returns the number of a job that is not an export.
func firstScreenJob(t *testing.T, app *testApp) int64 {
	t.Helper()
	admin := civic.ActorOf(&civic.User{ID: 1, Grants: []civic.Grant{{Role: civic.RoleAdmin}}})
	js, err := app.svcs.Jobs.List(context.Background(), admin, "available", "running", "completed")
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range js {
		if j.Kind != (records.ExportTask{}).Kind() {
			return j.ID
		}
	}
	t.Fatal("no job other than exports")
	return 0
}

// zipDiff names the files that differ between two zips.
func zipDiff(t *testing.T, a, b []byte) string {
	t.Helper()
	files := func(data []byte) map[string]string {
		z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, f := range z.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			out[f.Name] = f.Modified.String() + " " + string(b)
		}
		return out
	}
	fa, fb := files(a), files(b)
	var diff []string
	for name, x := range fa {
		if fb[name] != x {
			diff = append(diff, name)
		}
	}
	return strings.Join(diff, ", ")
}
