package web

import "steward.city/steward/internal/route"

// recordsRoutes are the pages of records requests and exports.
func (h *Handler) recordsRoutes() []route.Route { return nil }
