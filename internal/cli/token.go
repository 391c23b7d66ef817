package cli

import (
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"steward.city/steward/internal/auth"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/sqlstore"
)

func (a *app) token(name string, args []string) error {
	f := a.flags("token " + name)
	sf := f.store()
	var run func(s *sqlstore.Store, svc *auth.Service) error
	switch name {
	case "create":
		user := f.FlagSet.String("user", "", "the token's user: e-mail address or id (required)")
		label := f.FlagSet.String("name", "", "what the token is for (required)")
		days := f.FlagSet.Int("expires-in-days", 90, "days until the token expires; 0: never")
		run = func(s *sqlstore.Store, svc *auth.Service) error {
			if *user == "" || *label == "" {
				return usagef("token create needs --user and --name")
			}
			if *days < 0 {
				return usagef("--expires-in-days must not be negative")
			}
			u, err := a.findUser(s, *user)
			if err != nil {
				return err
			}
			secret, tk, err := svc.CreateToken(a.ctx, civic.CLI, u.ID, *label, time.Duration(*days)*24*time.Hour)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "token %d for %s created; it is shown only now:\n", tk.ID, u.Email)
			fmt.Fprintln(a.stdout, secret)
			return nil
		}
	case "list":
		run = func(s *sqlstore.Store, _ *auth.Service) error {
			ts, err := s.Tokens(a.ctx, 0)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tUSER\tNAME\tPREFIX\tEXPIRES\tSTATUS")
			for _, t := range ts {
				exp, status := "never", "active"
				if t.ExpiresAt != nil {
					exp = t.ExpiresAt.Format(time.DateOnly)
				}
				switch {
				case t.RevokedAt != nil:
					status = "revoked"
				case !t.Active(a.now()):
					status = "expired"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s…\t%s\t%s\n", t.ID, t.UserEmail, t.Name, t.Prefix, exp, status)
			}
			return tw.Flush()
		}
	case "revoke":
		run = func(s *sqlstore.Store, svc *auth.Service) error {
			if f.NArg() != 1 {
				return usagef("token revoke needs one token id")
			}
			id, err := strconv.ParseInt(f.Arg(0), 10, 64)
			if err != nil {
				return usagef("%q is not a token id", f.Arg(0))
			}
			if err := svc.RevokeToken(a.ctx, civic.CLI, id); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "token %d revoked\n", id)
			return nil
		}
	default:
		return usagef("unknown command token %s", name)
	}
	log, _ := a.logger("error")
	return a.withStore(f, sf, args, func(s *sqlstore.Store) error {
		return run(s, auth.New(auth.Config{Store: s, Clock: a.now, Logger: log}))
	})
}
