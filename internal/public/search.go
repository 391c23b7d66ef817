package public

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
)

// searchPage is the search form and its results.
type searchPage struct {
	Q          string
	Error      string
	Searched   bool
	Results    []*civic.Version
	Accounts   map[int64]*civic.PublicAccount // by archive account id
	Total      int
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
	pq.Offset, pq.Limit = (n-1)*PageSize, PageSize
	vs, total, err := h.archive.PublicSearch(r.Context(), pq)
	if err != nil {
		return h.searchError(w, r, p, err)
	}
	as, err := h.archive.PublicAccounts(r.Context())
	if err != nil {
		return err
	}
	p.Accounts = map[int64]*civic.PublicAccount{}
	for _, a := range as {
		if a.ArchiveID != 0 {
			p.Accounts[a.ArchiveID] = a
		}
	}
	p.Searched, p.Results, p.Total = true, vs, total
	link := func(page int) string {
		return "/public/search?" + url.Values{"q": {q}, "page": {strconv.Itoa(page)}}.Encode()
	}
	if n > 1 {
		p.Prev = link(n - 1)
	}
	if n*PageSize < total {
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
