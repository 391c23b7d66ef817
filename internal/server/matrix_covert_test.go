package server_test

// Covert access, written out by hand: the page and its list are open to
// any signed-in user at the route because the service decides (commanders
// and the covert approver see grants; everyone else an empty page); only
// SIC commanders propose, withdraw and revoke; only the covert approver
// (a director of Police, which no demo role is) decides, so every role is
// refused there.
func init() {
	commander := roles("sic_commander")
	for pattern, who := range map[string][]string{
		"GET /covert/access":                       {"signed-in"},
		"POST /covert/access":                      commander,
		"POST /covert/access/{id}/decision":        {},
		"POST /covert/access/{id}/withdraw":        commander,
		"POST /covert/access/{id}/revoke":          commander,
		"GET /api/v1/covert-access":                {"signed-in"},
		"POST /api/v1/covert-access":               commander,
		"POST /api/v1/covert-access/{id}/decision": {},
		"POST /api/v1/covert-access/{id}/withdraw": commander,
		"POST /api/v1/covert-access/{id}/revoke":   commander,
	} {
		matrix[pattern] = who
	}
}
