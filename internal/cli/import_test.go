package cli_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
)

// account registers an account on platform and returns its id.
func (d *db) account(t *testing.T, platform, handle string) int64 {
	t.Helper()
	s := d.open(t)
	defer s.Close()
	ctx := context.Background()
	var id int64
	err := s.Update(ctx, civic.System, func(tx civic.Tx) error {
		dept := &civic.Department{Slug: "parks", Name: "Parks"}
		if err := tx.CreateDepartment(ctx, dept); err != nil {
			return err
		}
		var admins []int64
		var requester int64
		for _, n := range []string{"Ana", "Ben"} {
			p := &civic.Person{Name: n, Kind: civic.KindEmployee, DepartmentID: dept.ID}
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
			admins = append(admins, p.ID)
			u := &civic.User{PersonID: p.ID, Email: strings.ToLower(n) + "@city.example", PasswordHash: "x", Grants: []civic.Grant{{Role: civic.RoleCommunications}}}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			requester = u.ID
		}
		a := &civic.Account{DepartmentID: dept.ID, Platform: platform, Handle: handle, DisplayName: "Parks", Purpose: "news", Audience: "residents",
			Categories: []string{"announcements"}, AdminIDs: admins, WebsiteURL: "https://www.city.example/", ProfileText: "Official. Call 9-1-1.", RequestedBy: requester}
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		id = a.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestImportCommand(t *testing.T) {
	t.Parallel()
	for _, engine := range engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			d := newDB(t, engine)
			if r := run(t, nil, "", append([]string{"migrate"}, d.flags()...)...); r.code != 0 {
				t.Fatalf("migrate: %+v", r)
			}
			id := strconv.FormatInt(d.account(t, "mastodon", "@parks@city.example"), 10)
			outbox := filepath.Join("..", "importer", "testdata", "mastodon", "outbox.json")
			r := run(t, nil, "", d.cmd([]string{"import"}, "--account", id, outbox)...)
			if r.code != 0 || !strings.Contains(r.stdout, "into mastodon:@parks@city.example: 3 entries, 0 already imported, stored 3, duplicates 0, rejected 0") {
				t.Fatalf("import: %+v", r)
			}
			r = run(t, nil, "", d.cmd([]string{"import"}, "--platform", "mastodon", "--account", id, outbox)...)
			if r.code != 0 || !strings.Contains(r.stdout, "3 already imported, stored 0") {
				t.Errorf("again: %+v", r)
			}
			bad := filepath.Join("..", "importer", "testdata", "bad", "tweets.js")
			r = run(t, nil, "", d.cmd([]string{"import"}, "--platform", "x", "--account", id, bad)...)
			if r.code != 1 || !strings.Contains(r.stderr, "account "+id+" is on mastodon") {
				t.Errorf("wrong platform: %+v", r)
			}
			r = run(t, nil, "", d.cmd([]string{"import"}, "--account", "999", outbox)...)
			if r.code != 1 || !strings.Contains(r.stderr, "no account with that id") {
				t.Errorf("unknown account: %+v", r)
			}
			xid := strconv.FormatInt(newAccount(t, d, "x", "springfieldcity"), 10)
			r = run(t, nil, "", d.cmd([]string{"import"}, "--account", xid, bad)...)
			if r.code != 2 || !strings.Contains(r.stdout, "stored 1, duplicates 0, rejected 2") || !strings.Contains(r.stdout, "rejected tweets.js[1].tweet.id_str: tweet.id_str: id_str is missing") {
				t.Errorf("bad entries: %+v", r)
			}
		})
	}
}

// newAccount adds a second account (its department and people exist).
func newAccount(t *testing.T, d *db, platform, handle string) int64 {
	t.Helper()
	s := d.open(t)
	defer s.Close()
	ctx := context.Background()
	var id int64
	err := s.Update(ctx, civic.System, func(tx civic.Tx) error {
		first, err := tx.Account(ctx, 1)
		if err != nil {
			return err
		}
		a := *first
		a.ID, a.Platform, a.Handle = 0, platform, handle
		if err := tx.CreateAccount(ctx, &a); err != nil {
			return err
		}
		id = a.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}
