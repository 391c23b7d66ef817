package server_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestArchiveWARCAPI: the API asks for an account's month as a WARC file
// (202 and its URL), a worker of another process writes it, and the user
// who asked downloads it when its URL says it is ready; a month written
// wrongly and an account never archived are refused at once (422), and
// another user, or another account's path, gets "not found".
func TestArchiveWARCAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			app, _, _, worker := exportApps(t, e)
			clerk, attorney := app.token(demoEmail(civic.RoleClerk)), app.token(demoEmail(civic.RoleAttorney))
			acct, err := app.store.ArchiveAccountByRef(context.Background(), "mastodon:@parks@demo-city.example")
			if err != nil {
				t.Fatal(err)
			}
			ask := func(id int64, body string) *http.Response {
				return app.do(request{method: "POST", path: fmt.Sprintf("/api/v1/archive/accounts/%d/warc", id), body: body, bearer: clerk})
			}
			if res := ask(acct.ID, `{"month":"November"}`); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(readBody(t, res), `"month"`) {
				t.Errorf("a month written wrongly: %d", res.StatusCode)
			}
			if res := ask(99999, `{"month":"2026-11"}`); res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("an account never archived: %d", res.StatusCode)
			}
			res := ask(acct.ID, `{"month":"2026-11"}`)
			raw := readBody(t, res)
			if res.StatusCode != http.StatusAccepted {
				t.Fatalf("ask: %d %s", res.StatusCode, raw)
			}
			var q exportJSON
			if err := json.Unmarshal([]byte(raw), &q); err != nil || q.URL != res.Header.Get("Location") || q.URL != fmt.Sprintf("/api/v1/archive/accounts/%d/warc/%d", acct.ID, q.ID) {
				t.Fatalf("queued: %s %v", raw, err)
			}
			worker()
			v := app.waitExport(q.URL, clerk, func(v exportJSON) bool { return v.State != "available" && v.State != "running" })
			if !v.Ready || v.DownloadURL != q.URL+"/file" || v.Done != v.Total {
				t.Fatalf("finished: %+v", v)
			}
			res = app.do(request{method: "GET", path: v.DownloadURL, bearer: clerk})
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/warc" {
				t.Fatalf("download: %d %v", res.StatusCode, res.Header)
			}
			zr, err := gzip.NewReader(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			all, err := io.ReadAll(zr)
			if err != nil || !strings.HasPrefix(string(all), "WARC/1.1\r\n") || !strings.Contains(string(all), "splash pad") {
				t.Errorf("the download is not the month's WARC: %v %q", err, all[:min(len(all), 200)])
			}
			for _, c := range []struct{ who, bearer, path string }{
				{"the attorney", attorney, q.URL},
				{"the attorney", attorney, v.DownloadURL},
				{"the clerk, under another account", clerk, fmt.Sprintf("/api/v1/archive/accounts/%d/warc/%d/file", acct.ID+1, q.ID)},
				{"the clerk, a job of another kind", clerk, fmt.Sprintf("/api/v1/archive/accounts/%d/warc/%d/file", acct.ID, firstScreenJob(t, app))},
			} {
				if res := app.do(request{method: "GET", path: c.path, bearer: c.bearer}); res.StatusCode != http.StatusNotFound {
					t.Errorf("%s: GET %s = %d, want 404", c.who, c.path, res.StatusCode)
				}
			}
		})
	}
}
