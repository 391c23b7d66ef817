package records_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/pdf/pdftest"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/storetest"
)

// TestReportScripts exports comments in several scripts and reads
// data/report.pdf back with pdftotext: each comment reads as written
// (pdftest.Normalize on both sides; the Arabic one run by run, as
// docs/pdf.md explains), and the report has its page numbers.
func TestReportScripts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Engines(t)[0])
	at := time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC)
	texts := []string{
		"splash pad — “Waxaan jeclahay” Somali, Tôi muốn nói tiếng Việt",
		"splash pad: መንገዱ ለሦስት ቀናት ተዘግቷል። Дорога закрыта.",
		"splash pad: 道路已经关闭三天了。 Kuv xav tau kev pab 😀👍",
		"splash pad: الطريق مغلق منذ ثلاثة أيام",
	}
	var recs []archive.Record
	for i, text := range texts {
		recs = append(recs, rec("c"+string(rune('a'+i)), "", text, at.Add(time.Duration(i)*time.Minute)))
	}
	if _, err := e.arch.Ingest(e.ctx, civic.CLI, recs, nil); err != nil {
		t.Fatal(err)
	}
	r := &civic.RecordsRequest{Requester: "A Resident", ReceivedOn: at, Subject: true, Description: "Splash pad — all languages", Scope: []string{`"splash pad"`}}
	if _, err := e.svc.Create(e.ctx, civic.CLI, r); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := e.svc.Export(e.ctx, civic.CLI, r.ID, &out); err != nil {
		t.Fatal(err)
	}
	report := unzip(t, out.Bytes())[records.FileReport]
	pdftest.Save(t, "records-report-scripts", report)
	text, ok := pdftest.Text(t, report)
	if !ok {
		t.Skip("pdftotext is not installed")
	}
	got := pdftest.Normalize(text)
	for _, want := range append(texts[:3], "splash pad:", "Splash pad — all languages", "Page 1 of 1") {
		if !strings.Contains(got, pdftest.Normalize(want)) {
			t.Errorf("report.pdf does not read %q:\n%s", want, got)
		}
	}
	runs := pdftest.RTLRuns(text)
	if len(runs) != 1 || runs[0] != pdftest.Normalize("الطريق مغلق منذ ثلاثة أيام") {
		t.Errorf("the Arabic comment reads %q", runs)
	}
}
