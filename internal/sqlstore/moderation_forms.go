package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"

	"steward.city/steward/internal/civic"
)

const formColumns = `id, decision_id, item_id, site, posted_at, screen_name, comment, reason, removed_at, removed_by, other, received_at, code, created_at,
	content_hash, disposed_at, disposal_id`

func scanForm(row interface{ Scan(...any) error }) (*civic.TrackingForm, error) {
	var f civic.TrackingForm
	var posted, disposed sql.NullTime
	if err := row.Scan(&f.ID, &f.DecisionID, &f.ItemID, &f.Site, &posted, &f.ScreenName, &f.Comment, &f.Reason, &f.RemovedAt, &f.RemovedBy, &f.Other, &f.ReceivedAt,
		&f.Code, &f.CreatedAt, &f.ContentHash, &disposed, &f.DisposalID); err != nil {
		return nil, err
	}
	f.RemovedAt, f.ReceivedAt, f.CreatedAt = f.RemovedAt.UTC(), f.ReceivedAt.UTC(), f.CreatedAt.UTC()
	f.PostedAt, f.DisposedAt = nullTime(posted), nullTime(disposed)
	return &f, nil
}

// TrackingForms lists the forms, newest first.
func (r *reader) TrackingForms(ctx context.Context) ([]*civic.TrackingForm, error) {
	rows, err := r.query(ctx, `SELECT `+formColumns+` FROM moderation_forms ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanForm)
}

// TrackingForm returns one form.
func (r *reader) TrackingForm(ctx context.Context, id int64) (*civic.TrackingForm, error) {
	f, err := scanForm(r.queryRow(ctx, `SELECT `+formColumns+` FROM moderation_forms WHERE id = ?`, id))
	return f, notFound(err, "tracking form")
}

// CreateTrackingForm stores a filled form.
func (t *tx) CreateTrackingForm(ctx context.Context, f *civic.TrackingForm) error {
	f.CreatedAt = t.Now()
	if err := t.queryRow(ctx, `INSERT INTO moderation_forms (decision_id, item_id, site, posted_at, screen_name, comment, reason, removed_at, removed_by, other, received_at,
		code, created_at, content_hash, disposed_at, disposal_id) VALUES (`+placeholders(16)+`) RETURNING id`,
		f.DecisionID, f.ItemID, f.Site, modTime(f.PostedAt), f.ScreenName, f.Comment, f.Reason, dbTime(f.RemovedAt), f.RemovedBy, f.Other, dbTime(f.ReceivedAt),
		f.Code, f.CreatedAt, f.ContentHash, modTime(f.DisposedAt), f.DisposalID).Scan(&f.ID); err != nil {
		return t.conflict(err, "tracking form")
	}
	return t.Record(ctx, civic.Change{Action: "moderation.form_create", ObjectType: "tracking_form", ObjectID: strconv.FormatInt(f.ID, 10),
		After: map[string]any{"decision_id": f.DecisionID, "item_id": f.ItemID, "content_hash": f.ContentHash}})
}

const inquiryColumns = `id, form_id, name, contact, question, received_at, due_at, response, outcome, answered_at, answered_by, emailed_at, email_error,
	account, screen_name, posted_on, ref_year, ref_seq`

func scanInquiry(row interface{ Scan(...any) error }) (*civic.Inquiry, error) {
	var q civic.Inquiry
	var form sql.NullInt64
	var answered, emailed sql.NullTime
	if err := row.Scan(&q.ID, &form, &q.Name, &q.Contact, &q.Question, &q.ReceivedAt, &q.DueAt, &q.Response, &q.Outcome, &answered, &q.AnsweredBy, &emailed, &q.EmailError,
		&q.Account, &q.ScreenName, &q.PostedOn, &q.RefYear, &q.RefSeq); err != nil {
		return nil, err
	}
	q.FormID, q.Matched = form.Int64, form.Valid
	q.Reference = civic.InquiryReference(q.RefYear, q.RefSeq)
	q.ReceivedAt, q.DueAt = q.ReceivedAt.UTC(), q.DueAt.UTC()
	q.AnsweredAt, q.EmailedAt = nullTime(answered), nullTime(emailed)
	return &q, nil
}

// inquiryForm is an inquiry's form_id: NULL when it is unmatched.
func inquiryForm(q *civic.Inquiry) any {
	if q.FormID == 0 {
		return nil
	}
	return q.FormID
}

// Inquiries lists inquiries, oldest first.
func (r *reader) Inquiries(ctx context.Context, open bool) ([]*civic.Inquiry, error) {
	where := ""
	if open {
		where = ` WHERE answered_at IS NULL`
	}
	rows, err := r.query(ctx, `SELECT `+inquiryColumns+` FROM moderation_inquiries`+where+` ORDER BY received_at, id`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanInquiry)
}

// Inquiry returns one inquiry.
func (r *reader) Inquiry(ctx context.Context, id int64) (*civic.Inquiry, error) {
	q, err := scanInquiry(r.queryRow(ctx, `SELECT `+inquiryColumns+` FROM moderation_inquiries WHERE id = ?`, id))
	return q, notFound(err, "inquiry")
}

// CreateInquiry stores a public inquiry and gives it the next reference
// number of the year it was received (UTC). The count per year is one row
// of moderation_inquiry_years, raised in place, so two inquiries filed at
// once wait for each other rather than take the same number.
func (t *tx) CreateInquiry(ctx context.Context, q *civic.Inquiry) error {
	q.RefYear = q.ReceivedAt.UTC().Year()
	if err := t.queryRow(ctx, `INSERT INTO moderation_inquiry_years (year, last) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last = moderation_inquiry_years.last + 1 RETURNING last`, q.RefYear).Scan(&q.RefSeq); err != nil {
		return err
	}
	q.Reference, q.Matched = civic.InquiryReference(q.RefYear, q.RefSeq), q.FormID != 0
	if err := t.queryRow(ctx, `INSERT INTO moderation_inquiries (form_id, name, contact, question, received_at, due_at, response, outcome, answered_at, answered_by,
		emailed_at, email_error, account, screen_name, posted_on, ref_year, ref_seq) VALUES (`+placeholders(17)+`) RETURNING id`,
		inquiryForm(q), q.Name, q.Contact, q.Question, dbTime(q.ReceivedAt), dbTime(q.DueAt), q.Response, q.Outcome, modTime(q.AnsweredAt), q.AnsweredBy,
		modTime(q.EmailedAt), q.EmailError, q.Account, q.ScreenName, q.PostedOn, q.RefYear, q.RefSeq).Scan(&q.ID); err != nil {
		return t.conflict(err, "inquiry")
	}
	// The audit event leaves out the contact details of the public.
	return t.Record(ctx, civic.Change{Action: "moderation.inquiry_create", ObjectType: "moderation_inquiry", ObjectID: strconv.FormatInt(q.ID, 10),
		After: map[string]any{"reference": q.Reference, "form_id": q.FormID, "received_at": q.ReceivedAt, "due_at": q.DueAt}})
}

// UpdateInquiry stores the removal an inquiry is linked to, the response
// and its e-mail.
func (t *tx) UpdateInquiry(ctx context.Context, q *civic.Inquiry) error {
	if _, err := t.Inquiry(ctx, q.ID); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE moderation_inquiries SET form_id = ?, response = ?, outcome = ?, answered_at = ?, answered_by = ?, emailed_at = ?, email_error = ? WHERE id = ?`,
		inquiryForm(q), q.Response, q.Outcome, modTime(q.AnsweredAt), q.AnsweredBy, modTime(q.EmailedAt), q.EmailError, q.ID); err != nil {
		return t.conflict(err, "inquiry")
	}
	q.Matched = q.FormID != 0
	return t.Record(ctx, civic.Change{Action: "moderation.inquiry_update", ObjectType: "moderation_inquiry", ObjectID: strconv.FormatInt(q.ID, 10),
		After: map[string]any{"form_id": q.FormID, "outcome": q.Outcome, "answered_at": q.AnsweredAt, "answered_by": q.AnsweredBy, "emailed_at": q.EmailedAt, "email_error": q.EmailError}})
}

const reportColumns = `id, item_id, link, note, recipient, department_id, reporter_id, reported_by, created_at, review_id, status, closed_by, closed_at`

func scanReport(row interface{ Scan(...any) error }) (*civic.StaffReport, error) {
	var r civic.StaffReport
	var closed sql.NullTime
	if err := row.Scan(&r.ID, &r.ItemID, &r.Link, &r.Note, &r.To, &r.DepartmentID, &r.ReporterID, &r.ReportedBy, &r.CreatedAt, &r.ReviewID, &r.Status, &r.ClosedBy, &closed); err != nil {
		return nil, err
	}
	r.CreatedAt, r.ClosedAt = r.CreatedAt.UTC(), nullTime(closed)
	return &r, nil
}

// StaffReports lists reports, newest first.
func (r *reader) StaffReports(ctx context.Context) ([]*civic.StaffReport, error) {
	rows, err := r.query(ctx, `SELECT `+reportColumns+` FROM moderation_reports ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanReport)
}

// StaffReport returns one report.
func (r *reader) StaffReport(ctx context.Context, id int64) (*civic.StaffReport, error) {
	rp, err := scanReport(r.queryRow(ctx, `SELECT `+reportColumns+` FROM moderation_reports WHERE id = ?`, id))
	return rp, notFound(err, "report")
}

// CreateStaffReport stores a report.
func (t *tx) CreateStaffReport(ctx context.Context, rp *civic.StaffReport) error {
	rp.ReportedBy, rp.CreatedAt = t.actor.Label, t.Now()
	if rp.Status == "" {
		rp.Status = "open"
	}
	if err := t.queryRow(ctx, `INSERT INTO moderation_reports (item_id, link, note, recipient, department_id, reporter_id, reported_by, created_at, review_id, status, closed_by, closed_at)
		VALUES (`+placeholders(12)+`) RETURNING id`,
		rp.ItemID, rp.Link, rp.Note, rp.To, rp.DepartmentID, rp.ReporterID, rp.ReportedBy, rp.CreatedAt, rp.ReviewID, rp.Status, rp.ClosedBy, modTime(rp.ClosedAt)).Scan(&rp.ID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "moderation.report", ObjectType: "staff_report", ObjectID: strconv.FormatInt(rp.ID, 10), After: rp})
}

// UpdateStaffReport stores a report's status and queue entry.
func (t *tx) UpdateStaffReport(ctx context.Context, rp *civic.StaffReport) error {
	before, err := t.StaffReport(ctx, rp.ID)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE moderation_reports SET review_id = ?, status = ?, closed_by = ?, closed_at = ? WHERE id = ?`,
		rp.ReviewID, rp.Status, rp.ClosedBy, modTime(rp.ClosedAt), rp.ID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "moderation.report_update", ObjectType: "staff_report", ObjectID: strconv.FormatInt(rp.ID, 10), Before: before, After: rp})
}

const disposalColumns = `id, status, as_of, form_ids, created_by, created_at, approved_by, approved_at, disposed`

func scanDisposal(row interface{ Scan(...any) error }) (*civic.FormDisposal, error) {
	var d civic.FormDisposal
	var ids string
	var approved sql.NullTime
	if err := row.Scan(&d.ID, &d.Status, &d.AsOf, &ids, &d.CreatedBy, &d.CreatedAt, &d.ApprovedBy, &approved, &d.Disposed); err != nil {
		return nil, err
	}
	d.AsOf, d.CreatedAt, d.ApprovedAt = d.AsOf.UTC(), d.CreatedAt.UTC(), nullTime(approved)
	return &d, json.Unmarshal([]byte(ids), &d.FormIDs)
}

// FormDisposals lists disposals, newest first.
func (r *reader) FormDisposals(ctx context.Context) ([]*civic.FormDisposal, error) {
	rows, err := r.query(ctx, `SELECT `+disposalColumns+` FROM moderation_disposals ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanDisposal)
}

// FormDisposal returns one disposal.
func (r *reader) FormDisposal(ctx context.Context, id int64) (*civic.FormDisposal, error) {
	d, err := scanDisposal(r.queryRow(ctx, `SELECT `+disposalColumns+` FROM moderation_disposals WHERE id = ?`, id))
	return d, notFound(err, "disposition record")
}

// CreateFormDisposal stores a proposed disposal.
func (t *tx) CreateFormDisposal(ctx context.Context, d *civic.FormDisposal) error {
	d.Status, d.CreatedBy, d.CreatedAt = "proposed", t.actor.Label, t.Now()
	if d.FormIDs == nil {
		d.FormIDs = []int64{}
	}
	if err := t.queryRow(ctx, `INSERT INTO moderation_disposals (status, as_of, form_ids, created_by, created_at, approved_by, approved_at, disposed) VALUES (?, ?, ?, ?, ?, '', NULL, 0) RETURNING id`,
		d.Status, dbTime(d.AsOf), modJSON(d.FormIDs), d.CreatedBy, d.CreatedAt).Scan(&d.ID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "moderation.disposal_propose", ObjectType: "form_disposal", ObjectID: strconv.FormatInt(d.ID, 10), After: d})
}

// ExecuteFormDisposal approves a disposal and tombstones its forms.
func (t *tx) ExecuteFormDisposal(ctx context.Context, id int64) (int, error) {
	d, err := t.FormDisposal(ctx, id)
	if err != nil {
		return 0, err
	}
	if d.Status != "proposed" {
		return 0, civic.Errorf(civic.KindConflict, "disposition record %d was already approved", id)
	}
	now := t.Now()
	n := 0
	for _, fid := range d.FormIDs {
		res, err := t.exec(ctx, `UPDATE moderation_forms SET site = ?, screen_name = ?, comment = ?, reason = ?, removed_by = ?, other = ?, posted_at = NULL,
			disposed_at = ?, disposal_id = ? WHERE id = ? AND disposed_at IS NULL`, civic.FormTombstone, civic.FormTombstone, civic.FormTombstone, civic.FormTombstone, civic.FormTombstone, civic.FormTombstone, now, id, fid)
		if err != nil {
			return 0, err
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	d.Status, d.ApprovedBy, d.ApprovedAt, d.Disposed = "executed", t.actor.Label, &now, n
	if _, err := t.exec(ctx, `UPDATE moderation_disposals SET status = ?, approved_by = ?, approved_at = ?, disposed = ? WHERE id = ?`, d.Status, d.ApprovedBy, now, n, id); err != nil {
		return 0, err
	}
	return n, t.Record(ctx, civic.Change{Action: "moderation.disposal_execute", ObjectType: "form_disposal", ObjectID: strconv.FormatInt(id, 10), After: d})
}
