package server_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"steward.city/steward/internal/archive"
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

// TestArchiveTransferFormatsAPI: the same request writes a WACZ package or
// a transfer bag in the background; the clerk's transfer bag with the
// withheld records verifies offline and holds the hidden comment, marked;
// Communications, who reads the archive but is not the records officer,
// cannot ask for the withheld records; a format Steward does not write is
// refused at once, naming the field.
func TestArchiveTransferFormatsAPI(t *testing.T) {
	app, _, _, worker := exportApps(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	clerk, comms := app.token(demoEmail(civic.RoleClerk)), app.token(demoEmail(civic.RoleCommunications))
	acct, err := app.store.ArchiveAccountByRef(context.Background(), "facebook:DemoCityPublicWorks")
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/archive/accounts/%d/warc", acct.ID)
	if res := app.do(request{method: "POST", path: path, body: `{"month":"2026-11","format":"pdf"}`, bearer: clerk}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(readBody(t, res), `"format"`) {
		t.Errorf("a format Steward does not write: %d", res.StatusCode)
	}
	if res := app.do(request{method: "POST", path: path, body: `{"month":"2026-11","format":"transfer","withheld":true}`, bearer: comms}); res.StatusCode != http.StatusForbidden {
		t.Errorf("Communications asking for the withheld records: %d, want 403", res.StatusCode)
	}
	worker()
	fetch := func(body string) (exportJSON, []byte, string) {
		t.Helper()
		res := app.do(request{method: "POST", path: path, body: body, bearer: clerk})
		raw := readBody(t, res)
		if res.StatusCode != http.StatusAccepted {
			t.Fatalf("ask %s: %d %s", body, res.StatusCode, raw)
		}
		var q exportJSON
		if err := json.Unmarshal([]byte(raw), &q); err != nil {
			t.Fatal(err)
		}
		v := app.waitExport(q.URL, clerk, func(v exportJSON) bool { return v.State != "available" && v.State != "running" })
		if !v.Ready || v.Done != v.Total || v.Total == 0 {
			t.Fatalf("%s finished: %+v\n%s", body, v, app.logs)
		}
		res = app.do(request{method: "GET", path: v.DownloadURL, bearer: clerk})
		b := []byte(readBody(t, res))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("download: %d", res.StatusCode)
		}
		return v, b, res.Header.Get("Content-Disposition")
	}

	_, wacz, disp := fetch(`{"month":"2026-11","format":"wacz"}`)
	zr, err := zip.NewReader(bytes.NewReader(wacz), int64(len(wacz)))
	if err != nil {
		t.Fatalf("the WACZ is not a zip: %v", err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	if !names["datapackage.json"] || !names["archive/data.warc.gz"] || !strings.Contains(disp, ".wacz") {
		t.Errorf("the WACZ holds %v (%s)", names, disp)
	}

	_, bagBytes, disp := fetch(`{"month":"2026-11","format":"transfer","withheld":true}`)
	rep, err := archive.VerifyTransferBag(bytes.NewReader(bagBytes), int64(len(bagBytes)))
	if err != nil {
		t.Fatalf("the transfer bag does not verify: %v", err)
	}
	_, public, _ := fetch(`{"month":"2026-11","format":"transfer"}`)
	prep, err := archive.VerifyTransferBag(bytes.NewReader(public), int64(len(public)))
	if err != nil {
		t.Fatalf("the public transfer bag does not verify: %v", err)
	}
	if rep.Versions <= prep.Versions || !strings.Contains(disp, "-with-withheld-transfer.zip") ||
		!bytes.Contains(bagBytes, []byte("<mn:withheld>true</mn:withheld>")) || bytes.Contains(public, []byte("<mn:withheld>true</mn:withheld>")) {
		t.Errorf("the transfer bag with the withheld records: %+v (%s); without: %+v", rep, disp, prep)
	}
}
