package connection_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/connection"
	"steward.city/steward/internal/storetest"
	"steward.city/steward/internal/vault"
)

// fake is a platform that can delete and approve comments but not hide
// them, and refreshes tokens: the new access token is "fresh". It records
// the access token each Moderate call was given.
type fake struct {
	mu        sync.Mutex
	moderated []string // "action id token"
	refreshes int
}

func (*fake) Name() string { return "mastodon" }
func (*fake) Capabilities() civic.Capabilities {
	return civic.Capabilities{civic.CapDelete, civic.CapHold}
}
func (*fake) Poll(context.Context, *civic.Endpoint, string) (*civic.Page, error) {
	return nil, civic.ErrUnsupported
}
func (*fake) Profile(context.Context, *civic.Endpoint) (*civic.RemoteProfile, error) {
	return nil, civic.ErrUnsupported
}
func (*fake) Follows(context.Context, *civic.Endpoint) ([]civic.RemoteAccount, error) {
	return nil, civic.ErrUnsupported
}
func (*fake) Blocks(context.Context, *civic.Endpoint) ([]civic.RemoteAccount, error) {
	return nil, civic.ErrUnsupported
}
func (f *fake) Moderate(_ context.Context, ep *civic.Endpoint, id string, a civic.PlatformAction) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.moderated = append(f.moderated, string(a)+" "+id+" "+ep.Token.AccessToken)
	return nil
}
func (f *fake) Refresh(_ context.Context, ep *civic.Endpoint) (civic.PlatformToken, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refreshes++
	exp := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	return civic.PlatformToken{AccessToken: "fresh", RefreshToken: ep.Token.RefreshToken, ExpiresAt: &exp}, nil
}

type env struct {
	ctx   context.Context
	store civic.Store
	svc   *connection.Service
	plat  *fake
	acct  *civic.Account
	it    *civic.User
}

// newEnv is a store with an active Mastodon account, an IT user and a
// connection service with the fake platform and a vault.
func newEnv(t *testing.T, e storetest.Engine, clock *storetest.Clock) *env {
	t.Helper()
	ctx := context.Background()
	s := e.Open(t, clock.Now)
	v, err := vault.New(vault.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	en := &env{ctx: ctx, store: s, plat: &fake{}}
	en.svc = connection.New(connection.Config{Store: s, Clock: clock.Now, Vault: v, Platforms: map[string]civic.Platform{"mastodon": en.plat}})
	err = s.Update(ctx, civic.Process("test"), func(tx civic.Tx) error {
		d := &civic.Department{Slug: "parks", Name: "Parks"}
		if err := tx.CreateDepartment(ctx, d); err != nil {
			return err
		}
		var admins []int64
		for _, n := range []string{"Ada Admin", "Ben Admin", "Ivan IT"} {
			p := &civic.Person{Name: n, Kind: civic.KindEmployee, DepartmentID: d.ID}
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
			admins = append(admins, p.ID)
		}
		en.it = &civic.User{PersonID: admins[2], Email: "it@city.example", PasswordHash: "x", Grants: []civic.Grant{{Role: civic.RoleIT}}}
		if err := tx.CreateUser(ctx, en.it); err != nil {
			return err
		}
		en.acct = &civic.Account{DepartmentID: d.ID, Platform: "mastodon", Handle: "@parks@social.example", DisplayName: "City Parks", Purpose: "news", Audience: "residents",
			Categories: []string{"announcements"}, AdminIDs: admins[:2], WebsiteURL: "https://www.city.example/", ProfileText: "Official. Call 9-1-1.", RequestedBy: en.it.ID}
		if err := tx.CreateAccount(ctx, en.acct); err != nil {
			return err
		}
		en.acct.Status = civic.AccountActive
		return tx.UpdateAccount(ctx, en.acct, "account.activate")
	})
	if err != nil {
		t.Fatal(err)
	}
	return en
}

// TestCarry carries decisions out through the connection: the token that
// expires within ten minutes is refreshed first and the fresh one sealed;
// what the platform cannot do wraps ErrUnsupported; an item not in the
// archive is KindNotFound; a broken connection is KindUnavailable.
func TestCarry(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			clock := storetest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
			en := newEnv(t, e, clock)
			ctx := en.ctx
			soon := clock.Now().Add(5 * time.Minute)
			c := &civic.Connection{AccountID: en.acct.ID, Platform: "mastodon", BaseURL: "https://social.example", RemoteID: "1", Handle: en.acct.Handle, Interval: 10 * time.Minute}
			if err := en.svc.SetToken(ctx, civic.ActorOf(en.it), 999, civic.PlatformToken{AccessToken: "x"}); civic.ErrorKind(err) != civic.KindNotFound {
				t.Errorf("token of an unknown connection: %v", err)
			}
			if err := en.svc.Connect(ctx, civic.Anonymous, c, civic.PlatformToken{AccessToken: "old"}); err == nil {
				t.Fatal("an anonymous actor connected an account")
			}
			if err := en.svc.Connect(ctx, civic.ActorOf(en.it), c, civic.PlatformToken{AccessToken: "old", RefreshToken: "r", ExpiresAt: &soon}); err != nil {
				t.Fatal(err)
			}

			arch := archive.New(archive.Config{Store: en.store, Clock: clock.Now})
			res, err := arch.IngestAs(ctx, "system:capture", []archive.Record{{Account: c.Ref(), ID: "c9", Kind: "comment", CapturedAt: clock.Now().Format(time.RFC3339),
				Author: civic.Author{ID: "7", Handle: "@ann"}, Text: "a comment"}})
			if err != nil || res.Rejected > 0 {
				t.Fatalf("ingest: %+v %v", res, err)
			}
			it, err := en.store.CapturedItem(ctx, c.Ref(), "c9")
			if err != nil {
				t.Fatal(err)
			}

			if err := en.svc.Carry(ctx, it.ID, civic.ActionDelete); err != nil {
				t.Fatalf("delete: %v", err)
			}
			if err := en.svc.Carry(ctx, it.ID, civic.ActionApprove); err != nil {
				t.Fatalf("approve: %v", err)
			}
			if got := en.plat.moderated; len(got) != 2 || got[0] != "delete c9 fresh" || got[1] != "approve c9 fresh" {
				t.Errorf("moderated %q, want delete and approve with the fresh token", got)
			}
			if en.plat.refreshes != 1 {
				t.Errorf("refreshed %d times, want once (the fresh token expires in 3 hours)", en.plat.refreshes)
			}
			if tok, err := en.svc.Token(ctx, c); err != nil || tok.AccessToken != "fresh" {
				t.Errorf("sealed token %q, %v; want the fresh one", tok.AccessToken, err)
			}
			if err := en.svc.Carry(ctx, it.ID, civic.ActionHide); !errors.Is(err, civic.ErrUnsupported) {
				t.Errorf("hide: %v, want unsupported", err)
			}
			if err := en.svc.Carry(ctx, it.ID, civic.PlatformAction("edit")); civic.ErrorKind(err) != civic.KindInvalid {
				t.Errorf("edit: %v, want invalid", err)
			}
			if err := en.svc.Carry(ctx, 9999, civic.ActionDelete); civic.ErrorKind(err) != civic.KindNotFound {
				t.Errorf("an item not in the archive: %v", err)
			}
			if err := en.store.Update(ctx, civic.Process("test"), func(tx civic.Tx) error {
				c.Status, c.LastError = civic.ConnectionBroken, "the token was revoked"
				return tx.SetConnectionRun(ctx, c)
			}); err != nil {
				t.Fatal(err)
			}
			if err := en.svc.Carry(ctx, it.ID, civic.ActionDelete); civic.ErrorKind(err) != civic.KindUnavailable {
				t.Errorf("a broken connection: %v", err)
			}
			if err := en.svc.SetToken(ctx, civic.ActorOf(en.it), c.ID, civic.PlatformToken{AccessToken: "new"}); err != nil {
				t.Fatal(err)
			}
			if err := en.svc.Carry(ctx, it.ID, civic.ActionDelete); err != nil {
				t.Errorf("after a new token: %v", err)
			}
		})
	}
}
