package cli

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/people"
	"steward.city/steward/internal/registry"
	"steward.city/steward/internal/sqlstore"
)

// user runs "steward user <name>". The command line acts as the operator of
// the server; its changes are audited as "cli". It may do what IT may, and
// make the city's first SIC commander while there is none; covert access is
// otherwise given only by a commander and the covert approver, and nobody
// else resets a covert user's password.
func (a *app) user(name string, args []string) error {
	f := a.flags("user " + name)
	sf := f.store()
	var run func(s *sqlstore.Store, svc *people.Service) error
	switch name {
	case "add":
		email := f.FlagSet.String("email", "", "sign-in e-mail address (required)")
		fullName := f.FlagSet.String("name", "", "the person's name (required unless --person)")
		dept := f.FlagSet.String("department", "", "department slug (required unless --person)")
		kind := f.FlagSet.String("kind", "employee", "employee, elected_official, volunteer, contractor or board_member")
		title := f.FlagSet.String("title", "", "job title")
		person := f.FlagSet.String("person", "", "id of an existing covered person, instead of --name and --department")
		roles := f.FlagSet.String("roles", "", "comma-separated roles; a director names its department: director:police; sic_commander only for the city's first commander, while there is none")
		pwStdin := f.FlagSet.Bool("password-stdin", false, "read the password from the first line of standard input (else: single sign-on only)")
		run = func(s *sqlstore.Store, svc *people.Service) error {
			if *email == "" {
				return usagef("--email is required")
			}
			gs, err := a.parseRoles(s, *roles)
			if err != nil {
				return err
			}
			pw, err := a.password(*pwStdin)
			if err != nil {
				return err
			}
			u := &civic.User{Email: *email, Grants: gs}
			if *person != "" {
				id, err := strconv.ParseInt(*person, 10, 64)
				if err != nil {
					return usagef("--person %q is not an id", *person)
				}
				u.PersonID = id
				err = svc.CreateUser(a.ctx, civic.CLI, u, pw)
				if err != nil {
					return err
				}
			} else {
				if *fullName == "" || *dept == "" {
					return usagef("give --name and --department for a new covered person, or --person ID for an existing one")
				}
				d, err := s.DepartmentBySlug(a.ctx, *dept)
				if err != nil {
					return civic.Invalid("department", "no department %q (see steward serve → Departments)", *dept)
				}
				p := &civic.Person{Name: *fullName, Email: *email, Title: *title, Kind: civic.PersonKind(*kind), DepartmentID: d.ID}
				if err := svc.CreatePersonAndUser(a.ctx, civic.CLI, p, u, pw); err != nil {
					return err
				}
			}
			fmt.Fprintf(a.stdout, "user %d %s added with roles %s\n", u.ID, u.Email, a.formatRoles(s, u.Grants))
			return nil
		}
	case "list":
		run = func(s *sqlstore.Store, _ *people.Service) error {
			us, err := s.Users(a.ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tE-MAIL\tNAME\tROLES\tSTATUS")
			for _, u := range us {
				status := "active"
				if u.DisabledAt != nil {
					status = "disabled"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.PersonName, a.formatRoles(s, u.Grants), status)
			}
			return tw.Flush()
		}
	case "set-roles", "disable", "enable", "reset-password":
		var roles *string
		var pwStdin *bool
		if name == "set-roles" {
			roles = f.FlagSet.String("roles", "", "comma-separated roles, replacing the current ones (empty: none)")
		}
		if name == "reset-password" {
			pwStdin = f.FlagSet.Bool("password-stdin", false, "read the new password from standard input")
		}
		run = func(s *sqlstore.Store, svc *people.Service) error {
			if f.NArg() != 1 {
				return usagef("user %s needs one user: an e-mail address or id", name)
			}
			u, err := a.findUser(s, f.Arg(0))
			if err != nil {
				return err
			}
			switch name {
			case "set-roles":
				gs, err := a.parseRoles(s, *roles)
				if err != nil {
					return err
				}
				err = svc.SetRoles(a.ctx, civic.CLI, u.ID, gs)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "%s now has roles %s\n", u.Email, a.formatRoles(s, gs))
			case "disable", "enable":
				if err := svc.SetDisabled(a.ctx, civic.CLI, u.ID, name == "disable"); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "%s is %sd\n", u.Email, name)
			case "reset-password":
				if !*pwStdin {
					return usagef("reset-password reads the new password from standard input: add --password-stdin")
				}
				pw, err := a.password(true)
				if err != nil {
					return err
				}
				if err := svc.ResetPassword(a.ctx, civic.CLI, u.ID, pw); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "%s has a new password and is signed out everywhere\n", u.Email)
			}
			return nil
		}
	default:
		return usagef("unknown command user %s", name)
	}
	return a.withStore(f, sf, args, func(s *sqlstore.Store) error {
		svc := people.New(people.Config{Store: s})
		reg := registry.New(registry.Config{Store: s, Vault: nil, Mailer: nil, Logger: nil, Clock: a.now})
		svc.OnDisable(reg.OnDisable)
		svc.OnSetRoles(reg.OnSetRoles)
		return run(s, svc)
	})
}

// password reads a password from the first line of standard input when
// fromStdin is set; it is never taken from a flag, which would leave it in
// the shell history and the process list.
func (a *app) password(fromStdin bool) (string, error) {
	if !fromStdin {
		return "", nil
	}
	sc := bufio.NewScanner(a.stdin)
	if !sc.Scan() {
		return "", civic.Invalid("password", "no password on standard input")
	}
	return strings.TrimRight(sc.Text(), "\r\n"), nil
}

// findUser finds a user by id or e-mail address.
func (a *app) findUser(s *sqlstore.Store, ref string) (*civic.User, error) {
	var u *civic.User
	var err error
	if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
		u, err = s.User(a.ctx, id)
	} else {
		u, err = s.UserByEmail(a.ctx, strings.ToLower(ref))
	}
	if civic.ErrorKind(err) == civic.KindNotFound {
		return nil, civic.Errorf(civic.KindNotFound, "user %s not found (see steward user list)", ref)
	}
	return u, err
}

// parseRoles reads "staff,director:police" into grants.
func (a *app) parseRoles(s *sqlstore.Store, list string) ([]civic.Grant, error) {
	var gs []civic.Grant
	for _, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		role, dept, _ := strings.Cut(part, ":")
		g := civic.Grant{Role: civic.Role(role)}
		if dept != "" {
			d, err := s.DepartmentBySlug(a.ctx, dept)
			if err != nil {
				return nil, civic.Invalid("roles", "%s: no department %q", part, dept)
			}
			g.DepartmentID = d.ID
		}
		gs = append(gs, g)
	}
	return civic.NormalizeGrants(gs)
}

// formatRoles writes grants as the --roles flag takes them.
func (a *app) formatRoles(s *sqlstore.Store, gs []civic.Grant) string {
	if len(gs) == 0 {
		return "(none)"
	}
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = string(g.Role)
		if g.DepartmentID != 0 {
			if d, err := s.Department(a.ctx, g.DepartmentID); err == nil {
				parts[i] += ":" + d.Slug
			}
		}
	}
	return strings.Join(parts, ",")
}
