package publish_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/netip"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/blob/disk"
	"steward.city/steward/internal/capture"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/classify"
	"steward.city/steward/internal/connection"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/storetest"
	"steward.city/steward/internal/vault"
)

// env is a store with the Parks department, an active Mastodon account,
// its director, Communications, an author with an active grant, a staff
// member with an expired grant, one with a revoked grant and one with
// none, and the archive, connection, capture and publish services on it.
type env struct {
	t     testing.TB
	ctx   context.Context
	clock *storetest.Clock
	store civic.Store
	arch  *archive.Service
	conns *connection.Service
	cap   *capture.Service
	svc   *publish.Service
	dept  *civic.Department
	acct  *civic.Account
	other *civic.Account // a second active account, of Police

	author, director, comms, it, expired, revoked, stranger, policeDirector *civic.User
	grant                                                                   *civic.Poster
}

func newEnv(t testing.TB, s civic.Store, clock *storetest.Clock, platforms map[string]civic.Platform, handle string) *env {
	t.Helper()
	ctx := context.Background()
	v, err := vault.New(vault.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	media, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, clock: clock, store: s, arch: archive.New(archive.Config{Store: s, Clock: clock.Now, Blobs: media})}
	e.conns = connection.New(connection.Config{Store: s, Clock: clock.Now, Vault: v, Platforms: platforms})
	// The test servers are on this machine: capture fetches media from them.
	e.cap = capture.New(capture.Config{Store: s, Archive: e.arch, Connections: e.conns, AppName: "Steward", Clock: clock.Now,
		MediaAllow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Jitter:     func(time.Duration) time.Duration { return 0 }})
	e.svc = publish.New(publish.Config{Store: s, Archive: e.arch, Connections: e.conns, Blobs: e.arch.Blobs(), Clock: clock.Now, Language: classify.DetectLanguage})
	sys := civic.Actor{Label: "test"}
	err = s.Update(ctx, sys, func(tx civic.Tx) error {
		e.dept = &civic.Department{Slug: "parks", Name: "Parks"}
		if err := tx.CreateDepartment(ctx, e.dept); err != nil {
			return err
		}
		police := &civic.Department{Slug: "police", Name: "Police"}
		if err := tx.CreateDepartment(ctx, police); err != nil {
			return err
		}
		user := func(name, email string, dept int64, gs ...civic.Grant) *civic.User {
			if err != nil {
				return nil
			}
			p := &civic.Person{Name: name, Kind: civic.KindEmployee, DepartmentID: dept}
			if err = tx.CreatePerson(ctx, p); err != nil {
				return nil
			}
			u := &civic.User{PersonID: p.ID, Email: email, PasswordHash: "x", Grants: gs}
			err = tx.CreateUser(ctx, u)
			return u
		}
		e.author = user("Sam Staff", "sam@city.example", e.dept.ID, civic.Grant{Role: civic.RoleStaff})
		e.director = user("Dana Director", "dana@city.example", e.dept.ID, civic.Grant{Role: civic.RoleDirector, DepartmentID: e.dept.ID})
		e.policeDirector = user("Pat Police", "pat@city.example", police.ID, civic.Grant{Role: civic.RoleDirector, DepartmentID: police.ID})
		e.comms = user("Cora Comms", "cora@city.example", e.dept.ID, civic.Grant{Role: civic.RoleCommunications})
		e.it = user("Ivan IT", "ivan@city.example", e.dept.ID, civic.Grant{Role: civic.RoleIT})
		e.expired = user("Eve Expired", "eve@city.example", e.dept.ID, civic.Grant{Role: civic.RoleStaff})
		e.revoked = user("Rob Revoked", "rob@city.example", e.dept.ID, civic.Grant{Role: civic.RoleStaff})
		e.stranger = user("Nick Nogrant", "nick@city.example", e.dept.ID, civic.Grant{Role: civic.RoleStaff})
		if err != nil {
			return err
		}
		account := func(dept int64, h string) *civic.Account {
			if err != nil {
				return nil
			}
			a := &civic.Account{DepartmentID: dept, Platform: "mastodon", Handle: h, DisplayName: "City " + h, Purpose: "news", Audience: "residents",
				Categories: []string{"announcements"}, WebsiteURL: "https://www.city.example/", ProfileText: "Official. Call 9-1-1.", RequestedBy: e.comms.ID,
				AdminIDs: []int64{e.author.PersonID, e.director.PersonID}}
			if err = tx.CreateAccount(ctx, a); err != nil {
				return nil
			}
			a.Status = civic.AccountActive
			err = tx.UpdateAccount(ctx, a, "account.activate")
			return a
		}
		e.acct = account(e.dept.ID, handle)
		e.other = account(police.ID, "@police")
		if err != nil {
			return err
		}
		now := tx.Now()
		grant := func(u *civic.User, a *civic.Account, expires time.Time, revoke bool) *civic.Poster {
			if err != nil {
				return nil
			}
			p := &civic.Poster{AccountID: a.ID, UserID: u.ID, Reason: "I post the department's news."}
			if err = tx.CreatePoster(ctx, p); err != nil {
				return nil
			}
			p.Status, p.DecidedBy, p.DecidedAt, p.ExpiresAt = civic.PosterGranted, e.director.ID, &now, &expires
			if revoke {
				p.Status, p.RevokedAt, p.Note = civic.PosterRevoked, &now, "moved to another job"
			}
			err = tx.UpdatePoster(ctx, p, "poster.grant")
			return p
		}
		e.grant = grant(e.author, e.acct, now.Add(90*24*time.Hour), false)
		grant(e.expired, e.acct, now.Add(-time.Hour), false)
		grant(e.revoked, e.acct, now.Add(90*24*time.Hour), true)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// as is the actor of a user, read back from the store.
func (e *env) as(u *civic.User) civic.Actor {
	e.t.Helper()
	got, err := e.store.User(e.ctx, u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return civic.ActorOf(got)
}

// connect connects the account with a token.
func (e *env) connect(baseURL, remoteID string, tok civic.PlatformToken) *civic.Connection {
	e.t.Helper()
	c := &civic.Connection{AccountID: e.acct.ID, Platform: "mastodon", BaseURL: baseURL, RemoteID: remoteID, Handle: e.acct.Handle, Interval: 10 * time.Minute}
	if err := e.conns.Connect(e.ctx, e.as(e.it), c, tok); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// addAccount makes e.acct an active account of the Parks department on
// platform, with the author's grant.
func addAccount(t *testing.T, e *env, platform, handle string) {
	t.Helper()
	if err := e.store.Update(e.ctx, civic.Actor{Label: "test"}, func(tx civic.Tx) error {
		a := &civic.Account{DepartmentID: e.dept.ID, Platform: platform, Handle: handle, DisplayName: "City Parks", Purpose: "news",
			Audience: "residents", Categories: []string{"announcements"}, WebsiteURL: "https://www.city.example/", ProfileText: "Official. Call 9-1-1.",
			RequestedBy: e.comms.ID, AdminIDs: []int64{e.author.PersonID, e.director.PersonID}}
		if err := tx.CreateAccount(e.ctx, a); err != nil {
			return err
		}
		a.Status = civic.AccountActive
		if err := tx.UpdateAccount(e.ctx, a, "account.activate"); err != nil {
			return err
		}
		now, expires := tx.Now(), tx.Now().Add(90*24*time.Hour)
		g := &civic.Poster{AccountID: a.ID, UserID: e.author.ID, Reason: "I post the department's news."}
		if err := tx.CreatePoster(e.ctx, g); err != nil {
			return err
		}
		g.Status, g.DecidedBy, g.DecidedAt, g.ExpiresAt = civic.PosterGranted, e.director.ID, &now, &expires
		e.acct = a
		return tx.UpdatePoster(e.ctx, g, "poster.grant")
	}); err != nil {
		t.Fatal(err)
	}
}

// approve submits d and approves it as the director.
func approve(t *testing.T, e *env, author, director civic.Actor, d *civic.Draft) {
	t.Helper()
	if _, err := e.svc.Submit(e.ctx, author, d.ID); err != nil {
		t.Fatal(err)
	}
	d, err := e.store.Draft(e.ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Review(e.ctx, director, d.ID, publish.ReviewInput{Revision: d.Revision, Decision: civic.ReviewApprove}); err != nil {
		t.Fatal(err)
	}
}

// publishText drafts text for e.acct as the author, has the director
// approve it, and publishes it.
func publishText(t *testing.T, e *env, text string) (*civic.Draft, []publish.Outcome, error) {
	t.Helper()
	author, director := e.as(e.author), e.as(e.director)
	d, err := e.svc.CreateDraft(e.ctx, author, publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: "announcement", Text: text})
	if err != nil {
		t.Fatal(err)
	}
	approve(t, e, author, director, d)
	out, err := e.svc.Publish(e.ctx, author, d.ID)
	return d, out, err
}

// upload uploads data as user, named name, and fails the test on an error.
func (e *env) upload(u *civic.User, name string, data []byte) *civic.MediaUpload {
	e.t.Helper()
	m, err := e.svc.Upload(e.ctx, e.as(u), publish.UploadInput{File: name}, bytes.NewReader(data))
	if err != nil {
		e.t.Fatalf("upload %s: %v", name, err)
	}
	return m
}

// pngOf is a PNG image w by h pixels, its colour from seed (different
// seeds make different files).
func pngOf(t testing.TB, w, h int, seed byte) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = seed + byte(i%7)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
