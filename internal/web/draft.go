package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/route"
)

// draftRoutes are the pages of drafts, their review and the calendar of
// posts (PUB-1, PUB-3). Any signed-in user opens them; the publish service
// checks the poster grant and the review rule on each draft.
func (h *Handler) draftRoutes() []route.Route {
	get, post := http.MethodGet, http.MethodPost
	in := civic.PermSignedIn
	return []route.Route{
		{Method: get, Path: "/drafts", Perm: in, Summary: "your drafts and a new one", Handle: h.draftList},
		{Method: post, Path: "/drafts", Perm: in, Upload: publish.MaxUpload, Summary: "write a draft, with a file to attach", Handle: h.draftCreate},
		{Method: get, Path: "/drafts/queue", Perm: in, Summary: "drafts waiting for your review", Handle: h.draftQueue},
		{Method: get, Path: "/drafts/{id}", Perm: in, Summary: "a draft: text per network, findings, preview, reviews", Handle: h.draftShow},
		{Method: post, Path: "/drafts/{id}", Perm: in, Upload: publish.MaxUpload, Summary: "revise a draft, with a file to attach", Handle: h.draftRevise},
		{Method: get, Path: "/drafts/{id}/media/{sha256}", Perm: in, Summary: "a file of a draft's attachment, to one who may read the draft", Handle: h.draftMedia},
		{Method: post, Path: "/drafts/{id}/submit", Perm: in, Summary: "submit a draft for review", Handle: h.draftSubmit},
		{Method: post, Path: "/drafts/{id}/review", Perm: in, Summary: "approve, request changes, refuse or confirm a draft", Handle: h.draftReview},
		{Method: post, Path: "/drafts/{id}/publish", Perm: in, Summary: "publish an approved draft", Handle: h.draftPublish},
		{Method: post, Path: "/drafts/{id}/correction", Perm: in, Summary: "write a correction of a published post", Handle: h.draftCorrect},
		{Method: post, Path: "/drafts/{id}/deletion", Perm: in, Summary: "ask for a published post to be deleted, with the reason", Handle: h.draftDelete},
		{Method: get, Path: "/calendar", Perm: civic.PermAccountsView, Summary: "scheduled and published posts per account", Handle: h.calendar},
		{Method: get, Path: publish.MediaLinkPath + "{token}", Public: true, Summary: "a file of a post being published, for the network that fetches it (Instagram), for an hour through an unguessable link", Handle: h.mediaLink},
	}
}

// draftForm is the draft form as typed.
type draftForm struct {
	AccountIDs []int64
	Text       string
	Category   string
	// Media are the attachments the form keeps: files uploaded with it
	// earlier, or the revision's (hidden fields), each with its own alt
	// text, kind and captions. New describes the file chosen now.
	Media      []formMedia
	New        formMedia
	Link       string
	Scheduled  string // 2006-01-02T15:04, UTC
	Correction string // the text of a correction being written
	Reason     string // why a post must be deleted
}

func (f draftForm) Has(id int64) bool {
	for _, a := range f.AccountIDs {
		if a == id {
			return true
		}
	}
	return false
}

// formMedia is one attachment as the draft form shows it.
type formMedia struct {
	SHA256, File, Kind, Alt string
	Captions                bool
}

// Room reports whether the form takes another file.
func (f draftForm) Room() bool { return len(f.Media) < publish.MaxMedia }

// limitRow is one network's limit with the draft's length.
type limitRow struct {
	Platform string
	Limit    int
	Length   int
	Over     bool
}

func limits(text string, platforms []string) []limitRow {
	n := utf8.RuneCountInString(text)
	var out []limitRow
	seen := map[string]bool{}
	for _, p := range platforms {
		l, ok := civic.NetworkLimits[p]
		if !ok || seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, limitRow{Platform: p, Limit: l, Length: n, Over: n > l})
	}
	return out
}

type draftsData struct {
	Drafts     []*civic.Draft
	Accounts   []*civic.Account
	Categories []string
	Form       draftForm
	Limits     []limitRow
	// CounterPlatforms is empty: the counter counts for the accounts
	// ticked on the form.
	CounterPlatforms string
}

func (h *Handler) draftList(w http.ResponseWriter, r *http.Request) error {
	return h.renderDrafts(w, r, http.StatusOK, draftForm{}, nil)
}

func (h *Handler) renderDrafts(w http.ResponseWriter, r *http.Request, status int, form draftForm, errs []FieldError) error {
	ctx, actor := r.Context(), route.Actor(r)
	ds, err := h.publish.Drafts(ctx, actor, civic.DraftFilter{})
	if err != nil {
		return err
	}
	as, err := h.publish.Postable(ctx, actor)
	if err != nil {
		return err
	}
	cats, err := h.publish.Categories(ctx)
	if err != nil {
		return err
	}
	var ps []string
	for _, a := range as {
		ps = append(ps, a.Platform)
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.render(w, r, status, "drafts", Page{Title: "Drafts", Errors: errs, Data: draftsData{Drafts: ds, Accounts: as, Categories: cats, Form: form, Limits: limits(form.Text, ps)}})
}

// readDraftForm reads the form into the service's input; the time to
// publish at is typed in the city's zone, loc (a datetime-local field has
// none). up is the file uploaded with the form, or nil: it replaces the
// attachment the form kept.
func readDraftForm(r *http.Request, loc *time.Location, up *civic.MediaUpload) (draftForm, publish.DraftInput, error) {
	f := draftForm{Text: r.PostFormValue("text"), Category: r.PostFormValue("category"),
		New:  formMedia{Kind: r.PostFormValue("kind"), Alt: r.PostFormValue("alt"), Captions: r.PostFormValue("captions") == "yes"},
		Link: strings.TrimSpace(r.PostFormValue("link")), Scheduled: strings.TrimSpace(r.PostFormValue("scheduled"))}
	// The attachments kept, m0 to m3, less those marked to remove.
	for i := range publish.MaxMedia {
		p := "m" + strconv.Itoa(i) + "_"
		sha := strings.TrimSpace(r.PostFormValue(p + "sha256"))
		if sha == "" || r.PostFormValue(p+"remove") == "yes" {
			continue
		}
		f.Media = append(f.Media, formMedia{SHA256: sha, File: r.PostFormValue(p + "file"), Kind: r.PostFormValue(p + "kind"),
			Alt: r.PostFormValue(p + "alt"), Captions: r.PostFormValue(p+"captions") == "yes"})
	}
	if up != nil {
		f.New.SHA256, f.New.File = up.SHA256, up.File
		f.Media, f.New = append(f.Media, f.New), formMedia{}
	}
	for _, v := range r.PostForm["account"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return f, publish.DraftInput{}, civic.Invalid("account_ids", "%q is not an account", v)
		}
		f.AccountIDs = append(f.AccountIDs, id)
	}
	in := publish.DraftInput{AccountIDs: f.AccountIDs, Text: f.Text, Category: f.Category}
	for _, m := range f.Media {
		in.Media = append(in.Media, civic.DraftMedia{SHA256: m.SHA256, File: m.File, Kind: m.Kind, Alt: m.Alt, Captions: m.Captions})
	}
	if f.Link != "" {
		in.Links = []string{f.Link}
	}
	if f.Scheduled != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", f.Scheduled, loc)
		if err != nil {
			return f, in, civic.Invalid("scheduled_at", "give the date and the time of day to publish at, or leave it empty")
		}
		t = t.UTC()
		in.ScheduledAt = &t
	}
	return f, in, nil
}

// fieldOf maps the service's field names to the form's.
func fieldOf(errs []FieldError) []FieldError {
	for i, e := range errs {
		switch {
		case strings.HasPrefix(e.Field, "media"):
			errs[i].Field = "media"
		case strings.HasPrefix(e.Field, "links"):
			errs[i].Field = "link"
		}
	}
	return errs
}

func (h *Handler) draftCreate(w http.ResponseWriter, r *http.Request) error {
	up, err := h.readDraftUpload(r)
	if err != nil && civic.ErrorField(err) != "media" {
		return err
	}
	f, in, ferr := readDraftForm(r, h.loc, up)
	if err == nil {
		err = ferr
	}
	if err == nil {
		var d *civic.Draft
		if d, err = h.publish.CreateDraft(r.Context(), route.Actor(r), in); err == nil {
			return seeOther(w, r, "/drafts/"+strconv.FormatInt(d.ID, 10), "saved")
		}
	}
	if fe, ok := formErrors(err); ok || civic.ErrorKind(err) == civic.KindForbidden || civic.ErrorField(err) == "media" {
		if !ok {
			fe = []FieldError{{Field: civic.ErrorField(err), Message: civic.ErrorMessage(err)}}
		}
		return h.renderDrafts(w, r, route.Status(err), f, fieldOf(fe))
	}
	return err
}

type draftData struct {
	View       *publish.View
	Segments   []publish.Segment
	Limits     []limitRow
	Preview    string
	Categories []string
	Form       draftForm
	Author     bool
	Reviewer   bool
	Now        time.Time
	DiffFrom   int // the revision the diff starts from
	// Published are the accounts the draft went out on as a post: a
	// correction or a deletion may be asked for each (PUB-4).
	Published []civic.DraftAccount
	Marker    string // the words that mark a correction
	MarkerLen int    // the characters the words add to a correction
	// CounterPlatforms are the networks of the draft's accounts, for the
	// character counter.
	CounterPlatforms string
}

func (h *Handler) draftShow(w http.ResponseWriter, r *http.Request) error {
	return h.renderDraft(w, r, http.StatusOK, nil, nil)
}

func (h *Handler) renderDraft(w http.ResponseWriter, r *http.Request, status int, form *draftForm, errs []FieldError) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, actor := r.Context(), route.Actor(r)
	v, err := h.publish.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	cats, err := h.publish.Categories(ctx)
	if err != nil {
		return err
	}
	cur := v.Draft.Current
	d := draftData{View: v, Segments: publish.Segments(cur.Text, v.Screen.Findings), Preview: v.Outgoing, Categories: cats,
		Author: actor.Is(v.Draft.AuthorID), Now: h.now()}
	q, err := h.publish.Queue(ctx, actor)
	if err != nil {
		return err
	}
	for _, it := range q {
		d.Reviewer = d.Reviewer || it.Draft.ID == id
	}
	var ps []string
	for _, a := range v.Draft.Accounts {
		ps = append(ps, a.Platform)
	}
	d.Limits = limits(d.Preview, ps)
	d.DiffFrom = v.Draft.Revision - 1
	if v.Draft.Kind == civic.KindPost {
		for _, p := range v.Publications {
			if p.Status != civic.PublicationPublished || p.Kind != civic.PublishPost || deleted(v, p) || !h.publish.CanCorrect(ctx, actor, v.Draft, p) {
				continue
			}
			for _, a := range v.Draft.Accounts {
				if a.AccountID == p.AccountID {
					d.Published = append(d.Published, a)
				}
			}
		}
	}
	m, err := h.publish.Marker(ctx)
	if err != nil {
		return err
	}
	d.Marker = strings.TrimSpace(m.Mark(""))
	d.MarkerLen = utf8.RuneCountInString(m.Mark(""))
	d.CounterPlatforms = strings.Join(ps, " ")
	var corr, reason string
	if form != nil && form.Text == "" {
		// The correction or deletion form came back: the revise form
		// shows the current revision.
		corr, reason, form = form.Correction, form.Reason, nil
	}
	if form != nil {
		d.Form = *form
	} else {
		d.Form = draftForm{Text: cur.Text, Category: cur.Category}
		for _, m := range cur.Media {
			if m.SHA256 != "" { // a file only named (before uploads) is dropped by the next revision
				d.Form.Media = append(d.Form.Media, formMedia{SHA256: m.SHA256, File: m.File, Kind: m.Kind, Alt: m.Alt, Captions: m.Captions})
			}
		}
		if len(cur.Links) > 0 {
			d.Form.Link = cur.Links[0]
		}
		if cur.ScheduledAt != nil {
			d.Form.Scheduled = cur.ScheduledAt.In(h.loc).Format("2006-01-02T15:04")
		}
		d.Form.Correction, d.Form.Reason = corr, reason
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.render(w, r, status, "draft", Page{Title: "Draft " + strconv.FormatInt(id, 10), Errors: errs, Data: d})
}

// draftAction runs fn and shows the draft again, with the error next to
// its field when there is one.
func (h *Handler) draftAction(w http.ResponseWriter, r *http.Request, notice string, fn func(id int64) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if err := fn(id); err != nil {
		if fe, ok := formErrors(err); ok {
			return h.renderDraft(w, r, route.Status(err), nil, fieldOf(fe))
		}
		if civic.ErrorKind(err) == civic.KindUnavailable { // a platform refused: say which accounts it went out on
			return h.renderDraft(w, r, route.Status(err), nil, []FieldError{{Field: "publish", Message: civic.ErrorMessage(err)}})
		}
		return err
	}
	return seeOther(w, r, "/drafts/"+strconv.FormatInt(id, 10), notice)
}

func (h *Handler) draftRevise(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	up, err := h.readDraftUpload(r)
	if err != nil && civic.ErrorField(err) != "media" {
		return err
	}
	f, in, ferr := readDraftForm(r, h.loc, up)
	if err == nil {
		err = ferr
	}
	if err == nil {
		in.AccountIDs = nil // a revision keeps the draft's accounts
		if _, err = h.publish.Revise(r.Context(), route.Actor(r), id, in); err == nil {
			return seeOther(w, r, "/drafts/"+strconv.FormatInt(id, 10), "saved")
		}
	}
	if fe, ok := formErrors(err); ok || civic.ErrorField(err) == "media" {
		if !ok {
			fe = []FieldError{{Field: "media", Message: civic.ErrorMessage(err)}}
		}
		return h.renderDraft(w, r, route.Status(err), &f, fieldOf(fe))
	}
	return err
}

func (h *Handler) draftSubmit(w http.ResponseWriter, r *http.Request) error {
	return h.draftAction(w, r, "saved", func(id int64) error {
		_, err := h.publish.Submit(r.Context(), route.Actor(r), id)
		return err
	})
}

func (h *Handler) draftReview(w http.ResponseWriter, r *http.Request) error {
	return h.draftAction(w, r, "saved", func(id int64) error {
		rev, err := strconv.Atoi(r.PostFormValue("revision"))
		if err != nil {
			return civic.Invalid("revision", "the form lost the revision reviewed: open the draft again")
		}
		_, err = h.publish.Review(r.Context(), route.Actor(r), id, publish.ReviewInput{Revision: rev, Decision: civic.ReviewDecision(r.PostFormValue("decision")),
			Comment: r.PostFormValue("comment"), Override: r.PostFormValue("override")})
		return err
	})
}

func (h *Handler) draftPublish(w http.ResponseWriter, r *http.Request) error {
	return h.draftAction(w, r, "published", func(id int64) error {
		_, err := h.publish.Publish(r.Context(), route.Actor(r), id)
		return err
	})
}

type draftQueueData struct {
	Items []draftQueueRow
}

type draftQueueRow struct {
	publish.QueueItem
	Waiting string // in words
}

// waited says a duration in words: "3 days 2 hours", "1 hour 30 minutes",
// "4 minutes".
func waited(d time.Duration) string {
	unit := func(n int, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.Itoa(n) + " " + one + "s"
	}
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return unit(days, "day") + " " + unit(hours, "hour")
	case hours > 0:
		return unit(hours, "hour") + " " + unit(mins, "minute")
	}
	return unit(mins, "minute")
}

func (h *Handler) draftQueue(w http.ResponseWriter, r *http.Request) error {
	q, err := h.publish.Queue(r.Context(), route.Actor(r))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	var rows []draftQueueRow
	for _, it := range q {
		rows = append(rows, draftQueueRow{QueueItem: it, Waiting: waited(it.Waited)})
	}
	return h.render(w, r, http.StatusOK, "drafts_queue", Page{Title: "Review queue", Data: draftQueueData{Items: rows}})
}

type calendarData struct {
	Accounts []*civic.Account
	Account  int64
	Entries  []publish.CalendarEntry
}

func (h *Handler) calendar(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var acct int64
	if v := r.URL.Query().Get("account"); v != "" {
		id, err := parseID(v)
		if err != nil {
			return civic.Errorf(civic.KindNotFound, "no such account")
		}
		acct = id
	}
	es, err := h.publish.Calendar(ctx, route.Actor(r), acct)
	if err != nil {
		return err
	}
	as, err := h.store.Accounts(ctx, civic.AccountFilter{Inventory: true})
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "calendar", Page{Title: "Calendar of posts", Data: calendarData{Accounts: as, Account: acct, Entries: es}})
}

// deleted reports whether the post publication p made was deleted through
// Steward.
func deleted(v *publish.View, p *civic.Publication) bool {
	for _, c := range v.Corrections {
		if c.Kind == civic.KindDeletion && c.Corrects == p.ID && c.Status == civic.DraftPublished {
			return true
		}
	}
	return false
}

// networkLimits lists civic.NetworkLimits as "key:limit:Name" triples,
// by key ("mastodon:500:Mastodon"): the counter shows the name.
func networkLimits() string {
	names := make([]string, 0, len(civic.NetworkLimits))
	for n := range civic.NetworkLimits {
		names = append(names, n)
	}
	slices.Sort(names)
	for i, n := range names {
		names[i] = n + ":" + strconv.Itoa(civic.NetworkLimits[n]) + ":" + civic.PlatformName(n) // names hold no space
	}
	return strings.Join(names, " ")
}
