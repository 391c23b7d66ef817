package web

import (
	"net/http"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

// Routes lists every page and form target with the permission it needs.
func (h *Handler) Routes() []route.Route {
	rs := append(h.foundationRoutes(), h.registryRoutes()...)
	rs = append(rs, h.archiveRoutes()...)
	rs = append(rs, h.recordsRoutes()...)
	rs = append(rs, h.captureRoutes()...)
	rs = append(rs, h.draftRoutes()...)
	return append(rs, h.moderationRoutes()...)
}

func (h *Handler) foundationRoutes() []route.Route {
	get, post := http.MethodGet, http.MethodPost
	return []route.Route{
		{Method: get, Path: "/signin", Public: true, Summary: "sign-in page", Handle: h.signinPage},
		{Method: post, Path: "/signin", Public: true, Summary: "sign in with e-mail address and password", Handle: h.signin},
		{Method: get, Path: "/signin/forgot", Public: true, Summary: "forgotten password: ask for a reset link by e-mail", Handle: h.forgotPage},
		{Method: post, Path: "/signin/forgot", Public: true, Summary: "e-mail a reset link, answering the same whoever the address is", Handle: h.forgot},
		{Method: get, Path: "/signin/reset", Public: true, Summary: "choose a new password with a reset link", Handle: h.resetPage},
		{Method: post, Path: "/signin/reset", Public: true, Summary: "set a new password with a reset link", Handle: h.reset},
		{Method: get, Path: "/sso/start", Public: true, Summary: "start single sign-on", Handle: h.ssoStart},
		{Method: get, Path: "/sso/callback", Public: true, Summary: "finish single sign-on", Handle: h.ssoCallback},
		{Method: post, Path: "/signout", Perm: civic.PermSignedIn, Summary: "sign out", Handle: h.signout},

		{Method: get, Path: "/{$}", Perm: civic.PermSignedIn, Summary: "dashboard", Handle: h.dashboard},
		{Method: get, Path: "/account", Perm: civic.PermSignedIn, Summary: "your account", Handle: h.accountPage},
		{Method: post, Path: "/account/password", Perm: civic.PermSignedIn, Summary: "change your password", Handle: h.accountPassword},
		{Method: post, Path: "/account/personal-accounts", Perm: civic.PermSignedIn, Summary: "declare one of your personal accounts, which Steward never captures or monitors", Handle: h.declarePersonal},

		{Method: get, Path: "/departments", Perm: civic.PermDepartmentsView, Summary: "departments", Handle: h.departmentList},
		{Method: post, Path: "/departments", Perm: civic.PermDepartmentsManage, Summary: "add a department", Handle: h.departmentCreate},
		{Method: get, Path: "/departments/{id}", Perm: civic.PermDepartmentsView, Summary: "one department", Handle: h.departmentShow},
		{Method: post, Path: "/departments/{id}", Perm: civic.PermDepartmentsManage, Summary: "rename a department", Handle: h.departmentUpdate},

		{Method: get, Path: "/people", Perm: civic.PermPeopleView, Summary: "covered persons", Handle: h.personList},
		{Method: post, Path: "/people", Perm: civic.PermPeopleManage, Summary: "add a covered person", Handle: h.personCreate},
		{Method: get, Path: "/people/{id}", Perm: civic.PermPeopleView, Summary: "one covered person", Handle: h.personShow},
		{Method: post, Path: "/people/{id}", Perm: civic.PermPeopleManage, Summary: "edit a covered person", Handle: h.personUpdate},

		{Method: get, Path: "/users", Perm: civic.PermUsersView, Summary: "users and roles", Handle: h.userList},
		{Method: post, Path: "/users", Perm: civic.PermUsersManage, Summary: "add a user", Handle: h.userCreate},
		{Method: get, Path: "/users/{id}", Perm: civic.PermUsersView, Summary: "one user", Handle: h.userShow},
		{Method: post, Path: "/users/{id}/roles", Perm: civic.PermUsersManage, Summary: "set a user's roles", Handle: h.userRoles},
		{Method: post, Path: "/users/{id}/disable", Perm: civic.PermUsersManage, Summary: "disable a user", Handle: h.userDisable},
		{Method: post, Path: "/users/{id}/enable", Perm: civic.PermUsersManage, Summary: "enable a user", Handle: h.userEnable},
		{Method: post, Path: "/users/{id}/password", Perm: civic.PermUsersManage, Summary: "reset a user's password", Handle: h.userPassword},

		{Method: get, Path: "/tokens", Perm: civic.PermSignedIn, Summary: "API tokens", Handle: h.tokenList},
		{Method: post, Path: "/tokens", Perm: civic.PermSignedIn, Summary: "create an API token", Handle: h.tokenCreate},
		{Method: post, Path: "/tokens/{id}/revoke", Perm: civic.PermSignedIn, Summary: "revoke an API token", Handle: h.tokenRevoke},

		{Method: get, Path: "/audit", Perm: civic.PermAuditView, Summary: "audit log", Handle: h.auditList},

		{Method: get, Path: "/admin/jobs", Perm: civic.PermJobsManage, Summary: "background jobs that failed, wait to be retried or run", Handle: h.jobList},
		{Method: post, Path: "/admin/jobs/{id}/retry", Perm: civic.PermJobsManage, Summary: "retry a background job", Handle: h.jobRetry},
		{Method: post, Path: "/admin/jobs/{id}/cancel", Perm: civic.PermJobsManage, Summary: "cancel a background job", Handle: h.jobCancel},
	}
}
