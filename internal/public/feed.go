package public

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"steward.city/steward/internal/civic"
)

// FeedSize is how many of the newest posts a feed carries.
const FeedSize = 50

// atomFeed is an Atom 1.0 feed (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID        string   `xml:"id"`
	Title     string   `xml:"title"`
	Updated   string   `xml:"updated"`
	Published string   `xml:"published,omitempty"`
	Link      atomLink `xml:"link"`
	Content   atomText `xml:"content"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

// feed is an account's public posts as Atom: posts classified public
// only, each with its newest text (redacted spans as marked gaps); a
// withheld or deleted post is left out.
func (h *Handler) feed(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "account")
	if err != nil {
		return err
	}
	a, err := h.archive.PublicAccount(r.Context(), id)
	if err != nil {
		return err
	}
	posts, _, err := h.archive.PublicTimeline(r.Context(), a, 0, FeedSize)
	if err != nil {
		return err
	}
	base := origin(r)
	self := base + "/public/accounts/" + strconv.FormatInt(a.ID, 10)
	f := atomFeed{ID: self + "/feed.atom", Title: a.DisplayName + " (" + civic.PlatformName(a.Platform) + "): public posts", Author: atomPerson{Name: a.DisplayName},
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self + "/feed.atom"}, {Rel: "alternate", Type: "text/html", Href: self}}}
	var updated time.Time
	for _, p := range posts {
		if p.Withheld() != "" || p.Deleted() {
			continue
		}
		lv := p.Latest()
		if lv.CapturedAt.After(updated) {
			updated = lv.CapturedAt
		}
		href := base + "/public/items/" + strconv.FormatInt(p.ID, 10)
		text := lv.Text()
		f.Entries = append(f.Entries, atomEntry{ID: href, Title: title(text), Updated: lv.CapturedAt.UTC().Format(time.RFC3339),
			Published: p.At.UTC().Format(time.RFC3339), Link: atomLink{Rel: "alternate", Type: "text/html", Href: href}, Content: atomText{Type: "text", Text: text}})
	}
	if updated.IsZero() {
		updated = time.Unix(0, 0)
	}
	f.Updated = updated.UTC().Format(time.RFC3339)
	body, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return serve(w, r, http.StatusOK, "application/atom+xml; charset=utf-8", append([]byte(xml.Header), body...), updated)
}

// title is the first line of text, shortened to 80 characters.
func title(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	if utf8.RuneCountInString(line) > 80 {
		line = string([]rune(line)[:79]) + "…"
	}
	if line == "" {
		return "(no text)"
	}
	return line
}

// origin is the scheme and host the request was made to.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
