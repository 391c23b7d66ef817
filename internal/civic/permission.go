package civic

import "slices"

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
)

// Permissions lists every permission.
var Permissions = []Permission{PermSignedIn, PermDepartmentsView, PermDepartmentsManage, PermPeopleView, PermPeopleManage, PermUsersView, PermUsersManage, PermAdminManage, PermAuditView, PermTokensAll}

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
	case PermAdminManage:
		return []Role{RoleAdmin}
	case PermAuditView:
		return []Role{RoleAdmin, RoleClerk, RoleAttorney, RoleAuditor}
	case PermTokensAll:
		return []Role{RoleAdmin, RoleIT}
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
