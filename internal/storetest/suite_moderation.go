package storetest

// moderationCases test reason codes, the queue, decisions, tracking forms,
// inquiries and staff reports.
var moderationCases = []testCase{}
