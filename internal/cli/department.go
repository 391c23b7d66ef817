package cli

import (
	"fmt"
	"text/tabwriter"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/people"
	"steward.city/steward/internal/sqlstore"
)

// department runs "steward department add|list", so that a new city can
// create its first department and administrator before anyone signs in.
func (a *app) department(name string, args []string) error {
	f := a.flags("department " + name)
	sf := f.store()
	var run func(s *sqlstore.Store) error
	switch name {
	case "add":
		slug := f.FlagSet.String("slug", "", "short name used in links and flags, e.g. public-works (required)")
		full := f.FlagSet.String("name", "", "the department's name (required)")
		run = func(s *sqlstore.Store) error {
			d := &civic.Department{Slug: *slug, Name: *full}
			if err := people.New(people.Config{Store: s}).CreateDepartment(a.ctx, civic.CLI, d); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "department %d %s (%s) added\n", d.ID, d.Name, d.Slug)
			return nil
		}
	case "list":
		run = func(s *sqlstore.Store) error {
			ds, err := s.Departments(a.ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSLUG\tNAME")
			for _, d := range ds {
				fmt.Fprintf(tw, "%d\t%s\t%s\n", d.ID, d.Slug, d.Name)
			}
			return tw.Flush()
		}
	default:
		return usagef("unknown command department %s", name)
	}
	return a.withStore(f, sf, args, run)
}
