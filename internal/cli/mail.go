package cli

import (
	"net/url"
	"strings"

	"steward.city/steward/internal/notify"
)

// mailFlags configure optional notification e-mail.
type mailFlags struct {
	addr, from, user, pass, public *string
}

func (f *flags) mailFlags() mailFlags {
	return mailFlags{
		addr:   f.String("smtp-addr", "", "SMTP server host:port for notification e-mail; empty sends none"),
		from:   f.String("smtp-from", "", "sender address of notification e-mail"),
		user:   f.String("smtp-user", "", "SMTP user name, if the server needs one"),
		pass:   f.String("smtp-password", "", "SMTP password (prefer the environment variable)"),
		public: f.String("public-url", "", "address people open Steward at, such as https://steward.city.example; forgotten-password links, the links in notification e-mail and the links Instagram fetches a post's images from start with it (empty: no reset link is sent, and no image is posted to Instagram)"),
	}
}

// publicURL returns --public-url, checked: an absolute http or https URL
// with a host and nothing after the path, or "".
func (m mailFlags) publicURL() (string, error) {
	s := strings.TrimSpace(*m.public)
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", usagef("--public-url %q: want the address people open Steward at, such as https://steward.city.example", s)
	}
	return strings.TrimRight(u.String(), "/"), nil
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
