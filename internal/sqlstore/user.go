package sqlstore

import (
	"context"
	"database/sql"
	"strconv"

	"steward.city/steward/internal/civic"
)

const userColumns = `u.id, u.person_id, u.email, u.password_hash, COALESCE(u.subject, ''), u.disabled_at, u.created_at, u.updated_at, p.name, p.department_id,
	EXISTS (SELECT 1 FROM covert_access a WHERE a.user_id = u.id AND a.kind = 'maintainer' AND a.status = 'approved')`
const userFrom = ` FROM users u JOIN people p ON p.id = u.person_id`

func scanUser(row interface{ Scan(...any) error }) (*civic.User, error) {
	var u civic.User
	var disabled sql.NullTime
	if err := row.Scan(&u.ID, &u.PersonID, &u.Email, &u.PasswordHash, &u.Subject, &disabled, &u.CreatedAt, &u.UpdatedAt, &u.PersonName, &u.DepartmentID, &u.CovertMaintainer); err != nil {
		return nil, err
	}
	u.DisabledAt = nullTime(disabled)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &u, nil
}

// userWhere returns the one user matching the condition, with its grants.
func (r *reader) userWhere(ctx context.Context, cond string, arg any) (*civic.User, error) {
	u, err := scanUser(r.queryRow(ctx, `SELECT `+userColumns+userFrom+` WHERE `+cond, arg))
	if err != nil {
		return nil, notFound(err, "user")
	}
	u.Grants, err = r.grants(ctx, u.ID)
	return u, err
}

// User returns the user with the given ID.
func (r *reader) User(ctx context.Context, id int64) (*civic.User, error) {
	return r.userWhere(ctx, `u.id = ?`, id)
}

// UserByEmail returns the user who signs in with email.
func (r *reader) UserByEmail(ctx context.Context, email string) (*civic.User, error) {
	return r.userWhere(ctx, `u.email = ?`, email)
}

// UserBySubject returns the user linked to an OpenID Connect identity.
func (r *reader) UserBySubject(ctx context.Context, subject string) (*civic.User, error) {
	return r.userWhere(ctx, `u.subject = ?`, subject)
}

// Users lists every user by e-mail address, with grants.
func (r *reader) Users(ctx context.Context) ([]*civic.User, error) {
	rows, err := r.query(ctx, `SELECT `+userColumns+userFrom+` ORDER BY u.email`)
	if err != nil {
		return nil, err
	}
	users, err := collect(rows, scanUser)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*civic.User, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	rows, err = r.query(ctx, `SELECT user_id, role, COALESCE(department_id, 0) FROM user_roles ORDER BY user_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var g civic.Grant
		if err := rows.Scan(&id, &g.Role, &g.DepartmentID); err != nil {
			return nil, err
		}
		if u := byID[id]; u != nil {
			u.Grants = append(u.Grants, g)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, u := range users {
		u.Grants, _ = civic.NormalizeGrants(u.Grants)
	}
	return users, nil
}

func (r *reader) grants(ctx context.Context, userID int64) ([]civic.Grant, error) {
	rows, err := r.query(ctx, `SELECT role, COALESCE(department_id, 0) FROM user_roles WHERE user_id = ?`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var gs []civic.Grant
	for rows.Next() {
		var g civic.Grant
		if err := rows.Scan(&g.Role, &g.DepartmentID); err != nil {
			return nil, err
		}
		gs = append(gs, g)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return civic.NormalizeGrants(gs)
}

// CreateUser validates and stores u and its grants.
func (t *tx) CreateUser(ctx context.Context, u *civic.User) error {
	u.Normalize()
	if err := u.Validate(); err != nil {
		return err
	}
	if u.Has(civic.RoleSICCommander) {
		return civic.RefuseCovert("create_user", 0, "a new user is not given the sic_commander role: a SIC commander proposes covert access and the covert approver approves it on the Covert access page")
	}
	p, err := t.Person(ctx, u.PersonID)
	if err != nil {
		if civic.ErrorKind(err) == civic.KindNotFound {
			return civic.Invalid("person_id", "person %d does not exist", u.PersonID)
		}
		return err
	}
	var taken int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE person_id = ?`, u.PersonID).Scan(&taken); err != nil {
		return err
	}
	if taken > 0 {
		return &civic.Error{Kind: civic.KindConflict, Field: "person_id", Message: "this person already has a user"}
	}
	u.CreatedAt = t.Now()
	u.UpdatedAt = u.CreatedAt
	u.PersonName, u.DepartmentID = p.Name, p.DepartmentID
	err = t.queryRow(ctx, `INSERT INTO users (person_id, email, password_hash, subject, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		u.PersonID, u.Email, u.PasswordHash, nullString(u.Subject), u.CreatedAt, u.UpdatedAt).Scan(&u.ID)
	if err != nil {
		return t.conflict(err, "user")
	}
	if err := t.insertGrants(ctx, u.ID, u.Grants); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "user.create", ObjectType: "user", ObjectID: strconv.FormatInt(u.ID, 10), After: u})
}

func (t *tx) insertGrants(ctx context.Context, userID int64, gs []civic.Grant) error {
	for _, g := range gs {
		if g.DepartmentID != 0 {
			if err := t.checkDepartment(ctx, "roles", g.DepartmentID); err != nil {
				return err
			}
		}
		if _, err := t.exec(ctx, `INSERT INTO user_roles (user_id, role, department_id) VALUES (?, ?, ?)`, userID, string(g.Role), nullInt64(g.DepartmentID)); err != nil {
			return err
		}
	}
	return nil
}

// SetUserGrants replaces the user's roles.
func (t *tx) SetUserGrants(ctx context.Context, userID int64, gs []civic.Grant) error {
	gs, err := civic.NormalizeGrants(gs)
	if err != nil {
		return err
	}
	before, err := t.User(ctx, userID)
	if err != nil {
		return err
	}
	if err := t.guardGrants(ctx, userID, before.Grants, gs); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `DELETE FROM user_roles WHERE user_id = ?`, userID); err != nil {
		return err
	}
	if err := t.insertGrants(ctx, userID, gs); err != nil {
		return err
	}
	if err := t.touchUser(ctx, userID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "user.set_roles", ObjectType: "user", ObjectID: strconv.FormatInt(userID, 10),
		Before: map[string]any{"roles": before.Grants}, After: map[string]any{"roles": gs}})
}

func (t *tx) touchUser(ctx context.Context, userID int64) error {
	_, err := t.exec(ctx, `UPDATE users SET updated_at = ? WHERE id = ?`, t.Now(), userID)
	return err
}

// SetUserDisabled disables or enables a user. Disabling also ends the
// user's sessions; its API tokens stop working while it is disabled.
func (t *tx) SetUserDisabled(ctx context.Context, userID int64, disabled bool) error {
	before, err := t.User(ctx, userID)
	if err != nil {
		return err
	}
	if (before.DisabledAt != nil) == disabled {
		return nil // already so; nothing changes, nothing to record
	}
	var at any
	action := "user.enable"
	if disabled {
		at, action = t.Now(), "user.disable"
	}
	if _, err := t.exec(ctx, `UPDATE users SET disabled_at = ?, updated_at = ? WHERE id = ?`, at, t.Now(), userID); err != nil {
		return err
	}
	if err := t.Record(ctx, civic.Change{Action: action, ObjectType: "user", ObjectID: strconv.FormatInt(userID, 10),
		Before: map[string]any{"disabled": before.DisabledAt != nil}, After: map[string]any{"disabled": disabled}}); err != nil {
		return err
	}
	if disabled {
		return t.deleteSessions(ctx, userID, nil)
	}
	return nil
}

// SetUserPassword stores a new password hash. The hash itself is never in
// the audit log.
func (t *tx) SetUserPassword(ctx context.Context, userID int64, hash string) error {
	if err := t.guardCovert(ctx, "reset_password", userID); err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, t.Now(), userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return civic.Errorf(civic.KindNotFound, "user not found")
	}
	return t.Record(ctx, civic.Change{Action: "user.set_password", ObjectType: "user", ObjectID: strconv.FormatInt(userID, 10)})
}

// SetUserSubject links the user to an OpenID Connect identity.
func (t *tx) SetUserSubject(ctx context.Context, userID int64, subject string) error {
	before, err := t.User(ctx, userID)
	if err != nil {
		return err
	}
	if err := t.guardCovert(ctx, "link_sso", userID); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE users SET subject = ?, updated_at = ? WHERE id = ?`, nullString(subject), t.Now(), userID); err != nil {
		return t.conflict(err, "user")
	}
	return t.Record(ctx, civic.Change{Action: "user.link_sso", ObjectType: "user", ObjectID: strconv.FormatInt(userID, 10),
		Before: map[string]any{"sso_subject": before.Subject}, After: map[string]any{"sso_subject": subject}})
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
