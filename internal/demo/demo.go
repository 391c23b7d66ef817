// Package demo creates a demo city, modelled on the policies Steward
// follows, for people to explore: departments, covered persons and one user
// per role. It runs once per database and marks the installation as a demo.
package demo

import (
	"context"
	"fmt"

	"steward.city/steward/internal/auth"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/plain"
)

// Password is every demo user's password. The demo is for exploring on one's
// own machine; never run --demo on a server others can reach.
const Password = "demo-city-password"

// Login is one demo sign-in.
type Login struct {
	Role  string
	Email string
}

// SettingKey marks a database seeded as a demo city.
const SettingKey = "demo"

var departments = []civic.Department{
	{Slug: "communications", Name: "Communications"},
	{Slug: "police", Name: "Police"},
	{Slug: "public-works", Name: "Public Works"},
	{Slug: "parks", Name: "Parks and Recreation"},
	{Slug: "library", Name: "Library"},
	{Slug: "clerk", Name: "City Clerk"},
	{Slug: "attorney", Name: "City Attorney"},
	{Slug: "hr", Name: "Human Resources"},
	{Slug: "it", Name: "Information Technology"},
}

type person struct {
	name, title, dept string
	kind              civic.PersonKind
	email             string // user e-mail; "" for people who do not sign in
	roles             []civic.Role
	login             string // role shown in the printed list
}

var city = []person{
	{"Avery Lindqvist", "Systems Administrator", "it", civic.KindEmployee, "admin@demo-city.example", []civic.Role{civic.RoleAdmin}, "admin"},
	{"Jordan Okafor", "Communications Coordinator", "communications", civic.KindEmployee, "communications@demo-city.example", []civic.Role{civic.RoleCommunications}, "communications"},
	{"Maria Santos", "Director of Public Works", "public-works", civic.KindEmployee, "director@demo-city.example", []civic.Role{civic.RoleDirector}, "director"},
	{"Sam Whitefeather", "Parks Outreach Specialist", "parks", civic.KindEmployee, "staff@demo-city.example", []civic.Role{civic.RoleStaff}, "staff"},
	{"Priya Raman", "City Clerk", "clerk", civic.KindEmployee, "clerk@demo-city.example", []civic.Role{civic.RoleClerk}, "clerk"},
	{"Daniel Moreau", "Assistant City Attorney", "attorney", civic.KindEmployee, "attorney@demo-city.example", []civic.Role{civic.RoleAttorney}, "attorney"},
	{"Grace Nakamura", "HR Generalist", "hr", civic.KindEmployee, "hr@demo-city.example", []civic.Role{civic.RoleHR}, "hr"},
	{"Tomás Herrera", "Network Engineer", "it", civic.KindEmployee, "it@demo-city.example", []civic.Role{civic.RoleIT}, "it"},
	{"Cmdr. Elena Volkov", "Commander, Strategic Information Center", "police", civic.KindEmployee, "sic@demo-city.example", []civic.Role{civic.RoleSICCommander}, "sic_commander"},
	{"Ruth Abernathy", "Internal Auditor", "clerk", civic.KindContractor, "auditor@demo-city.example", []civic.Role{civic.RoleAuditor}, "auditor"},
	{"Chief Marcus Bell", "Chief of Police", "police", civic.KindEmployee, "police-admin@demo-city.example", []civic.Role{civic.RoleDirector}, "covert approver"},
	{"Officer Lee Tran", "Community Engagement Officer", "police", civic.KindEmployee, "", nil, ""},
	{"Council Member Hana Yusuf", "Ward 3", "communications", civic.KindElectedOfficial, "", nil, ""},
	{"Omar Haddad", "Library Volunteer", "library", civic.KindVolunteer, "", nil, ""},
	{"Beth Carlson", "Park Board Commissioner", "parks", civic.KindBoardMember, "", nil, ""},
	{"Northstar Media LLC", "Social media contractor", "communications", civic.KindContractor, "", nil, ""},
}

// Seed creates the demo city unless this database already has one, and
// returns the demo sign-ins either way. It refuses to seed a database that
// already holds a real city's departments.
func Seed(ctx context.Context, store civic.Store) ([]Login, error) {
	var logins []Login
	for _, p := range city {
		if p.email != "" {
			logins = append(logins, Login{Role: p.login, Email: p.email})
		}
	}
	done, err := store.Setting(ctx, SettingKey)
	if err != nil {
		return nil, err
	}
	if done == "true" {
		return logins, nil
	}
	existing, err := store.Departments(ctx)
	if err != nil {
		return nil, err
	}
	if len(existing) > 0 {
		return nil, fmt.Errorf("this database already holds %s not a demo; use an empty data folder for the demo", plain.Count(len(existing), "department that is", "departments that are"))
	}
	hashes := map[string]string{}
	for _, p := range city {
		if p.email != "" {
			if hashes[p.email], err = auth.HashPassword(Password); err != nil {
				return nil, err
			}
		}
	}
	err = store.Update(ctx, civic.Process("demo"), func(tx civic.Tx) error {
		ids := map[string]int64{}
		persons, users := map[string]*civic.Person{}, map[string]*civic.User{}
		for _, d := range departments {
			d := d
			if err := tx.CreateDepartment(ctx, &d); err != nil {
				return err
			}
			ids[d.Slug] = d.ID
		}
		for _, p := range city {
			cp := &civic.Person{Name: p.name, Title: p.title, Kind: p.kind, DepartmentID: ids[p.dept], Email: p.email}
			if err := tx.CreatePerson(ctx, cp); err != nil {
				return err
			}
			persons[p.name] = cp
			if p.email == "" {
				continue
			}
			var gs []civic.Grant
			commander := false
			for _, r := range p.roles {
				if r == civic.RoleSICCommander {
					commander = true // given below, as the city's first commander
					continue
				}
				g := civic.Grant{Role: r}
				if r == civic.RoleDirector {
					g.DepartmentID = cp.DepartmentID
				}
				gs = append(gs, g)
			}
			u := &civic.User{PersonID: cp.ID, Email: p.email, Grants: gs, PasswordHash: hashes[p.email]}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			if commander {
				if err := tx.BootstrapCommander(ctx, u.ID, "the demo city's first SIC commander"); err != nil {
					return err
				}
			}
			users[p.email] = u
		}
		if err := seedRegistry(ctx, tx, ids, persons, users); err != nil {
			return err
		}
		if err := seedArchive(ctx, tx); err != nil {
			return err
		}
		if err := seedRecords(ctx, tx); err != nil {
			return err
		}
		if err := seedModeration(ctx, tx); err != nil {
			return err
		}
		if err := seedCapture(ctx, tx); err != nil {
			return err
		}
		if err := seedHold(ctx, tx); err != nil {
			return err
		}
		return tx.SetSetting(ctx, SettingKey, "true")
	})
	if err != nil {
		return nil, err
	}
	return logins, nil
}
