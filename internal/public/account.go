package public

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
)

// accounts lists the official accounts, active first, then retired.
func (h *Handler) accounts(w http.ResponseWriter, r *http.Request) error {
	as, err := h.archive.PublicAccounts(r.Context())
	if err != nil {
		return err
	}
	var active, ended []*civic.PublicAccount
	for _, a := range as {
		if a.Status == civic.AccountRetired {
			ended = append(ended, a)
		} else {
			active = append(active, a)
		}
	}
	return h.render(w, r, http.StatusOK, "accounts", page{Title: "Public records: the City's official accounts", Data: map[string]any{"Active": active, "Retired": ended}}, time.Time{})
}

// accountPage is an account's timeline.
type accountPage struct {
	Account    *civic.PublicAccount
	Posts      []*itemView
	Total      int
	Page, Last int
	Prev, Next string
	Month      string // the download form's month: the newest change's, YYYY-MM
}

// account shows an account's posts, newest first, with their comments.
func (h *Handler) account(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "account")
	if err != nil {
		return err
	}
	a, err := h.archive.PublicAccount(r.Context(), id)
	if err != nil {
		return err
	}
	n, err := pageNumber(r)
	if err != nil {
		return err
	}
	posts, total, err := h.archive.PublicTimeline(r.Context(), a, (n-1)*PageSize, PageSize)
	if err != nil {
		return err
	}
	views, lastMod, err := h.views(r, posts)
	if err != nil {
		return err
	}
	p := &accountPage{Account: a, Posts: views, Total: total, Page: n, Last: max(1, (total+PageSize-1)/PageSize)}
	if !lastMod.IsZero() {
		p.Month = lastMod.In(h.loc).Format("2006-01")
	}
	base := "/public/accounts/" + strconv.FormatInt(a.ID, 10)
	if n > 1 {
		p.Prev = base + "?" + url.Values{"page": {strconv.Itoa(n - 1)}}.Encode()
	}
	if n*PageSize < total {
		p.Next = base + "?" + url.Values{"page": {strconv.Itoa(n + 1)}}.Encode()
	}
	return h.render(w, r, http.StatusOK, "account", page{Title: a.DisplayName + ": public records", Data: p}, lastMod)
}

// itemView is an item as a page shows it, with the removal in words.
type itemView struct {
	*archive.PublicItem
	Removal *removalView
	Replies []*itemView
}

// removalView is the placeholder of a hidden or removed comment.
type removalView struct {
	Hidden    bool
	On        time.Time
	Label     string // the reason code's plain words
	Clause    string // the policy's words
	FormID    int64
	ShowsText bool // the comment is classified public
}

// views turns items into views and returns the newest time they show.
func (h *Handler) views(r *http.Request, items []*archive.PublicItem) ([]*itemView, time.Time, error) {
	codes, err := h.codes(r.Context())
	if err != nil {
		return nil, time.Time{}, err
	}
	byCode := map[string]civic.ReasonCode{}
	for _, c := range codes {
		byCode[c.Code] = c
	}
	var last time.Time
	var view func(it *archive.PublicItem) *itemView
	view = func(it *archive.PublicItem) *itemView {
		v := &itemView{PublicItem: it}
		for _, pv := range it.Versions {
			if pv.Changed.After(last) {
				last = pv.Changed
			}
		}
		if rm := it.Removal; rm != nil {
			c := byCode[rm.Code]
			label := c.Label
			if label == "" {
				label = rm.Code
			}
			v.Removal = &removalView{Hidden: rm.Action == civic.DecisionHide, On: rm.RemovedAt, Label: label, Clause: c.Clause, FormID: rm.FormID, ShowsText: it.Withheld() == ""}
			if rm.RemovedAt.After(last) {
				last = rm.RemovedAt
			}
		}
		for _, c := range it.Replies {
			v.Replies = append(v.Replies, view(c))
		}
		return v
	}
	out := make([]*itemView, len(items))
	for i, it := range items {
		out[i] = view(it)
	}
	return out, last, nil
}
