package api

import "steward.city/steward/internal/route"

// archiveRoutes are the API routes of the archive, documented in
// openapi/archive.json.
func (h *Handler) archiveRoutes() []route.Route { return nil }
