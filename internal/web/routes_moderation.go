package web

import "steward.city/steward/internal/route"

// moderationRoutes are the routes of the review queue, decisions, tracking
// forms, inquiries, staff reports and the transparency report.
func (h *Handler) moderationRoutes() []route.Route {
	return nil
}
