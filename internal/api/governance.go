package api

import (
	"net/http"
	"strconv"
	"time"

	"steward.city/steward/internal/audit"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

func (h *Handler) contractList(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.store.Contracts(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(cs))
}

func (h *Handler) contractCreate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Platform   string  `json:"platform"`
		Title      string  `json:"title"`
		Version    string  `json:"version"`
		URL        string  `json:"url"`
		AcceptedBy string  `json:"accepted_by"`
		Authority  string  `json:"authority"`
		AcceptedOn string  `json:"accepted_on"`
		ReviewOn   string  `json:"review_on"`
		AccountIDs []int64 `json:"account_ids"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	c := &civic.Contract{Platform: in.Platform, Title: in.Title, Version: in.Version, URL: in.URL, AcceptedBy: in.AcceptedBy, Authority: in.Authority, AccountIDs: in.AccountIDs}
	var err error
	if c.AcceptedOn, err = apiDate("accepted_on", in.AcceptedOn); err != nil {
		return err
	}
	if c.ReviewOn, err = apiDate("review_on", in.ReviewOn); err != nil {
		return err
	}
	if c.ReviewOn.IsZero() {
		c.ReviewOn = c.AcceptedOn.AddDate(1, 0, 0)
	}
	if err := h.reg.RecordContract(r.Context(), route.Actor(r), c); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}

func apiDate(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return t, civic.Invalid(field, "give the date as 2026-11-21")
	}
	return t, nil
}

func (h *Handler) followList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := h.store.Account(r.Context(), id); err != nil {
		return err
	}
	fs, err := h.store.Follows(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(fs))
}

type followInput struct {
	Handle string           `json:"handle"`
	Name   string           `json:"name"`
	Kind   civic.FollowKind `json:"kind"`
	Note   string           `json:"note"`
}

func (h *Handler) followCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in followInput
	if err := decode(r, &in); err != nil {
		return err
	}
	f := &civic.Follow{AccountID: id, Handle: in.Handle, Name: in.Name, Kind: in.Kind, Note: in.Note}
	if err := h.reg.RecordFollow(r.Context(), route.Actor(r), f); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, f)
}

func (h *Handler) followClassify(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Kind civic.FollowKind `json:"kind"`
		Note *string          `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	f, err := h.store.Follow(r.Context(), id)
	if err != nil {
		return err
	}
	f.Kind = in.Kind
	if in.Note != nil {
		f.Note = *in.Note
	}
	if err := h.reg.RecordFollow(r.Context(), route.Actor(r), f); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, f)
}

// policyStatus is a current policy version and who has not acknowledged it.
type policyStatus struct {
	*civic.PolicyVersion
	NotAcknowledged []int64 `json:"not_acknowledged"` // person ids the caller may see
	Acknowledged    bool    `json:"acknowledged"`     // by the caller
}

func (h *Handler) policyList(w http.ResponseWriter, r *http.Request) error {
	u := route.User(r)
	out, err := h.reg.Acknowledgements(r.Context(), route.Actor(r))
	if err != nil {
		return err
	}
	ps := []policyStatus{}
	for _, o := range out {
		s := policyStatus{PolicyVersion: o.Policy, NotAcknowledged: []int64{}, Acknowledged: o.Acked[u.PersonID]}
		for _, p := range o.People {
			s.NotAcknowledged = append(s.NotAcknowledged, p.ID)
		}
		ps = append(ps, s)
	}
	return writeJSON(w, http.StatusOK, items(ps))
}

func (h *Handler) policyPublish(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Slug    string `json:"slug"`
		Title   string `json:"title"`
		Version string `json:"version"`
		URL     string `json:"url"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	p := &civic.PolicyVersion{Slug: in.Slug, Title: in.Title, Version: in.Version, URL: in.URL}
	if err := h.reg.PublishPolicy(r.Context(), route.Actor(r), p); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, p)
}

func (h *Handler) policyAcknowledge(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.reg.Acknowledge(r.Context(), route.Actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// caseDetail is a case with its entries.
type caseDetail struct {
	*civic.ConductCase
	Entries []*civic.CaseEntry `json:"entries"`
}

func (h *Handler) writeCase(w http.ResponseWriter, r *http.Request, id int64, status int) error {
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
	if es == nil {
		es = []*civic.CaseEntry{}
	}
	return writeJSON(w, status, caseDetail{ConductCase: c, Entries: es})
}

func (h *Handler) caseList(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.store.ConductCases(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(cs))
}

func (h *Handler) caseGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return h.writeCase(w, r, id, http.StatusOK)
}

func (h *Handler) caseOpen(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		PersonID int64  `json:"person_id"`
		Summary  string `json:"summary"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	c := &civic.ConductCase{PersonID: in.PersonID, Summary: in.Summary}
	if err := h.reg.OpenCase(r.Context(), route.Actor(r), c); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/cases/"+strconv.FormatInt(c.ID, 10))
	return h.writeCase(w, r, c.ID, http.StatusCreated)
}

func (h *Handler) caseEntry(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Kind string `json:"kind"`
		Ref  string `json:"ref"`
		Text string `json:"text"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := h.reg.AddCaseEntry(r.Context(), route.Actor(r), id, in.Kind, in.Ref, in.Text); err != nil {
		return err
	}
	return h.writeCase(w, r, id, http.StatusOK)
}

func (h *Handler) caseClose(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Outcome string `json:"outcome"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := h.reg.CloseCase(r.Context(), route.Actor(r), id, in.Outcome); err != nil {
		return err
	}
	return h.writeCase(w, r, id, http.StatusOK)
}
