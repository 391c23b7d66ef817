package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"steward.city/steward/internal/civic"
)

const credentialColumns = `id, COALESCE(account_id, 0), COALESCE(covert_id, 0), kind, key_id, wrapped_key, ciphertext, stored_by, created_at, updated_at, rotation_needed_at, rotation_reason`

func scanCredential(row interface{ Scan(...any) error }) (*civic.Credential, error) {
	var c civic.Credential
	var rot sql.NullTime
	if err := row.Scan(&c.ID, &c.AccountID, &c.CovertID, &c.Kind, &c.Sealed.KeyID, &c.Sealed.WrappedKey, &c.Sealed.Ciphertext, &c.StoredBy,
		&c.CreatedAt, &c.UpdatedAt, &rot, &c.RotationReason); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	c.RotationNeeded = nullTime(rot)
	return &c, nil
}

// Credential returns the credential with the given ID, sealed.
func (r *reader) Credential(ctx context.Context, id int64) (*civic.Credential, error) {
	c, err := scanCredential(r.queryRow(ctx, `SELECT `+credentialColumns+` FROM credentials WHERE id = ?`, id))
	return c, notFound(err, "credential")
}

// Credentials lists the credentials of an account or a covert profile.
func (r *reader) Credentials(ctx context.Context, accountID, covertID int64) ([]*civic.Credential, error) {
	q, arg := `SELECT `+credentialColumns+` FROM credentials WHERE account_id = ? ORDER BY kind`, accountID
	if covertID != 0 {
		q, arg = `SELECT `+credentialColumns+` FROM credentials WHERE covert_id = ? ORDER BY kind`, covertID
	}
	rows, err := r.query(ctx, q, arg)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanCredential)
}

// AllCredentials lists every credential.
func (r *reader) AllCredentials(ctx context.Context) ([]*civic.Credential, error) {
	rows, err := r.query(ctx, `SELECT `+credentialColumns+` FROM credentials ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanCredential)
}

// PutCredential stores c, replacing the credential of the same kind on the
// same account or profile. The audit event names the kind, never the secret.
func (t *tx) PutCredential(ctx context.Context, c *civic.Credential) error {
	if (c.AccountID == 0) == (c.CovertID == 0) {
		return civic.Invalid("account_id", "a credential belongs to one account or one covert profile")
	}
	if len(c.Sealed.Ciphertext) == 0 || c.Sealed.KeyID == "" {
		return errors.New("put credential: not sealed")
	}
	existing, err := t.Credentials(ctx, c.AccountID, c.CovertID)
	if err != nil {
		return err
	}
	now := t.Now()
	c.UpdatedAt = now
	action := "credential.store"
	for _, e := range existing {
		if e.Kind == c.Kind {
			c.ID, c.CreatedAt, action = e.ID, e.CreatedAt, "credential.replace"
		}
	}
	if c.ID != 0 {
		_, err = t.exec(ctx, `UPDATE credentials SET key_id = ?, wrapped_key = ?, ciphertext = ?, stored_by = ?, updated_at = ?, rotation_needed_at = NULL, rotation_reason = '' WHERE id = ?`,
			c.Sealed.KeyID, c.Sealed.WrappedKey, c.Sealed.Ciphertext, c.StoredBy, now, c.ID)
	} else {
		c.CreatedAt = now
		err = t.queryRow(ctx, `INSERT INTO credentials (account_id, covert_id, kind, key_id, wrapped_key, ciphertext, stored_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			nullInt64(c.AccountID), nullInt64(c.CovertID), string(c.Kind), c.Sealed.KeyID, c.Sealed.WrappedKey, c.Sealed.Ciphertext, c.StoredBy, now, now).Scan(&c.ID)
	}
	if err != nil {
		return t.conflict(err, "credential")
	}
	c.RotationNeeded, c.RotationReason = nil, ""
	return t.Record(ctx, civic.Change{Action: action, ObjectType: c.ObjectType(), ObjectID: strconv.FormatInt(c.ID, 10), After: credentialView(c)})
}

// credentialView is what the audit log keeps of a credential: no secret.
func credentialView(c *civic.Credential) map[string]any {
	m := map[string]any{"kind": c.Kind, "key_id": c.Sealed.KeyID}
	if c.AccountID != 0 {
		m["account_id"] = c.AccountID
	}
	if c.CovertID != 0 {
		m["covert_profile_id"] = c.CovertID
	}
	return m
}

// ResealCredential replaces the sealed form after key rotation.
func (t *tx) ResealCredential(ctx context.Context, id int64, s civic.Sealed) error {
	_, err := t.exec(ctx, `UPDATE credentials SET key_id = ?, wrapped_key = ?, ciphertext = ? WHERE id = ?`, s.KeyID, s.WrappedKey, s.Ciphertext, id)
	return err
}

// FlagCredential marks a credential for rotation.
func (t *tx) FlagCredential(ctx context.Context, id int64, reason string) error {
	c, err := t.Credential(ctx, id)
	if err != nil {
		return err
	}
	if c.RotationNeeded != nil {
		return nil
	}
	if _, err := t.exec(ctx, `UPDATE credentials SET rotation_needed_at = ?, rotation_reason = ? WHERE id = ?`, t.Now(), reason, id); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "credential.flag_rotation", ObjectType: c.ObjectType(), ObjectID: strconv.FormatInt(id, 10),
		After: map[string]any{"reason": reason}})
}

// VaultCheck returns the sealed check value, or nil before first use.
func (r *reader) VaultCheck(ctx context.Context) (*civic.Sealed, error) {
	var s civic.Sealed
	err := r.queryRow(ctx, `SELECT key_id, wrapped_key, ciphertext FROM vault_check WHERE id = 1`).Scan(&s.KeyID, &s.WrappedKey, &s.Ciphertext)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// SetVaultCheck stores the sealed check value.
func (t *tx) SetVaultCheck(ctx context.Context, s civic.Sealed) error {
	if _, err := t.exec(ctx, `INSERT INTO vault_check (id, key_id, wrapped_key, ciphertext) VALUES (1, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET key_id = excluded.key_id, wrapped_key = excluded.wrapped_key, ciphertext = excluded.ciphertext`, s.KeyID, s.WrappedKey, s.Ciphertext); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "vault.set_key", ObjectType: "vault", ObjectID: "1", After: map[string]string{"key_id": s.KeyID}})
}
