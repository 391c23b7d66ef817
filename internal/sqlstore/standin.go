package sqlstore

import (
	"context"
	"database/sql"
	"strconv"

	"steward.city/steward/internal/civic"
)

const standInColumns = `s.id, s.kind, s.role, COALESCE(s.department_id, 0), COALESCE(s.user_id, 0), COALESCE(u.email, ''), COALESCE(s.for_user_id, 0),
	COALESCE(f.email, ''), s.next_role, s.starts_on, s.ends_on, s.note, s.created_by, s.created_at`
const standInFrom = ` FROM stand_ins s LEFT JOIN users u ON u.id = s.user_id LEFT JOIN users f ON f.id = s.for_user_id`

func scanStandIn(row interface{ Scan(...any) error }) (*civic.StandIn, error) {
	var s civic.StandIn
	var from, until sql.NullTime
	if err := row.Scan(&s.ID, &s.Kind, &s.Role, &s.DepartmentID, &s.UserID, &s.User, &s.ForUserID, &s.For, &s.NextRole, &from, &until,
		&s.Note, &s.CreatedBy, &s.CreatedAt); err != nil {
		return nil, err
	}
	s.From, s.Until, s.CreatedAt = nullTime(from), nullTime(until), s.CreatedAt.UTC()
	return &s, nil
}

// StandIns lists the fallbacks of the approval chains, oldest first.
func (r *reader) StandIns(ctx context.Context) ([]*civic.StandIn, error) {
	rows, err := r.query(ctx, `SELECT `+standInColumns+standInFrom+` ORDER BY s.id`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanStandIn)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateStandIn stores a fallback after checking it and its users.
func (t *tx) CreateStandIn(ctx context.Context, s *civic.StandIn) error {
	if err := s.Validate(); err != nil {
		return err
	}
	for _, c := range []struct {
		field string
		id    int64
		email *string
	}{{"user_id", s.UserID, &s.User}, {"for_user_id", s.ForUserID, &s.For}} {
		if c.id == 0 {
			continue
		}
		u, err := t.User(ctx, c.id)
		if civic.ErrorKind(err) == civic.KindNotFound {
			return civic.Invalid(c.field, "user %d does not exist", c.id)
		}
		if err != nil {
			return err
		}
		if u.DisabledAt != nil {
			return civic.Invalid(c.field, "%s is disabled", u.Email)
		}
		*c.email = u.Email
	}
	if s.DepartmentID != 0 {
		if _, err := t.Department(ctx, s.DepartmentID); err != nil {
			return civic.Invalid("department_id", "department %d does not exist", s.DepartmentID)
		}
	}
	var from, until any
	if s.From != nil {
		v := dbTime(*s.From)
		s.From, from = &v, v
	}
	if s.Until != nil {
		v := dbTime(*s.Until)
		s.Until, until = &v, v
	}
	s.CreatedBy, s.CreatedAt = t.actor.UserID, t.Now()
	if err := t.queryRow(ctx, `INSERT INTO stand_ins (kind, role, department_id, user_id, for_user_id, next_role, starts_on, ends_on, note, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		string(s.Kind), string(s.Role), nullID(s.DepartmentID), nullID(s.UserID), nullID(s.ForUserID), string(s.NextRole), from, until, s.Note,
		s.CreatedBy, s.CreatedAt).Scan(&s.ID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "standin.create", ObjectType: "stand_in", ObjectID: strconv.FormatInt(s.ID, 10), After: s})
}

// DeleteStandIn removes a fallback; its audit event keeps what it was.
func (t *tx) DeleteStandIn(ctx context.Context, id int64) error {
	s, err := scanStandIn(t.queryRow(ctx, `SELECT `+standInColumns+standInFrom+` WHERE s.id = ?`, id))
	if err = notFound(err, "stand-in"); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `DELETE FROM stand_ins WHERE id = ?`, id); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "standin.delete", ObjectType: "stand_in", ObjectID: strconv.FormatInt(id, 10), Before: s})
}
