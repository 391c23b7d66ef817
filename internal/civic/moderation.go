package civic

// ModerationReader reads reason codes, the review queue, decisions, the
// Removed Comments Tracking Form, public inquiries and staff reports
// (MOD-1..7).
type ModerationReader interface {
}

// ModerationWriter changes them; each write records its audit event.
type ModerationWriter interface {
}
