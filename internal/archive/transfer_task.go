package archive

import (
	"fmt"
	"strings"

	"steward.city/steward/internal/civic"
)

// The formats an account's records can be downloaded in.
const (
	FormatWARC     = "warc"     // ISO 28500, gzip per record
	FormatWACZ     = "wacz"     // a WARC with its index, for replay tools
	FormatTransfer = "transfer" // a BagIt transfer bag for a state archives
)

// TransferFormat checks a format's name ("" is a WARC) and returns it.
func TransferFormat(s string) (string, error) {
	switch f := strings.ToLower(strings.TrimSpace(s)); f {
	case "", FormatWARC:
		return FormatWARC, nil
	case FormatWACZ, FormatTransfer:
		return f, nil
	}
	return "", civic.Invalid("format", "%q is not a format: choose warc, wacz or transfer", clip(s))
}

// TransferTask asks for an account's month as a WARC file, a WACZ package
// or a transfer bag, written in the background (the job
// "archive_transfer") for the user By to download. Withheld includes the
// private and nonpublic versions, marked, as a transfer to the state
// archives does; only the records officer may ask for it.
type TransferTask struct {
	Account  int64  `json:"account"`          // the archive account
	Month    string `json:"month"`            // YYYY-MM, on the city's calendar
	Format   string `json:"format,omitempty"` // warc (""), wacz or transfer
	Withheld bool   `json:"withheld,omitempty"`
	By       int64  `json:"by"` // the user who asked
}

// Kind names the job.
func (TransferTask) Kind() string { return "archive_transfer" }

// Owner is the user who asked.
func (t TransferTask) Owner() int64 { return t.By }

// FileName is the file's name.
func (t TransferTask) FileName() string {
	base := fmt.Sprintf("steward-account-%d-%s", t.Account, t.Month)
	if t.Withheld {
		base += "-with-withheld"
	}
	switch t.Format {
	case FormatWACZ:
		return base + ".wacz"
	case FormatTransfer:
		return base + "-transfer.zip"
	}
	return base + ".warc.gz"
}

// ContentType is the file's media type.
func (t TransferTask) ContentType() string {
	switch t.Format {
	case FormatWACZ, FormatTransfer:
		return "application/zip"
	}
	return "application/warc"
}

// FormatName names the format in words, for a page's title.
func (t TransferTask) FormatName() string {
	switch t.Format {
	case FormatWACZ:
		return "WACZ package"
	case FormatTransfer:
		return "transfer bag"
	}
	return "WARC file"
}
