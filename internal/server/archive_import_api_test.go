package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/cli"
	"steward.city/steward/internal/importer"
	"steward.city/steward/internal/storetest"
)

// exportZip zips a folder of the importer's test exports the way the
// platform's download is laid out.
func exportZip(t testing.TB, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// multipartBody is a form with the given fields and a file part "file".
func multipartBody(t testing.TB, fields map[string]string, name string, file []byte) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), mw.FormDataContentType()
}

// importJobs counts the archive_import jobs in the queue.
func importJobs(t *testing.T, app *testApp) int {
	t.Helper()
	admin := civic.ActorOf(&civic.User{ID: 1, Grants: []civic.Grant{{Role: civic.RoleAdmin}}})
	js, err := app.svcs.Jobs.List(context.Background(), admin, "available", "running", "completed", "cancelled", "retryable", "discarded")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, j := range js {
		if j.Kind == (importer.Task{}).Kind() {
			n++
		}
	}
	return n
}

// uploadOf is the blob of an import's upload, read from its job's arguments.
func uploadOf(t *testing.T, app *testApp, job int64) string {
	t.Helper()
	admin := civic.ActorOf(&civic.User{ID: 1, Grants: []civic.Grant{{Role: civic.RoleAdmin}}})
	tk, err := app.svcs.Jobs.Task(context.Background(), admin, importer.Task{}.Kind(), civic.PermArchiveIngest, job)
	if err != nil {
		t.Fatal(err)
	}
	var args importer.Task
	if err := json.Unmarshal(tk.Args, &args); err != nil || args.Export.Blob == "" {
		t.Fatalf("the import's arguments: %s %v", tk.Args, err)
	}
	return args.Export.Blob
}

// TestArchiveImportAPI: the clerk uploads a Mastodon export for an archive
// account (202 and its URL); a worker of another process imports it from
// the blob store and its items are in the archive; the summary and the
// report say what it did; the upload is deleted once it is done; the same
// export uploaded again (as the raw body) stores nothing twice. A request
// with no platform, the wrong platform, an account never archived, or no
// file is refused at once naming the field, and nothing is queued; the
// attorney, who reads the archive but does not add to it, gets 403; another
// clerk gets "not found" for the clerk's import.
func TestArchiveImportAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			app, _, _, worker := exportApps(t, e)
			ctx := context.Background()
			clerk, attorney := app.token(demoEmail(civic.RoleClerk)), app.token(demoEmail(civic.RoleAttorney))
			other := app.addUser("second.clerk@demo-city.example", "communications", civic.Grant{Role: civic.RoleClerk})
			otherClerk := app.token(other.Email)
			acct, err := app.store.ArchiveAccountByRef(ctx, "mastodon:@parks@demo-city.example")
			if err != nil {
				t.Fatal(err)
			}
			export := exportZip(t, "../importer/testdata/mastodon")
			path := fmt.Sprintf("/api/v1/archive/accounts/%d/import", acct.ID)
			send := func(path, bearer string, fields map[string]string, name string, file []byte) *http.Response {
				body, ct := multipartBody(t, fields, name, file)
				return app.do(request{method: "POST", path: path, body: body, bearer: bearer, header: map[string]string{"Content-Type": ct}})
			}

			// Refused before anything is queued, naming the field.
			for _, c := range []struct {
				what, path  string
				fields      map[string]string
				name, field string
				status      int
				bearer      string
				rawPlatform string
			}{
				{"no platform", path, nil, "parks.zip", "platform", http.StatusUnprocessableEntity, clerk, ""},
				{"the wrong platform", path, map[string]string{"platform": "x"}, "parks.zip", "platform", http.StatusUnprocessableEntity, clerk, ""},
				{"no import format", path, map[string]string{"platform": "myspace"}, "parks.zip", "platform", http.StatusUnprocessableEntity, clerk, ""},
				{"an account never archived", "/api/v1/archive/accounts/99999/import", map[string]string{"platform": "mastodon"}, "parks.zip", "account", http.StatusUnprocessableEntity, clerk, ""},
				{"no file", path, map[string]string{"platform": "mastodon"}, "", "file", http.StatusUnprocessableEntity, clerk, ""},
				{"the attorney", path, map[string]string{"platform": "mastodon"}, "parks.zip", "", http.StatusForbidden, attorney, ""},
			} {
				res := send(c.path, c.bearer, c.fields, c.name, export)
				code, msg, field := apiError(t, res)
				if res.StatusCode != c.status || field != c.field {
					t.Errorf("%s: %d %s %q (field %q), want %d naming %q", c.what, res.StatusCode, code, msg, field, c.status, c.field)
				}
			}
			if res := app.do(request{method: "POST", path: path + "?platform=x", body: string(export), bearer: clerk, header: map[string]string{"Content-Type": "application/zip"}}); res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("the wrong platform in the query: %d", res.StatusCode)
			}
			if n := importJobs(t, app); n != 0 {
				t.Fatalf("%d imports queued by refused requests", n)
			}

			res := send(path, clerk, map[string]string{"platform": "mastodon"}, "parks.zip", export)
			raw := readBody(t, res)
			if res.StatusCode != http.StatusAccepted {
				t.Fatalf("upload: %d %s", res.StatusCode, raw)
			}
			var q exportJSON
			if err := json.Unmarshal([]byte(raw), &q); err != nil || q.URL != res.Header.Get("Location") || q.URL != fmt.Sprintf("%s/%d", path, q.ID) || q.State != "available" {
				t.Fatalf("queued: %s %v", raw, err)
			}
			blob := uploadOf(t, app, q.ID)
			if ok, err := app.svcs.Archive.Blobs().Has(ctx, blob); err != nil || !ok {
				t.Fatalf("the upload is not in the blob store: %v", err)
			}
			// Nothing is imported until a worker runs.
			if _, err := app.svcs.Archive.Lookup(ctx, civic.CLI, acct.Ref, "111000000000000001"); civic.ErrorKind(err) != civic.KindNotFound {
				t.Fatalf("imported before any worker ran: %v", err)
			}
			worker()
			v := app.waitExport(q.URL, clerk, func(v exportJSON) bool { return v.State != "available" && v.State != "running" })
			if !v.Ready || v.Done != v.Total || v.Total != 3 || v.DownloadURL != q.URL+"/file" {
				t.Fatalf("finished: %+v\n%s", v, app.logs)
			}
			if v.Summary != "3 items imported, 0 already in the archive, 0 skipped" {
				t.Errorf("summary %q", v.Summary)
			}
			for _, id := range []string{"111000000000000001", "111000000000000002", "111000000000000003"} {
				if l, err := app.svcs.Archive.Lookup(ctx, civic.CLI, acct.Ref, id); err != nil || !strings.Contains(strings.Join(l.Version.Tags, " "), importer.Tag) {
					t.Errorf("item %s is not in the archive as imported: %v", id, err)
				}
			}
			res = app.do(request{method: "GET", path: v.DownloadURL, bearer: clerk})
			report := readBody(t, res)
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/csv" || !strings.Contains(report, "\nimported,3,") {
				t.Errorf("report: %d %q", res.StatusCode, report)
			}
			if ok, err := app.svcs.Archive.Blobs().Has(ctx, blob); err != nil || ok {
				t.Errorf("the upload is still in the blob store once imported (%v)", err)
			}

			// Only the clerk who asked sees it.
			for _, c := range []struct{ who, bearer, path string }{
				{"another clerk", otherClerk, q.URL},
				{"another clerk", otherClerk, v.DownloadURL},
				{"the clerk, under another account", clerk, fmt.Sprintf("/api/v1/archive/accounts/%d/import/%d", acct.ID+1, q.ID)},
				{"the clerk, a job of another kind", clerk, fmt.Sprintf("%s/%d", path, firstScreenJob(t, app))},
			} {
				if res := app.do(request{method: "GET", path: c.path, bearer: c.bearer}); res.StatusCode != http.StatusNotFound {
					t.Errorf("%s: GET %s = %d, want 404", c.who, c.path, res.StatusCode)
				}
			}
			if res := app.do(request{method: "GET", path: q.URL, bearer: attorney}); res.StatusCode != http.StatusForbidden {
				t.Errorf("the attorney: GET %s = %d, want 403", q.URL, res.StatusCode)
			}

			// The same export again, as the raw body: nothing is stored twice.
			res = app.do(request{method: "POST", path: path + "?platform=mastodon&name=parks.zip", body: string(export), bearer: clerk, header: map[string]string{"Content-Type": "application/zip"}})
			raw = readBody(t, res)
			if res.StatusCode != http.StatusAccepted {
				t.Fatalf("upload again: %d %s", res.StatusCode, raw)
			}
			if err := json.Unmarshal([]byte(raw), &q); err != nil {
				t.Fatal(err)
			}
			v = app.waitExport(q.URL, clerk, func(v exportJSON) bool { return v.State != "available" && v.State != "running" })
			if !v.Ready || !strings.HasPrefix(v.Summary, "0 items imported") || !strings.Contains(v.Summary, "the first 3 of the 3 entries were done by an earlier run") {
				t.Errorf("again: %+v", v)
			}
		})
	}
}

// TestArchiveImportBadFile: an export that is not one (a truncated zip, a
// file of the wrong platform, a zip bomb, JSON with an error) ends the import at once
// with the importer's message naming the file and line; nothing is
// written, and the upload is deleted.
func TestArchiveImportBadFile(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			app, _, _, worker := exportApps(t, e)
			ctx := context.Background()
			clerk := app.token(demoEmail(civic.RoleClerk))
			acct, err := app.store.ArchiveAccountByRef(ctx, "mastodon:@parks@demo-city.example")
			if err != nil {
				t.Fatal(err)
			}
			export := exportZip(t, "../importer/testdata/mastodon")
			tweets, err := os.ReadFile("../importer/testdata/x/data/tweets.js")
			if err != nil {
				t.Fatal(err)
			}
			// 64 MiB of spaces in outbox.json, deflated to about 64 kB.
			var bomb bytes.Buffer
			zw := zip.NewWriter(&bomb)
			bw, err := zw.Create("outbox.json")
			if err != nil {
				t.Fatal(err)
			}
			spaces := bytes.Repeat([]byte(" "), 1<<20)
			for range 64 {
				bw.Write(spaces)
			}
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			worker()
			for _, c := range []struct {
				what, name string
				body       []byte
				says       []string
			}{
				{"a truncated zip", "parks.zip", export[:len(export)/2], []string{"parks.zip is not a readable zip"}},
				{"an X archive's file", "tweets.js", tweets, []string{"tweets.js", "holds nothing this importer reads for mastodon"}},
				{"a zip bomb", "bomb.zip", bomb.Bytes(), []string{"outbox.json in bomb.zip expands to more than", "zip bomb"}},
				{"JSON with an error", "outbox.json", []byte("{\n  \"type\": \"OrderedCollection\",\n  \"orderedItems\": {}\n}"), []string{"outbox.json:3:", "orderedItems"}},
			} {
				res := app.do(request{method: "POST", path: fmt.Sprintf("/api/v1/archive/accounts/%d/import?platform=mastodon&name=%s", acct.ID, c.name), body: string(c.body), bearer: clerk,
					header: map[string]string{"Content-Type": "application/octet-stream"}})
				raw := readBody(t, res)
				if res.StatusCode != http.StatusAccepted {
					t.Fatalf("%s: %d %s", c.what, res.StatusCode, raw)
				}
				var q exportJSON
				if err := json.Unmarshal([]byte(raw), &q); err != nil {
					t.Fatal(err)
				}
				blob := uploadOf(t, app, q.ID)
				v := app.waitExport(q.URL, clerk, func(v exportJSON) bool { return v.State != "available" && v.State != "running" })
				if v.State != "cancelled" || v.Ready {
					t.Errorf("%s: %+v", c.what, v)
				}
				for _, s := range c.says {
					if !strings.Contains(v.Error, s) {
						t.Errorf("%s: the error %q does not say %q", c.what, v.Error, s)
					}
				}
				if strings.Contains(v.Error, os.TempDir()) {
					t.Errorf("%s: the error shows the worker's temporary file: %q", c.what, v.Error)
				}
				if ok, err := app.svcs.Archive.Blobs().Has(ctx, blob); err != nil || ok {
					t.Errorf("%s: the upload is still in the blob store (%v)", c.what, err)
				}
			}
			if _, err := app.svcs.Archive.Lookup(ctx, civic.CLI, acct.Ref, "111000000000000001"); civic.ErrorKind(err) != civic.KindNotFound {
				t.Errorf("a bad export wrote something: %v", err)
			}
		})
	}
}

// TestArchiveImportTooLarge: an export over the server's --import-max is
// refused with 413 saying the limit, as the raw body or as a form's file,
// and nothing is queued; a stranger's large body is refused before it is
// read (the server's own 1 MiB limit and 401).
func TestArchiveImportTooLarge(t *testing.T) {
	app, _, _, _ := exportApps(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	srv, err := app.svcs.Handler(cli.HandlerConfig{ImportMax: 1000})
	if err != nil {
		t.Fatal(err)
	}
	app.server = srv
	clerk := app.token(demoEmail(civic.RoleClerk))
	acct, err := app.store.ArchiveAccountByRef(context.Background(), "mastodon:@parks@demo-city.example")
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/archive/accounts/%d/import", acct.ID)
	big := strings.Repeat("x", 1001)
	res := app.do(request{method: "POST", path: path + "?platform=mastodon", body: big, bearer: clerk, header: map[string]string{"Content-Type": "application/zip"}})
	if code, msg, _ := apiError(t, res); res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(msg, "1,000 bytes") {
		t.Errorf("raw body over the limit: %d %s %q", res.StatusCode, code, msg)
	}
	body, ct := multipartBody(t, map[string]string{"platform": "mastodon"}, "parks.zip", []byte(big))
	res = app.do(request{method: "POST", path: path, body: body, bearer: clerk, header: map[string]string{"Content-Type": ct}})
	if code, msg, _ := apiError(t, res); res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(msg, "larger than") {
		t.Errorf("a form's file over the limit: %d %s %q", res.StatusCode, code, msg)
	}
	if res := app.do(request{method: "POST", path: path + "?platform=mastodon", body: strings.Repeat("x", 1000), bearer: clerk, header: map[string]string{"Content-Type": "application/zip"}}); res.StatusCode != http.StatusAccepted {
		t.Errorf("a file at the limit: %d", res.StatusCode)
	}
	if n := importJobs(t, app); n != 1 {
		t.Errorf("%d imports queued, want the one at the limit", n)
	}
	res = app.do(request{method: "POST", path: path + "?platform=mastodon", body: strings.Repeat("x", 2<<20), header: map[string]string{"Content-Type": "application/zip"}})
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a stranger's large body: %d", res.StatusCode)
	}
}
