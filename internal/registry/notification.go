package registry

import (
	"context"

	"steward.city/steward/internal/civic"
)

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
