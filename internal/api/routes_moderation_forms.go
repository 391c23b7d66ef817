package api

import (
	"bytes"
	"mime"
	"net/http"
	"strconv"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/moderation"
	"steward.city/steward/internal/route"
)

// moderationFormRoutes are one tracking form (as JSON or the PDF the pages
// download) and the second-reviewer settings, documented in
// openapi/moderation_forms.json.
func (h *Handler) moderationFormRoutes() []route.Route {
	a := &moderationAPI{Handler: h, svc: h.mod}
	get, patch := http.MethodGet, http.MethodPatch
	r := func(method, path string, perm civic.Permission, summary string, fn route.Handler) route.Route {
		return route.Route{Method: method, Path: "/api/v1" + path, Perm: perm, API: true, Summary: summary, Handle: fn}
	}
	return []route.Route{
		r(get, "/moderation/forms/{id}", civic.PermModerationView, "one tracking form with its decision, or its PDF", a.form),
		r(get, "/moderation/second-review", civic.PermModerationView, "which removals need a second reviewer", a.secondReview),
		r(patch, "/moderation/second-review", civic.PermModerationConfigure, "change which removals need a second reviewer", a.setSecondReview),
	}
}

// formView is a tracking form with the decision it records.
type formView struct {
	Form     *civic.TrackingForm       `json:"form"`
	Decision *civic.ModerationDecision `json:"decision"`
}

// form answers the form as JSON, or with ?format=pdf the same PDF as the
// page's download.
func (a *moderationAPI) form(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "pdf" {
		return civic.Invalid("format", "format must be json or pdf")
	}
	f, d, err := a.svc.Form(r.Context(), route.Actor(r), id)
	if err != nil {
		return err
	}
	if format != "pdf" {
		return writeJSON(w, http.StatusOK, formView{Form: f, Decision: d})
	}
	var buf bytes.Buffer
	if err := moderation.WriteFormPDF(&buf, f, d, a.loc); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "tracking-form-" + strconv.FormatInt(id, 10) + ".pdf"}))
	_, err = w.Write(buf.Bytes())
	return err
}

// secondReviewView says which removals need a second reviewer: those under
// a reason code whose flag is set, and, if officials is true, those of a
// comment that names an elected official.
type secondReviewView struct {
	Officials bool               `json:"officials"`
	Codes     []secondReviewCode `json:"codes"`
}

// secondReviewCode is one reason code and whether its removals need a
// second reviewer.
type secondReviewCode struct {
	Code         string `json:"code"`
	SecondReview bool   `json:"second_review"`
}

func (a *moderationAPI) secondReviewNow(r *http.Request) (*secondReviewView, error) {
	off, err := a.svc.OfficialsNeedSecond(r.Context())
	if err != nil {
		return nil, err
	}
	cs, err := a.svc.Codes(r.Context())
	if err != nil {
		return nil, err
	}
	v := &secondReviewView{Officials: off, Codes: []secondReviewCode{}}
	for _, c := range cs {
		v.Codes = append(v.Codes, secondReviewCode{c.Code, c.SecondReview})
	}
	return v, nil
}

func (a *moderationAPI) secondReview(w http.ResponseWriter, r *http.Request) error {
	v, err := a.secondReviewNow(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// setSecondReview changes what the body names and leaves the rest. Every
// code is checked before anything changes; each change is its own audit
// event (the same as the settings page), so a store failure part way
// leaves the earlier changes made.
func (a *moderationAPI) setSecondReview(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Officials *bool              `json:"officials"`
		Codes     []secondReviewCode `json:"codes"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	cs, err := a.svc.Codes(r.Context())
	if err != nil {
		return err
	}
	byCode := map[string]civic.ReasonCode{}
	for _, c := range cs {
		byCode[c.Code] = c
	}
	seen := map[string]bool{}
	for _, c := range in.Codes {
		if _, ok := byCode[c.Code]; !ok {
			return civic.Invalid("codes", "%q is not a reason code of the policy", c.Code)
		}
		if seen[c.Code] {
			return civic.Invalid("codes", "%q is named twice", c.Code)
		}
		seen[c.Code] = true
	}
	for _, in := range in.Codes {
		c := byCode[in.Code]
		if c.SecondReview == in.SecondReview {
			continue
		}
		if _, err := a.svc.SetCode(r.Context(), route.Actor(r), c.Code, c.Label, c.Description, in.SecondReview); err != nil {
			return err
		}
	}
	if in.Officials != nil {
		if err := a.svc.SetOfficialsNeedSecond(r.Context(), route.Actor(r), *in.Officials); err != nil {
			return err
		}
	}
	v, err := a.secondReviewNow(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}
