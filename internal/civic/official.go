package civic

import "strings"

// OfficialAccount names an official account on its platform, to tell its
// own items from everyone else's: RemoteID is its id there where Steward
// knows it (a capture connection has it), Handle its handle as the archive
// knows it ("@parks@city.example", "DemoCity").
type OfficialAccount struct {
	RemoteID string
	Handle   string
}

// Authored reports whether author is the account itself.
//
// When the account's id is known, the ids decide: the author is the account
// exactly when its id is the same string (an author without an id is not).
// Otherwise the handles decide, compared without surrounding spaces, a
// leading '@' or case: the author's handle, or its id, equal to the
// account's handle; or, for an account on an instance ("parks@city.example"),
// an author's handle without an instance ("@parks") equal to the part before
// the '@'. An author without a handle is not the account then.
func (a OfficialAccount) Authored(author Author) bool {
	if a.RemoteID != "" {
		return author.ID == a.RemoteID
	}
	norm := func(s string) string { return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "@")) }
	acc, h := norm(a.Handle), norm(author.Handle)
	if acc == "" || h == "" {
		return false
	}
	if acc == h || norm(author.ID) == acc {
		return true
	}
	// A local handle (@parks) on the account's own instance.
	local, _, ok := strings.Cut(acc, "@")
	return ok && !strings.Contains(h, "@") && local == h
}
