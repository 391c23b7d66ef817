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

// PersonalAccount is a social media account a covered person declares as
// their own (CND-2). Steward keeps its platform and handle only to
// recognise it: it never captures or monitors it, and refuses to register
// it as an official account.
type PersonalAccount struct {
	ID         int64     `json:"id"`
	PersonID   int64     `json:"person_id"`
	Platform   string    `json:"platform"`
	Handle     string    `json:"handle"`
	DeclaredAt time.Time `json:"declared_at"`
}
