package civic

import "time"

// PasswordReset is a forgotten-password link: the store keeps the SHA-256
// of its secret, which is good for one use before ExpiresAt.
type PasswordReset struct {
	Hash      []byte
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}
