package importer

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/plain"
)

// DefaultUploadMax is the largest export one may upload to import from
// the pages or the API, unless the server says otherwise (--import-max).
const DefaultUploadMax = 2 << 30

// Task asks for an uploaded export to be imported into an archive account
// in the background (the job "archive_import") for the user By, whose
// permission to put records into the archive is checked again when it
// runs. The export was streamed to the blob store when it was uploaded
// (jobs.Stage); the worker copies it to a temporary file, imports it, and
// leaves a CSV report. Its worker deletes the upload once the task has
// ended for good; the results sweep deletes one a task left behind.
type Task struct {
	Account  int64     `json:"account"`  // the archive account
	Platform string    `json:"platform"` // the export's format (Formats)
	Export   jobs.File `json:"upload"`   // the export in the blob store
	By       int64     `json:"by"`       // the user who asked
}

// Kind names the job.
func (Task) Kind() string { return "archive_import" }

// Owner is the user who asked.
func (t Task) Owner() int64 { return t.By }

// Upload is the export the task reads (jobs.Uploaded).
func (t Task) Upload() jobs.File { return t.Export }

// ReportName is the report's file name.
func (t Task) ReportName() string { return fmt.Sprintf("import-%d-report.csv", t.Account) }

// Summary says what an import did in a sentence: "1,204 items imported,
// 3 already in the archive, 2 skipped".
func (r *Result) Summary() string {
	s := fmt.Sprintf("%s imported, %s already in the archive, %s skipped",
		plain.Count(r.Stored, "item", "items"), plain.Number(r.Duplicates), plain.Number(r.Rejected))
	if r.Skipped > 0 {
		s += fmt.Sprintf("; the first %s of the %s were done by an earlier run of the same file", plain.Number(r.Skipped), plain.Count(r.Entries, "entry", "entries"))
	}
	return s
}

// cell keeps a spreadsheet from reading a cell as a formula: an entry's
// place and reason may quote the export, which anyone could have written.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteReport writes what an import did as CSV: a line per count, then a
// line per entry skipped, with where it is in the export and why.
func (r *Result) WriteReport(w io.Writer) error {
	cw := csv.NewWriter(w)
	n := func(i int) string { return strconv.Itoa(i) }
	cw.Write([]string{"outcome", "count", "where in the export", "field", "reason"})
	cw.Write([]string{"entries in the export", n(r.Entries), "", "", ""})
	cw.Write([]string{"imported", n(r.Stored), "", "", ""})
	cw.Write([]string{"already in the archive", n(r.Duplicates), "", "", ""})
	cw.Write([]string{"skipped", n(r.Rejected), "", "", ""})
	cw.Write([]string{"done by an earlier run", n(r.Skipped), "", "", ""})
	for _, p := range r.Problems {
		cw.Write([]string{"skipped", "", cell(p.Where), cell(p.Field), cell(p.Message)})
	}
	cw.Flush()
	return cw.Error()
}
