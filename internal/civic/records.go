package civic

import (
	"context"
	"time"
)

// RecordsReader reads data requests and their productions (REC-2, REC-5, REC-6).
type RecordsReader interface {
	// RecordsRequests lists requests by due date, those without one last;
	// open limits the list to requests not yet closed.
	RecordsRequests(ctx context.Context, open bool) ([]*RecordsRequest, error)
	RecordsRequest(ctx context.Context, id int64) (*RecordsRequest, error)
	// Redactions lists a request's redactions by version and start.
	Redactions(ctx context.Context, requestID int64) ([]*Redaction, error)
	// VersionsOfItems calls fn for every version of the given items, by item
	// and then in captured order, without their payloads (Raw nil).
	VersionsOfItems(ctx context.Context, itemIDs []int64, fn func(*Version) error) error
	// ArchiveItemThreads calls fn with every archived item's ID, account
	// reference and thread ID, in ID order.
	ArchiveItemThreads(ctx context.Context, fn func(id int64, account, thread string) error) error
	// ArchiveVersionItems calls fn with the ID and item of every version
	// whose log index is below size, in no set order.
	ArchiveVersionItems(ctx context.Context, size int64, fn func(id, itemID int64) error) error
	// ArchiveVersion returns one version by ID.
	ArchiveVersion(ctx context.Context, id int64) (*Version, error)
	// ArchiveLogNodes returns the stored Merkle log nodes, in the order
	// asked; a node the log does not hold is KindNotFound.
	ArchiveLogNodes(ctx context.Context, nodes []LogNode) ([][]byte, error)
}

// RecordsWriter changes data requests; each write records its audit event.
type RecordsWriter interface {
	CreateRecordsRequest(ctx context.Context, r *RecordsRequest) error
	UpdateRecordsRequest(ctx context.Context, r *RecordsRequest) error
	// AddRedaction stores a redaction of one version's text for a request.
	AddRedaction(ctx context.Context, r *Redaction) error
}

// LogNode names a node of the Merkle log: the root of the complete subtree
// covering leaves [Index<<Level, (Index+1)<<Level).
type LogNode struct {
	Level int
	Index int64
}

// RequestStatus is where a records request stands.
type RequestStatus string

// The request statuses.
const (
	RequestOpen      RequestStatus = "open"      // logged, being searched and reviewed
	RequestFulfilled RequestStatus = "fulfilled" // the records were produced
	RequestClosed    RequestStatus = "closed"    // withdrawn, or nothing to produce
)

// RequestStatuses lists every status.
var RequestStatuses = []RequestStatus{RequestOpen, RequestFulfilled, RequestClosed}

// RequestKind is what asked for the records.
type RequestKind string

// The request kinds.
const (
	RequestData     RequestKind = "data"     // a data request under the Data Practices Act
	RequestSubpoena RequestKind = "subpoena" // a subpoena or discovery request
)

// RecordsRequest is a request for records: who asked, when, for what (the
// scope is one or more archive queries, one per line), and where it stands.
type RecordsRequest struct {
	ID          int64         `json:"id"`
	Requester   string        `json:"requester"`
	Contact     string        `json:"contact"`
	ReceivedOn  time.Time     `json:"received_on"`
	Subject     bool          `json:"subject"` // the requester is the subject of the data
	Kind        RequestKind   `json:"kind"`
	Description string        `json:"description"`
	Scope       []string      `json:"scope"` // archive queries
	Status      RequestStatus `json:"status"`
	DueOn       *time.Time    `json:"due_on"` // nil: a reasonable time
	Notes       string        `json:"notes"`
	Pages       int           `json:"pages"`             // copies made
	ActualCost  int64         `json:"actual_cost_cents"` // beyond 100 pages
	Fee         int64         `json:"fee_cents"`
	FulfilledOn *time.Time    `json:"fulfilled_on"`
	CreatedBy   string        `json:"created_by"`
	CreatedAt   time.Time     `json:"created_at"`
}

// Overdue reports whether the request is open past its due date at now.
func (r *RecordsRequest) Overdue(now time.Time) bool {
	if r.Status != RequestOpen || r.DueOn == nil {
		return false
	}
	y, m, d := now.Date()
	return r.DueOn.Before(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// Redaction hides the bytes [Start, End) of a version's text in the export
// of one request, for a reason citing the statute. The version never changes.
type Redaction struct {
	ID        int64     `json:"id"`
	RequestID int64     `json:"request_id"`
	VersionID int64     `json:"version_id"`
	Start     int       `json:"start"`
	End       int       `json:"end"`
	Reason    string    `json:"reason"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}
