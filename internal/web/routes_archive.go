package web

import "steward.city/steward/internal/route"

// archiveRoutes are the pages of the archive.
func (h *Handler) archiveRoutes() []route.Route { return nil }
