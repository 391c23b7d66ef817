package civic

import (
	"context"
	"fmt"
	"time"
)

// ModerationReader reads reason codes, the review queue, decisions, the
// Removed Comments Tracking Form, public inquiries and staff reports
// (MOD-1..7).
type ModerationReader interface {
	// ReasonCodeSettings lists what the city changed of the reason codes
	// (labels, descriptions, second review), by code; codes it never
	// changed are absent.
	ReasonCodeSettings(ctx context.Context) ([]*ReasonCode, error)
	// HoldSettings lists the accounts set to hold comments for review.
	HoldSettings(ctx context.Context) ([]*HoldSetting, error)
	// Reviews lists queue entries, oldest first; open limits them to
	// entries still waiting for a decision.
	Reviews(ctx context.Context, open bool) ([]*Review, error)
	Review(ctx context.Context, id int64) (*Review, error)
	// OpenReviewsOfItem lists the item's entries still waiting.
	OpenReviewsOfItem(ctx context.Context, itemID int64) ([]*Review, error)
	// ReviewsOfItem lists every entry of the item, whatever its status,
	// oldest first.
	ReviewsOfItem(ctx context.Context, itemID int64) ([]*Review, error)
	// Decisions lists the decisions on a queue entry, oldest first, or
	// every decision, newest first, when reviewID is 0.
	Decisions(ctx context.Context, reviewID int64) ([]*ModerationDecision, error)
	Decision(ctx context.Context, id int64) (*ModerationDecision, error)
	// TrackingForms lists the forms, newest first.
	TrackingForms(ctx context.Context) ([]*TrackingForm, error)
	TrackingForm(ctx context.Context, id int64) (*TrackingForm, error)
	// Inquiries lists public inquiries, oldest first; open limits them to
	// those not yet answered.
	Inquiries(ctx context.Context, open bool) ([]*Inquiry, error)
	Inquiry(ctx context.Context, id int64) (*Inquiry, error)
	// StaffReports lists staff reports, newest first.
	StaffReports(ctx context.Context) ([]*StaffReport, error)
	StaffReport(ctx context.Context, id int64) (*StaffReport, error)
	// FormDisposals lists the disposals of tracking forms, newest first.
	FormDisposals(ctx context.Context) ([]*FormDisposal, error)
	FormDisposal(ctx context.Context, id int64) (*FormDisposal, error)
}

// ModerationWriter changes them; each write records its audit event.
type ModerationWriter interface {
	// SetReasonCode stores a city's label, description and second-review
	// choice for one code of the taxonomy.
	SetReasonCode(ctx context.Context, c *ReasonCode) error
	// SetHoldSetting stores how an account holds comments; HoldOff removes it.
	SetHoldSetting(ctx context.Context, h *HoldSetting) error
	// QueueReview puts a comment version in the queue.
	QueueReview(ctx context.Context, r *Review) error
	// UpdateReview stores a queue entry's status, close reason and times.
	UpdateReview(ctx context.Context, r *Review) error
	CreateDecision(ctx context.Context, d *ModerationDecision) error
	// UpdateDecision stores a decision's status, second review, outcome of
	// carrying it out and reversal.
	UpdateDecision(ctx context.Context, d *ModerationDecision) error
	CreateTrackingForm(ctx context.Context, f *TrackingForm) error
	// CreateInquiry stores an inquiry and gives it the next reference
	// number of the year it was received.
	CreateInquiry(ctx context.Context, q *Inquiry) error
	// UpdateInquiry stores the removal an inquiry is linked to, its
	// response, outcome and e-mail.
	UpdateInquiry(ctx context.Context, q *Inquiry) error
	CreateStaffReport(ctx context.Context, r *StaffReport) error
	// UpdateStaffReport stores a report's status and queue entry.
	UpdateStaffReport(ctx context.Context, r *StaffReport) error
	// CreateFormDisposal stores a proposed disposal of the listed forms.
	CreateFormDisposal(ctx context.Context, d *FormDisposal) error
	// ExecuteFormDisposal records the approval of a proposed disposal and
	// replaces the content of each listed form by a tombstone keeping its
	// hash. It returns how many forms it disposed of.
	ExecuteFormDisposal(ctx context.Context, id int64) (int, error)
}

// ReasonCode is one reason for removing a comment, tied to the clause of
// the policy it comes from. A city may rename and describe a code and
// choose whether its removals need a second reviewer; its clause is fixed.
type ReasonCode struct {
	Code         string    `json:"code"`
	Label        string    `json:"label"`
	Description  string    `json:"description"`
	Clause       string    `json:"clause"` // the policy's words
	Source       string    `json:"source"` // the policy and section
	SecondReview bool      `json:"second_review"`
	UpdatedBy    string    `json:"updated_by,omitempty"`
	UpdatedAt    time.Time `json:"updated_at,omitzero"`
}

// HoldMode is how an account whose platform can hold comments holds them.
type HoldMode string

// The hold modes.
const (
	HoldOff     HoldMode = "off"     // comments appear at once; the account is monitored
	HoldFlagged HoldMode = "flagged" // flagged comments are held until reviewed
	HoldAll     HoldMode = "all"     // every comment is held until reviewed
)

// HoldSetting is the hold mode of one archive account.
type HoldSetting struct {
	AccountID int64     `json:"account_id"`
	Account   string    `json:"account"`
	Mode      HoldMode  `json:"mode"`
	UpdatedBy string    `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ReviewStatus is where a queue entry stands.
type ReviewStatus string

// The review statuses.
const (
	ReviewOpen    ReviewStatus = "open"    // waiting for a decision
	ReviewPending ReviewStatus = "pending" // decided, waiting for a second reviewer
	ReviewDecided ReviewStatus = "decided"
	ReviewClosed  ReviewStatus = "closed" // gone from the platform, or edited
)

// Review is one comment version in the moderation queue, with what the
// screening found: suggested codes, scores and the words that triggered
// them. Nothing happens to the comment until a person decides.
type Review struct {
	ID          int64              `json:"id"`
	ItemID      int64              `json:"item_id"`
	VersionID   int64              `json:"version_id"`
	AccountID   int64              `json:"account_id"`
	Account     string             `json:"account"`
	PlatformID  string             `json:"platform_id"`
	Author      Author             `json:"author"`
	Text        string             `json:"text"`
	PostText    string             `json:"post_text"`
	Labels      []string           `json:"labels"`
	Scores      map[string]float64 `json:"scores"`
	Evidence    []Evidence         `json:"evidence"`
	Held        bool               `json:"held"`   // the platform holds it until reviewed
	Source      string             `json:"source"` // screening, held, report
	PostedAt    *time.Time         `json:"posted_at"`
	CapturedAt  time.Time          `json:"captured_at"`
	QueuedAt    time.Time          `json:"queued_at"`
	Status      ReviewStatus       `json:"status"`
	ReviewedAt  *time.Time         `json:"reviewed_at"` // first decision
	ClosedAt    *time.Time         `json:"closed_at"`
	CloseReason string             `json:"close_reason"`
}

// Waiting returns how long the entry has waited at now, from the time the
// comment was posted (or captured, when the platform does not say).
func (r *Review) Waiting(now time.Time) time.Duration {
	from := r.CapturedAt
	if r.PostedAt != nil {
		from = *r.PostedAt
	}
	end := now
	if r.ReviewedAt != nil {
		end = *r.ReviewedAt
	}
	return end.Sub(from)
}

// DecisionAction is what a reviewer decided. There is no edit and no block
// action anywhere in Steward (MOD-3, MOD-4).
type DecisionAction string

// The decision actions.
const (
	DecisionKeep   DecisionAction = "keep"
	DecisionHide   DecisionAction = "hide"
	DecisionRemove DecisionAction = "remove"
)

// DecisionActions lists every action.
var DecisionActions = []DecisionAction{DecisionKeep, DecisionHide, DecisionRemove}

// DecisionStatus is where a decision stands.
type DecisionStatus string

// The decision statuses.
const (
	DecisionPending  DecisionStatus = "pending"  // waiting for a second reviewer
	DecisionFinal    DecisionStatus = "final"    // in force
	DecisionDeclined DecisionStatus = "declined" // the second reviewer did not agree
	DecisionReversed DecisionStatus = "reversed" // reversed after a public inquiry
)

// ModerationDecision is a reviewer's keep, hide or remove of one queued comment,
// with its reason code, and what happened when Steward carried it out.
type ModerationDecision struct {
	ID            int64          `json:"id"`
	ReviewID      int64          `json:"review_id"`
	ItemID        int64          `json:"item_id"`
	Account       string         `json:"account"`
	Action        DecisionAction `json:"action"`
	Code          string         `json:"code"`
	Note          string         `json:"note"`
	NamesOfficial string         `json:"names_official"` // the official the comment names, if any
	NeedsSecond   bool           `json:"needs_second"`
	Status        DecisionStatus `json:"status"`
	DecidedByID   int64          `json:"decided_by_id"`
	DecidedBy     string         `json:"decided_by"`
	DecidedAt     time.Time      `json:"decided_at"`
	SecondByID    int64          `json:"second_by_id"`
	SecondBy      string         `json:"second_by"`
	SecondAt      *time.Time     `json:"second_at"`
	SecondNote    string         `json:"second_note"`
	FinalAt       *time.Time     `json:"final_at"`
	CarryStatus   string         `json:"carry_status"`
	CarriedOutAt  *time.Time     `json:"carried_out_at"`
	CarryError    string         `json:"carry_error"`
	ReversedAt    *time.Time     `json:"reversed_at"`
	ReversedBy    string         `json:"reversed_by"`
	InquiryID     int64          `json:"inquiry_id"` // the inquiry that reversed it
}

// Removes reports whether the decision takes the comment out of view.
func (d *ModerationDecision) Removes() bool {
	return d.Action == DecisionHide || d.Action == DecisionRemove
}

// TrackingForm is the Removed Comments Tracking Form (MOD-5), filled when
// a hide or removal is in force. It is kept one year and then disposed of
// with a disposition record; the comment itself stays in the archive.
type TrackingForm struct {
	ID          int64      `json:"id"`
	DecisionID  int64      `json:"decision_id"`
	ItemID      int64      `json:"item_id"`
	Site        string     `json:"site"`        // 1. social media site affected
	PostedAt    *time.Time `json:"posted_at"`   // 2. date of original post
	ScreenName  string     `json:"screen_name"` // 3. screen name of poster
	Comment     string     `json:"comment"`     // 4. entire comment
	Reason      string     `json:"reason"`      // 5. reason for removal
	RemovedAt   time.Time  `json:"removed_at"`  // 6. date removed
	RemovedBy   string     `json:"removed_by"`  // 7. removed by
	Other       string     `json:"other"`       // 8. other pertinent information
	ReceivedAt  time.Time  `json:"received_at"` // date received by the coordinator
	Code        string     `json:"code"`
	CreatedAt   time.Time  `json:"created_at"`
	ContentHash string     `json:"content_hash"` // SHA-256 of the fields above, kept after disposal
	DisposedAt  *time.Time `json:"disposed_at"`
	DisposalID  int64      `json:"disposal_id"`
}

// FormTombstone is what the fields of a disposed tracking form read.
const FormTombstone = "[disposed of: retention ended]"

// Inquiry is a member of the public's written question about a comment
// (MOD-6), with the response. It is matched to the tracking form of a
// recorded removal, or unmatched (FormID 0) until Communications links it.
type Inquiry struct {
	ID         int64      `json:"id"`
	Reference  string     `json:"reference"` // INQ-YEAR-SEQ, shown to the resident
	RefYear    int        `json:"-"`
	RefSeq     int        `json:"-"`
	FormID     int64      `json:"form_id"`     // 0: not matched to a removal
	Matched    bool       `json:"matched"`     // FormID is not 0
	Account    string     `json:"account"`     // what the resident wrote: the City site,
	ScreenName string     `json:"screen_name"` // the screen name
	PostedOn   string     `json:"posted_on"`   // and the day (YYYY-MM-DD), if given
	Name       string     `json:"name"`
	Contact    string     `json:"contact"`
	Question   string     `json:"question"`
	ReceivedAt time.Time  `json:"received_at"`
	DueAt      time.Time  `json:"due_at"`
	Response   string     `json:"response"`
	Outcome    string     `json:"outcome"` // upheld or reversed
	AnsweredAt *time.Time `json:"answered_at"`
	AnsweredBy string     `json:"answered_by"`
	EmailedAt  *time.Time `json:"emailed_at"`
	EmailError string     `json:"email_error"`
}

// InquiryReference is the reference number of an inquiry: INQ-2026-0007
// is the seventh of 2026.
func InquiryReference(year, seq int) string {
	return fmt.Sprintf("INQ-%04d-%04d", year, seq)
}

// StaffReport is a staff member's report of inappropriate content to
// their supervisor or to Communications (MOD-7).
type StaffReport struct {
	ID           int64      `json:"id"`
	ItemID       int64      `json:"item_id"` // the archived item, when known
	Link         string     `json:"link"`    // where it was seen, otherwise
	Note         string     `json:"note"`
	To           string     `json:"to"` // supervisor or communications
	DepartmentID int64      `json:"department_id"`
	ReporterID   int64      `json:"reporter_id"`
	ReportedBy   string     `json:"reported_by"`
	CreatedAt    time.Time  `json:"created_at"`
	ReviewID     int64      `json:"review_id"`
	Status       string     `json:"status"` // open or closed
	ClosedBy     string     `json:"closed_by"`
	ClosedAt     *time.Time `json:"closed_at"`
}

// FormDisposal is the disposition record of tracking forms whose year has
// passed: proposed, then approved by the clerk, who disposes of them.
type FormDisposal struct {
	ID         int64      `json:"id"`
	Status     string     `json:"status"` // proposed, executed
	AsOf       time.Time  `json:"as_of"`
	FormIDs    []int64    `json:"form_ids"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	ApprovedBy string     `json:"approved_by"`
	ApprovedAt *time.Time `json:"approved_at"`
	Disposed   int        `json:"disposed"`
}
