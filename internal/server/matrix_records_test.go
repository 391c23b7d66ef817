package server_test

// Records requests in the role matrix: the clerk (data requests) and the
// attorney (subpoenas) log, review, redact and export; the auditor and the
// administrator read, as they read the archive and the audit log.
// Communications and the others do not: requests carry requesters' contact
// data.
func init() {
	read, manage := roles("admin clerk attorney auditor"), roles("clerk attorney")
	for p, who := range map[string][]string{
		"GET /records":                                        read,
		"POST /records":                                       manage,
		"GET /records/{id}":                                   read,
		"POST /records/{id}":                                  manage,
		"POST /records/{id}/redactions":                       manage,
		"GET /records/{id}/items/{item}":                      read,
		"POST /records/{id}/items/{item}/redactions":          manage,
		"POST /records/{id}/export":                           manage,
		"GET /records/{id}/exports/{job}":                     manage,
		"GET /records/{id}/exports/{job}/bag":                 manage,
		"GET /api/v1/records/requests":                        read,
		"POST /api/v1/records/requests":                       manage,
		"GET /api/v1/records/requests/{id}":                   read,
		"GET /api/v1/records/requests/{id}/suggestions":       read,
		"POST /api/v1/records/requests/{id}/redactions":       manage,
		"POST /api/v1/records/requests/{id}/export":           manage,
		"GET /api/v1/records/requests/{id}/exports/{job}":     manage,
		"GET /api/v1/records/requests/{id}/exports/{job}/bag": manage,
	} {
		matrix[p] = who
	}
}
