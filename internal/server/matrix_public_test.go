package server_test

// The public records portal in the role matrix: everyone, signed in or not,
// acting as the public; the clerk's classification of archive items
// (records.manage: the clerk and the attorney), read by whoever reads the
// archive.
func init() {
	for p, who := range map[string][]string{
		"GET /public":                                    {"public"},
		"GET /public/accounts/{id}":                      {"public"},
		"GET /public/accounts/{id}/feed.atom":            {"public"},
		"GET /public/accounts/{id}/warc":                 {"public"},
		"GET /public/search":                             {"public"},
		"GET /public/items/{id}":                         {"public"},
		"GET /public/items/{id}/proof":                   {"public"},
		"GET /public/checkpoints":                        {"public"},
		"GET /public/checkpoints/latest":                 {"public"},
		"GET /public/checkpoints/consistency":            {"public"},
		"GET /public/dispositions":                       {"public"},
		"GET /public/reports":                            {"public"},
		"POST /archive/items/{id}/classification":        roles("clerk attorney"),
		"GET /api/v1/archive/items/{id}/classification":  roles("admin clerk attorney communications auditor"),
		"POST /api/v1/archive/items/{id}/classification": roles("clerk attorney"),
	} {
		matrix[p] = who
	}
}
