package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"steward.city/steward/internal/civic"
)

// SessionUser returns an unexpired session and its user.
func (r *reader) SessionUser(ctx context.Context, hash []byte, now time.Time) (*civic.Session, *civic.User, error) {
	var s civic.Session
	err := r.queryRow(ctx, `SELECT user_id, method, created_at, expires_at FROM sessions WHERE hash = ?`, hash).
		Scan(&s.UserID, &s.Method, &s.CreatedAt, &s.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !now.Before(s.ExpiresAt)) {
		return nil, nil, civic.Errorf(civic.KindUnauthorized, "session expired; sign in again")
	}
	if err != nil {
		return nil, nil, err
	}
	s.Hash = hash
	u, err := r.User(ctx, s.UserID)
	if err != nil {
		return nil, nil, err
	}
	return &s, u, nil
}

// CreateSession stores a new session; its audit event is the sign-in.
func (t *tx) CreateSession(ctx context.Context, s *civic.Session) error {
	if err := t.guardCovert(ctx, "create_session", s.UserID); err != nil {
		return err
	}
	s.CreatedAt = t.Now()
	if _, err := t.exec(ctx, `INSERT INTO sessions (hash, user_id, method, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		s.Hash, s.UserID, s.Method, s.CreatedAt, dbTime(s.ExpiresAt)); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "auth.sign_in", ObjectType: "user", ObjectID: strconv.FormatInt(s.UserID, 10),
		After: map[string]any{"method": s.Method, "expires_at": s.ExpiresAt.UTC()}})
}

// DeleteSession ends one session (sign-out). Ending a session that does not
// exist does nothing.
func (t *tx) DeleteSession(ctx context.Context, hash []byte) error {
	var userID int64
	err := t.queryRow(ctx, `DELETE FROM sessions WHERE hash = ? RETURNING user_id`, hash).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "auth.sign_out", ObjectType: "user", ObjectID: strconv.FormatInt(userID, 10)})
}

// DeleteUserSessions ends every session of a user.
func (t *tx) DeleteUserSessions(ctx context.Context, userID int64) error {
	if err := t.guardCovert(ctx, "end_sessions", userID); err != nil {
		return err
	}
	return t.deleteSessions(ctx, userID, nil)
}

// DeleteOtherSessions ends every session of a user but the one with hash keep.
func (t *tx) DeleteOtherSessions(ctx context.Context, userID int64, keep []byte) error {
	if err := t.guardCovert(ctx, "end_sessions", userID); err != nil {
		return err
	}
	return t.deleteSessions(ctx, userID, keep)
}

// deleteSessions ends a user's sessions but keep (when not nil).
func (t *tx) deleteSessions(ctx context.Context, userID int64, keep []byte) error {
	q, args := `DELETE FROM sessions WHERE user_id = ?`, []any{userID}
	if keep != nil {
		q, args = q+` AND hash <> ?`, append(args, keep)
	}
	res, err := t.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return nil
	}
	return t.Record(ctx, civic.Change{Action: "auth.sign_out_everywhere", ObjectType: "user", ObjectID: strconv.FormatInt(userID, 10),
		After: map[string]any{"sessions_ended": n}})
}

const tokenColumns = `t.id, t.user_id, t.name, t.prefix, t.hash, t.created_at, t.expires_at, t.revoked_at, u.email`
const tokenFrom = ` FROM api_tokens t JOIN users u ON u.id = t.user_id`

func scanToken(row interface{ Scan(...any) error }) (*civic.Token, error) {
	var tk civic.Token
	var expires, revoked sql.NullTime
	if err := row.Scan(&tk.ID, &tk.UserID, &tk.Name, &tk.Prefix, &tk.Hash, &tk.CreatedAt, &expires, &revoked, &tk.UserEmail); err != nil {
		return nil, err
	}
	tk.CreatedAt = tk.CreatedAt.UTC()
	tk.ExpiresAt, tk.RevokedAt = nullTime(expires), nullTime(revoked)
	return &tk, nil
}

// TokenUser returns the active token with the given hash and its user.
func (r *reader) TokenUser(ctx context.Context, hash []byte, now time.Time) (*civic.Token, *civic.User, error) {
	tk, err := scanToken(r.queryRow(ctx, `SELECT `+tokenColumns+tokenFrom+` WHERE t.hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !tk.Active(now)) {
		return nil, nil, civic.Errorf(civic.KindUnauthorized, "the API token is unknown, expired or revoked")
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := r.User(ctx, tk.UserID)
	if err != nil {
		return nil, nil, err
	}
	return tk, u, nil
}

// Token returns the token with the given ID.
func (r *reader) Token(ctx context.Context, id int64) (*civic.Token, error) {
	tk, err := scanToken(r.queryRow(ctx, `SELECT `+tokenColumns+tokenFrom+` WHERE t.id = ?`, id))
	return tk, notFound(err, "token")
}

// Tokens lists the tokens of userID (every user's when 0), newest first.
func (r *reader) Tokens(ctx context.Context, userID int64) ([]*civic.Token, error) {
	q, args := `SELECT `+tokenColumns+tokenFrom, []any{}
	if userID != 0 {
		q, args = q+` WHERE t.user_id = ?`, append(args, userID)
	}
	rows, err := r.query(ctx, q+` ORDER BY t.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanToken)
}

// CreateToken stores a new token (its hash, never the secret).
func (t *tx) CreateToken(ctx context.Context, tk *civic.Token) error {
	if tk.Name == "" {
		return civic.Invalid("name", "a token needs a name")
	}
	if len(tk.Name) > 100 {
		return civic.Invalid("name", "name is longer than 100 characters")
	}
	if len(tk.Hash) != 32 {
		return civic.Invalid("hash", "a token hash is 32 bytes")
	}
	if err := t.guardCovert(ctx, "create_token", tk.UserID); err != nil {
		return err
	}
	tk.CreatedAt = t.Now()
	var expires any
	if tk.ExpiresAt != nil {
		e := dbTime(*tk.ExpiresAt)
		tk.ExpiresAt, expires = &e, e
	}
	err := t.queryRow(ctx, `INSERT INTO api_tokens (user_id, name, prefix, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		tk.UserID, tk.Name, tk.Prefix, tk.Hash, tk.CreatedAt, expires).Scan(&tk.ID)
	if err != nil {
		return t.conflict(err, "token")
	}
	return t.Record(ctx, civic.Change{Action: "token.create", ObjectType: "token", ObjectID: strconv.FormatInt(tk.ID, 10), After: tk})
}

// RevokeToken revokes a token; revoking a revoked token changes nothing.
func (t *tx) RevokeToken(ctx context.Context, id int64) error {
	before, err := t.Token(ctx, id)
	if err != nil {
		return err
	}
	if err := t.guardCovert(ctx, "revoke_token", before.UserID); err != nil {
		return err
	}
	if before.RevokedAt != nil {
		return nil
	}
	now := t.Now()
	if _, err := t.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, now, id); err != nil {
		return err
	}
	after := *before
	after.RevokedAt = &now
	return t.Record(ctx, civic.Change{Action: "token.revoke", ObjectType: "token", ObjectID: strconv.FormatInt(id, 10), Before: before, After: &after})
}

// RevokeUserTokens revokes every active token of a user, recording one
// event with how many.
func (t *tx) RevokeUserTokens(ctx context.Context, userID int64) error {
	if err := t.guardCovert(ctx, "revoke_token", userID); err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, t.Now(), userID)
	if err != nil {
		return err
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return nil
	}
	return t.Record(ctx, civic.Change{Action: "token.revoke_all", ObjectType: "user", ObjectID: strconv.FormatInt(userID, 10),
		After: map[string]any{"tokens_revoked": n}})
}

// Device returns an unexpired known sign-in device.
func (r *reader) Device(ctx context.Context, hash []byte, now time.Time) (*civic.Device, error) {
	d := civic.Device{Hash: hash}
	err := r.queryRow(ctx, `SELECT user_id, created_at, expires_at FROM sign_in_devices WHERE hash = ?`, hash).Scan(&d.UserID, &d.CreatedAt, &d.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !now.Before(d.ExpiresAt)) {
		return nil, civic.Errorf(civic.KindNotFound, "unknown device")
	}
	if err != nil {
		return nil, err
	}
	d.CreatedAt, d.ExpiresAt = d.CreatedAt.UTC(), d.ExpiresAt.UTC()
	return &d, nil
}

// CreateDevice remembers a device; bookkeeping, without an audit event.
func (t *tx) CreateDevice(ctx context.Context, d *civic.Device) error {
	if len(d.Hash) != 32 {
		return civic.Invalid("hash", "a device hash is 32 bytes")
	}
	d.CreatedAt = t.Now()
	_, err := t.exec(ctx, `INSERT INTO sign_in_devices (hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`, d.Hash, d.UserID, d.CreatedAt, dbTime(d.ExpiresAt))
	return err
}

// Throttle returns the failure count for key (zero when none).
func (r *reader) Throttle(ctx context.Context, key string) (*civic.Throttle, error) {
	th := civic.Throttle{Key: key}
	err := r.queryRow(ctx, `SELECT failures, last_failure, locked_until FROM login_throttle WHERE key = ?`, key).Scan(&th.Failures, &th.LastFailure, &th.LockedUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return &th, nil
	}
	th.LastFailure, th.LockedUntil = th.LastFailure.UTC(), th.LockedUntil.UTC()
	return &th, err
}

// SetThrottle stores a failure count.
func (t *tx) SetThrottle(ctx context.Context, th *civic.Throttle) error {
	_, err := t.exec(ctx, `INSERT INTO login_throttle (key, failures, last_failure, locked_until) VALUES (?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure = excluded.last_failure, locked_until = excluded.locked_until`,
		th.Key, th.Failures, dbTime(th.LastFailure), dbTime(th.LockedUntil))
	return err
}

// PurgeExpired deletes expired sessions and stale throttles.
func (t *tx) PurgeExpired(ctx context.Context, staleBefore time.Time) (int64, error) {
	now := t.Now()
	res, err := t.exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, now)
	if err != nil {
		return 0, err
	}
	sessions, _ := res.RowsAffected()
	res, err = t.exec(ctx, `DELETE FROM login_throttle WHERE last_failure < ? AND locked_until <= ?`, staleBefore.UTC(), now)
	if err != nil {
		return 0, err
	}
	throttles, _ := res.RowsAffected()
	res, err = t.exec(ctx, `DELETE FROM sign_in_devices WHERE expires_at <= ?`, now)
	if err != nil {
		return 0, err
	}
	devices, _ := res.RowsAffected()
	if sessions+throttles+devices == 0 {
		return 0, nil
	}
	return sessions, t.Record(ctx, civic.Change{Action: "auth.purge_expired", ObjectType: "session", ObjectID: "",
		After: map[string]int64{"sessions": sessions, "throttles": throttles, "devices": devices}})
}

// ClearThrottle forgets the failures of key.
func (t *tx) ClearThrottle(ctx context.Context, key string) error {
	_, err := t.exec(ctx, `DELETE FROM login_throttle WHERE key = ?`, key)
	return err
}

// Setting returns a stored setting, or "" when unset.
func (r *reader) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := r.queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSetting stores a setting.
func (t *tx) SetSetting(ctx context.Context, key, value string) error {
	before, err := t.Setting(ctx, key)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "setting.set", ObjectType: "setting", ObjectID: key,
		Before: map[string]string{"value": before}, After: map[string]string{"value": value}})
}
