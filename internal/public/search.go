package public

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/plain"
)

// searchPage is the search form and its results.
type searchPage struct {
	Q        string
	Error    string
	Searched bool
	Results  []*civic.Version
	Accounts map[int64]*civic.PublicAccount // by archive account id
	Earlier  map[int64]bool                 // by version id: a later version of its item exists
	// Found says how many records match: "1,234 records", or "More than
	// 1,000 records" when the count stopped at civic.ArchiveTotalCap.
	Found      string
	Page       int
	Prev, Next string
}

// search runs the archive's query syntax over the public records only.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	p := &searchPage{Q: q}
	n, err := pageNumber(r)
	if err != nil {
		return err
	}
	p.Page = n
	if q == "" {
		return h.render(w, r, http.StatusOK, "search", page{Title: "Search the public records", Data: p}, time.Time{})
	}
	if len(q) > 500 {
		return h.searchError(w, r, p, civic.Invalid("q", "the search is longer than 500 characters"))
	}
	pq, err := archive.ParseQuery(q)
	if err != nil {
		return h.searchError(w, r, p, err)
	}
	// One more than a page, to learn whether another follows: past the
	// counted cap the total cannot tell.
	pq.Offset, pq.Limit = (n-1)*PageSize, PageSize+1
	vs, total, err := h.archive.PublicSearch(r.Context(), pq)
	if err != nil {
		return h.searchError(w, r, p, err)
	}
	more := len(vs) > PageSize
	if more {
		vs = vs[:PageSize]
	}
	if p.Accounts, err = h.archive.PublicAccountsOf(r.Context(), vs); err != nil {
		return err
	}
	if p.Earlier, err = h.archive.PublicSuperseded(r.Context(), vs); err != nil {
		return err
	}
	p.Searched, p.Results = true, vs
	p.Found = plain.Count(total, "record", "records") + " found"
	if total > civic.ArchiveTotalCap {
		p.Found = "More than " + plain.Count(civic.ArchiveTotalCap, "record", "records") + " found; the newest first"
	}
	link := func(page int) string {
		return "/public/search?" + url.Values{"q": {q}, "page": {strconv.Itoa(page)}}.Encode()
	}
	if n > 1 {
		p.Prev = link(n - 1)
	}
	if more {
		p.Next = link(n + 1)
	}
	return h.render(w, r, http.StatusOK, "search", page{Title: "Search the public records: " + q, Data: p}, time.Time{})
}

// searchError shows the form again with what is wrong with the query.
func (h *Handler) searchError(w http.ResponseWriter, r *http.Request, p *searchPage, err error) error {
	if civic.ErrorKind(err) != civic.KindInvalid {
		return err
	}
	p.Error = civic.ErrorMessage(err)
	return h.render(w, r, http.StatusUnprocessableEntity, "search", page{Title: "Search the public records", Data: p}, time.Time{})
}
