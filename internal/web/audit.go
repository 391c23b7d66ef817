package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

type auditData struct {
	Events []*civic.AuditEvent
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
	f.HideObjectTypes = civic.HiddenObjectTypes(route.User(r))
	es, err := h.store.AuditEvents(r.Context(), f)
	if err != nil {
		return err
	}
	d := auditData{Events: es, Form: form}
	if len(es) == f.Limit {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("before", strconv.FormatInt(es[len(es)-1].Seq, 10))
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
