package cli

import (
	"fmt"

	"steward.city/steward/internal/registry"
	"steward.city/steward/internal/sqlstore"
)

// covertCheck runs "steward covert check": whoever holds covert access got
// it through the two-person flow, as far as the database and its audit log
// say. A problem exits with status 2.
func (a *app) covertCheck(args []string) error {
	f := a.flags("covert check")
	sf := f.store()
	return a.withStore(f, sf, args, func(s *sqlstore.Store) error {
		problems, notes, err := registry.CheckCovert(a.ctx, s)
		if err != nil {
			return err
		}
		for _, n := range notes {
			fmt.Fprintf(a.stdout, "note: %s\n", n)
		}
		if len(problems) > 0 {
			for _, p := range problems {
				fmt.Fprintf(a.stderr, "problem: %s\n", p)
			}
			return problem(fmt.Errorf("covert access: %d problems; run steward audit verify as well", len(problems)))
		}
		fmt.Fprintln(a.stdout, "covert access matches its approvals in the audit log")
		return nil
	})
}
