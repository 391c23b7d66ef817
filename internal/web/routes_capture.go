package web

import (
	"net/http"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

// captureRoutes are the routes of platform connections and capture flags,
// and the public webhook receiver.
func (h *Handler) captureRoutes() []route.Route {
	p := &capturePages{Handler: h, svc: h.capture}
	get, post := http.MethodGet, http.MethodPost
	view, manage, connect := civic.PermCaptureView, civic.PermCaptureManage, civic.PermCaptureConnect
	return []route.Route{
		{Method: get, Path: "/capture", Perm: view, Summary: "platform connections and their capture status", Handle: p.list},
		{Method: post, Path: "/capture", Perm: connect, Summary: "connect an official account with its platform token", Handle: p.connect},
		{Method: get, Path: "/capture/flags", Perm: view, Summary: "capture flags: blocks, posts outside Steward, profiles, follows", Handle: p.flags},
		{Method: post, Path: "/capture/flags/{id}/resolve", Perm: manage, Summary: "resolve a capture flag", Handle: p.resolve},
		{Method: get, Path: "/capture/{id}", Perm: view, Summary: "one connection: status, runs, errors, cursor", Handle: p.show},
		{Method: post, Path: "/capture/{id}/run", Perm: manage, Summary: "capture a connection now", Handle: p.run},
		{Method: post, Path: "/capture/{id}/pause", Perm: manage, Summary: "pause capture of a connection", Handle: p.pause},
		{Method: post, Path: "/capture/{id}/resume", Perm: manage, Summary: "resume capture of a connection", Handle: p.resume},
		{Method: post, Path: "/capture/{id}/token", Perm: connect, Summary: "give a connection a new platform token", Handle: p.token},
		{Method: get, Path: "/hooks/{id}", Public: true, Summary: "webhook subscription check of a connection's platform", Handle: p.hookChallenge},
		{Method: post, Path: "/hooks/{id}", Public: true, RawBody: true, Summary: "webhook delivery from a connection's platform", Handle: p.hookDelivery},
	}
}
