package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"steward.city/steward/internal/civic"
)

// PasswordReset returns the reset link with the given hash.
func (r *reader) PasswordReset(ctx context.Context, hash []byte) (*civic.PasswordReset, error) {
	p := civic.PasswordReset{Hash: hash}
	var used sql.NullTime
	err := r.queryRow(ctx, `SELECT user_id, created_at, expires_at, used_at FROM password_resets WHERE hash = ?`, hash).
		Scan(&p.UserID, &p.CreatedAt, &p.ExpiresAt, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, civic.Errorf(civic.KindNotFound, "no such password reset")
	}
	if err != nil {
		return nil, err
	}
	p.CreatedAt, p.ExpiresAt = p.CreatedAt.UTC(), p.ExpiresAt.UTC()
	if used.Valid {
		t := used.Time.UTC()
		p.UsedAt = &t
	}
	return &p, nil
}

// CreatePasswordReset stores a reset link; the secret itself is never
// stored or recorded.
func (t *tx) CreatePasswordReset(ctx context.Context, p *civic.PasswordReset) error {
	p.CreatedAt = t.Now()
	if _, err := t.exec(ctx, `INSERT INTO password_resets (hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		p.Hash, p.UserID, p.CreatedAt, dbTime(p.ExpiresAt)); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "auth.password_reset_requested", ObjectType: "user", ObjectID: strconv.FormatInt(p.UserID, 10),
		After: map[string]any{"expires_at": p.ExpiresAt.UTC()}})
}

// UsePasswordReset marks a reset link used, once, before it expires, and
// with it every other unused link of its user.
func (t *tx) UsePasswordReset(ctx context.Context, hash []byte) (int64, error) {
	now := t.Now()
	var userID int64
	err := t.queryRow(ctx, `UPDATE password_resets SET used_at = ? WHERE hash = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id`, now, hash, now).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, civic.Invalid("token", "this reset link has expired or was already used: ask for a new one")
	}
	if err != nil {
		return 0, err
	}
	if _, err := t.exec(ctx, `UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, now, userID); err != nil {
		return 0, err
	}
	return userID, t.Record(ctx, civic.Change{Action: "auth.password_reset_used", ObjectType: "user", ObjectID: strconv.FormatInt(userID, 10)})
}

// PersonalAccounts lists declared personal accounts.
func (r *reader) PersonalAccounts(ctx context.Context, personID int64) ([]*civic.PersonalAccount, error) {
	q, args := `SELECT id, person_id, platform, handle, declared_at FROM personal_accounts`, []any{}
	if personID != 0 {
		q, args = q+` WHERE person_id = ?`, append(args, personID)
	}
	rows, err := r.query(ctx, q+` ORDER BY platform, handle`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (*civic.PersonalAccount, error) {
		var a civic.PersonalAccount
		if err := row.Scan(&a.ID, &a.PersonID, &a.Platform, &a.Handle, &a.DeclaredAt); err != nil {
			return nil, err
		}
		a.DeclaredAt = a.DeclaredAt.UTC()
		return &a, nil
	})
}

// DeclarePersonalAccount stores a person's personal account.
func (t *tx) DeclarePersonalAccount(ctx context.Context, a *civic.PersonalAccount) error {
	a.DeclaredAt = t.Now()
	if err := t.queryRow(ctx, `INSERT INTO personal_accounts (person_id, platform, handle, declared_at) VALUES (?, ?, ?, ?) RETURNING id`,
		a.PersonID, a.Platform, a.Handle, a.DeclaredAt).Scan(&a.ID); err != nil {
		if k, _ := t.d.Constraint(err); k == "unique" {
			return &civic.Error{Kind: civic.KindConflict, Field: "handle", Message: "this account is already declared personal", Err: err}
		}
		return err
	}
	return t.Record(ctx, civic.Change{Action: "personal_account.declare", ObjectType: "person", ObjectID: strconv.FormatInt(a.PersonID, 10),
		After: map[string]any{"platform": a.Platform, "handle": a.Handle}})
}
