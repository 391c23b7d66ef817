package server_test

// Publishing in the role matrix: every signed-in user reaches the draft
// routes, and the publish service decides on the object: a poster grant for
// each account to draft (PPL-2), the account's rule to review (PUB-3). The
// calendar is for those who see the inventory of accounts; an account's
// review rule is set by those who manage accounts.
func init() {
	in := []string{"signed-in"}
	for p, who := range map[string][]string{
		"GET /drafts":                            in,
		"POST /drafts":                           in,
		"GET /drafts/queue":                      in,
		"GET /drafts/{id}":                       in,
		"POST /drafts/{id}":                      in,
		"GET /drafts/{id}/media/{sha256}":        in,
		"POST /drafts/{id}/submit":               in,
		"POST /drafts/{id}/review":               in,
		"POST /drafts/{id}/publish":              in,
		"POST /drafts/{id}/correction":           in,
		"POST /drafts/{id}/deletion":             in,
		"GET /media/out/{token}":                 {"public"},
		"GET /calendar":                          roles("admin communications director staff clerk attorney hr it auditor"),
		"GET /api/v1/drafts":                     in,
		"POST /api/v1/drafts":                    in,
		"POST /api/v1/drafts/media":              in,
		"GET /api/v1/drafts/{id}/media/{sha256}": in,
		"GET /api/v1/drafts/queue":               in,
		"GET /api/v1/drafts/{id}":                in,
		"POST /api/v1/drafts/{id}/revisions":     in,
		"POST /api/v1/drafts/{id}/submit":        in,
		"POST /api/v1/drafts/{id}/reviews":       in,
		"POST /api/v1/drafts/{id}/publish":       in,
		"POST /api/v1/drafts/{id}/corrections":   in,
		"POST /api/v1/drafts/{id}/deletions":     in,
		"GET /api/v1/calendar":                   roles("admin communications director staff clerk attorney hr it auditor"),
		"PUT /api/v1/accounts/{id}/publish-rule": roles("admin communications"),
	} {
		matrix[p] = who
	}
}
