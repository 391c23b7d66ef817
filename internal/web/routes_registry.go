package web

import (
	"net/http"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

// registryRoutes are the pages of the account registry.
func (h *Handler) registryRoutes() []route.Route {
	get, post := http.MethodGet, http.MethodPost
	rs := []route.Route{
		{Method: get, Path: "/accounts", Perm: civic.PermAccountsView, Summary: "inventory of official accounts (CSV with ?format=csv)", Handle: h.inventory},
		{Method: post, Path: "/accounts", Perm: civic.PermAccountsRequest, Summary: "file an account request", Handle: h.requestCreate},
		{Method: get, Path: "/accounts/{id}", Perm: civic.PermAccountsView, Summary: "one account or request", Handle: h.officialShow},
		{Method: post, Path: "/accounts/{id}/decision", Perm: civic.PermAccountsApprove, Summary: "approve or refuse a step of a request", Handle: h.officialDecide},
		{Method: post, Path: "/accounts/{id}/withdraw", Perm: civic.PermAccountsRequest, Summary: "withdraw your request", Handle: h.officialWithdraw},
		{Method: post, Path: "/accounts/{id}/status", Perm: civic.PermAccountsManage, Summary: "activate, suspend or retire an account", Handle: h.officialStatus},
		{Method: post, Path: "/accounts/{id}/profile", Perm: civic.PermAccountsManage, Summary: "record the live profile's compliance", Handle: h.officialProfile},
		{Method: post, Path: "/accounts/{id}/credentials", Perm: civic.PermCredentialsStore, Summary: "store an administrator credential", Handle: h.credentialStore},
		{Method: post, Path: "/accounts/{id}/posters", Perm: civic.PermPostersRequest, Summary: "ask in writing to post for an account", Handle: h.posterRequest},
		{Method: post, Path: "/credentials/{id}/reveal", Perm: civic.PermSignedIn, Summary: "reveal a credential, with a reason", Handle: h.credentialReveal},

		{Method: get, Path: "/posters", Perm: civic.PermAccountsView, Summary: "authorized posters", Handle: h.posterList},
		{Method: post, Path: "/posters/{id}/decision", Perm: civic.PermPostersDecide, Summary: "grant or refuse a request to post", Handle: h.posterDecide},
		{Method: post, Path: "/posters/{id}/revoke", Perm: civic.PermPostersDecide, Summary: "revoke an authorization to post", Handle: h.posterRevoke},
		{Method: post, Path: "/posters/{id}/recertify", Perm: civic.PermPostersDecide, Summary: "recertify an authorization to post", Handle: h.posterRecertify},

		{Method: get, Path: "/covert", Perm: civic.PermSignedIn, Summary: "covert profiles you may know of (?profile=N for one)", Handle: h.covertPage},
		{Method: post, Path: "/covert", Perm: civic.PermCovertManage, Summary: "register a covert profile", Handle: h.covertRegister},
		{Method: post, Path: "/covert/{id}/audit", Perm: civic.PermSignedIn, Summary: "record a covert profile's yearly audit", Handle: h.covertAudit},
		{Method: post, Path: "/covert/{id}/end", Perm: civic.PermSignedIn, Summary: "record a covert profile deactivated or deleted", Handle: h.covertEnd},
		{Method: post, Path: "/covert/{id}/password", Perm: civic.PermSignedIn, Summary: "keep a covert profile's password in custody", Handle: h.covertPassword},
		{Method: get, Path: "/covert/access", Perm: civic.PermSignedIn, Summary: "who holds covert access and what waits (commanders and the covert approver)", Handle: h.covertAccessPage},
		{Method: post, Path: "/covert/access", Perm: civic.PermCovertManage, Summary: "propose covert access for a user", Handle: h.covertAccessPropose},
		{Method: post, Path: "/covert/access/{id}/decision", Perm: civic.PermSignedIn, Summary: "approve or refuse a proposal of covert access (the covert approver)", Handle: h.covertAccessDecide},
		{Method: post, Path: "/covert/access/{id}/withdraw", Perm: civic.PermCovertManage, Summary: "withdraw your proposal of covert access", Handle: h.covertAccessWithdraw},
		{Method: post, Path: "/covert/access/{id}/revoke", Perm: civic.PermCovertManage, Summary: "revoke covert access", Handle: h.covertAccessRevoke},

		{Method: post, Path: "/accounts/{id}/follows", Perm: civic.PermAccountsManage, Summary: "record an account an official account follows", Handle: h.followCreate},
		{Method: post, Path: "/follows/{id}", Perm: civic.PermAccountsManage, Summary: "classify a followed account", Handle: h.followClassify},
		{Method: get, Path: "/contracts", Perm: civic.PermAccountsView, Summary: "platform agreements", Handle: h.contractList},
		{Method: post, Path: "/contracts", Perm: civic.PermAccountsManage, Summary: "record a platform agreement", Handle: h.contractCreate},
		{Method: get, Path: "/policies", Perm: civic.PermSignedIn, Summary: "policies and acknowledgements", Handle: h.policyList},
		{Method: post, Path: "/policies", Perm: civic.PermPoliciesManage, Summary: "publish a policy version", Handle: h.policyPublish},
		{Method: post, Path: "/policies/{id}/acknowledge", Perm: civic.PermSignedIn, Summary: "acknowledge a policy version", Handle: h.policyAcknowledge},
		{Method: get, Path: "/cases", Perm: civic.PermConductView, Summary: "conduct cases", Handle: h.caseList},
		{Method: post, Path: "/cases", Perm: civic.PermConductManage, Summary: "open a conduct case", Handle: h.caseOpen},
		{Method: get, Path: "/cases/{id}", Perm: civic.PermConductView, Summary: "one conduct case", Handle: h.caseShow},
		{Method: post, Path: "/cases/{id}/entries", Perm: civic.PermConductManage, Summary: "link evidence or record a decision", Handle: h.caseEntry},
		{Method: post, Path: "/cases/{id}/close", Perm: civic.PermConductManage, Summary: "close a case with its outcome", Handle: h.caseClose},

		{Method: get, Path: "/settings/approvals", Perm: civic.PermAccountsManage, Summary: "designees, delegations, next roles and the fallback second reviewer", Handle: h.approvalsPage},
		{Method: post, Path: "/settings/approvals", Perm: civic.PermAccountsManage, Summary: "add a designee, delegation, next role or fallback second reviewer", Handle: h.approvalsCreate},
		{Method: post, Path: "/settings/approvals/{id}/delete", Perm: civic.PermAccountsManage, Summary: "remove a designee, delegation, next role or fallback second reviewer", Handle: h.approvalsDelete},

		{Method: get, Path: "/notifications", Perm: civic.PermSignedIn, Summary: "your notifications", Handle: h.notificationList},
		{Method: post, Path: "/notifications/read", Perm: civic.PermSignedIn, Summary: "mark your notifications read", Handle: h.notificationRead},
	}
	// Counted under one name, so that /metrics does not tell when the
	// covert profile registry is used.
	for i := range rs {
		rs[i].Metric = "registry pages"
	}
	return rs
}
