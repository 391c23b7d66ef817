package civic

import "testing"

func TestNormalizeGrants(t *testing.T) {
	for _, c := range []struct {
		in   []Grant
		want string
		err  bool
	}{
		{nil, "", false},
		{[]Grant{{Role: RoleAuditor}, {Role: RoleAdmin}, {Role: RoleAuditor}}, "admin,auditor", false},
		{[]Grant{{Role: RoleDirector, DepartmentID: 3}, {Role: RoleDirector, DepartmentID: 2}}, "director:2,director:3", false},
		{[]Grant{{Role: RoleDirector}}, "", true},
		{[]Grant{{Role: RoleStaff, DepartmentID: 2}}, "", true},
		{[]Grant{{Role: "mayor"}}, "", true},
	} {
		got, err := NormalizeGrants(c.in)
		if (err != nil) != c.err || (err == nil && FormatGrants(got) != c.want) {
			t.Errorf("NormalizeGrants(%v) = %v, %v; want %q, error %v", c.in, FormatGrants(got), err, c.want, c.err)
		}
		if err != nil && ErrorField(err) != "roles" {
			t.Errorf("error %v does not name roles", err)
		}
	}
}

func TestAllowed(t *testing.T) {
	// A disabled user may do nothing; a user without roles may only do
	// what every signed-in user may.
	u := &User{Grants: []Grant{{Role: RoleAdmin}}}
	if !u.Can(PermAdminManage) {
		t.Errorf("admin cannot manage admins")
	}
	none := &User{}
	if !none.Can(PermSignedIn) || none.Can(PermDepartmentsView) {
		t.Errorf("user without roles: signed_in %v, departments.view %v", none.Can(PermSignedIn), none.Can(PermDepartmentsView))
	}
	var nobody *User
	if nobody.Can(PermSignedIn) {
		t.Errorf("nil user may act")
	}
	if Allowed("made.up", []Grant{{Role: RoleAdmin}}) {
		t.Errorf("unknown permission allowed")
	}
}
