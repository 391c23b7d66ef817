package route

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
)

// AuditFilter reads the audit filter query parameters shared by the page
// and the API: actor (e-mail address), action, object_type, object_id, since
// and until (dates, YYYY-MM-DD, until inclusive), before (sequence number).
func AuditFilter(r *http.Request, users func(email string) (*civic.User, error)) (civic.AuditFilter, error) {
	q := r.URL.Query()
	f := civic.AuditFilter{Action: strings.TrimSpace(q.Get("action")), ObjectType: strings.TrimSpace(q.Get("object_type")), ObjectID: strings.TrimSpace(q.Get("object_id")), Limit: 50}
	if a := strings.TrimSpace(q.Get("actor")); a != "" {
		u, err := users(strings.ToLower(a))
		if err != nil {
			if civic.ErrorKind(err) == civic.KindNotFound {
				return f, civic.Invalid("actor", "no user has the e-mail address %q", a)
			}
			return f, err
		}
		f.ActorID = u.ID
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
		add  time.Duration
	}{{"since", &f.Since, 0}, {"until", &f.Until, 24 * time.Hour}} {
		if v := strings.TrimSpace(q.Get(p.name)); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				return f, civic.Invalid(p.name, "%q is not a date like 2026-11-21", v)
			}
			*p.dst = t.Add(p.add)
		}
	}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return f, civic.Invalid("before", "%q is not an event number", v)
		}
		f.BeforeSeq = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return f, civic.Invalid("limit", "limit must be between 1 and 1000")
		}
		f.Limit = n
	}
	return f, nil
}
