package web

import "steward.city/steward/internal/route"

// registryRoutes are the pages of the account registry.
func (h *Handler) registryRoutes() []route.Route { return nil }
