package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

// archiveRoutes are the API routes of the archive, documented in
// openapi/archive.json. The archive service keeps its settings in the
// store, so the one built here behaves like the server's.
func (h *Handler) archiveRoutes() []route.Route {
	a := &archiveAPI{Handler: h, svc: h.archive}
	get, post := http.MethodGet, http.MethodPost
	r := func(method, path string, perm civic.Permission, summary string, fn route.Handler) route.Route {
		return route.Route{Method: method, Path: "/api/v1" + path, Perm: perm, API: true, Summary: summary, Handle: fn}
	}
	return []route.Route{
		r(post, "/ingest", civic.PermArchiveIngest, "put a batch of records into the archive", a.ingest),
		r(get, "/archive/search", civic.PermArchiveView, "search the archive", a.search),
		r(get, "/archive/items/{id}", civic.PermArchiveView, "one item with every version and its thread", a.item),
		r(get, "/archive/items/{id}/classification", civic.PermArchiveView, "an item's Data Practices Act classification: in force per version, and its history", a.classification),
		r(post, "/archive/items/{id}/classification", civic.PermRecordsManage, "classify an item's versions (clerk): public, private or nonpublic with the statute and a reason", a.classify),
		r(get, "/archive/lookup", civic.PermArchiveView, "an item by its account and platform id, with its latest version", a.lookup),
		r(post, "/archive/accounts/{id}/warc", civic.PermArchiveView, "write an account's month as a WARC file, a WACZ package or a transfer bag in the background: 202 with its URL", a.warc),
		r(get, "/archive/accounts/{id}/warc/{job}", civic.PermArchiveView, "a WARC, WACZ or transfer bag's progress, and its download URL when ready", a.warcStatus),
		r(get, "/archive/accounts/{id}/warc/{job}/file", civic.PermArchiveView, "download a finished WARC, WACZ or transfer bag", a.warcFile),
		{Method: post, Path: "/api/v1/archive/accounts/{id}/import", Perm: civic.PermArchiveIngest, API: true, Upload: h.importMax + 1<<20,
			Summary: "import a platform's export into an account's archive in the background: 202 with its URL", Handle: a.importUpload},
		r(get, "/archive/accounts/{id}/import/{job}", civic.PermArchiveIngest, "an import's progress, and what it did with its report's URL when done", a.importStatus),
		r(get, "/archive/accounts/{id}/import/{job}/file", civic.PermArchiveIngest, "download an import's report (CSV)", a.importFile),
		r(get, "/archive/holds", civic.PermArchiveView, "list legal holds", a.holdList),
		r(post, "/archive/holds", civic.PermArchiveHold, "place a legal hold", a.holdCreate),
		r(post, "/archive/holds/{id}/release", civic.PermArchiveHold, "release a legal hold", a.holdRelease),
		r(get, "/archive/retention", civic.PermArchiveView, "the retention schedule", a.retention),
		r(get, "/archive/dispositions", civic.PermArchiveView, "list disposition runs", a.runList),
		r(post, "/archive/dispositions", civic.PermArchiveDispose, "propose a disposition run", a.runCreate),
		r(get, "/archive/dispositions/{id}", civic.PermArchiveView, "one disposition run and its list", a.runGet),
		r(post, "/archive/dispositions/{id}/approve", civic.PermArchiveDispose, "approve a disposition run, executed in the background: 202 with its task's URL", a.runApprove),
		r(post, "/archive/dispositions/{id}/resume", civic.PermArchiveDispose, "resume an approved run whose execution stopped (cancelled, failed, or forgotten by the queue): 202 with its new task's URL", a.runResume),
		r(get, "/archive/dispositions/{id}/task/{job}", civic.PermArchiveView, "the progress of a disposition run's execution, and the URL of its disposition list when ready", a.runTaskStatus),
		r(get, "/archive/dispositions/{id}/task/{job}/file", civic.PermArchiveView, "download a disposition run's list (CSV)", a.runTaskFile),
		{Method: get, Path: "/api/v1/archive/checkpoints", Public: true, API: true, Summary: "signed checkpoints of the archive's Merkle log", Handle: a.checkpoints},
	}
}

type archiveAPI struct {
	*Handler
	svc *archive.Service
}

func (a *archiveAPI) ingest(w http.ResponseWriter, r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return civic.Invalid("", "send the body as application/json")
	}
	recs, errs, err := archive.DecodeBatch(r.Body)
	if err != nil {
		return err
	}
	res, err := a.svc.Ingest(r.Context(), route.Actor(r), recs, errs)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

type searchPage struct {
	Items      []*civic.Version `json:"items"`
	NextOffset *int             `json:"next_offset"`
	Total      int              `json:"total"` // versions matching, all pages together, up to civic.ArchiveTotalCap
	// TotalCapped says that more than Total versions match: counting
	// stopped at civic.ArchiveTotalCap.
	TotalCapped bool `json:"total_capped"`
}

func (a *archiveAPI) search(w http.ResponseWriter, r *http.Request) error {
	q, err := archive.ParseQueryIn(r.URL.Query().Get("q"), a.loc)
	if err != nil {
		return err
	}
	if q.Offset, err = intParam(r, "offset", 0); err != nil {
		return err
	}
	if q.Limit, err = intParam(r, "limit", archive.DefaultLimit); err != nil {
		return err
	}
	if err := archive.CheckLimit(q.Limit); err != nil {
		return err
	}
	limit := q.Limit
	q.Limit++ // one more, to learn whether another page follows
	vs, total, err := a.svc.SearchCount(r.Context(), route.Actor(r), q)
	if err != nil {
		return err
	}
	page := searchPage{Items: vs, Total: total}
	if total > civic.ArchiveTotalCap {
		page.Total, page.TotalCapped = civic.ArchiveTotalCap, true
	}
	if len(vs) > limit {
		page.Items = vs[:limit]
		next := q.Offset + limit
		page.NextOffset = &next
	}
	if page.Items == nil {
		page.Items = []*civic.Version{}
	}
	return writeJSON(w, http.StatusOK, page)
}

func intParam(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, civic.Invalid(name, "%s must be a whole number", name)
	}
	return n, nil
}

func (a *archiveAPI) item(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := a.svc.Item(r.Context(), route.Actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (a *archiveAPI) lookup(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v, err := a.svc.Lookup(r.Context(), route.Actor(r), q.Get("account"), q.Get("platform_id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (a *archiveAPI) holdList(w http.ResponseWriter, r *http.Request) error {
	hs, err := a.store.Holds(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(hs))
}

type holdInput struct {
	Matter   string   `json:"matter"`
	Accounts []string `json:"accounts"`
	From     string   `json:"from"`
	Until    string   `json:"until"`
	Query    string   `json:"query"`
}

func (a *archiveAPI) holdCreate(w http.ResponseWriter, r *http.Request) error {
	var in holdInput
	if err := decode(r, &in); err != nil {
		return err
	}
	h := &civic.Hold{Matter: in.Matter, Accounts: in.Accounts, Query: in.Query}
	var err error
	if h.From, err = optTime("from", in.From); err != nil {
		return err
	}
	if h.Until, err = optTime("until", in.Until); err != nil {
		return err
	}
	if err := a.svc.PlaceHold(r.Context(), route.Actor(r), h); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/archive/holds")
	return writeJSON(w, http.StatusCreated, holdPlaced{Hold: h, ItemsCovered: h.Items})
}

// holdPlaced is a hold just placed with how many items it covers now (the
// same number as its items, named for what it means at placing).
type holdPlaced struct {
	*civic.Hold
	ItemsCovered int `json:"items_covered"`
}

// optTime parses an optional date (2025-01-31) or RFC 3339 time.
func optTime(field, s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return &t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, civic.Invalid(field, "%s must be a date (2025-01-31) or an RFC 3339 time", field)
	}
	t = t.UTC()
	return &t, nil
}

type releaseInput struct {
	Reason string `json:"reason"`
}

func (a *archiveAPI) holdRelease(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in releaseInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := a.svc.ReleaseHold(r.Context(), route.Actor(r), id, in.Reason); err != nil {
		return err
	}
	h, err := a.store.Hold(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h)
}

func (a *archiveAPI) retention(w http.ResponseWriter, r *http.Request) error {
	rt, err := a.svc.Retention(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rt)
}

func (a *archiveAPI) runList(w http.ResponseWriter, r *http.Request) error {
	rs, err := a.store.DispositionRuns(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(rs))
}

type runInput struct {
	AsOf string `json:"as_of"`
}

func (a *archiveAPI) runCreate(w http.ResponseWriter, r *http.Request) error {
	var in runInput
	if err := decode(r, &in); err != nil {
		return err
	}
	asOf, err := optTime("as_of", in.AsOf)
	if err != nil {
		return err
	}
	var at time.Time
	if asOf != nil {
		at = *asOf
	}
	run, err := a.svc.ProposeDisposition(r.Context(), route.Actor(r), at)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/archive/dispositions/"+strconv.FormatInt(run.ID, 10))
	return writeJSON(w, http.StatusCreated, run)
}

type checkpointList struct {
	VerifierKey string              `json:"verifier_key"`
	Items       []*civic.Checkpoint `json:"items"`
}

func (a *archiveAPI) checkpoints(w http.ResponseWriter, r *http.Request) error {
	cs, err := a.store.ArchiveCheckpoints(r.Context(), 100)
	if err != nil {
		return err
	}
	vkey, err := a.svc.Verifier(r.Context())
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []*civic.Checkpoint{}
	}
	return writeJSON(w, http.StatusOK, checkpointList{VerifierKey: vkey, Items: cs})
}

// classificationView is an item's classification as the API shows it.
type classificationView struct {
	Versions []*civic.Classification `json:"versions"` // in force, one per version the portal may show
	Never    []int64                 `json:"never_public"`
	History  []*civic.Classification `json:"history"`
}

func (a *archiveAPI) classification(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := a.store.ArchiveItem(r.Context(), id); err != nil {
		return err
	}
	c, err := a.svc.Classifications(r.Context(), route.Actor(r), id)
	if err != nil {
		return err
	}
	vs, err := a.store.ArchiveVersions(r.Context(), id)
	if err != nil {
		return err
	}
	out := classificationView{Versions: []*civic.Classification{}, Never: []int64{}, History: c.History}
	if out.History == nil {
		out.History = []*civic.Classification{}
	}
	for _, v := range vs {
		if in, ok := c.InForce[v.ID]; ok {
			out.Versions = append(out.Versions, in)
		} else {
			out.Never = append(out.Never, v.ID)
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

type classifyInput struct {
	VersionID int64  `json:"version_id"` // 0 or absent: every version
	Class     string `json:"class"`
	Statute   string `json:"statute"`
	Reason    string `json:"reason"`
}

func (a *archiveAPI) classify(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in classifyInput
	if err := decode(r, &in); err != nil {
		return err
	}
	cs, err := a.svc.Classify(r.Context(), route.Actor(r), id, in.VersionID, civic.Classification{Class: civic.Class(in.Class), Statute: in.Statute, Reason: in.Reason})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"classified": cs})
}
