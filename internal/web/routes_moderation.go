package web

import (
	"net/http"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

// moderationRoutes are the routes of the review queue, decisions, tracking
// forms, inquiries, staff reports and the transparency report.
func (h *Handler) moderationRoutes() []route.Route {
	p := &moderationPages{Handler: h, svc: h.mod}
	get, post := http.MethodGet, http.MethodPost
	view, decide, configure := civic.PermModerationView, civic.PermModerationDecide, civic.PermModerationConfigure
	return []route.Route{
		{Method: get, Path: "/moderation/reviews", Perm: view, Summary: "the moderation queue, filtered by code, account, score and language, and time to review by account", Handle: p.queue},
		{Method: get, Path: "/moderation/reviews/{id}", Perm: view, Summary: "one queued comment: flagged words, scores, decisions", Handle: p.review},
		{Method: post, Path: "/moderation/reviews/{id}", Perm: decide, Summary: "keep, hide or remove a comment with a reason code", Handle: p.decide},
		{Method: post, Path: "/moderation/decisions/{id}/second", Perm: view, Summary: "second review of a pending hide or removal (another Communications user, or the fallback second reviewer when there is none)", Handle: p.second},
		{Method: get, Path: "/moderation/forms", Perm: view, Summary: "Removed Comments Tracking Forms", Handle: p.forms},
		{Method: get, Path: "/moderation/forms/{id}", Perm: view, Summary: "one tracking form, printable; ?format=pdf downloads it", Handle: p.form},
		{Method: get, Path: "/moderation/inquiries", Perm: view, Summary: "public inquiries about removed comments", Handle: p.inquiries},
		{Method: get, Path: "/moderation/inquiries/{id}", Perm: view, Summary: "one inquiry beside its removal", Handle: p.inquiry},
		{Method: post, Path: "/moderation/inquiries/{id}", Perm: decide, Summary: "answer an inquiry in writing", Handle: p.answer},
		{Method: post, Path: "/moderation/inquiries/{id}/link", Perm: decide, Summary: "link an unmatched inquiry to a removal", Handle: p.link},
		{Method: get, Path: "/moderation/settings", Perm: view, Summary: "reason codes, second review and hold settings", Handle: p.settings},
		{Method: post, Path: "/moderation/codes", Perm: configure, Summary: "rename or describe a reason code", Handle: p.setCode},
		{Method: post, Path: "/moderation/holds", Perm: configure, Summary: "set how an account holds comments", Handle: p.setHold},
		{Method: post, Path: "/moderation/officials", Perm: configure, Summary: "second review for comments naming an official", Handle: p.setOfficials},
		{Method: post, Path: "/moderation/thresholds", Perm: configure, Summary: "the city's screening threshold of a reason code", Handle: p.setThreshold},
		{Method: post, Path: "/moderation/rescreen", Perm: configure, Summary: "screen the last days' comments again with the screening model and thresholds in force, in the background (days=N, 30 by default)", Handle: p.rescreen},
		{Method: get, Path: "/moderation/rescreen/{job}", Perm: configure, Summary: "the progress of screening again, then the list of what changed", Handle: p.rescreenPage},
		{Method: get, Path: "/moderation/rescreen/{job}/file", Perm: configure, Summary: "download the list of what screening again changed (CSV)", Handle: p.rescreenFile},
		{Method: get, Path: "/moderation/disposals", Perm: view, Summary: "disposition records of tracking forms", Handle: p.disposals},
		{Method: post, Path: "/moderation/disposals", Perm: civic.PermArchiveDispose, Summary: "propose disposing of forms older than a year", Handle: p.propose},
		{Method: post, Path: "/moderation/disposals/{id}/approve", Perm: civic.PermArchiveDispose, Summary: "approve a disposition record of forms", Handle: p.approve},
		{Method: get, Path: "/moderation/report", Perm: civic.PermSignedIn, Summary: "report content to a supervisor or Communications", Handle: p.reportForm},
		{Method: post, Path: "/moderation/report", Perm: civic.PermSignedIn, Summary: "file a staff report", Handle: p.report},
		{Method: get, Path: "/moderation/reports", Perm: civic.PermSignedIn, Summary: "staff reports sent by or to you", Handle: p.reports},
		{Method: post, Path: "/moderation/reports/{id}/close", Perm: civic.PermSignedIn, Summary: "close a staff report", Handle: p.closeReport},
		{Method: get, Path: "/inquiry", Public: true, Summary: "ask in writing about a comment", Handle: p.inquiryForm},
		{Method: post, Path: "/inquiry", Public: true, Summary: "file an inquiry about a comment; the page shows its reference number and due date", Handle: p.fileInquiry},
		{Method: get, Path: "/transparency", Public: true, Summary: "removals by reason, account and month", Handle: p.transparency},
	}
}
