package registry

import (
	"context"
	"slices"
	"strings"

	"steward.city/steward/internal/civic"
)

// notInstitutional is the policy reason a request for an account that is
// not institutional is refused with.
const notInstitutional = "Steward registers only institutional accounts, run for the City: a personal account stays personal, and Steward never captures or monitors it (social media policy, personal use)"

// checkInstitutional refuses a request that does not say the account is
// institutional, or names an account a covered person declared personal.
func checkInstitutional(ctx context.Context, tx civic.Tx, a *civic.Account) error {
	switch {
	case a.Institutional == nil:
		return civic.Invalid("institutional", "say whether the account is institutional (run for the City, not for a person)")
	case !*a.Institutional:
		return civic.Invalid("institutional", "%s", notInstitutional)
	}
	ps, err := tx.PersonalAccounts(ctx, 0)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.Platform == a.Platform && civic.SameHandle(p.Handle, a.Handle) {
			return civic.Invalid("handle", "%s on %s is declared a personal account: %s", a.Handle, civic.PlatformName(a.Platform), notInstitutional)
		}
	}
	return nil
}

// DeclarePersonalAccount records a covered person's personal account, so
// that it is never registered as official. A person declares their own;
// whoever manages people may declare one for anyone. An account already
// registered as official cannot be declared personal.
func (s *Service) DeclarePersonalAccount(ctx context.Context, actor civic.Actor, a *civic.PersonalAccount) error {
	own := actor.IsUser() && actor.User().PersonID == a.PersonID && a.PersonID != 0
	if !own && !actor.Can(civic.PermPeopleManage) {
		return forbidden("you may declare only your own personal accounts")
	}
	a.Platform = strings.TrimSpace(a.Platform)
	a.Handle = strings.TrimSpace(a.Handle)
	switch {
	case !slices.Contains(civic.Platforms, a.Platform):
		return civic.Invalid("platform", "platform must be one of %s", strings.Join(civic.Platforms, ", "))
	case a.Handle == "" || len(a.Handle) > 200:
		return civic.Invalid("handle", "give the account's handle (up to 200 characters)")
	}
	return s.update(ctx, actor, func(tx civic.Tx) error {
		if _, err := tx.Person(ctx, a.PersonID); err != nil {
			return err
		}
		as, err := tx.Accounts(ctx, civic.AccountFilter{})
		if err != nil {
			return err
		}
		for _, o := range as {
			if o.Platform == a.Platform && civic.SameHandle(o.Handle, a.Handle) {
				return civic.Invalid("handle", "%s on %s is registered as an official account of the City, not a personal one", a.Handle, civic.PlatformName(a.Platform))
			}
		}
		return tx.DeclarePersonalAccount(ctx, a)
	})
}

// PersonalAccounts lists the personal accounts a person declared; the
// person sees their own, and whoever may view people sees anyone's.
func (s *Service) PersonalAccounts(ctx context.Context, actor civic.Actor, personID int64) ([]*civic.PersonalAccount, error) {
	own := actor.IsUser() && actor.User().PersonID == personID && personID != 0
	if !own && !actor.Can(civic.PermPeopleView) {
		return nil, forbidden("you may see only your own personal accounts")
	}
	return s.store.PersonalAccounts(ctx, personID)
}
