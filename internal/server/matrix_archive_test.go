package server_test

// The archive's routes in the role matrix: clerk, attorney, communications
// and auditor (and the administrator) read; only the attorney holds; only
// the clerk disposes; the clerk and the administrator may ingest (imports,
// capture integrations); checkpoints and consistency proofs are public.
func init() {
	read := roles("admin clerk attorney communications auditor")
	for p, who := range map[string][]string{
		"GET /archive/items":                                read,
		"GET /archive/items/{id}":                           read,
		"POST /archive/accounts/{id}/warc":                  read,
		"GET /archive/accounts/{id}/warc/{job}":             read,
		"GET /archive/accounts/{id}/warc/{job}/file":        read,
		"POST /api/v1/archive/accounts/{id}/warc":           read,
		"GET /api/v1/archive/accounts/{id}/warc/{job}":      read,
		"GET /api/v1/archive/accounts/{id}/warc/{job}/file": read,
		"GET /archive/holds":                                read,
		"POST /archive/holds":                               roles("attorney"),
		"GET /archive/holds/{id}":                           read,
		"POST /archive/holds/{id}/release":                  roles("attorney"),
		"GET /archive/retention":                            read,
		"GET /archive/dispositions":                         read,
		"POST /archive/dispositions":                        roles("clerk"),
		"GET /archive/dispositions/{id}":                    read,
		"POST /archive/dispositions/{id}/approve":           roles("clerk"),
		"POST /archive/dispositions/{id}/resume":            roles("clerk"),
		"GET /archive/checkpoints":                          {"public"},
		"GET /checkpoint":                                   {"public"},
		"GET /checkpoint/proof":                             {"public"},
		"POST /api/v1/ingest":                               roles("admin clerk"),
		"GET /api/v1/archive/search":                        read,
		"GET /api/v1/archive/items/{id}":                    read,
		"GET /api/v1/archive/lookup":                        read,
		"GET /api/v1/archive/holds":                         read,
		"POST /api/v1/archive/holds":                        roles("attorney"),
		"POST /api/v1/archive/holds/{id}/release":           roles("attorney"),
		"GET /api/v1/archive/retention":                     read,
		"GET /api/v1/archive/dispositions":                  read,
		"POST /api/v1/archive/dispositions":                 roles("clerk"),
		"GET /api/v1/archive/dispositions/{id}":             read,
		"POST /api/v1/archive/dispositions/{id}/approve":    roles("clerk"),
		"POST /api/v1/archive/dispositions/{id}/resume":     roles("clerk"),
		"GET /api/v1/archive/checkpoints":                   {"public"},

		// The task that executes an approved disposition run.
		"GET /archive/dispositions/{id}/task/{job}":             read,
		"GET /archive/dispositions/{id}/task/{job}/file":        read,
		"GET /api/v1/archive/dispositions/{id}/task/{job}":      read,
		"GET /api/v1/archive/dispositions/{id}/task/{job}/file": read,

		// Importing a platform export.
		"POST /archive/accounts/{id}/import":                  roles("admin clerk"),
		"GET /archive/accounts/{id}/import/{job}":             roles("admin clerk"),
		"GET /archive/accounts/{id}/import/{job}/file":        roles("admin clerk"),
		"POST /api/v1/archive/accounts/{id}/import":           roles("admin clerk"),
		"GET /api/v1/archive/accounts/{id}/import/{job}":      roles("admin clerk"),
		"GET /api/v1/archive/accounts/{id}/import/{job}/file": roles("admin clerk"),
	} {
		matrix[p] = who
	}
}
