package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/route"
)

// itemRedactForm is the redaction form of one version as typed.
type itemRedactForm struct{ VersionID, Start, End, Selected, Words, Occurrence, Reason string }

type recordItemData struct {
	Request  *civic.RecordsRequest
	Item     *civic.ArchiveItem
	Versions []records.ItemVersion
	Reasons  []records.Reason
	Form     itemRedactForm
	Mine     int64 // the version whose form shows the errors
}

// item shows one item of a request's scope: each version's stored text, the
// request's redactions of it, a preview of the export, and the forms to
// redact a selection or words.
func (p *recordsPages) item(w http.ResponseWriter, r *http.Request) error {
	return p.renderItem(w, r, http.StatusOK, itemRedactForm{}, nil)
}

func itemID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("item"), 10, 64)
	if err != nil || id <= 0 {
		return 0, civic.Errorf(civic.KindNotFound, "no such page")
	}
	return id, nil
}

func (p *recordsPages) renderItem(w http.ResponseWriter, r *http.Request, status int, f itemRedactForm, errs []FieldError) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	item, err := itemID(r)
	if err != nil {
		return err
	}
	q, err := p.svc.Request(r.Context(), route.Actor(r), id)
	if err != nil {
		return err
	}
	it, vs, err := p.svc.Item(r.Context(), route.Actor(r), id, item)
	if err != nil {
		return err
	}
	d := recordItemData{Request: q, Item: it, Versions: vs, Reasons: p.svc.Reasons(), Form: f}
	if len(errs) > 0 && len(vs) > 0 {
		// The form of the version posted, or the first one when the
		// version posted is not the item's.
		d.Mine = vs[0].Version.ID
		for _, v := range vs {
			if strconv.FormatInt(v.Version.ID, 10) == strings.TrimSpace(f.VersionID) {
				d.Mine = v.Version.ID
			}
		}
	}
	return p.render(w, r, status, "records_item", Page{Title: fmt.Sprintf("Records request %d: %s %s", q.ID, it.Kind, it.PlatformID), Errors: errs, Data: d})
}

// redactItem redacts, in one version of the item, the selection the page's
// script measured (start and end, in bytes of the stored text, with the
// selected text to check them against) or, without the script, the words
// typed, which Steward finds itself.
func (p *recordsPages) redactItem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	item, err := itemID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	v := r.PostFormValue
	f := itemRedactForm{VersionID: v("version_id"), Start: v("start"), End: v("end"), Selected: v("selected"), Words: v("words"), Occurrence: v("occurrence"), Reason: v("reason")}
	err = func() error {
		_, vs, err := p.svc.Item(r.Context(), route.Actor(r), id, item)
		if err != nil {
			return err
		}
		version, err := formInt(r, "version_id")
		if err != nil {
			return err
		}
		if version <= 0 {
			return civic.Invalid("version_id", "choose the version to redact")
		}
		if !slices.ContainsFunc(vs, func(v records.ItemVersion) bool { return v.Version.ID == version }) {
			return civic.Invalid("version_id", "version %d is not a version of this item", version)
		}
		if strings.TrimSpace(f.Start) == "" && strings.TrimSpace(f.End) == "" {
			occ, err := formInt(r, "occurrence")
			if err != nil {
				return err
			}
			_, err = p.svc.RedactWords(r.Context(), route.Actor(r), id, version, f.Words, int(occ), f.Reason)
			return err
		}
		start, err := formInt(r, "start")
		if err != nil {
			return err
		}
		end, err := formInt(r, "end")
		if err != nil {
			return err
		}
		d := &civic.Redaction{RequestID: id, VersionID: version, Start: int(start), End: int(end), Reason: f.Reason}
		return p.svc.RedactSelection(r.Context(), route.Actor(r), d, f.Selected)
	}()
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return p.renderItem(w, r, http.StatusUnprocessableEntity, f, fe)
		}
		return err
	}
	return seeOther(w, r, fmt.Sprintf("/records/%d/items/%d", id, item), "redacted")
}
