package web

import "steward.city/steward/internal/route"

// captureRoutes are the routes of platform connections and capture flags.
func (h *Handler) captureRoutes() []route.Route {
	return nil
}
