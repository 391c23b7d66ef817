package api

import (
	"net/http"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

// registryRoutes are the API routes of the account registry, documented in
// openapi/registry.json.
func (h *Handler) registryRoutes() []route.Route {
	get, post, put := http.MethodGet, http.MethodPost, http.MethodPut
	r := func(method, path string, perm civic.Permission, summary string, fn route.Handler) route.Route {
		return route.Route{Method: method, Path: "/api/v1" + path, Perm: perm, API: true, Summary: summary, Handle: fn}
	}
	rs := []route.Route{
		r(get, "/accounts", civic.PermAccountsView, "list official accounts and requests", h.accountList),
		r(post, "/accounts", civic.PermAccountsRequest, "request a new official account", h.accountRequest),
		r(get, "/account-counts", civic.PermAccountsView, "count the inventory by department and platform", h.accountCounts),
		r(get, "/accounts/{id}", civic.PermAccountsView, "one account with its approval chain", h.accountGet),
		r(post, "/accounts/{id}/decision", civic.PermAccountsApprove, "approve or refuse the waiting step", h.accountDecide),
		r(post, "/accounts/{id}/withdraw", civic.PermAccountsRequest, "withdraw your request", h.accountWithdraw),
		r(post, "/accounts/{id}/status", civic.PermAccountsManage, "activate, suspend or retire an account", h.accountStatus),
		r(post, "/accounts/{id}/profile", civic.PermAccountsManage, "record the live profile's compliance", h.accountProfile),
		r(get, "/accounts/{id}/credentials", civic.PermAccountsView, "list an account's credentials, without secrets", h.credentialList),
		r(post, "/accounts/{id}/credentials", civic.PermCredentialsStore, "store an administrator credential", h.credentialStore),
		r(post, "/accounts/{id}/posters", civic.PermPostersRequest, "ask in writing to post for an account", h.posterRequest),
		r(post, "/credentials/{id}/reveal", civic.PermSignedIn, "reveal a credential, with a reason", h.credentialReveal),
		r(get, "/departments/{id}/approval-chain", civic.PermAccountsView, "a department's approval chain", h.chainGet),
		r(put, "/departments/{id}/approval-chain", civic.PermAccountsManage, "set a department's approval chain", h.chainPut),

		r(get, "/posters", civic.PermAccountsView, "list requests and authorizations to post", h.posterList),
		r(post, "/posters/{id}/decision", civic.PermPostersDecide, "grant or refuse a request to post", h.posterDecide),
		r(post, "/posters/{id}/revoke", civic.PermPostersDecide, "revoke an authorization to post", h.posterRevoke),
		r(post, "/posters/{id}/recertify", civic.PermPostersDecide, "recertify an authorization to post", h.posterRecertify),

		r(get, "/covert-profiles", civic.PermSignedIn, "covert profiles you may know of", h.covertList),
		r(post, "/covert-profiles", civic.PermCovertManage, "register a covert profile", h.covertRegister),
		r(get, "/covert-profiles/{id}", civic.PermSignedIn, "one covert profile", h.covertGet),
		r(post, "/covert-profiles/{id}/audit", civic.PermSignedIn, "record a yearly audit", h.covertAudit),
		r(post, "/covert-profiles/{id}/end", civic.PermSignedIn, "record a profile deactivated or deleted", h.covertEnd),
		r(post, "/covert-profiles/{id}/password", civic.PermSignedIn, "keep a profile's password in custody", h.covertPassword),
		r(get, "/covert-access", civic.PermSignedIn, "who holds covert access and what waits (commanders and the covert approver)", h.covertAccessList),
		r(post, "/covert-access", civic.PermCovertManage, "propose covert access for a user", h.covertAccessPropose),
		r(post, "/covert-access/{id}/decision", civic.PermSignedIn, "approve or refuse a proposal (the covert approver)", h.covertAccessDecide),
		r(post, "/covert-access/{id}/withdraw", civic.PermCovertManage, "withdraw your proposal", h.covertAccessWithdraw),
		r(post, "/covert-access/{id}/revoke", civic.PermCovertManage, "revoke covert access", h.covertAccessRevoke),

		r(get, "/accounts/{id}/follows", civic.PermAccountsView, "the accounts an official account follows", h.followList),
		r(post, "/accounts/{id}/follows", civic.PermAccountsManage, "record a followed account", h.followCreate),
		r(post, "/follows/{id}", civic.PermAccountsManage, "classify a followed account", h.followClassify),
		r(get, "/contracts", civic.PermAccountsView, "list platform agreements", h.contractList),
		r(post, "/contracts", civic.PermAccountsManage, "record a platform agreement", h.contractCreate),
		r(get, "/policies", civic.PermSignedIn, "current policies and who has not acknowledged them", h.policyList),
		r(post, "/policies", civic.PermPoliciesManage, "publish a policy version", h.policyPublish),
		r(post, "/policies/{id}/acknowledge", civic.PermSignedIn, "acknowledge a policy version", h.policyAcknowledge),
		r(get, "/cases", civic.PermConductView, "list conduct cases", h.caseList),
		r(post, "/cases", civic.PermConductManage, "open a conduct case", h.caseOpen),
		r(get, "/cases/{id}", civic.PermConductView, "one conduct case", h.caseGet),
		r(post, "/cases/{id}/entries", civic.PermConductManage, "link evidence or record a decision", h.caseEntry),
		r(post, "/cases/{id}/close", civic.PermConductManage, "close a case with its outcome", h.caseClose),

		r(get, "/notifications", civic.PermSignedIn, "your notifications", h.notificationList),
	}
	// Counted under one name, so that /metrics does not tell when the
	// covert profile registry is used.
	for i := range rs {
		rs[i].Metric = "registry API"
	}
	return rs
}
