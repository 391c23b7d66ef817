package web

import (
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/importer"
	"steward.city/steward/internal/plain"
	"steward.city/steward/internal/registry"
	"steward.city/steward/internal/route"
)

// inventoryData is the inventory page (ACC-2).
type inventoryData struct {
	Accounts    []*civic.Account
	Departments []*civic.Department
	Counts      []civic.AccountCount
	Filter      civic.AccountFilter
	Statuses    []civic.AccountStatus
	Platforms   []string
	CSV         string // link to the same list as CSV
	Total       int
	Request     *requestData // the request form, for those who may request
}

// accountFilter reads the inventory filters from the query.
func accountFilter(r *http.Request, ds []*civic.Department) (civic.AccountFilter, error) {
	q := r.URL.Query()
	f := civic.AccountFilter{Platform: q.Get("platform"), Status: civic.AccountStatus(q.Get("status")), Query: q.Get("q")}
	if f.Status != "" && !f.Status.Valid() {
		return f, civic.Invalid("status", "unknown status %q", f.Status)
	}
	if f.Status == "" {
		f.Inventory = true
	}
	if slug := q.Get("department"); slug != "" {
		i := slices.IndexFunc(ds, func(d *civic.Department) bool { return d.Slug == slug })
		if i < 0 {
			return f, civic.Invalid("department", "no department %q", slug)
		}
		f.DepartmentID = ds[i].ID
	}
	return f, nil
}

func (h *Handler) inventory(w http.ResponseWriter, r *http.Request) error {
	u := route.User(r)
	return h.renderInventory(w, r, http.StatusOK, civic.Account{DepartmentID: u.DepartmentID, WebsiteURL: "https://"}, nil)
}

func (h *Handler) renderInventory(w http.ResponseWriter, r *http.Request, status int, form civic.Account, errs []FieldError) error {
	ctx := r.Context()
	ds, err := h.store.Departments(ctx)
	if err != nil {
		return err
	}
	f, err := accountFilter(r, ds)
	if err != nil {
		return err
	}
	as, err := h.store.Accounts(ctx, f)
	if err != nil {
		return err
	}
	if r.Method == http.MethodGet && r.URL.Query().Get("format") == "csv" {
		return writeInventoryCSV(w, as, ds)
	}
	counts, err := h.store.AccountCounts(ctx)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	q.Set("format", "csv")
	total := 0
	for _, c := range counts {
		total += c.Count
	}
	d := inventoryData{Accounts: as, Departments: ds, Counts: counts, Filter: f, Statuses: civic.AccountStatuses, Platforms: civic.Platforms, CSV: "/accounts?" + q.Encode(), Total: total}
	if route.User(r).Can(civic.PermAccountsRequest) {
		ps, err := h.store.People(ctx, civic.PersonFilter{})
		if err != nil {
			return err
		}
		d.Request = &requestData{Form: form, People: ps, Categories: civic.ContentCategories}
		for _, p := range ps {
			if p.Kind == civic.KindElectedOfficial {
				d.Request.Officials = append(d.Request.Officials, p)
			}
		}
	}
	return h.render(w, r, status, "accounts", Page{Title: "Official accounts", Errors: errs, Data: d})
}

func writeInventoryCSV(w http.ResponseWriter, as []*civic.Account, ds []*civic.Department) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="accounts.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "platform", "handle", "display_name", "url", "department", "purpose", "status", "status_reason", "administrator_ids", "official_id", "requested_at", "approved_at", "activated_at", "ended_at"})
	name := func(id int64) string {
		for _, d := range ds {
			if d.ID == id {
				return d.Name
			}
		}
		return ""
	}
	tp := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, a := range as {
		var admins []string
		for _, p := range a.AdminIDs {
			admins = append(admins, itoa(p))
		}
		official := ""
		if a.OfficialID != 0 {
			official = itoa(a.OfficialID)
		}
		cw.Write([]string{itoa(a.ID), a.Platform, csvSafe(a.Handle), csvSafe(a.DisplayName), csvSafe(a.URL), name(a.DepartmentID), csvSafe(a.Purpose), string(a.Status), csvSafe(a.StatusReason),
			strings.Join(admins, " "), official, a.RequestedAt.UTC().Format(time.RFC3339), tp(a.ApprovedAt), tp(a.ActivatedAt), tp(a.EndedAt)})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// requestData is the account request form.
type requestData struct {
	Form       civic.Account
	People     []*civic.Person
	Officials  []*civic.Person
	Categories []string
}

// Checked reports whether the form chose content category c.
func (d *requestData) Checked(c string) bool { return slices.Contains(d.Form.Categories, c) }

// Institutional is the form's answer to "is it institutional?": "yes",
// "no" or "" when not answered.
func (d *requestData) Institutional() string {
	switch {
	case d.Form.Institutional == nil:
		return ""
	case *d.Form.Institutional:
		return "yes"
	}
	return "no"
}

// Admin reports whether the form named person id as an administrator.
func (d *requestData) Admin(id int64) bool { return slices.Contains(d.Form.AdminIDs, id) }

func (h *Handler) requestCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := civic.Account{Platform: r.PostFormValue("platform"), Handle: r.PostFormValue("handle"), DisplayName: r.PostFormValue("display_name"),
		URL: r.PostFormValue("url"), Purpose: r.PostFormValue("purpose"), Audience: r.PostFormValue("audience"), Categories: r.PostForm["categories"],
		WebsiteURL: r.PostFormValue("website_url"), ProfileText: r.PostFormValue("profile_text")}
	switch r.PostFormValue("institutional") {
	case "yes":
		a.Institutional = &[]bool{true}[0]
	case "no":
		a.Institutional = &[]bool{false}[0]
	}
	var err error
	if a.DepartmentID, err = formInt(r, "department_id"); err == nil {
		a.OfficialID, err = formInt(r, "official_id")
	}
	for _, v := range r.PostForm["administrator_ids"] {
		if err != nil {
			break
		}
		var pid int64
		if pid, err = parseID(v); err == nil {
			a.AdminIDs = append(a.AdminIDs, pid)
		} else {
			err = civic.Invalid("administrator_ids", "choose administrators from the list")
		}
	}
	if err == nil {
		err = h.reg.RequestAccount(r.Context(), route.Actor(r), &a)
	}
	if err != nil {
		if fe, ok := formErrors(err); ok {
			r.URL.RawQuery = ""
			return h.renderInventory(w, r, http.StatusUnprocessableEntity, a, fe)
		}
		return err
	}
	return seeOther(w, r, "/accounts/"+itoa(a.ID), "requested")
}

// officialData is one account's page.
type officialData struct {
	Account     *civic.Account
	Department  *civic.Department
	Admins      []*civic.Person
	Official    *civic.Person
	RequestedBy string
	Chain       []civic.ApprovalStep
	Approvals   []*civic.Approval
	Waiting     int  // index of the step that waits, or -1
	CanDecide   bool // the signed-in user holds the waiting step
	// NextTurn says who may decide the waiting step, or that nobody can
	// and who can fix it (issue 17).
	NextTurn    string
	Stuck       bool
	CanWithdraw bool
	Missing     []string
	Credentials []*civic.Credential
	CanReveal   bool
	Kinds       []civic.CredentialKind
	Posters     []*civic.Poster
	Follows     []*civic.Follow
	FollowKinds []civic.FollowKind
	Now         time.Time
	Connection  *civic.Connection // its platform connection for capture, if any
	// ArchiveID is the account's archive account, when the user may read
	// the archive and something was captured; ArchiveMonth the month the
	// WARC form offers (the current one).
	ArchiveID    int64
	ArchiveMonth string
	// ImportFormat is the export format the import form offers first (the
	// account's platform's), among ImportFormats; ImportMax the largest
	// file it takes, in words.
	ImportFormat  string
	ImportFormats []importFormat
	ImportMax     string
}

// importFormat is an export format the import form offers.
type importFormat struct{ Value, Label string }

// importLabel names an export format as the platform calls its download.
func importLabel(p string) string {
	switch p {
	case "facebook":
		return "Facebook: the Page's information download"
	case "instagram":
		return "Instagram: the account's information download"
	case "mastodon":
		return "Mastodon or GoToSocial: the account's export (outbox)"
	case "x":
		return "X: the account's archive"
	case "youtube":
		return "YouTube: the channel's Google Takeout"
	}
	return p
}

func importFormats() []importFormat {
	var out []importFormat
	for _, p := range importer.Platforms() {
		out = append(out, importFormat{p, importLabel(p)})
	}
	return out
}

func (h *Handler) officialShow(w http.ResponseWriter, r *http.Request) error {
	return h.renderOfficial(w, r, http.StatusOK, nil)
}

func (h *Handler) renderOfficial(w http.ResponseWriter, r *http.Request, status int, errs []FieldError) error {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := h.store.Account(ctx, id)
	if err != nil {
		return err
	}
	u := route.User(r)
	d := officialData{Account: a, Waiting: -1, Missing: a.Missing(), Kinds: civic.CredentialKinds, Now: h.now(), CanReveal: registry.MayReveal(u, a)}
	if d.Department, err = h.store.Department(ctx, a.DepartmentID); err != nil {
		return err
	}
	if u.Can(civic.PermCaptureView) {
		cs, err := h.store.Connections(ctx)
		if err != nil {
			return err
		}
		for _, c := range cs {
			if c.AccountID == a.ID {
				d.Connection = c
			}
		}
	}
	if u.Can(civic.PermArchiveView) {
		if aa, err := h.store.ArchiveAccountByRef(ctx, a.Platform+":"+a.Handle); err == nil {
			d.ArchiveID, d.ArchiveMonth = aa.ID, h.now().In(h.loc).Format("2006-01")
			d.ImportFormat, d.ImportFormats, d.ImportMax = importer.FormatFor(a.Platform), importFormats(), plain.Size(h.importMax)
		}
	}
	for _, pid := range a.AdminIDs {
		p, err := h.store.Person(ctx, pid)
		if err != nil {
			return err
		}
		d.Admins = append(d.Admins, p)
	}
	if a.OfficialID != 0 {
		if d.Official, err = h.store.Person(ctx, a.OfficialID); err != nil {
			return err
		}
	}
	if ru, err := h.store.User(ctx, a.RequestedBy); err == nil {
		d.RequestedBy = ru.Email
	}
	if d.Chain, d.Approvals, err = h.reg.Chain(ctx, a); err != nil {
		return err
	}
	if a.Status == civic.AccountRequested && len(d.Approvals) < len(d.Chain) {
		d.Waiting = len(d.Approvals)
		step, turn, ok, err := h.reg.Turn(ctx, a)
		if err != nil {
			return err
		}
		if ok {
			may, _ := turn.May(u)
			d.CanDecide = u.Can(civic.PermAccountsApprove) && may
			d.Stuck = turn.Nobody()
			d.NextTurn = registry.WhoNext(step, turn)
		}
		d.CanWithdraw = u.ID == a.RequestedBy
	}
	if d.Credentials, err = h.store.Credentials(ctx, a.ID, 0); err != nil {
		return err
	}
	ps, err := h.reg.Posters(ctx, route.Actor(r))
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.AccountID == a.ID {
			d.Posters = append(d.Posters, p)
		}
	}
	if d.Follows, err = h.store.Follows(ctx, a.ID); err != nil {
		return err
	}
	d.FollowKinds = civic.FollowKinds
	title := a.Handle + " on " + civic.PlatformName(a.Platform)
	return h.render(w, r, status, "official", Page{Title: title, Errors: errs, Data: d})
}

// officialAction runs fn and redirects to the account, or shows the
// account page with the error next to its field.
func (h *Handler) officialAction(w http.ResponseWriter, r *http.Request, notice string, fn func(id int64) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if err := fn(id); err != nil {
		if fe, ok := formErrors(err); ok {
			return h.renderOfficial(w, r, route.Status(err), fe)
		}
		return err
	}
	return seeOther(w, r, "/accounts/"+itoa(id), notice)
}

func (h *Handler) officialDecide(w http.ResponseWriter, r *http.Request) error {
	return h.officialAction(w, r, "decided", func(id int64) error {
		return h.reg.Decide(r.Context(), route.Actor(r), id, civic.Decision(r.PostFormValue("decision")), r.PostFormValue("comment"))
	})
}

func (h *Handler) officialWithdraw(w http.ResponseWriter, r *http.Request) error {
	return h.officialAction(w, r, "saved", func(id int64) error {
		return h.reg.Withdraw(r.Context(), route.Actor(r), id, r.PostFormValue("reason"))
	})
}

func (h *Handler) officialStatus(w http.ResponseWriter, r *http.Request) error {
	return h.officialAction(w, r, "saved", func(id int64) error {
		return h.reg.SetStatus(r.Context(), route.Actor(r), id, civic.AccountStatus(r.PostFormValue("status")), r.PostFormValue("reason"))
	})
}

func (h *Handler) officialProfile(w http.ResponseWriter, r *http.Request) error {
	return h.officialAction(w, r, "saved", func(id int64) error {
		return h.reg.RecordProfile(r.Context(), route.Actor(r), id, r.PostFormValue("profile_website"), r.PostFormValue("profile_emergency"), r.PostFormValue("profile_disclaimer"))
	})
}

func (h *Handler) credentialStore(w http.ResponseWriter, r *http.Request) error {
	return h.officialAction(w, r, "stored", func(id int64) error {
		_, err := h.reg.StoreCredential(r.Context(), route.Actor(r), id, civic.CredentialKind(r.PostFormValue("kind")), r.PostFormValue("secret"))
		return err
	})
}

func (h *Handler) posterRequest(w http.ResponseWriter, r *http.Request) error {
	return h.officialAction(w, r, "requested", func(id int64) error {
		_, err := h.reg.RequestPoster(r.Context(), route.Actor(r), id, r.PostFormValue("poster_reason"))
		if civic.ErrorField(err) == "reason" {
			err = civic.Invalid("poster_reason", "%s", civic.ErrorMessage(err))
		}
		return err
	})
}

// revealData is the page that shows a revealed secret, once.
type revealData struct {
	Credential *civic.Credential
	Secret     string
	Back       string
}

func (h *Handler) credentialReveal(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	secret, c, err := h.reg.RevealCredential(r.Context(), route.Actor(r), id, r.PostFormValue("reason"))
	if err != nil {
		if civic.ErrorKind(err) == civic.KindInvalid {
			return h.render(w, r, http.StatusUnprocessableEntity, "error", Page{Title: "Give a reason", Data: civic.ErrorMessage(err) + ". Go back and say why you need it."})
		}
		return err
	}
	back := "/accounts/" + itoa(c.AccountID)
	if c.CovertID != 0 {
		back = "/covert?profile=" + itoa(c.CovertID)
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.render(w, r, http.StatusOK, "reveal", Page{Title: "Revealed " + c.Kind.Label(), Data: revealData{Credential: c, Secret: secret, Back: back}})
}

// parseID reads a positive integer.
func parseID(s string) (int64, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v <= 0 {
		return 0, civic.Invalid("", "%q is not a number", s)
	}
	return v, nil
}

// approvalAt returns the decision recorded at step i, or nil.
func approvalAt(aps []*civic.Approval, i int) *civic.Approval {
	for _, ap := range aps {
		if ap.Step == i {
			return ap
		}
	}
	return nil
}
