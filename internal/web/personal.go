package web

import (
	"context"
	"net/http"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/registry"
	"steward.city/steward/internal/route"
)

// personalUse is what a covered person's pages show of the personal-use
// rules (CND-2): the rules, whether the person acknowledged the policy
// that holds them, and the personal accounts they declared.
type personalUse struct {
	Rules        []string
	Notice       string
	Policy       *civic.PolicyVersion // the current version of the policy holding the rules; nil: none published
	Acknowledged bool
	Accounts     []*civic.PersonalAccount
	Own          bool     // the page is the person's own: they may declare accounts
	Platforms    []string // for the declaration form
	Form         civic.PersonalAccount
}

func (h *Handler) personalUse(ctx context.Context, actor civic.Actor, personID int64, own bool) (*personalUse, error) {
	d := &personalUse{Rules: civic.PersonalUseRules, Notice: civic.PersonalUseNotice, Own: own, Platforms: civic.Platforms}
	vs, err := h.store.PolicyVersions(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range registry.CurrentPolicies(vs) {
		if v.Slug != civic.PersonalUsePolicy {
			continue
		}
		d.Policy = v
		acks, err := h.store.Acknowledgements(ctx, v.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range acks {
			d.Acknowledged = d.Acknowledged || a.PersonID == personID
		}
	}
	if d.Accounts, err = h.reg.PersonalAccounts(ctx, actor, personID); err != nil {
		return nil, err
	}
	return d, nil
}

type accountData struct {
	Personal *personalUse
}

func (h *Handler) renderAccount(w http.ResponseWriter, r *http.Request, status int, form *civic.PersonalAccount, errs []FieldError) error {
	u := route.User(r)
	d := accountData{}
	if u.PersonID != 0 {
		pu, err := h.personalUse(r.Context(), route.Actor(r), u.PersonID, true)
		if err != nil {
			return err
		}
		if form != nil {
			pu.Form = *form
		}
		d.Personal = pu
	}
	return h.render(w, r, status, "account", Page{Title: "Your account", Errors: errs, Data: d})
}

// declarePersonal records one of the signed-in person's personal accounts.
func (h *Handler) declarePersonal(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	u := route.User(r)
	a := civic.PersonalAccount{PersonID: u.PersonID, Platform: r.PostFormValue("platform"), Handle: r.PostFormValue("handle")}
	if err := h.reg.DeclarePersonalAccount(r.Context(), route.Actor(r), &a); err != nil {
		if fe, ok := formErrors(err); ok {
			return h.renderAccount(w, r, http.StatusUnprocessableEntity, &a, fe)
		}
		return err
	}
	return seeOther(w, r, "/account", "declared")
}

// personalUseView is what the personal-use template takes: the data and
// the page's errors.
type personalUseView struct {
	Data   *personalUse
	Errors []FieldError
}

// With returns the view of d with the page's errors.
func (d *personalUse) With(errs []FieldError) personalUseView {
	return personalUseView{Data: d, Errors: errs}
}
