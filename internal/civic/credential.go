package civic

import "time"

// CredentialKind is what a stored secret is (PPL-5).
type CredentialKind string

// The credential kinds.
const (
	CredentialPassword      CredentialKind = "password"
	CredentialRecoveryCodes CredentialKind = "recovery_codes"
	CredentialTOTPSeed      CredentialKind = "totp_seed"
)

// CredentialKinds lists every kind.
var CredentialKinds = []CredentialKind{CredentialPassword, CredentialRecoveryCodes, CredentialTOTPSeed}

// Label returns the kind in plain words.
func (k CredentialKind) Label() string {
	switch k {
	case CredentialPassword:
		return "Password"
	case CredentialRecoveryCodes:
		return "Recovery codes"
	case CredentialTOTPSeed:
		return "Two-factor seed"
	}
	return string(k)
}

// Sealed is a secret encrypted by the vault: the data key wrapped under the
// key-encryption key KeyID, and the secret under the data key. It never
// leaves Steward in JSON.
type Sealed struct {
	KeyID      string `json:"-"`
	WrappedKey []byte `json:"-"`
	Ciphertext []byte `json:"-"`
}

// Credential is an administrator credential of an official account, or the
// password of a covert profile, held encrypted. Its JSON form carries no
// secret.
type Credential struct {
	ID             int64          `json:"id"`
	AccountID      int64          `json:"account_id,omitempty"`
	CovertID       int64          `json:"-"` // never shown outside the covert registry
	Kind           CredentialKind `json:"kind"`
	Sealed         Sealed         `json:"-"`
	StoredBy       int64          `json:"stored_by"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	RotationNeeded *time.Time     `json:"rotation_needed_at,omitempty"`
	RotationReason string         `json:"rotation_reason,omitempty"`
}

// ObjectType is the audit object type of c: covert credentials have their
// own, so that the audit listing can hide them.
func (c *Credential) ObjectType() string {
	if c.CovertID != 0 {
		return "covert_credential"
	}
	return "credential"
}
