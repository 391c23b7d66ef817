package api

import "steward.city/steward/internal/route"

// recordsRoutes are the API routes of records requests and exports,
// documented in openapi/records.json.
func (h *Handler) recordsRoutes() []route.Route { return nil }
