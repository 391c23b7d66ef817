package web

import (
	"net/http"
	"strings"
	"time"

	"steward.city/steward/internal/audit"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/plain"
	"steward.city/steward/internal/registry"
	"steward.city/steward/internal/route"
)

// contractData is the contracts page (ACC-6).
type contractData struct {
	Contracts []*civic.Contract
	Accounts  []*civic.Account
	Platforms []string
	Form      civic.Contract
	Now       time.Time // the city's day today, as calendar days are stored
}

func (h *Handler) contractList(w http.ResponseWriter, r *http.Request) error {
	return h.renderContracts(w, r, http.StatusOK, civic.Contract{}, nil)
}

func (h *Handler) renderContracts(w http.ResponseWriter, r *http.Request, status int, form civic.Contract, errs []FieldError) error {
	cs, err := h.store.Contracts(r.Context())
	if err != nil {
		return err
	}
	as, err := h.store.Accounts(r.Context(), civic.AccountFilter{Inventory: true})
	if err != nil {
		return err
	}
	return h.render(w, r, status, "contracts", Page{Title: "Platform agreements", Errors: errs, Data: contractData{Contracts: cs, Accounts: as, Platforms: civic.Platforms, Form: form, Now: plain.CityDay(h.now(), h.loc)}})
}

func postDate(r *http.Request, field string) (time.Time, error) {
	v := strings.TrimSpace(r.PostFormValue(field))
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return t, civic.Invalid(field, "give the date as 2026-11-21")
	}
	return t, nil
}

func (h *Handler) contractCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	c := civic.Contract{Platform: r.PostFormValue("platform"), Title: r.PostFormValue("title"), Version: r.PostFormValue("version"), URL: r.PostFormValue("url"),
		AcceptedBy: r.PostFormValue("accepted_by"), Authority: r.PostFormValue("authority")}
	var err error
	if c.AcceptedOn, err = postDate(r, "accepted_on"); err == nil {
		c.ReviewOn, err = postDate(r, "review_on")
		if err == nil && c.ReviewOn.IsZero() && !c.AcceptedOn.IsZero() {
			c.ReviewOn = c.AcceptedOn.AddDate(1, 0, 0)
		}
	}
	for _, v := range r.PostForm["account_ids"] {
		if err != nil {
			break
		}
		var id int64
		if id, err = parseID(v); err == nil {
			c.AccountIDs = append(c.AccountIDs, id)
		}
	}
	if err == nil {
		err = h.reg.RecordContract(r.Context(), route.Actor(r), &c)
	}
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return h.renderContracts(w, r, http.StatusUnprocessableEntity, c, fe)
		}
		return err
	}
	return seeOther(w, r, "/contracts", "created")
}

func (h *Handler) followCreate(w http.ResponseWriter, r *http.Request) error {
	return h.officialAction(w, r, "saved", func(id int64) error {
		err := h.reg.RecordFollow(r.Context(), route.Actor(r), &civic.Follow{AccountID: id, Handle: r.PostFormValue("follow_handle"), Name: r.PostFormValue("follow_name"),
			Kind: civic.FollowKind(r.PostFormValue("follow_kind")), Note: r.PostFormValue("follow_note")})
		if f := civic.ErrorField(err); f == "handle" || f == "kind" {
			err = &civic.Error{Kind: civic.ErrorKind(err), Field: "follow_" + f, Message: civic.ErrorMessage(err)}
		}
		return err
	})
}

func (h *Handler) followClassify(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f, err := h.store.Follow(r.Context(), id)
	if err != nil {
		return err
	}
	f.Kind, f.Note = civic.FollowKind(r.PostFormValue("kind")), r.PostFormValue("note")
	if err := h.reg.RecordFollow(r.Context(), route.Actor(r), f); err != nil {
		return err
	}
	return seeOther(w, r, "/accounts/"+itoa(f.AccountID), "saved")
}

// policyData is the policies page (PPL-4).
type policyData struct {
	Outstanding []registry.Outstanding
	Versions    []*civic.PolicyVersion
	Departments []*civic.Department
	Form        civic.PolicyVersion
	Me          int64 // the signed-in user's person
	// The personal-use rules, acknowledged with the policy whose slug is
	// PersonalUsePolicy.
	PersonalUse       []string
	PersonalUseNotice string
	PersonalUsePolicy string
}

func (h *Handler) policyList(w http.ResponseWriter, r *http.Request) error {
	return h.renderPolicies(w, r, http.StatusOK, civic.PolicyVersion{}, nil)
}

func (h *Handler) renderPolicies(w http.ResponseWriter, r *http.Request, status int, form civic.PolicyVersion, errs []FieldError) error {
	u := route.User(r)
	out, err := h.reg.Acknowledgements(r.Context(), route.Actor(r))
	if err != nil {
		return err
	}
	vs, err := h.store.PolicyVersions(r.Context())
	if err != nil {
		return err
	}
	ds, err := h.store.Departments(r.Context())
	if err != nil {
		return err
	}
	return h.render(w, r, status, "policies", Page{Title: "Policies", Errors: errs, Data: policyData{Outstanding: out, Versions: vs, Departments: ds, Form: form, Me: u.PersonID,
		PersonalUse: civic.PersonalUseRules, PersonalUseNotice: civic.PersonalUseNotice, PersonalUsePolicy: civic.PersonalUsePolicy}})
}

func (h *Handler) policyPublish(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := civic.PolicyVersion{Slug: r.PostFormValue("slug"), Title: r.PostFormValue("title"), Version: r.PostFormValue("version"), URL: r.PostFormValue("url")}
	if err := h.reg.PublishPolicy(r.Context(), route.Actor(r), &p); err != nil {
		if fe, ok := formErrors(err); ok {
			return h.renderPolicies(w, r, http.StatusUnprocessableEntity, p, fe)
		}
		return err
	}
	return seeOther(w, r, "/policies", "created")
}

func (h *Handler) policyAcknowledge(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.reg.Acknowledge(r.Context(), route.Actor(r), id); err != nil {
		return err
	}
	return seeOther(w, r, "/policies", "saved")
}

// caseData is the conduct cases pages (CND-1).
type caseData struct {
	Cases   []*civic.ConductCase
	Case    *civic.ConductCase
	Entries []*civic.CaseEntry
	People  []*civic.Person
	Form    civic.ConductCase
}

func (h *Handler) caseList(w http.ResponseWriter, r *http.Request) error {
	return h.renderCases(w, r, http.StatusOK, civic.ConductCase{}, nil)
}

func (h *Handler) renderCases(w http.ResponseWriter, r *http.Request, status int, form civic.ConductCase, errs []FieldError) error {
	cs, err := h.store.ConductCases(r.Context())
	if err != nil {
		return err
	}
	ps, err := h.store.People(r.Context(), civic.PersonFilter{})
	if err != nil {
		return err
	}
	return h.render(w, r, status, "cases", Page{Title: "Conduct cases", Errors: errs, Data: caseData{Cases: cs, People: ps, Form: form}})
}

func (h *Handler) caseOpen(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	c := civic.ConductCase{Summary: r.PostFormValue("summary")}
	pid, err := formInt(r, "person_id")
	c.PersonID = pid
	if err == nil {
		err = h.reg.OpenCase(r.Context(), route.Actor(r), &c)
	}
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return h.renderCases(w, r, http.StatusUnprocessableEntity, c, fe)
		}
		return err
	}
	return seeOther(w, r, "/cases/"+itoa(c.ID), "created")
}

func (h *Handler) caseShow(w http.ResponseWriter, r *http.Request) error {
	return h.renderCase(w, r, http.StatusOK, nil)
}

func (h *Handler) renderCase(w http.ResponseWriter, r *http.Request, status int, errs []FieldError) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := h.store.ConductCase(r.Context(), id)
	if err != nil {
		return err
	}
	es, err := h.store.CaseEntries(r.Context(), id)
	if err != nil {
		return err
	}
	if err := audit.ShowCitations(r.Context(), h.store, route.User(r), es); err != nil {
		return err
	}
	ps, err := h.store.People(r.Context(), civic.PersonFilter{})
	if err != nil {
		return err
	}
	return h.render(w, r, status, "case", Page{Title: "Conduct case " + itoa(c.ID), Errors: errs, Data: caseData{Case: c, Entries: es, People: ps}})
}

func (h *Handler) caseAction(w http.ResponseWriter, r *http.Request, fn func(id int64) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if err := fn(id); err != nil {
		if fe, ok := formErrors(err); ok {
			return h.renderCase(w, r, route.Status(err), fe)
		}
		return err
	}
	return seeOther(w, r, "/cases/"+itoa(id), "saved")
}

func (h *Handler) caseEntry(w http.ResponseWriter, r *http.Request) error {
	return h.caseAction(w, r, func(id int64) error {
		return h.reg.AddCaseEntry(r.Context(), route.Actor(r), id, r.PostFormValue("kind"), r.PostFormValue("ref"), r.PostFormValue("text"))
	})
}

func (h *Handler) caseClose(w http.ResponseWriter, r *http.Request) error {
	return h.caseAction(w, r, func(id int64) error {
		return h.reg.CloseCase(r.Context(), route.Actor(r), id, r.PostFormValue("outcome"))
	})
}
