package web

import (
	"net/http"
	"strconv"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

// archiveItemPage is an archive item with its Data Practices Act
// classification and, for the clerk, the form that changes it.
type archiveItemPage struct {
	*archive.ItemView
	Class     *archive.Classification
	ClassRows []classRow
	Form      classForm
	Links     []itemLink // corrections and deletions made through Steward
}

// Classes lists the classifications the form offers.
func (p *archiveItemPage) Classes() []civic.Class { return civic.Classes }

// classRow is one version's classification in force; In is nil when the
// portal never shows the version.
type classRow struct {
	VersionID int64
	In        *civic.Classification
}

type classForm struct{ VersionID, Class, Statute, Reason string }

// itemPage builds the page's data for item id.
func (a *archivePages) itemPage(r *http.Request, id int64, f classForm) (*archiveItemPage, error) {
	v, err := a.svc.Item(r.Context(), route.Actor(r), id)
	if err != nil {
		return nil, err
	}
	c, err := a.svc.Classifications(r.Context(), route.Actor(r), id)
	if err != nil {
		return nil, err
	}
	p := &archiveItemPage{ItemView: v, Class: c, Form: f}
	if p.Links, err = a.itemLinks(r.Context(), v.Item); err != nil {
		return nil, err
	}
	for _, ver := range v.Versions {
		p.ClassRows = append(p.ClassRows, classRow{VersionID: ver.ID, In: c.InForce[ver.ID]})
	}
	return p, nil
}

// classify records the clerk's classification from the item page.
func (a *archivePages) classify(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f := classForm{VersionID: r.PostFormValue("version_id"), Class: r.PostFormValue("class"), Statute: r.PostFormValue("statute"), Reason: r.PostFormValue("reason")}
	var vid int64
	if f.VersionID != "" && f.VersionID != "all" {
		if vid, err = strconv.ParseInt(f.VersionID, 10, 64); err != nil || vid <= 0 {
			err = civic.Invalid("version_id", "choose a version or every version")
		}
	}
	if err == nil {
		_, err = a.svc.Classify(r.Context(), route.Actor(r), id, vid, civic.Classification{Class: civic.Class(f.Class), Statute: f.Statute, Reason: f.Reason})
	}
	if err != nil {
		errs, ok := formErrors(err)
		if !ok {
			return err
		}
		p, perr := a.itemPage(r, id, f)
		if perr != nil {
			return perr
		}
		return a.render(w, r, http.StatusUnprocessableEntity, "archive_item", Page{Title: "Archived " + string(p.Item.Kind) + " " + p.Item.PlatformID, Errors: errs, Data: p})
	}
	http.Redirect(w, r, "/archive/items/"+strconv.FormatInt(id, 10)+"?notice=saved#classification", http.StatusSeeOther)
	return nil
}
