package server_test

// One tracking form and the second-reviewer settings in the API: read like
// the forms and codes, changed by those who configure codes.
func init() {
	read, configure := roles("admin communications clerk attorney auditor"), roles("admin communications")
	for p, who := range map[string][]string{
		"GET /api/v1/moderation/forms/{id}":      read,
		"GET /api/v1/moderation/second-review":   read,
		"PATCH /api/v1/moderation/second-review": configure,
	} {
		matrix[p] = who
	}
}
