package server_test

// The registry's routes, written out by hand from the policy: everyone who
// works with official accounts sees the inventory (not the SIC commander,
// whose registry is the covert one); staff, directors and Communications
// request accounts and ask to post; directors and Communications decide
// (the step or the department says which of them); Communications and the
// administrator manage accounts; IT stores credentials. Reveals and the
// covert registry are open to any signed-in user at the route because the
// object decides: IT or the account's administrators reveal; a covert
// profile answers 404 to everyone but SIC commanders and its maintainer.
func init() {
	view := roles("admin communications director staff clerk attorney hr it auditor")
	request := roles("communications director staff")
	decide := roles("communications director")
	manage := roles("admin communications")
	signedIn := []string{"signed-in"}
	cases := roles("admin attorney hr") // conduct cases: HR, the City Attorney and the administrator only
	for pattern, who := range map[string][]string{
		"GET /accounts": view,
		// The fallbacks of the approval chains: Communications and the
		// administrator, who manage the chains.
		"GET /settings/approvals":                manage,
		"POST /settings/approvals":               manage,
		"POST /settings/approvals/{id}/delete":   manage,
		"GET /api/v1/settings/approvals":         manage,
		"POST /api/v1/settings/approvals":        manage,
		"DELETE /api/v1/settings/approvals/{id}": manage,
		// Each person's own work list.
		"GET /api/v1/me/work":                    signedIn,
		"POST /accounts":                         request,
		"GET /accounts/{id}":                     view,
		"POST /accounts/{id}/decision":           decide,
		"POST /accounts/{id}/withdraw":           request,
		"POST /accounts/{id}/status":             manage,
		"POST /accounts/{id}/profile":            manage,
		"POST /accounts/{id}/credentials":        roles("it"),
		"POST /accounts/{id}/posters":            request,
		"POST /credentials/{id}/reveal":          signedIn,
		"GET /posters":                           view,
		"POST /posters/{id}/decision":            decide,
		"POST /posters/{id}/revoke":              decide,
		"POST /posters/{id}/recertify":           decide,
		"GET /covert":                            signedIn,
		"POST /covert":                           roles("sic_commander"),
		"POST /covert/{id}/audit":                signedIn,
		"POST /covert/{id}/end":                  signedIn,
		"POST /covert/{id}/password":             signedIn,
		"POST /accounts/{id}/follows":            manage,
		"POST /follows/{id}":                     manage,
		"GET /contracts":                         view,
		"POST /contracts":                        manage,
		"GET /policies":                          signedIn,
		"POST /policies":                         roles("admin hr"),
		"POST /policies/{id}/acknowledge":        signedIn,
		"GET /cases":                             cases,
		"POST /cases":                            roles("attorney hr"),
		"GET /cases/{id}":                        cases,
		"POST /cases/{id}/entries":               roles("attorney hr"),
		"POST /cases/{id}/close":                 roles("attorney hr"),
		"GET /api/v1/accounts/{id}/follows":      view,
		"POST /api/v1/accounts/{id}/follows":     manage,
		"POST /api/v1/follows/{id}":              manage,
		"GET /api/v1/contracts":                  view,
		"POST /api/v1/contracts":                 manage,
		"GET /api/v1/policies":                   signedIn,
		"POST /api/v1/policies":                  roles("admin hr"),
		"POST /api/v1/policies/{id}/acknowledge": signedIn,
		"GET /api/v1/cases":                      cases,
		"POST /api/v1/cases":                     roles("attorney hr"),
		"GET /api/v1/cases/{id}":                 cases,
		"POST /api/v1/cases/{id}/entries":        roles("attorney hr"),
		"POST /api/v1/cases/{id}/close":          roles("attorney hr"),
		"GET /notifications":                     signedIn,
		"POST /notifications/read":               signedIn,

		"GET /api/v1/accounts":                        view,
		"POST /api/v1/accounts":                       request,
		"GET /api/v1/account-counts":                  view,
		"GET /api/v1/accounts/{id}":                   view,
		"POST /api/v1/accounts/{id}/decision":         decide,
		"POST /api/v1/accounts/{id}/withdraw":         request,
		"POST /api/v1/accounts/{id}/status":           manage,
		"POST /api/v1/accounts/{id}/profile":          manage,
		"GET /api/v1/accounts/{id}/credentials":       view,
		"POST /api/v1/accounts/{id}/credentials":      roles("it"),
		"POST /api/v1/accounts/{id}/posters":          request,
		"POST /api/v1/credentials/{id}/reveal":        signedIn,
		"GET /api/v1/departments/{id}/approval-chain": view,
		"PUT /api/v1/departments/{id}/approval-chain": manage,
		"GET /api/v1/posters":                         view,
		"POST /api/v1/posters/{id}/decision":          decide,
		"POST /api/v1/posters/{id}/revoke":            decide,
		"POST /api/v1/posters/{id}/recertify":         decide,
		"GET /api/v1/covert-profiles":                 signedIn,
		"POST /api/v1/covert-profiles":                roles("sic_commander"),
		"GET /api/v1/covert-profiles/{id}":            signedIn,
		"POST /api/v1/covert-profiles/{id}/audit":     signedIn,
		"POST /api/v1/covert-profiles/{id}/end":       signedIn,
		"POST /api/v1/covert-profiles/{id}/password":  signedIn,
		"GET /api/v1/notifications":                   signedIn,
	} {
		matrix[pattern] = who
	}
}
