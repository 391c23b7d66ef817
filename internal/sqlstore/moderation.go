package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"time"

	"steward.city/steward/internal/civic"
)

// ReasonCodeSettings lists the city's changes to the reason codes.
func (r *reader) ReasonCodeSettings(ctx context.Context) ([]*civic.ReasonCode, error) {
	rows, err := r.query(ctx, `SELECT code, label, description, second_review, updated_by, updated_at FROM moderation_codes ORDER BY code`)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (*civic.ReasonCode, error) {
		var c civic.ReasonCode
		if err := row.Scan(&c.Code, &c.Label, &c.Description, &c.SecondReview, &c.UpdatedBy, &c.UpdatedAt); err != nil {
			return nil, err
		}
		c.UpdatedAt = c.UpdatedAt.UTC()
		return &c, nil
	})
}

// SetReasonCode stores a city's label, description and second review of a code.
func (t *tx) SetReasonCode(ctx context.Context, c *civic.ReasonCode) error {
	c.UpdatedBy, c.UpdatedAt = t.actor.Label, t.Now()
	if _, err := t.exec(ctx, `INSERT INTO moderation_codes (code, label, description, second_review, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET label = excluded.label, description = excluded.description, second_review = excluded.second_review,
		updated_by = excluded.updated_by, updated_at = excluded.updated_at`, c.Code, c.Label, c.Description, c.SecondReview, c.UpdatedBy, c.UpdatedAt); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "moderation.code_set", ObjectType: "reason_code", ObjectID: c.Code, After: c})
}

// HoldSettings lists the accounts that hold comments.
func (r *reader) HoldSettings(ctx context.Context) ([]*civic.HoldSetting, error) {
	rows, err := r.query(ctx, `SELECT h.account_id, a.ref, h.mode, h.updated_by, h.updated_at FROM moderation_holds h JOIN archive_accounts a ON a.id = h.account_id ORDER BY a.ref`)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (*civic.HoldSetting, error) {
		var h civic.HoldSetting
		if err := row.Scan(&h.AccountID, &h.Account, &h.Mode, &h.UpdatedBy, &h.UpdatedAt); err != nil {
			return nil, err
		}
		h.UpdatedAt = h.UpdatedAt.UTC()
		return &h, nil
	})
}

// SetHoldSetting stores an account's hold mode; HoldOff deletes it.
func (t *tx) SetHoldSetting(ctx context.Context, h *civic.HoldSetting) error {
	h.UpdatedBy, h.UpdatedAt = t.actor.Label, t.Now()
	var err error
	if h.Mode == civic.HoldOff {
		_, err = t.exec(ctx, `DELETE FROM moderation_holds WHERE account_id = ?`, h.AccountID)
	} else {
		_, err = t.exec(ctx, `INSERT INTO moderation_holds (account_id, mode, updated_by, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (account_id) DO UPDATE SET mode = excluded.mode, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			h.AccountID, string(h.Mode), h.UpdatedBy, h.UpdatedAt)
	}
	if err != nil {
		return t.conflict(err, "hold setting")
	}
	return t.Record(ctx, civic.Change{Action: "moderation.hold_set", ObjectType: "archive_account", ObjectID: strconv.FormatInt(h.AccountID, 10), After: h})
}

const reviewColumns = `r.id, r.item_id, r.version_id, r.account_id, a.ref, i.platform_id, v.author_id, v.author_handle, v.author_name, v.text,
	r.labels, r.scores, r.evidence, r.held, r.source, r.posted_at, r.captured_at, r.queued_at, r.status, r.reviewed_at, r.closed_at, r.close_reason`
const reviewJoins = ` FROM moderation_reviews r JOIN archive_versions v ON v.id = r.version_id JOIN archive_items i ON i.id = r.item_id JOIN archive_accounts a ON a.id = r.account_id`

func scanReview(row interface{ Scan(...any) error }) (*civic.Review, error) {
	var rv civic.Review
	var labels, scores, evidence string
	var posted, reviewed, closed sql.NullTime
	if err := row.Scan(&rv.ID, &rv.ItemID, &rv.VersionID, &rv.AccountID, &rv.Account, &rv.PlatformID, &rv.Author.ID, &rv.Author.Handle, &rv.Author.Name, &rv.Text,
		&labels, &scores, &evidence, &rv.Held, &rv.Source, &posted, &rv.CapturedAt, &rv.QueuedAt, &rv.Status, &reviewed, &closed, &rv.CloseReason); err != nil {
		return nil, err
	}
	rv.CapturedAt, rv.QueuedAt = rv.CapturedAt.UTC(), rv.QueuedAt.UTC()
	rv.PostedAt, rv.ReviewedAt, rv.ClosedAt = nullTime(posted), nullTime(reviewed), nullTime(closed)
	if err := json.Unmarshal([]byte(labels), &rv.Labels); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(scores), &rv.Scores); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(evidence), &rv.Evidence); err != nil {
		return nil, err
	}
	return &rv, nil
}

// Reviews lists queue entries, oldest first.
func (r *reader) Reviews(ctx context.Context, open bool) ([]*civic.Review, error) {
	where := ""
	if open {
		where = ` WHERE r.status IN ('open', 'pending')`
	}
	rows, err := r.query(ctx, `SELECT `+reviewColumns+reviewJoins+where+` ORDER BY r.queued_at, r.id`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanReview)
}

// Review returns one queue entry.
func (r *reader) Review(ctx context.Context, id int64) (*civic.Review, error) {
	rv, err := scanReview(r.queryRow(ctx, `SELECT `+reviewColumns+reviewJoins+` WHERE r.id = ?`, id))
	return rv, notFound(err, "queue entry")
}

// OpenReviewsOfItem lists the item's entries still waiting.
func (r *reader) OpenReviewsOfItem(ctx context.Context, itemID int64) ([]*civic.Review, error) {
	rows, err := r.query(ctx, `SELECT `+reviewColumns+reviewJoins+` WHERE r.item_id = ? AND r.status IN ('open', 'pending') ORDER BY r.id`, itemID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanReview)
}

// ReviewsOfItem lists every queue entry of the item, oldest first.
func (r *reader) ReviewsOfItem(ctx context.Context, itemID int64) ([]*civic.Review, error) {
	rows, err := r.query(ctx, `SELECT `+reviewColumns+reviewJoins+` WHERE r.item_id = ? ORDER BY r.id`, itemID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanReview)
}

func modJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func modTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return dbTime(*t)
}

// QueueReview puts a version in the queue.
func (t *tx) QueueReview(ctx context.Context, rv *civic.Review) error {
	rv.QueuedAt = t.Now()
	if rv.Status == "" {
		rv.Status = civic.ReviewOpen
	}
	if rv.Labels == nil {
		rv.Labels = []string{}
	}
	if rv.Scores == nil {
		rv.Scores = map[string]float64{}
	}
	if rv.Evidence == nil {
		rv.Evidence = []civic.Evidence{}
	}
	if err := t.queryRow(ctx, `INSERT INTO moderation_reviews (item_id, version_id, account_id, labels, scores, evidence, held, source, posted_at, captured_at, queued_at,
		status, reviewed_at, closed_at, close_reason) VALUES (`+placeholders(15)+`) RETURNING id`,
		rv.ItemID, rv.VersionID, rv.AccountID, modJSON(rv.Labels), modJSON(rv.Scores), modJSON(rv.Evidence), rv.Held, rv.Source, modTime(rv.PostedAt),
		dbTime(rv.CapturedAt), rv.QueuedAt, string(rv.Status), modTime(rv.ReviewedAt), modTime(rv.ClosedAt), rv.CloseReason).Scan(&rv.ID); err != nil {
		return t.conflict(err, "queue entry")
	}
	return t.Record(ctx, civic.Change{Action: "moderation.queue", ObjectType: "moderation_review", ObjectID: strconv.FormatInt(rv.ID, 10),
		After: map[string]any{"item_id": rv.ItemID, "version_id": rv.VersionID, "labels": rv.Labels, "source": rv.Source, "held": rv.Held}})
}

// UpdateReview stores a queue entry's status and times.
func (t *tx) UpdateReview(ctx context.Context, rv *civic.Review) error {
	before, err := t.Review(ctx, rv.ID)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE moderation_reviews SET status = ?, reviewed_at = ?, closed_at = ?, close_reason = ? WHERE id = ?`,
		string(rv.Status), modTime(rv.ReviewedAt), modTime(rv.ClosedAt), rv.CloseReason, rv.ID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "moderation.review_update", ObjectType: "moderation_review", ObjectID: strconv.FormatInt(rv.ID, 10),
		Before: map[string]any{"status": before.Status, "close_reason": before.CloseReason}, After: map[string]any{"status": rv.Status, "close_reason": rv.CloseReason}})
}

const decisionColumns = `d.id, d.review_id, d.item_id, a.ref, d.action, d.code, d.note, d.names_official, d.needs_second, d.status, d.decided_by_id, d.decided_by, d.decided_at,
	d.second_by_id, d.second_by, d.second_at, d.second_note, d.final_at, d.carry_status, d.carried_out_at, d.carry_error, d.reversed_at, d.reversed_by, d.inquiry_id`
const decisionJoins = ` FROM moderation_decisions d JOIN archive_items i ON i.id = d.item_id JOIN archive_accounts a ON a.id = i.account_id`

func scanDecision(row interface{ Scan(...any) error }) (*civic.ModerationDecision, error) {
	var d civic.ModerationDecision
	var second, final, carried, reversed sql.NullTime
	if err := row.Scan(&d.ID, &d.ReviewID, &d.ItemID, &d.Account, &d.Action, &d.Code, &d.Note, &d.NamesOfficial, &d.NeedsSecond, &d.Status, &d.DecidedByID, &d.DecidedBy, &d.DecidedAt,
		&d.SecondByID, &d.SecondBy, &second, &d.SecondNote, &final, &d.CarryStatus, &carried, &d.CarryError, &reversed, &d.ReversedBy, &d.InquiryID); err != nil {
		return nil, err
	}
	d.DecidedAt = d.DecidedAt.UTC()
	d.SecondAt, d.FinalAt, d.CarriedOutAt, d.ReversedAt = nullTime(second), nullTime(final), nullTime(carried), nullTime(reversed)
	return &d, nil
}

// Decisions lists a queue entry's decisions, or every decision.
func (r *reader) Decisions(ctx context.Context, reviewID int64) ([]*civic.ModerationDecision, error) {
	q, args := `SELECT `+decisionColumns+decisionJoins+` ORDER BY d.id DESC`, []any{}
	if reviewID != 0 {
		q, args = `SELECT `+decisionColumns+decisionJoins+` WHERE d.review_id = ? ORDER BY d.id`, []any{reviewID}
	}
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanDecision)
}

// Decision returns one decision.
func (r *reader) Decision(ctx context.Context, id int64) (*civic.ModerationDecision, error) {
	d, err := scanDecision(r.queryRow(ctx, `SELECT `+decisionColumns+decisionJoins+` WHERE d.id = ?`, id))
	return d, notFound(err, "decision")
}

// CreateDecision stores a decision.
func (t *tx) CreateDecision(ctx context.Context, d *civic.ModerationDecision) error {
	d.DecidedBy, d.DecidedAt = t.actor.Label, t.Now()
	if err := t.queryRow(ctx, `INSERT INTO moderation_decisions (review_id, item_id, action, code, note, names_official, needs_second, status, decided_by_id, decided_by, decided_at,
		second_by_id, second_by, second_at, second_note, final_at, carry_status, carried_out_at, carry_error, reversed_at, reversed_by, inquiry_id)
		VALUES (`+placeholders(22)+`) RETURNING id`,
		d.ReviewID, d.ItemID, string(d.Action), d.Code, d.Note, d.NamesOfficial, d.NeedsSecond, string(d.Status), d.DecidedByID, d.DecidedBy, d.DecidedAt,
		d.SecondByID, d.SecondBy, modTime(d.SecondAt), d.SecondNote, modTime(d.FinalAt), d.CarryStatus, modTime(d.CarriedOutAt), d.CarryError,
		modTime(d.ReversedAt), d.ReversedBy, d.InquiryID).Scan(&d.ID); err != nil {
		return t.conflict(err, "decision")
	}
	if err := t.refreshPublicItem(ctx, d.ItemID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "moderation.decide", ObjectType: "moderation_decision", ObjectID: strconv.FormatInt(d.ID, 10), After: d})
}

// UpdateDecision stores a decision's later fields.
func (t *tx) UpdateDecision(ctx context.Context, d *civic.ModerationDecision) error {
	before, err := t.Decision(ctx, d.ID)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE moderation_decisions SET status = ?, second_by_id = ?, second_by = ?, second_at = ?, second_note = ?, final_at = ?,
		carry_status = ?, carried_out_at = ?, carry_error = ?, reversed_at = ?, reversed_by = ?, inquiry_id = ? WHERE id = ?`,
		string(d.Status), d.SecondByID, d.SecondBy, modTime(d.SecondAt), d.SecondNote, modTime(d.FinalAt), d.CarryStatus, modTime(d.CarriedOutAt), d.CarryError,
		modTime(d.ReversedAt), d.ReversedBy, d.InquiryID, d.ID); err != nil {
		return err
	}
	if err := t.refreshPublicItem(ctx, before.ItemID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "moderation.decision_update", ObjectType: "moderation_decision", ObjectID: strconv.FormatInt(d.ID, 10), Before: before, After: d})
}
