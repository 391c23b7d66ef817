package archive

import (
	"context"
	"fmt"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
)

// TransferQuery selects what a transfer (WARC, WACZ, transfer bag) holds:
// the versions of one archive account whose time (Version.At) is in
// [From, To). Withheld versions (private, nonpublic, or not shown to the
// public at all) are left out unless IncludeWithheld is set; a covert
// profile's versions never are included.
type TransferQuery struct {
	AccountID       int64
	From, To        time.Time
	IncludeWithheld bool
}

// TransferVersion is one version of a transfer with the classification in
// force and whether it is withheld from the public.
type TransferVersion struct {
	Version *civic.Version
	Class   civic.Classification
	// Withheld is true when the public may not read the version's content:
	// its class is private or nonpublic, or the portal does not show it
	// (an account that is not a registered official account).
	Withheld bool
}

// TransferSet is what a transfer writes: the account and its versions in
// log order.
type TransferSet struct {
	Account  *civic.ArchiveAccount
	Versions []*TransferVersion
	// Left out counts the withheld versions not included.
	LeftOut int
	// Progress, when set, is told how many of the versions a writer has
	// written (WriteWARC, WriteWACZ, WriteTransferBag).
	Progress func(done, total int64, step string)
}

// report tells the set's Progress, if any, that done versions are written.
func (set *TransferSet) report(done int, step string) {
	if set.Progress != nil {
		set.Progress(int64(done), int64(len(set.Versions)), step)
	}
}

// ClassWithheld is the class a transfer writes for a version the public
// portal does not show at all.
const ClassWithheld = "not shown publicly"

// covertHandle reports whether handle names a covert profile: the same
// rule as the store's (without a leading '@', case-insensitive, or as the
// local part of "@name@host").
func covertHandle(handle string, covert []*civic.CovertProfile) bool {
	h := strings.ToLower(strings.TrimLeft(handle, "@"))
	if h == "" {
		return false
	}
	for _, p := range covert {
		u := strings.ToLower(strings.TrimLeft(p.Username, "@"))
		if u != "" && (h == u || strings.HasPrefix(h, u+"@")) {
			return true
		}
	}
	return false
}

// TransferAccount finds an archive account by its id ("12") or its
// reference ("mastodon:@parks@city.example").
func (s *Service) TransferAccount(ctx context.Context, actor civic.Actor, id string) (*civic.ArchiveAccount, error) {
	if err := civic.Require(actor, civic.PermArchiveView); err != nil {
		return nil, err
	}
	id = strings.TrimSpace(id)
	if id == "" {
		return nil, civic.Invalid("account", "name the account by its archive id or as platform:handle")
	}
	if strings.Contains(id, ":") {
		a, err := s.store.ArchiveAccountByRef(ctx, id)
		if err != nil {
			return nil, civic.Invalid("account", "no archived account %q", id)
		}
		return a, nil
	}
	var n int64
	if _, err := fmt.Sscan(id, &n); err != nil || n <= 0 || fmt.Sprint(n) != id {
		return nil, civic.Invalid("account", "%q is not an archive account id or platform:handle", id)
	}
	as, err := s.store.ArchiveAccounts(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if a.ID == n {
			return a, nil
		}
	}
	return nil, civic.Invalid("account", "no archived account with id %d", n)
}

// TransferSelect collects the versions q selects, with their
// classifications. It refuses a covert profile's account, a range that
// ends before it starts, and a range that holds nothing.
func (s *Service) TransferSelect(ctx context.Context, actor civic.Actor, q TransferQuery) (*TransferSet, error) {
	if err := civic.Require(actor, civic.PermArchiveView); err != nil {
		return nil, err
	}
	// Private and nonpublic versions go to the state archives in a
	// transfer: that is the records officer's to do, not every reader's.
	if q.IncludeWithheld {
		if err := civic.Require(actor, civic.PermRecordsManage); err != nil {
			return nil, err
		}
	}
	if !q.From.Before(q.To) {
		return nil, civic.Invalid("to", "the range must end after it starts (from %s, to %s)", q.From.Format(time.DateOnly), q.To.AddDate(0, 0, -1).Format(time.DateOnly))
	}
	var acct *civic.ArchiveAccount
	as, err := s.store.ArchiveAccounts(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if a.ID == q.AccountID {
			acct = a
		}
	}
	if acct == nil {
		return nil, civic.Invalid("account", "no archived account with id %d", q.AccountID)
	}
	covert, err := s.store.CovertProfiles(ctx, 0)
	if err != nil {
		return nil, err
	}
	if covertHandle(acct.Handle, covert) {
		if actor == civic.CLI {
			return nil, civic.Invalid("account", "account %d is a covert profile: covert profiles are never transferred", acct.ID)
		}
		// Only SIC commanders and its maintainer know a covert profile
		// exists: the pages say no more than that it cannot be exported.
		return nil, civic.Invalid("account", "account %d cannot be exported", acct.ID)
	}
	set, err := s.transferSet(ctx, acct, q, covert)
	if err != nil {
		return nil, err
	}
	if len(set.Versions) == 0 {
		msg := "nothing archived from account %d between %s and %s"
		if set.LeftOut > 0 {
			msg += fmt.Sprintf(" that is public (%d withheld)", set.LeftOut)
			if actor == civic.CLI {
				msg = strings.TrimSuffix(msg, ")") + ": add --include-withheld)"
			}
		}
		return nil, civic.Invalid("from", msg, acct.ID, q.From.Format(time.DateOnly), q.To.AddDate(0, 0, -1).Format(time.DateOnly))
	}
	return set, nil
}

// transferSet is what q selects of acct's versions: a covert profile's
// posts left out, each version with the classification in force, and the
// withheld ones (private, nonpublic, not shown publicly, or with spans
// redacted for a records request) left out and counted unless
// q.IncludeWithheld.
func (s *Service) transferSet(ctx context.Context, acct *civic.ArchiveAccount, q TransferQuery, covert []*civic.CovertProfile) (*TransferSet, error) {
	vs, err := s.store.ArchiveVersionsBetween(ctx, acct.ID, q.From, q.To)
	if err != nil {
		return nil, err
	}
	set := &TransferSet{Account: acct}
	var ids []int64
	for _, v := range vs {
		if covertHandle(v.Author.Handle, covert) || covertHandle(v.Author.ID, covert) {
			continue
		}
		set.Versions = append(set.Versions, &TransferVersion{Version: v})
		ids = append(ids, v.ID)
	}
	classes := map[int64]*civic.Classification{}
	redacted := map[int64][]*civic.Redaction{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		m, err := s.store.PublicClasses(ctx, ids[:n])
		if err != nil {
			return nil, err
		}
		for k, c := range m {
			classes[k] = c
		}
		rs, err := s.store.PublicRedactions(ctx, ids[:n])
		if err != nil {
			return nil, err
		}
		for k, r := range rs {
			redacted[k] = r
		}
		ids = ids[n:]
	}
	kept := set.Versions[:0]
	for _, tv := range set.Versions {
		if c, ok := classes[tv.Version.ID]; ok {
			tv.Class = *c
			tv.Withheld = c.Withheld()
		} else {
			tv.Class = civic.Classification{ItemID: tv.Version.ItemID, VersionID: tv.Version.ID, Class: ClassWithheld,
				Reason: "the public portal does not show this account: it is not a registered official account", SetBy: "steward", Default: true}
			tv.Withheld = true
		}
		// A public version with redacted spans: the portal shows it with
		// gaps, but a transfer holds the payload as captured, so the
		// whole version is withheld from the public.
		if rs := redacted[tv.Version.ID]; len(rs) > 0 && !tv.Withheld {
			why := make([]string, len(rs))
			for i, r := range rs {
				why[i] = r.Reason
			}
			tv.Withheld = true
			tv.Class.Reason = "public, with spans redacted: " + strings.Join(why, "; ")
		}
		if tv.Withheld && !q.IncludeWithheld {
			set.LeftOut++
			continue
		}
		kept = append(kept, tv)
	}
	set.Versions = kept
	return set, nil
}
