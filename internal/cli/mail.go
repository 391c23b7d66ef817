package cli

import (
	"steward.city/steward/internal/notify"
)

// mailFlags configure optional notification e-mail.
type mailFlags struct {
	addr, from, user, pass *string
}

func (f *flags) mailFlags() mailFlags {
	return mailFlags{
		addr: f.String("smtp-addr", "", "SMTP server host:port for notification e-mail; empty sends none"),
		from: f.String("smtp-from", "", "sender address of notification e-mail"),
		user: f.String("smtp-user", "", "SMTP user name, if the server needs one"),
		pass: f.String("smtp-password", "", "SMTP password (prefer the environment variable)"),
	}
}

// mailer returns the SMTP sender, or nil when no server is set.
func (m mailFlags) mailer() (*notify.SMTP, error) {
	if *m.addr == "" {
		return nil, nil
	}
	if *m.from == "" {
		return nil, usagef("--smtp-addr needs --smtp-from, the sender address")
	}
	return notify.NewSMTP(notify.SMTPConfig{Addr: *m.addr, From: *m.from, User: *m.user, Password: *m.pass})
}
