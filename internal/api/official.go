package api

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

func (h *Handler) accountList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := civic.AccountFilter{Platform: q.Get("platform"), Status: civic.AccountStatus(q.Get("status")), Query: q.Get("q")}
	if f.Status != "" && !f.Status.Valid() {
		return civic.Invalid("status", "unknown status %q", f.Status)
	}
	if f.Status == "" {
		f.Inventory = true
	}
	if v := q.Get("department_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return civic.Invalid("department_id", "%q is not a department id", v)
		}
		f.DepartmentID = id
	}
	as, err := h.store.Accounts(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(as))
}

func (h *Handler) accountCounts(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.store.AccountCounts(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(cs))
}

// accountInput is a request for a new account.
type accountInput struct {
	DepartmentID     int64    `json:"department_id"`
	Platform         string   `json:"platform"`
	Handle           string   `json:"handle"`
	DisplayName      string   `json:"display_name"`
	URL              string   `json:"url"`
	Purpose          string   `json:"purpose"`
	Audience         string   `json:"audience"`
	Categories       []string `json:"categories"`
	AdministratorIDs []int64  `json:"administrator_ids"`
	OfficialID       int64    `json:"official_id"`
	WebsiteURL       string   `json:"website_url"`
	ProfileText      string   `json:"profile_text"`
	// Institutional answers "is the account run for the City?"; required,
	// and false is refused (CND-2).
	Institutional *bool `json:"institutional"`
}

func (h *Handler) accountRequest(w http.ResponseWriter, r *http.Request) error {
	var in accountInput
	if err := decode(r, &in); err != nil {
		return err
	}
	a := &civic.Account{DepartmentID: in.DepartmentID, Platform: in.Platform, Handle: in.Handle, DisplayName: in.DisplayName, URL: in.URL, Purpose: in.Purpose,
		Audience: in.Audience, Categories: in.Categories, AdminIDs: in.AdministratorIDs, OfficialID: in.OfficialID, WebsiteURL: in.WebsiteURL, ProfileText: in.ProfileText, Institutional: in.Institutional}
	if err := h.reg.RequestAccount(r.Context(), route.Actor(r), a); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/accounts/"+strconv.FormatInt(a.ID, 10))
	return writeJSON(w, http.StatusCreated, a)
}

// accountDetail is an account with its chain, decisions and what its
// profile lacks.
type accountDetail struct {
	*civic.Account
	Chain     []civic.ApprovalStep `json:"approval_chain"`
	Approvals []*civic.Approval    `json:"approvals"`
	Missing   []string             `json:"profile_missing"`
}

func (h *Handler) writeAccount(w http.ResponseWriter, r *http.Request, id int64) error {
	a, err := h.store.Account(r.Context(), id)
	if err != nil {
		return err
	}
	chain, aps, err := h.reg.Chain(r.Context(), a)
	if err != nil {
		return err
	}
	d := accountDetail{Account: a, Chain: chain, Approvals: aps, Missing: a.Missing()}
	if d.Approvals == nil {
		d.Approvals = []*civic.Approval{}
	}
	if d.Missing == nil {
		d.Missing = []string{}
	}
	return writeJSON(w, http.StatusOK, d)
}

func (h *Handler) accountGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return h.writeAccount(w, r, id)
}

// accountAction decodes in, runs fn on the account {id} and answers the account.
func (h *Handler) accountAction(w http.ResponseWriter, r *http.Request, in any, fn func(id int64) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := decode(r, in); err != nil {
		return err
	}
	if err := fn(id); err != nil {
		return err
	}
	return h.writeAccount(w, r, id)
}

func (h *Handler) accountDecide(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Decision civic.Decision `json:"decision"`
		Comment  string         `json:"comment"`
	}
	return h.accountAction(w, r, &in, func(id int64) error {
		return h.reg.Decide(r.Context(), route.Actor(r), id, in.Decision, in.Comment)
	})
}

func (h *Handler) accountWithdraw(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	return h.accountAction(w, r, &in, func(id int64) error {
		return h.reg.Withdraw(r.Context(), route.Actor(r), id, in.Reason)
	})
}

func (h *Handler) accountStatus(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Status civic.AccountStatus `json:"status"`
		Reason string              `json:"reason"`
	}
	return h.accountAction(w, r, &in, func(id int64) error {
		return h.reg.SetStatus(r.Context(), route.Actor(r), id, in.Status, in.Reason)
	})
}

func (h *Handler) accountProfile(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Website    string `json:"profile_website"`
		Emergency  string `json:"profile_emergency"`
		Disclaimer string `json:"profile_disclaimer"`
	}
	return h.accountAction(w, r, &in, func(id int64) error {
		return h.reg.RecordProfile(r.Context(), route.Actor(r), id, in.Website, in.Emergency, in.Disclaimer)
	})
}

func (h *Handler) credentialList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := h.store.Account(r.Context(), id); err != nil {
		return err
	}
	cs, err := h.store.Credentials(r.Context(), id, 0)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(cs))
}

func (h *Handler) credentialStore(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Kind   civic.CredentialKind `json:"kind"`
		Secret string               `json:"secret"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := h.reg.StoreCredential(r.Context(), route.Actor(r), id, in.Kind, in.Secret)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}

func (h *Handler) credentialReveal(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	secret, c, err := h.reg.RevealCredential(r.Context(), route.Actor(r), id, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		ID     int64                `json:"id"`
		Kind   civic.CredentialKind `json:"kind"`
		Secret string               `json:"secret"`
	}{c.ID, c.Kind, secret})
}

func (h *Handler) chainGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := h.store.Department(r.Context(), id); err != nil {
		return err
	}
	steps, err := h.store.ApprovalChain(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"steps": steps})
}

func (h *Handler) chainPut(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Steps []civic.ApprovalStep `json:"steps"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := h.reg.SetChain(r.Context(), route.Actor(r), id, in.Steps); err != nil {
		return err
	}
	return h.chainGet(w, r)
}

func (h *Handler) posterList(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.reg.Posters(r.Context(), route.Actor(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(ps))
}

func (h *Handler) posterRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := h.reg.RequestPoster(r.Context(), route.Actor(r), id, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, p)
}

// posterAction decodes in, runs fn on the authorization {id} and answers it.
func (h *Handler) posterAction(w http.ResponseWriter, r *http.Request, in any, fn func(id int64) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := decode(r, in); err != nil {
		return err
	}
	if err := fn(id); err != nil {
		return err
	}
	p, err := h.store.Poster(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (h *Handler) posterDecide(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Decision string `json:"decision"` // grant or refuse
		Expires  string `json:"expires"`  // YYYY-MM-DD
		Note     string `json:"note"`
	}
	return h.posterAction(w, r, &in, func(id int64) error {
		if !slices.Contains([]string{"grant", "refuse"}, in.Decision) {
			return civic.Invalid("decision", "decide grant or refuse")
		}
		var exp time.Time
		if in.Decision == "grant" {
			var err error
			if exp, err = time.Parse("2006-01-02", in.Expires); err != nil {
				return civic.Invalid("expires", "give the expiry date as 2027-11-21")
			}
		}
		return h.reg.DecidePoster(r.Context(), route.Actor(r), id, in.Decision == "grant", exp, in.Note)
	})
}

func (h *Handler) posterRevoke(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Note string `json:"note"`
	}
	return h.posterAction(w, r, &in, func(id int64) error {
		return h.reg.RevokePoster(r.Context(), route.Actor(r), id, in.Note)
	})
}

func (h *Handler) posterRecertify(w http.ResponseWriter, r *http.Request) error {
	var in struct{}
	return h.posterAction(w, r, &in, func(id int64) error {
		return h.reg.Recertify(r.Context(), route.Actor(r), id)
	})
}
