package civic

import (
	"slices"
	"strings"
)

// Permission is something a signed-in user may be allowed to do. Every
// authorization decision in Steward goes through Allowed.
type Permission string

// The permissions. Each route names one.
const (
	PermSignedIn          Permission = "signed_in"          // dashboard, own profile and API tokens
	PermDepartmentsView   Permission = "departments.view"   // list and read departments
	PermDepartmentsManage Permission = "departments.manage" // create and rename departments
	PermPeopleView        Permission = "people.view"        // list and read covered persons
	PermPeopleManage      Permission = "people.manage"      // create and edit covered persons
	PermUsersView         Permission = "users.view"         // list users and their roles
	PermUsersManage       Permission = "users.manage"       // create, disable, reset and set roles of users
	PermAdminManage       Permission = "admin.manage"       // grant or take the admin role, change an admin
	PermAuditView         Permission = "audit.view"         // read the audit log
	PermTokensAll         Permission = "tokens.all"         // see and revoke every user's API tokens
	PermJobsManage        Permission = "jobs.manage"        // see background jobs and their errors; retry and cancel them

	PermAccountsView     Permission = "accounts.view"     // the inventory of official accounts and requests
	PermAccountsRequest  Permission = "accounts.request"  // request a new official account
	PermAccountsApprove  Permission = "accounts.approve"  // decide a step of an approval chain (the step says whose)
	PermAccountsManage   Permission = "accounts.manage"   // activate, suspend, retire, profile checks, approval chains
	PermPostersRequest   Permission = "posters.request"   // ask in writing to post for an account
	PermPostersDecide    Permission = "posters.decide"    // grant, refuse, recertify (directors) and revoke (and Communications)
	PermCredentialsStore Permission = "credentials.store" // put administrator credentials in custody
	PermCovertManage     Permission = "covert.manage"     // register and audit covert profiles
	PermPoliciesManage   Permission = "policies.manage"   // publish policy versions; see every acknowledgement
	PermConductView      Permission = "conduct.view"      // read conduct cases
	PermConductManage    Permission = "conduct.manage"    // open cases, link evidence, record decisions

	PermArchiveView    Permission = "archive.view"    // search the archive, read items, holds, retention and disposition runs
	PermArchiveIngest  Permission = "archive.ingest"  // put records into the archive (imports, capture integrations)
	PermArchiveHold    Permission = "archive.hold"    // place and release legal holds
	PermArchiveDispose Permission = "archive.dispose" // propose and approve disposition runs

	PermRecordsView   Permission = "records.view"   // read records requests, their redactions and exports
	PermRecordsManage Permission = "records.manage" // log and update requests, redact, export

	PermCaptureView    Permission = "capture.view"    // platform connections, capture runs and flags
	PermCaptureManage  Permission = "capture.manage"  // pause, resume and run capture; resolve flags
	PermCaptureConnect Permission = "capture.connect" // connect an account with its platform token (sealed in the vault)

	PermModerationView      Permission = "moderation.view"      // read the queue, decisions, tracking forms, inquiries and reports
	PermModerationDecide    Permission = "moderation.decide"    // keep, hide or remove comments, second reviews, answer inquiries
	PermModerationConfigure Permission = "moderation.configure" // rename and describe reason codes, second review, hold settings
)

// Permissions lists every permission.
var Permissions = []Permission{PermSignedIn, PermDepartmentsView, PermDepartmentsManage, PermPeopleView, PermPeopleManage, PermUsersView, PermUsersManage, PermAdminManage, PermAuditView, PermTokensAll, PermJobsManage,
	PermAccountsView, PermAccountsRequest, PermAccountsApprove, PermAccountsManage, PermPostersRequest, PermPostersDecide, PermCredentialsStore, PermCovertManage,
	PermPoliciesManage, PermConductView, PermConductManage,
	PermArchiveView, PermArchiveIngest, PermArchiveHold, PermArchiveDispose,
	PermRecordsView, PermRecordsManage,
	PermCaptureView, PermCaptureManage, PermCaptureConnect,
	PermModerationView, PermModerationDecide, PermModerationConfigure}

// allowedRoles is the policy: which roles hold which permission. The role
// matrix test in the server package checks every route against it.
func allowedRoles(p Permission) []Role {
	switch p {
	case PermSignedIn:
		return nil // any signed-in user
	case PermDepartmentsView:
		return Roles
	case PermDepartmentsManage:
		return []Role{RoleAdmin}
	case PermPeopleView:
		return []Role{RoleAdmin, RoleCommunications, RoleDirector, RoleClerk, RoleAttorney, RoleHR, RoleIT, RoleAuditor}
	case PermPeopleManage:
		return []Role{RoleAdmin, RoleHR}
	case PermUsersView:
		return []Role{RoleAdmin, RoleIT, RoleAuditor}
	case PermUsersManage:
		return []Role{RoleAdmin, RoleIT}
	case PermAdminManage, PermJobsManage:
		return []Role{RoleAdmin}
	case PermAuditView:
		return []Role{RoleAdmin, RoleClerk, RoleAttorney, RoleAuditor}
	case PermTokensAll:
		return []Role{RoleAdmin, RoleIT}
	case PermAccountsView:
		return []Role{RoleAdmin, RoleCommunications, RoleDirector, RoleStaff, RoleClerk, RoleAttorney, RoleHR, RoleIT, RoleAuditor}
	case PermAccountsRequest, PermPostersRequest:
		return []Role{RoleCommunications, RoleDirector, RoleStaff}
	case PermAccountsApprove:
		return []Role{RoleCommunications, RoleDirector}
	case PermAccountsManage:
		return []Role{RoleAdmin, RoleCommunications}
	case PermPostersDecide:
		return []Role{RoleCommunications, RoleDirector}
	case PermCredentialsStore:
		return []Role{RoleIT}
	case PermCovertManage:
		return []Role{RoleSICCommander}
	case PermPoliciesManage:
		return []Role{RoleAdmin, RoleHR}
	case PermConductView:
		return []Role{RoleAdmin, RoleAttorney, RoleHR}
	case PermConductManage:
		return []Role{RoleAttorney, RoleHR}
	case PermArchiveView:
		return []Role{RoleAdmin, RoleClerk, RoleAttorney, RoleCommunications, RoleAuditor}
	case PermArchiveIngest:
		return []Role{RoleAdmin, RoleClerk}
	case PermArchiveHold:
		return []Role{RoleAttorney}
	case PermArchiveDispose:
		return []Role{RoleClerk}
	case PermRecordsView:
		return []Role{RoleAdmin, RoleClerk, RoleAttorney, RoleAuditor}
	case PermRecordsManage:
		return []Role{RoleClerk, RoleAttorney}
	case PermCaptureView:
		return []Role{RoleAdmin, RoleCommunications, RoleIT, RoleClerk, RoleAttorney, RoleAuditor}
	case PermCaptureManage, PermCaptureConnect:
		return []Role{RoleCommunications, RoleIT}
	case PermModerationView:
		return []Role{RoleAdmin, RoleCommunications, RoleClerk, RoleAttorney, RoleAuditor}
	case PermModerationDecide:
		return []Role{RoleCommunications}
	case PermModerationConfigure:
		return []Role{RoleAdmin, RoleCommunications}
	}
	return []Role{} // unknown permission: nobody
}

// Allowed reports whether a user holding grants has permission p.
func Allowed(p Permission, grants []Grant) bool {
	roles := allowedRoles(p)
	if roles == nil {
		return true
	}
	for _, g := range grants {
		if slices.Contains(roles, g.Role) {
			return true
		}
	}
	return false
}

// Refusal is the sentence a refusal of permission p gives: the roles that
// hold it, so that a person knows whom to ask.
func Refusal(p Permission) string {
	roles := allowedRoles(p)
	if len(roles) == 0 {
		return "Nobody may do this."
	}
	labels := make([]string, len(roles))
	for i, r := range roles {
		labels[i] = r.Label()
	}
	return "Only these roles may do this: " + strings.Join(labels, ", ") + ". Ask an administrator if your work needs it."
}
