package registry

import (
	"context"
	"fmt"
	"strings"

	"steward.city/steward/internal/civic"
)

// MailJob e-mails one notification (the job notification_mail). The
// composition root queues it in the transaction that stored the
// notification, so a notification is never stored without its mail and a
// transaction that rolls back mails nothing; a worker runs
// MailNotification.
type MailJob struct {
	Notification int64 `json:"notification"`
}

// Kind names the job on the queue.
func (MailJob) Kind() string { return "notification_mail" }

// MailNotification e-mails notification id to its user: "Steward: " and
// the message as the subject, the message and the link (absolute when the
// public URL is set) as the body. A user who is disabled, has no e-mail
// address or one the mailer refuses, or a notification that no longer
// exists, is skipped: nil, nothing sent. Without a mailer, or when the
// mail server fails, it returns an error, so that the job is tried again.
func (s *Service) MailNotification(ctx context.Context, id int64) error {
	if s.mailer == nil {
		return civic.Errorf(civic.KindUnavailable, "mail notification %d: this process has no mail server (--smtp-addr)", id)
	}
	n, err := s.store.Notification(ctx, id)
	if civic.ErrorKind(err) == civic.KindNotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mail notification %d: %w", id, err)
	}
	u, err := s.store.User(ctx, n.UserID)
	if civic.ErrorKind(err) == civic.KindNotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mail notification %d: %w", id, err)
	}
	if u.DisabledAt != nil || strings.TrimSpace(u.Email) == "" {
		return nil
	}
	link := n.Link
	if s.publicURL != "" && strings.HasPrefix(link, "/") {
		link = s.publicURL + link
	}
	// A subject is one line: a message holding a line break is flattened
	// rather than refused.
	subject := "Steward: " + strings.Join(strings.Fields(n.Message), " ")
	body := n.Message + "\n"
	if link != "" {
		body += "\n" + link + "\n"
	}
	err = s.mailer.Send(ctx, u.Email, subject, body)
	if civic.ErrorKind(err) == civic.KindInvalid {
		// An address the mailer cannot use stays unusable however often
		// the job is tried.
		s.log.Warn("notification e-mail not sent", "notification", id, "user", u.ID, "err", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("mail notification %d: %w", id, err)
	}
	return nil
}

// Notifications lists the signed-in actor's own notifications, newest
// first; nobody reads another's.
func (s *Service) Notifications(ctx context.Context, actor civic.Actor) ([]*civic.Notification, error) {
	if !actor.IsUser() {
		return nil, forbidden("sign in to read your notifications")
	}
	return s.store.Notifications(ctx, actor.UserID)
}

// MarkNotificationsRead marks every notification of the signed-in actor read.
func (s *Service) MarkNotificationsRead(ctx context.Context, actor civic.Actor) error {
	if !actor.IsUser() {
		return forbidden("sign in to read your notifications")
	}
	return s.update(ctx, actor, func(tx civic.Tx) error { return tx.MarkNotificationsRead(ctx, actor.UserID) })
}
