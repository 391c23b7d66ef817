package web

import (
	"net/http"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

// recordsRoutes are the pages of records requests and exports.
func (h *Handler) recordsRoutes() []route.Route {
	p := &recordsPages{Handler: h, svc: h.records}
	get, post := http.MethodGet, http.MethodPost
	view, manage := civic.PermRecordsView, civic.PermRecordsManage
	return []route.Route{
		{Method: get, Path: "/records", Perm: view, Summary: "records requests: open ones by due date", Handle: p.list},
		{Method: post, Path: "/records", Perm: manage, Summary: "log a records request", Handle: p.create},
		{Method: get, Path: "/records/{id}", Perm: view, Summary: "one records request: scope, review, redactions, export", Handle: p.show},
		{Method: post, Path: "/records/{id}", Perm: manage, Summary: "update a records request", Handle: p.update},
		{Method: post, Path: "/records/{id}/redactions", Perm: manage, Summary: "redact a span of a version in the export", Handle: p.redact},
		{Method: get, Path: "/records/{id}/items/{item}", Perm: view, Summary: "one item in a request's scope: its versions, their redactions and a preview of the export", Handle: p.item},
		{Method: post, Path: "/records/{id}/items/{item}/redactions", Perm: manage, Summary: "redact a selection or words in one of the item's versions", Handle: p.redactItem},
		{Method: post, Path: "/records/{id}/export", Perm: manage, Summary: "export the request's verifiable bag in the background", Handle: p.export},
		{Method: get, Path: "/records/{id}/exports/{job}", Perm: manage, Summary: "an export's progress, then its download link", Handle: p.exportPage},
		{Method: get, Path: "/records/{id}/exports/{job}/bag", Perm: manage, Summary: "download a finished export's bag", Handle: p.exportBag},
	}
}
