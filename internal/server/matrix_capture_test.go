package server_test

// Capture in the role matrix: IT and Communications connect accounts
// (the token goes into the vault IT keeps), run and pause capture and
// resolve flags; those who read the archive or audit it (admin, clerk,
// attorney, auditor) see connections and flags. The webhook receiver is
// public: platforms sign their deliveries, they do not sign in.
func init() {
	view, act := roles("admin communications it clerk attorney auditor"), roles("communications it")
	for p, who := range map[string][]string{
		"GET /capture":                              view,
		"POST /capture":                             act,
		"GET /capture/flags":                        view,
		"POST /capture/flags/{id}/resolve":          act,
		"GET /capture/{id}":                         view,
		"POST /capture/{id}/run":                    act,
		"POST /capture/{id}/pause":                  act,
		"POST /capture/{id}/resume":                 act,
		"POST /capture/{id}/token":                  act,
		"GET /hooks/{id}":                           {"public"},
		"POST /hooks/{id}":                          {"public"},
		"GET /api/v1/capture/connections":           view,
		"POST /api/v1/capture/connections":          act,
		"GET /api/v1/capture/connections/{id}":      view,
		"POST /api/v1/capture/connections/{id}/run": act,
		"GET /api/v1/capture/flags":                 view,
		"POST /api/v1/capture/flags/{id}/resolve":   act,
	} {
		matrix[p] = who
	}
}
