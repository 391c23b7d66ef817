package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"steward.city/steward/internal/audit"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

type auditData struct {
	Events []*audit.Entry
	Form   auditForm
	Next   string // link to the next (older) page
}

// auditForm is the filter form as typed.
type auditForm struct {
	Actor, Action, ObjectType, ObjectID, Since, Until string
}

func (h *Handler) auditList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	form := auditForm{Actor: q.Get("actor"), Action: q.Get("action"), ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id"), Since: q.Get("since"), Until: q.Get("until")}
	f, err := route.AuditFilter(r, func(email string) (*civic.User, error) { return h.store.UserByEmail(r.Context(), email) })
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return h.render(w, r, http.StatusUnprocessableEntity, "audit", Page{Title: "Audit log", Errors: fe, Data: auditData{Form: form}})
		}
		return err
	}
	// Numbered in the viewer's own sequence: no gap shows where events
	// hidden from them sit.
	p, err := audit.List(r.Context(), h.store, route.User(r), f)
	if err != nil {
		return err
	}
	d := auditData{Events: p.Entries, Form: form}
	if p.Next > 0 {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("before", strconv.FormatInt(p.Next, 10))
		d.Next = "/audit?" + next.Encode()
	}
	return h.render(w, r, http.StatusOK, "audit", Page{Title: "Audit log", Data: d})
}

// prettyJSON indents a JSON value for display.
func prettyJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw)
	}
	return buf.String()
}
