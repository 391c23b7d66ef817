package api

import (
	"net/http"

	"steward.city/steward/internal/civic"
)

// boolParam reads a yes-or-no query parameter the same way on every route:
// true or false, and absent or empty means false. The spellings yes and no,
// which some routes took before, are still accepted and documented as
// deprecated. Any other value is refused with 422 naming the parameter, so
// that a typo does not silently answer the default.
func boolParam(r *http.Request, name string) (bool, error) {
	switch v := r.URL.Query().Get(name); v {
	case "", "false", "no":
		return false, nil
	case "true", "yes":
		return true, nil
	default:
		return false, civic.Invalid(name, "%s must be true or false", name)
	}
}
