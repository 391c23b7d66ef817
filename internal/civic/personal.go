package civic

import (
	"strings"
	"time"
)

// PersonalUseRules are the personal-use rules of the social media policy
// (CND-2) that covered persons acknowledge with it.
var PersonalUseRules = []string{
	`On a personal account that mentions your City work, say: "These are my own opinions and do not represent those of the City."`,
	"Do not use the City's logo, seal or your City title on a personal site or account, so that nobody takes it for the City's.",
	"Do no official City business on a personal account: City business goes on an official account, where it is kept as a public record.",
}

// PersonalUseNotice says what Steward does with personal accounts.
const PersonalUseNotice = "Steward never captures or monitors a personal account. A personal account you declare is kept only by its platform and handle, so that it is never registered as an official account."

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

// SameHandle reports whether two handles name the same account on one
// platform: case and a leading @ do not count.
func SameHandle(a, b string) bool {
	norm := func(s string) string { return strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "@") }
	return norm(a) == norm(b)
}

// PersonalUsePolicy is the slug of the policy whose acknowledgement
// includes the personal-use rules.
const PersonalUsePolicy = "social-media"
