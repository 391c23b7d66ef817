package capture_test

import (
	"context"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/capture"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/connection"
	"steward.city/steward/internal/storetest"
	"steward.city/steward/internal/vault"
)

// env is a store with a department, an active account and a
// Communications user, an archive, a vault, a connection service and a
// capture service on it.
type env struct {
	t     testing.TB
	ctx   context.Context
	clock *storetest.Clock
	store civic.Store
	arch  *archive.Service
	vault *vault.Vault
	conns *connection.Service
	svc   *capture.Service
	acct  *civic.Account
	comms *civic.User
	it    *civic.User
}

func newEnv(t testing.TB, s civic.Store, clock *storetest.Clock, platforms map[string]civic.Platform, handle string) *env {
	t.Helper()
	ctx := context.Background()
	v, err := vault.New(vault.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	arch := archive.New(archive.Config{Store: s, Clock: clock.Now})
	e := &env{t: t, ctx: ctx, clock: clock, store: s, arch: arch, vault: v}
	e.build(platforms, 0)
	sys := civic.Actor{Label: "test"}
	err = s.Update(ctx, sys, func(tx civic.Tx) error {
		d := &civic.Department{Slug: "parks", Name: "Parks"}
		if err := tx.CreateDepartment(ctx, d); err != nil {
			return err
		}
		var admins []int64
		for _, n := range []string{"Ada Admin", "Ben Admin"} {
			p := &civic.Person{Name: n, Kind: civic.KindEmployee, DepartmentID: d.ID}
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
			admins = append(admins, p.ID)
		}
		cp := &civic.Person{Name: "Cora Comms", Kind: civic.KindEmployee, DepartmentID: d.ID}
		if err := tx.CreatePerson(ctx, cp); err != nil {
			return err
		}
		e.comms = &civic.User{PersonID: cp.ID, Email: "comms@city.example", PasswordHash: "x", Grants: []civic.Grant{{Role: civic.RoleCommunications}}}
		if err := tx.CreateUser(ctx, e.comms); err != nil {
			return err
		}
		ip := &civic.Person{Name: "Ivan IT", Kind: civic.KindEmployee, DepartmentID: d.ID}
		if err := tx.CreatePerson(ctx, ip); err != nil {
			return err
		}
		e.it = &civic.User{PersonID: ip.ID, Email: "it@city.example", PasswordHash: "x", Grants: []civic.Grant{{Role: civic.RoleIT}}}
		if err := tx.CreateUser(ctx, e.it); err != nil {
			return err
		}
		e.acct = &civic.Account{DepartmentID: d.ID, Platform: "mastodon", Handle: handle, DisplayName: "City Parks", Purpose: "news", Audience: "residents",
			Categories: []string{"announcements"}, AdminIDs: admins, WebsiteURL: "https://www.city.example/", ProfileText: "Official. Call 9-1-1.", RequestedBy: e.comms.ID}
		if err := tx.CreateAccount(ctx, e.acct); err != nil {
			return err
		}
		e.acct.Status = civic.AccountActive
		return tx.UpdateAccount(ctx, e.acct, "account.activate")
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// build builds the connection and capture services on the env's store, as
// a new process would; maxPages 0 is capture's default.
func (e *env) build(platforms map[string]civic.Platform, maxPages int) {
	e.conns = connection.New(connection.Config{Store: e.store, Clock: e.clock.Now, Vault: e.vault, Platforms: platforms})
	e.svc = capture.New(capture.Config{Store: e.store, Archive: e.arch, Connections: e.conns, AppName: "Steward", Clock: e.clock.Now,
		MaxPages: maxPages, Jitter: func(time.Duration) time.Duration { return 0 }})
}

// connect connects the account with a token.
func (e *env) connect(baseURL, remoteID string, tok civic.PlatformToken) *civic.Connection {
	e.t.Helper()
	c := &civic.Connection{AccountID: e.acct.ID, Platform: "mastodon", BaseURL: baseURL, RemoteID: remoteID, Handle: e.acct.Handle, Interval: 10 * time.Minute}
	if err := e.conns.Connect(e.ctx, civic.ActorOf(e.it), c, tok); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// versions returns the versions of the item with a platform id.
func (e *env) versions(ref, platformID string) []*civic.Version {
	e.t.Helper()
	it, err := e.store.CapturedItem(e.ctx, ref, platformID)
	if err != nil {
		e.t.Fatalf("item %s: %v", platformID, err)
	}
	vs, err := e.store.ArchiveVersions(e.ctx, it.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return vs
}
