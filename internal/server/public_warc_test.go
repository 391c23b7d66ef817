package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// warcText is a public WARC's records as text: each record is a gzip
// member, read one after the other.
func warcText(t *testing.T, body string) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("the WARC is not gzip: %v", err)
	}
	all, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("the WARC's gzip members: %v", err)
	}
	return string(all)
}

// warcTypes reads the records of a WARC's text as ISO 28500 lays them out
// (a version line, header fields, a blank line, Content-Length bytes of
// block, two CRLFs), independently of the library that wrote them, and
// returns the number of records of each WARC-Type.
func warcTypes(t *testing.T, text string) map[string]int {
	t.Helper()
	types := map[string]int{}
	for rest := text; rest != ""; {
		head, after, ok := strings.Cut(rest, "\r\n\r\n")
		if !ok || !strings.HasPrefix(head, "WARC/1.1\r\n") {
			t.Fatalf("a record does not start with its version line: %q", rest[:min(len(rest), 80)])
		}
		fields := map[string]string{}
		for _, line := range strings.Split(head, "\r\n")[1:] {
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				t.Fatalf("header line %q", line)
			}
			fields[strings.ToLower(k)] = strings.TrimSpace(v)
		}
		var n int
		if _, err := fmt.Sscan(fields["content-length"], &n); err != nil || n > len(after) {
			t.Fatalf("record %s: Content-Length %q of %d bytes left", fields["warc-record-id"], fields["content-length"], len(after))
		}
		if !strings.HasPrefix(after[n:], "\r\n\r\n") {
			t.Fatalf("record %s does not end after its block", fields["warc-record-id"])
		}
		types[fields["warc-type"]]++
		rest = after[n+4:]
	}
	return types
}

// TestPublicWARC: a resident with no account downloads an official
// account's month as a WARC file from the portal. It holds the month's
// public posts and comments as captured and nothing withheld: not the
// private comment, the direct message, the comment removed for private
// information, a covert profile's comment, nor a public comment with a
// span redacted for a records request (the WARC holds payloads as
// captured, so the whole version is left out). A month written wrongly, a
// month with nothing public, an unknown account and the account named like
// the covert profile answer as the portal answers any unknown thing.
func TestPublicWARC(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil, noLimit)
			s := seedPortal(t, a)
			ctx := context.Background()
			now := a.clock.Now()
			// A public comment with a span redacted for a records request.
			err := a.store.Update(ctx, civic.CLI, func(tx civic.Tx) error {
				r := archive.Record{Account: "facebook:DemoCityPublicWorks", ID: "fb-30", Kind: "comment", Parent: "fb-1", Thread: "fb-1",
					CapturedAt: now.Add(-3 * time.Hour).Format(time.RFC3339Nano), Author: civic.Author{ID: "resident.45", Handle: "resident.45", Name: "resident.45"},
					Text: "Thanks! zebraredactme is my plate number", Raw: []byte(`{"message":"Thanks! zebraredactme is my plate number"}`)}
				v, err := r.Version(now)
				if err != nil {
					return err
				}
				if _, err := tx.IngestVersions(ctx, []*civic.Version{v}, 0); err != nil {
					return err
				}
				req := &civic.RecordsRequest{Requester: "A resident", ReceivedOn: now, Kind: civic.RequestData, Description: "potholes", Scope: []string{"pothole"}, Status: civic.RequestOpen}
				if err := tx.CreateRecordsRequest(ctx, req); err != nil {
					return err
				}
				i := strings.Index(v.Text, "zebraredactme")
				return tx.AddRedaction(ctx, &civic.Redaction{RequestID: req.ID, VersionID: v.ID, Start: i, End: i + len("zebraredactme"), Reason: "13.69: a licence plate"})
			})
			if err != nil {
				t.Fatal(err)
			}
			month := now.Format("2006-01") // 21 November, in UTC and the city alike
			path := fmt.Sprintf("/public/accounts/%d/warc?month=%s", s.pwAccount, month)
			res, body := a.get(path)
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/warc" ||
				!strings.Contains(res.Header.Get("Content-Disposition"), fmt.Sprintf(`attachment; filename=public-records-account-%d-%s.warc.gz`, s.pwAccount, month)) {
				t.Fatalf("GET %s: %d %v", path, res.StatusCode, res.Header)
			}
			text := warcText(t, body)
			if types := warcTypes(t, text); types["warcinfo"] != 1 || types["resource"] < 2 || types["metadata"] != types["resource"] {
				t.Errorf("records of the WARC: %v", types)
			}
			for _, want := range []string{"Pothole repairs on Main Street", `"classification":"public"`} {
				if !strings.Contains(text, want) {
					t.Errorf("the WARC lacks %q", want)
				}
			}
			for _, leak := range append([]string{"zebraredactme", "river.fan", "resident.42", "resident.43", "resident.44", `"withheld":true`}, portalMarkers...) {
				if strings.Contains(strings.ToLower(text), strings.ToLower(leak)) {
					t.Errorf("the public WARC holds %q", leak)
				}
			}
			// A staff transfer of the same month leaves the redacted
			// comment out, counted; the records officer's, with the
			// withheld included, carries it marked withheld with the
			// redaction's reason.
			as, err := a.store.ArchiveAccounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var pw int64
			for _, ac := range as {
				if ac.Ref == "facebook:DemoCityPublicWorks" {
					pw = ac.ID
				}
			}
			from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
			q := archive.TransferQuery{AccountID: pw, From: from, To: from.AddDate(0, 1, 0)}
			set, err := a.svcs.Archive.TransferSelect(ctx, civic.CLI, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, tv := range set.Versions {
				if strings.Contains(tv.Version.Text, "zebraredactme") {
					t.Errorf("a transfer without the withheld carries the redacted comment")
				}
			}
			leftOut := set.LeftOut
			q.IncludeWithheld = true
			set, err = a.svcs.Archive.TransferSelect(ctx, civic.CLI, q)
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, tv := range set.Versions {
				if strings.Contains(tv.Version.Text, "zebraredactme") {
					found = true
					if !tv.Withheld || tv.Class.Reason != "public, with spans redacted: 13.69: a licence plate" {
						t.Errorf("the redacted comment in a transfer with the withheld: withheld %v, reason %q", tv.Withheld, tv.Class.Reason)
					}
				}
			}
			if !found || leftOut == 0 || len(set.Versions) < leftOut {
				t.Errorf("a transfer with the withheld: found the redacted comment %v; %d left out without them, %d versions with", found, leftOut, len(set.Versions))
			}
			// The account's page offers the month.
			_, page := a.get(fmt.Sprintf("/public/accounts/%d", s.pwAccount))
			if !strings.Contains(page, fmt.Sprintf(`action="/public/accounts/%d/warc"`, s.pwAccount)) || !strings.Contains(page, `value="`+month+`"`) {
				t.Errorf("the account's page offers no month's WARC")
			}
			for _, c := range []struct {
				path string
				want int
			}{
				{fmt.Sprintf("/public/accounts/%d/warc?month=November", s.pwAccount), http.StatusUnprocessableEntity},
				{fmt.Sprintf("/public/accounts/%d/warc", s.pwAccount), http.StatusUnprocessableEntity},
				{fmt.Sprintf("/public/accounts/%d/warc?month=2026-13", s.pwAccount), http.StatusUnprocessableEntity},
				{fmt.Sprintf("/public/accounts/%d/warc?month=2019-01", s.pwAccount), http.StatusNotFound},
				{fmt.Sprintf("/public/accounts/%d/warc?month=%s", s.trapAccount, month), http.StatusNotFound},
				{fmt.Sprintf("/public/accounts/987654/warc?month=%s", month), http.StatusNotFound},
				{"/public/accounts/abc/warc?month=" + month, http.StatusNotFound},
			} {
				res, body := a.get(c.path)
				if res.StatusCode != c.want || res.Header.Get("Content-Type") == "application/warc" {
					t.Errorf("GET %s: %d %s, want %d", c.path, res.StatusCode, res.Header.Get("Content-Type"), c.want)
				}
				if bytes.Contains([]byte(body), []byte("river.fan")) {
					t.Errorf("GET %s names the covert profile", c.path)
				}
			}
		})
	}
}

// blockingWriter is a client that takes the response's first bytes and
// then stops reading until released.
type blockingWriter struct {
	*httptest.ResponseRecorder
	started chan struct{}
	release chan struct{}
	once    bool
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	if !w.once {
		w.once = true
		close(w.started)
		<-w.release
	}
	return w.ResponseRecorder.Write(p)
}

// TestPublicWARCOneAtATime: while one WARC is being sent, another asked
// for is 503 with Retry-After and the portal's page; once the first is
// sent, the next is written.
func TestPublicWARCOneAtATime(t *testing.T) {
	a := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil, noLimit)
	s := seedPortal(t, a)
	path := fmt.Sprintf("/public/accounts/%d/warc?month=%s", s.pwAccount, a.clock.Now().Format("2006-01"))
	slow := &blockingWriter{ResponseRecorder: httptest.NewRecorder(), started: make(chan struct{}), release: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.server.ServeHTTP(slow, httptest.NewRequest(http.MethodGet, "http://steward.test"+path, nil))
	}()
	<-slow.started
	res, body := a.get(path)
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "60" || !strings.Contains(body, "try again in a minute") {
		t.Errorf("a second WARC while one is sent: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	close(slow.release)
	<-done
	if slow.Code != http.StatusOK || !strings.HasPrefix(warcText(t, slow.Body.String()), "WARC/1.1") {
		t.Fatalf("the first WARC: %d", slow.Code)
	}
	if res, _ := a.get(path); res.StatusCode != http.StatusOK {
		t.Errorf("the next WARC after the first was sent: %d", res.StatusCode)
	}
}
