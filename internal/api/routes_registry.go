package api

import "steward.city/steward/internal/route"

// registryRoutes are the API routes of the account registry, documented in
// openapi/registry.json.
func (h *Handler) registryRoutes() []route.Route { return nil }
