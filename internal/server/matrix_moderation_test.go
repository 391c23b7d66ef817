package server_test

// Moderation in the role matrix: Communications reviews, decides and
// answers inquiries; the administrator and Communications configure codes
// and hold settings; the clerk, the attorney and the auditor read
// decisions and tracking forms; the clerk disposes of forms after a year;
// every signed-in user reports content; anyone may ask about a removed
// comment and read the transparency report. A second review is open at the
// route to every reader of moderation: the decision decides (another
// Communications user, or the fallback second reviewer when there is none).
func init() {
	read, decide, configure := roles("admin communications clerk attorney auditor"), roles("communications"), roles("admin communications")
	for p, who := range map[string][]string{
		"GET /moderation/reviews":                        read,
		"GET /moderation/reviews/{id}":                   read,
		"POST /moderation/reviews/{id}":                  decide,
		"POST /moderation/decisions/{id}/second":         read,
		"GET /moderation/forms":                          read,
		"GET /moderation/forms/{id}":                     read,
		"GET /moderation/inquiries":                      read,
		"GET /moderation/inquiries/{id}":                 read,
		"POST /moderation/inquiries/{id}":                decide,
		"POST /moderation/inquiries/{id}/link":           decide,
		"GET /moderation/settings":                       read,
		"POST /moderation/codes":                         configure,
		"POST /moderation/holds":                         configure,
		"POST /moderation/officials":                     configure,
		"POST /moderation/thresholds":                    configure,
		"POST /moderation/rescreen":                      configure,
		"GET /moderation/rescreen/{job}":                 configure,
		"GET /moderation/rescreen/{job}/file":            configure,
		"POST /api/v1/moderation/rescreen":               configure,
		"GET /api/v1/moderation/rescreen/{job}":          configure,
		"GET /api/v1/moderation/rescreen/{job}/file":     configure,
		"GET /moderation/disposals":                      read,
		"POST /moderation/disposals":                     roles("clerk"),
		"POST /moderation/disposals/{id}/approve":        roles("clerk"),
		"GET /moderation/report":                         {"signed-in"},
		"POST /moderation/report":                        {"signed-in"},
		"GET /moderation/reports":                        {"signed-in"},
		"POST /moderation/reports/{id}/close":            {"signed-in"},
		"GET /inquiry":                                   {"public"},
		"POST /inquiry":                                  {"public"},
		"GET /transparency":                              {"public"},
		"GET /api/v1/moderation/queue":                   read,
		"GET /api/v1/moderation/reviews/{id}":            read,
		"POST /api/v1/moderation/reviews/{id}/decisions": decide,
		"POST /api/v1/moderation/decisions/{id}/second":  read,
		"GET /api/v1/moderation/codes":                   read,
		"GET /api/v1/moderation/forms":                   read,
		"GET /api/v1/moderation/inquiries":               read,
		"POST /api/v1/moderation/inquiries/{id}/answer":  decide,
		"POST /api/v1/moderation/inquiries/{id}/link":    decide,
		"POST /api/v1/moderation/screen":                 roles("admin clerk"),
		"POST /api/v1/moderation/reports":                {"signed-in"},
		"GET /api/v1/transparency":                       {"public"},
	} {
		matrix[p] = who
	}
}
