package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"steward.city/steward/internal/civic"
)

const covertColumns = `c.id, c.site_name, c.site_url, c.username, c.screen_name, c.maintainer_id, c.purpose, c.registered_on, c.next_audit_on,
	c.status, c.ended_on, c.end_reason, c.created_at, c.updated_at, u.email`
const covertFrom = ` FROM covert_profiles c JOIN users u ON u.id = c.maintainer_id`

func scanCovert(row interface{ Scan(...any) error }) (*civic.CovertProfile, error) {
	var p civic.CovertProfile
	var ended sql.NullTime
	if err := row.Scan(&p.ID, &p.SiteName, &p.SiteURL, &p.Username, &p.ScreenName, &p.MaintainerID, &p.Purpose, &p.RegisteredOn, &p.NextAuditOn,
		&p.Status, &ended, &p.EndReason, &p.CreatedAt, &p.UpdatedAt, &p.Maintainer); err != nil {
		return nil, err
	}
	p.RegisteredOn, p.NextAuditOn, p.CreatedAt, p.UpdatedAt = p.RegisteredOn.UTC(), p.NextAuditOn.UTC(), p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	p.EndedOn = nullTime(ended)
	return &p, nil
}

// CovertProfile returns the covert profile with the given ID.
func (r *reader) CovertProfile(ctx context.Context, id int64) (*civic.CovertProfile, error) {
	p, err := scanCovert(r.queryRow(ctx, `SELECT `+covertColumns+covertFrom+` WHERE c.id = ?`, id))
	return p, notFound(err, "page")
}

// CovertProfiles lists covert profiles, all or one maintainer's.
func (r *reader) CovertProfiles(ctx context.Context, maintainerID int64) ([]*civic.CovertProfile, error) {
	q, args := `SELECT `+covertColumns+covertFrom+` ORDER BY c.site_name, c.id`, []any{}
	if maintainerID != 0 {
		q, args = `SELECT `+covertColumns+covertFrom+` WHERE c.maintainer_id = ? ORDER BY c.site_name, c.id`, []any{maintainerID}
	}
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanCovert)
}

// CovertAudits lists a profile's audits, newest first.
func (r *reader) CovertAudits(ctx context.Context, profileID int64) ([]*civic.CovertAudit, error) {
	rows, err := r.query(ctx, `SELECT a.id, a.profile_id, a.auditor_id, u.email, a.audited_at, a.still_active, a.still_needed, a.note
		FROM covert_audits a JOIN users u ON u.id = a.auditor_id WHERE a.profile_id = ? ORDER BY a.id DESC`, profileID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (*civic.CovertAudit, error) {
		var a civic.CovertAudit
		if err := row.Scan(&a.ID, &a.ProfileID, &a.AuditorID, &a.Auditor, &a.AuditedAt, &a.StillActive, &a.StillNeeded, &a.Note); err != nil {
			return nil, err
		}
		a.AuditedAt = a.AuditedAt.UTC()
		return &a, nil
	})
}

// CreateCovertProfile registers a covert profile (CVT-1).
func (t *tx) CreateCovertProfile(ctx context.Context, p *civic.CovertProfile) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	m, err := t.User(ctx, p.MaintainerID)
	if civic.ErrorKind(err) == civic.KindNotFound {
		return civic.Invalid("maintainer_id", "user %d does not exist", p.MaintainerID)
	}
	if err != nil {
		return err
	}
	if m.DisabledAt != nil {
		return civic.Invalid("maintainer_id", "%s is disabled", m.Email)
	}
	if !m.HoldsCovert() {
		return civic.Invalid("maintainer_id", "%s does not hold covert maintainer access: a SIC commander proposes it and the covert approver approves it first (Covert access page)", m.Email)
	}
	now := t.Now()
	if p.RegisteredOn.IsZero() {
		p.RegisteredOn = now
	}
	p.RegisteredOn = dbTime(p.RegisteredOn)
	p.NextAuditOn = dbTime(p.RegisteredOn.Add(civic.CovertAuditEvery))
	p.Status, p.CreatedAt, p.UpdatedAt, p.Maintainer = civic.CovertActive, now, now, m.Email
	if err := t.queryRow(ctx, `INSERT INTO covert_profiles (site_name, site_url, username, screen_name, maintainer_id, purpose, registered_on, next_audit_on, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		p.SiteName, p.SiteURL, p.Username, p.ScreenName, p.MaintainerID, p.Purpose, p.RegisteredOn, p.NextAuditOn, string(p.Status), now, now).Scan(&p.ID); err != nil {
		return t.conflict(err, "covert profile")
	}
	if err := t.refreshPublicCovert(ctx, p.ID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "covert.register", ObjectType: "covert_profile", ObjectID: strconv.FormatInt(p.ID, 10), After: p})
}

// UpdateCovertProfile stores p's status, end and maintainer.
func (t *tx) UpdateCovertProfile(ctx context.Context, p *civic.CovertProfile, action string) error {
	before, err := t.CovertProfile(ctx, p.ID)
	if err != nil {
		return err
	}
	p.UpdatedAt = t.Now()
	if _, err := t.exec(ctx, `UPDATE covert_profiles SET maintainer_id = ?, purpose = ?, next_audit_on = ?, status = ?, ended_on = ?, end_reason = ?, updated_at = ? WHERE id = ?`,
		p.MaintainerID, p.Purpose, dbTime(p.NextAuditOn), string(p.Status), p.EndedOn, p.EndReason, p.UpdatedAt, p.ID); err != nil {
		return t.conflict(err, "covert profile")
	}
	return t.Record(ctx, civic.Change{Action: action, ObjectType: "covert_profile", ObjectID: strconv.FormatInt(p.ID, 10), Before: before, After: p})
}

// CreateCovertAudit records a yearly audit and sets the next one (CVT-2).
func (t *tx) CreateCovertAudit(ctx context.Context, a *civic.CovertAudit, next time.Time) error {
	p, err := t.CovertProfile(ctx, a.ProfileID)
	if err != nil {
		return err
	}
	a.AuditedAt = t.Now()
	if err := t.queryRow(ctx, `INSERT INTO covert_audits (profile_id, auditor_id, audited_at, still_active, still_needed, note) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		a.ProfileID, a.AuditorID, a.AuditedAt, a.StillActive, a.StillNeeded, a.Note).Scan(&a.ID); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE covert_profiles SET next_audit_on = ?, updated_at = ? WHERE id = ?`, dbTime(next), a.AuditedAt, p.ID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "covert.audit", ObjectType: "covert_profile", ObjectID: strconv.FormatInt(p.ID, 10),
		After: map[string]any{"audit": a, "next_audit_on": dbTime(next)}})
}

// Notifications lists a user's notifications, newest first.
func (r *reader) Notifications(ctx context.Context, userID int64) ([]*civic.Notification, error) {
	rows, err := r.query(ctx, `SELECT id, user_id, kind, message, link, created_at, read_at FROM notifications WHERE user_id = ? ORDER BY id DESC LIMIT 200`, userID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (*civic.Notification, error) {
		var n civic.Notification
		var read sql.NullTime
		if err := row.Scan(&n.ID, &n.UserID, &n.Kind, &n.Message, &n.Link, &n.CreatedAt, &read); err != nil {
			return nil, err
		}
		n.CreatedAt, n.ReadAt = n.CreatedAt.UTC(), nullTime(read)
		return &n, nil
	})
}

// Notification returns one notification.
func (r *reader) Notification(ctx context.Context, id int64) (*civic.Notification, error) {
	var n civic.Notification
	var read sql.NullTime
	err := r.queryRow(ctx, `SELECT id, user_id, kind, message, link, created_at, read_at FROM notifications WHERE id = ?`, id).
		Scan(&n.ID, &n.UserID, &n.Kind, &n.Message, &n.Link, &n.CreatedAt, &read)
	if err != nil {
		return nil, notFound(err, "notification")
	}
	n.CreatedAt, n.ReadAt = n.CreatedAt.UTC(), nullTime(read)
	return &n, nil
}

// Notify stores a notification and runs the store's NotifyHook, if any, in
// the same transaction. Notifications are messages, not changes: no audit
// event.
func (t *tx) Notify(ctx context.Context, n *civic.Notification) error {
	n.CreatedAt = t.Now()
	if err := t.queryRow(ctx, `INSERT INTO notifications (user_id, kind, message, link, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		n.UserID, n.Kind, n.Message, n.Link, n.CreatedAt).Scan(&n.ID); err != nil {
		return err
	}
	if t.onNotify == nil {
		return nil
	}
	return t.onNotify(ctx, t, n)
}

// MarkNotificationsRead marks every notification of a user read.
func (t *tx) MarkNotificationsRead(ctx context.Context, userID int64) error {
	_, err := t.exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, t.Now(), userID)
	return err
}
