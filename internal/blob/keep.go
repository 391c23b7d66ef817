package blob

import (
	"context"
	"fmt"
)

// Keep returns s with a Delete that leaves in place a file inUse says
// something else still uses (a draft's attachment, a publication's
// media): that Delete succeeds without removing it, as when one of
// several holders of a file lets go of it. Put, Open and Has are s's. An
// error from inUse fails the Delete and removes nothing.
//
// Every Delete in Steward goes through the store the archive hands out
// (archive.Service.Blobs), which is kept this way.
func Keep(s Store, inUse func(ctx context.Context, hash string) (bool, error)) Store {
	if s == nil || inUse == nil {
		return s
	}
	if k, ok := s.(*kept); ok {
		s = k.Store
	}
	return &kept{Store: s, inUse: inUse}
}

type kept struct {
	Store
	inUse func(ctx context.Context, hash string) (bool, error)
}

func (k *kept) Delete(ctx context.Context, hash string) error {
	used, err := k.inUse(ctx, hash)
	if err != nil {
		return fmt.Errorf("blob: is %s in use: %w", hash, err)
	}
	if used {
		return nil
	}
	return k.Store.Delete(ctx, hash)
}
