package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
)

// registryCases test the registry's store methods.
var registryCases = []testCase{
	{"Accounts", testAccounts},
	{"AccountApprovalsAndChains", testApprovals},
	{"Posters", testPosters},
	{"CredentialsKeepNoSecretInAudit", testCredentials},
	{"CovertProfilesAndHiddenAudit", testCovert},
	{"Notifications", testNotifications},
	{"ContractsFollowsPoliciesCases", testGovernance},
}

// registryFixture makes a department, two administrators and a requester.
func (f *fixture) registryFixture(t *testing.T) (dept *civic.Department, admins []int64, requester *civic.User) {
	t.Helper()
	dept = f.department(t, "parks", "Parks")
	a1, a2 := f.person(t, "Ada Admin", dept.ID), f.person(t, "Ben Admin", dept.ID)
	requester = f.user(t, "req@city.example", civic.Grant{Role: civic.RoleStaff})
	return dept, []int64{a1.ID, a2.ID}, requester
}

func (f *fixture) account(t *testing.T, dept int64, handle, platform string, admins []int64, by int64) *civic.Account {
	t.Helper()
	a := &civic.Account{DepartmentID: dept, Platform: platform, Handle: handle, DisplayName: "City " + handle, Purpose: "news", Audience: "residents",
		Categories: []string{"announcements"}, AdminIDs: admins, WebsiteURL: "https://www.city.example/", ProfileText: "Official. Call 9-1-1.", RequestedBy: by}
	f.update(t, func(tx civic.Tx) error { return tx.CreateAccount(f.ctx, a) })
	return a
}

func testAccounts(t *testing.T, f *fixture) {
	dept, admins, req := f.registryFixture(t)
	a := f.account(t, dept.ID, "@parks", "instagram", admins, req.ID)
	if a.ID == 0 || a.Status != civic.AccountRequested {
		t.Fatalf("created %+v", a)
	}
	if e := f.lastEvent(t); e.Action != "account.request" || e.ObjectType != "account" {
		t.Fatalf("event %s %s", e.Action, e.ObjectType)
	}
	got, err := f.s.Account(f.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.AdminIDs, admins) || !slices.Equal(got.Categories, a.Categories) || !got.RequestedAt.Equal(a.RequestedAt) {
		t.Fatalf("read back %+v, want %+v", got, a)
	}

	// Bad input writes nothing.
	n := f.eventCount(t)
	for _, c := range []struct {
		mod   func(*civic.Account)
		field string
	}{
		{func(a *civic.Account) { a.AdminIDs = admins[:1] }, "administrator_ids"},
		{func(a *civic.Account) { a.AdminIDs = []int64{admins[0], 424242} }, "administrator_ids"},
		{func(a *civic.Account) { a.Platform = "myspace" }, "platform"},
		{func(a *civic.Account) { a.WebsiteURL = "city.example" }, "website_url"},
		{func(a *civic.Account) { a.Categories = []string{"opinions"} }, "categories"},
		{func(a *civic.Account) { a.DepartmentID = 999 }, "department_id"},
		{func(a *civic.Account) { a.OfficialID = admins[0] }, "official_id"}, // an employee, not an elected official
	} {
		b := *a
		b.ID = 0
		c.mod(&b)
		wantErr(t, f.s.Update(f.ctx, admin, func(tx civic.Tx) error { return tx.CreateAccount(f.ctx, &b) }), civic.KindInvalid, c.field)
	}
	if f.eventCount(t) != n {
		t.Fatal("refused requests wrote audit events")
	}

	// Status changes keep the record; filters and counts.
	other := f.department(t, "library", "Library")
	b := f.account(t, other.ID, "@library", "x", admins, req.ID)
	w := f.account(t, dept.ID, "@withdrawn", "facebook", admins, req.ID)
	now := f.clock.Now().UTC().Truncate(time.Microsecond)
	a.Status, a.ActivatedAt = civic.AccountActive, &now
	f.update(t, func(tx civic.Tx) error { return tx.UpdateAccount(f.ctx, a, "account.activate") })
	w.Status, w.EndedAt = civic.AccountWithdrawn, &now
	f.update(t, func(tx civic.Tx) error { return tx.UpdateAccount(f.ctx, w, "account.withdraw") })
	b.Status, b.StatusReason, b.EndedAt = civic.AccountRetired, "replaced", &now
	f.update(t, func(tx civic.Tx) error { return tx.UpdateAccount(f.ctx, b, "account.retire") })
	if e := f.lastEvent(t); e.Action != "account.retire" || !strings.Contains(string(e.Before), `"requested"`) || !strings.Contains(string(e.After), `"retired"`) {
		t.Fatalf("retire event %s %s → %s", e.Action, e.Before, e.After)
	}
	got, _ = f.s.Account(f.ctx, b.ID)
	if got.Status != civic.AccountRetired || got.StatusReason != "replaced" || got.EndedAt == nil {
		t.Fatalf("retired account %+v", got)
	}
	count := func(fl civic.AccountFilter) int {
		as, err := f.s.Accounts(f.ctx, fl)
		if err != nil {
			t.Fatal(err)
		}
		return len(as)
	}
	for _, c := range []struct {
		f    civic.AccountFilter
		want int
	}{
		{civic.AccountFilter{}, 3},
		{civic.AccountFilter{Inventory: true}, 2},
		{civic.AccountFilter{DepartmentID: dept.ID, Inventory: true}, 1},
		{civic.AccountFilter{Platform: "x"}, 1},
		{civic.AccountFilter{Status: civic.AccountActive}, 1},
		{civic.AccountFilter{Query: "LIBR"}, 1},
		{civic.AccountFilter{Query: "%"}, 0},
	} {
		if got := count(c.f); got != c.want {
			t.Errorf("Accounts(%+v) = %d, want %d", c.f, got, c.want)
		}
	}
	cs, err := f.s.AccountCounts(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Count != 1 || cs[1].Count != 1 {
		t.Fatalf("counts %+v, want the two inventory accounts", cs)
	}
	wantErr(t, f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		c := *a
		c.ID = 9999
		return tx.UpdateAccount(f.ctx, &c, "account.activate")
	}), civic.KindNotFound, "")
}

func testApprovals(t *testing.T, f *fixture) {
	dept, admins, req := f.registryFixture(t)
	a := f.account(t, dept.ID, "@parks", "instagram", admins, req.ID)
	chain, err := f.s.ApprovalChain(f.ctx, dept.ID)
	if err != nil || len(chain) != 2 || chain[0].Role != civic.RoleDirector || chain[1].Role != civic.RoleCommunications {
		t.Fatalf("default chain %+v %v", chain, err)
	}
	dir := f.user(t, "dir@city.example", civic.Grant{Role: civic.RoleDirector, DepartmentID: dept.ID})
	f.update(t, func(tx civic.Tx) error {
		return tx.CreateApproval(f.ctx, &civic.Approval{AccountID: a.ID, Step: 0, Label: "Director", ApproverID: dir.ID, Decision: civic.DecisionApprove, Comment: "ok"})
	})
	// The same step cannot be decided twice.
	wantErr(t, f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.CreateApproval(f.ctx, &civic.Approval{AccountID: a.ID, Step: 0, Label: "Director", ApproverID: req.ID, Decision: civic.DecisionApprove})
	}), civic.KindConflict, "decision")
	aps, err := f.s.Approvals(f.ctx, a.ID)
	if err != nil || len(aps) != 1 || aps[0].Approver != "dir@city.example" || aps[0].Comment != "ok" {
		t.Fatalf("approvals %+v %v", aps, err)
	}

	police := f.department(t, "police", "Police")
	steps := []civic.ApprovalStep{{Label: "Director", Role: civic.RoleDirector}, {Label: "Police Administration", Role: civic.RoleDirector, DepartmentID: police.ID, UserID: dir.ID}, {Label: "Communications", Role: civic.RoleCommunications}}
	f.update(t, func(tx civic.Tx) error { return tx.SetApprovalChain(f.ctx, police.ID, steps) })
	got, err := f.s.ApprovalChain(f.ctx, police.ID)
	if err != nil || !slices.Equal(got, steps) {
		t.Fatalf("police chain %+v, want %+v", got, steps)
	}
	if e := f.lastEvent(t); e.Action != "department.set_approval_chain" {
		t.Fatalf("event %s", e.Action)
	}
	wantErr(t, f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.SetApprovalChain(f.ctx, police.ID, []civic.ApprovalStep{{Label: "", Role: civic.RoleDirector}})
	}), civic.KindInvalid, "steps")
	f.update(t, func(tx civic.Tx) error { return tx.SetApprovalChain(f.ctx, police.ID, nil) })
	if got, _ := f.s.ApprovalChain(f.ctx, police.ID); len(got) != 2 {
		t.Fatalf("an empty chain should restore the default, got %+v", got)
	}
}

func testPosters(t *testing.T, f *fixture) {
	dept, admins, req := f.registryFixture(t)
	a := f.account(t, dept.ID, "@parks", "instagram", admins, req.ID)
	wantErr(t, f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.CreatePoster(f.ctx, &civic.Poster{AccountID: a.ID, UserID: req.ID, Reason: "  "})
	}), civic.KindInvalid, "reason")
	p := &civic.Poster{AccountID: a.ID, UserID: req.ID, Reason: "summer programs"}
	f.update(t, func(tx civic.Tx) error { return tx.CreatePoster(f.ctx, p) })
	now := f.clock.Now().UTC().Truncate(time.Microsecond)
	exp := now.Add(48 * time.Hour)
	p.Status, p.DecidedAt, p.ExpiresAt, p.CertifiedAt = civic.PosterGranted, &now, &exp, &now
	f.update(t, func(tx civic.Tx) error { return tx.UpdatePoster(f.ctx, p, "poster.grant") })
	got, err := f.s.Poster(f.ctx, p.ID)
	if err != nil || got.Status != civic.PosterGranted || got.UserEmail != "req@city.example" || got.AccountHandle != "@parks" || got.DepartmentID != dept.ID {
		t.Fatalf("poster %+v %v", got, err)
	}
	if !got.Active(now) || got.Active(exp) || !got.Active(exp.Add(-time.Microsecond)) {
		t.Fatal("a grant is active until its expiry instant and not at it")
	}
	for _, fl := range []civic.PosterFilter{{AccountID: a.ID}, {UserID: req.ID}, {DepartmentID: dept.ID}, {Status: civic.PosterGranted}} {
		if ps, err := f.s.Posters(f.ctx, fl); err != nil || len(ps) != 1 {
			t.Errorf("Posters(%+v) = %d %v", fl, len(ps), err)
		}
	}
	if ps, _ := f.s.Posters(f.ctx, civic.PosterFilter{Status: civic.PosterRevoked}); len(ps) != 0 {
		t.Error("status filter matches a granted poster as revoked")
	}
}

func testCredentials(t *testing.T, f *fixture) {
	dept, admins, req := f.registryFixture(t)
	a := f.account(t, dept.ID, "@parks", "instagram", admins, req.ID)
	sealed := civic.Sealed{KeyID: "k1", WrappedKey: []byte("wrapped-SECRETKEY"), Ciphertext: []byte("cipher-SECRETTEXT")}
	c := &civic.Credential{AccountID: a.ID, Kind: civic.CredentialPassword, Sealed: sealed, StoredBy: req.ID}
	f.update(t, func(tx civic.Tx) error { return tx.PutCredential(f.ctx, c) })
	again := &civic.Credential{AccountID: a.ID, Kind: civic.CredentialPassword, Sealed: civic.Sealed{KeyID: "k1", WrappedKey: []byte("w2"), Ciphertext: []byte("c2")}, StoredBy: req.ID}
	f.update(t, func(tx civic.Tx) error { return tx.PutCredential(f.ctx, again) })
	if again.ID != c.ID {
		t.Fatal("storing the same kind again should replace the credential")
	}
	if e := f.lastEvent(t); e.Action != "credential.replace" || e.ObjectType != "credential" {
		t.Fatalf("event %s %s", e.Action, e.ObjectType)
	}
	cs, err := f.s.Credentials(f.ctx, a.ID, 0)
	if err != nil || len(cs) != 1 || string(cs[0].Sealed.Ciphertext) != "c2" {
		t.Fatalf("credentials %+v %v", cs, err)
	}
	f.update(t, func(tx civic.Tx) error { return tx.FlagCredential(f.ctx, c.ID, "someone left") })
	got, _ := f.s.Credential(f.ctx, c.ID)
	if got.RotationNeeded == nil || got.RotationReason != "someone left" {
		t.Fatalf("flag %+v", got)
	}
	f.update(t, func(tx civic.Tx) error {
		return tx.ResealCredential(f.ctx, c.ID, civic.Sealed{KeyID: "k2", WrappedKey: []byte("w3"), Ciphertext: []byte("c2")})
	})
	if got, _ := f.s.Credential(f.ctx, c.ID); got.Sealed.KeyID != "k2" {
		t.Fatal("reseal did not store the new key id")
	}
	if chk, err := f.s.VaultCheck(f.ctx); chk != nil || err != nil {
		t.Fatalf("vault check before first use: %v %v", chk, err)
	}
	f.update(t, func(tx civic.Tx) error { return tx.SetVaultCheck(f.ctx, sealed) })
	f.update(t, func(tx civic.Tx) error {
		return tx.SetVaultCheck(f.ctx, civic.Sealed{KeyID: "k2", WrappedKey: []byte("x"), Ciphertext: []byte("y")})
	})
	if chk, err := f.s.VaultCheck(f.ctx); err != nil || chk.KeyID != "k2" {
		t.Fatalf("vault check %+v %v", chk, err)
	}
	wantErr(t, f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.PutCredential(f.ctx, &civic.Credential{Kind: civic.CredentialPassword, Sealed: sealed})
	}), civic.KindInvalid, "account_id")
	// Neither the sealed bytes nor anything else secret is in the audit log.
	err = f.s.WalkAudit(f.ctx, func(e *civic.AuditEvent) error {
		if s := string(e.Before) + string(e.After); strings.Contains(s, "SECRET") || strings.Contains(s, "d2Vk") {
			t.Errorf("audit event %d %s holds sealed bytes: %s", e.Seq, e.Action, s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testCovert(t *testing.T, f *fixture) {
	m := f.user(t, "maint@city.example", civic.Grant{Role: civic.RoleStaff})
	f.grantCovert(t, f.commander(t, "cmdr@city.example"), f.user(t, "chief@city.example"), m, civic.CovertMaintainer)
	p := &civic.CovertProfile{SiteName: "Facebook", SiteURL: "https://facebook.com/", Username: "u1", ScreenName: "Riley", MaintainerID: m.ID, Purpose: "case 12"}
	f.update(t, func(tx civic.Tx) error { return tx.CreateCovertProfile(f.ctx, p) })
	if p.Status != civic.CovertActive || !p.NextAuditOn.Equal(p.RegisteredOn.Add(civic.CovertAuditEvery)) {
		t.Fatalf("registered %+v", p)
	}
	wantErr(t, f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.CreateCovertProfile(f.ctx, &civic.CovertProfile{SiteName: "X", SiteURL: "https://x.com/", Username: "u", ScreenName: "s", MaintainerID: 999, Purpose: "p"})
	}), civic.KindInvalid, "maintainer_id")
	next := f.clock.Now().Add(2 * civic.CovertAuditEvery)
	f.update(t, func(tx civic.Tx) error {
		return tx.CreateCovertAudit(f.ctx, &civic.CovertAudit{ProfileID: p.ID, AuditorID: m.ID, StillActive: true, StillNeeded: false, Note: "n"}, next)
	})
	got, err := f.s.CovertProfile(f.ctx, p.ID)
	if err != nil || !got.NextAuditOn.Equal(next.UTC().Truncate(time.Microsecond)) || got.Maintainer != m.Email {
		t.Fatalf("after audit %+v %v", got, err)
	}
	if as, err := f.s.CovertAudits(f.ctx, p.ID); err != nil || len(as) != 1 || as[0].StillNeeded || !as[0].StillActive {
		t.Fatalf("audits %+v %v", as, err)
	}
	on := f.clock.Now().UTC().Truncate(24 * time.Hour)
	got.Status, got.EndedOn, got.EndReason = civic.CovertDeactivated, &on, "case closed"
	f.update(t, func(tx civic.Tx) error { return tx.UpdateCovertProfile(f.ctx, got, "covert.deactivate") })
	if ps, _ := f.s.CovertProfiles(f.ctx, m.ID); len(ps) != 1 || ps[0].Status != civic.CovertDeactivated {
		t.Fatalf("maintainer's profiles %+v", ps)
	}
	if ps, _ := f.s.CovertProfiles(f.ctx, m.ID+1000); len(ps) != 0 {
		t.Fatal("another user's profiles listed")
	}
	c := &civic.Credential{CovertID: p.ID, Kind: civic.CredentialPassword, Sealed: civic.Sealed{KeyID: "k", WrappedKey: []byte("w"), Ciphertext: []byte("c")}}
	f.update(t, func(tx civic.Tx) error { return tx.PutCredential(f.ctx, c) })
	if e := f.lastEvent(t); e.ObjectType != "covert_credential" {
		t.Fatalf("covert credential event object type %q", e.ObjectType)
	}

	// The audit listing leaves out what the filter hides; the chain keeps it.
	all, _ := f.s.AuditEvents(f.ctx, civic.AuditFilter{Limit: 1000})
	shown, err := f.s.AuditEvents(f.ctx, civic.AuditFilter{Limit: 1000, HideObjectTypes: civic.CovertObjectTypes})
	if err != nil {
		t.Fatal(err)
	}
	hidden := 0
	for _, e := range all {
		if slices.Contains(civic.CovertObjectTypes, e.ObjectType) {
			hidden++
		}
	}
	if hidden != 7 || len(shown) != len(all)-hidden { // bootstrap, propose, approve; register, audit, deactivate, store
		t.Fatalf("%d covert events of %d; listing shows %d", hidden, len(all), len(shown))
	}
	for _, e := range shown {
		if strings.HasPrefix(e.ObjectType, "covert") {
			t.Fatalf("hidden event listed: %s", e.Action)
		}
	}
}

func testNotifications(t *testing.T, f *fixture) {
	u := f.user(t, "n@city.example")
	n := f.eventCount(t)
	for i := range 3 {
		f.update(t, func(tx civic.Tx) error {
			return tx.Notify(f.ctx, &civic.Notification{UserID: u.ID, Kind: "approval_waiting", Message: "m" + string(rune('a'+i)), Link: "/accounts/1"})
		})
	}
	if f.eventCount(t) != n {
		t.Fatal("notifications wrote audit events")
	}
	ns, err := f.s.Notifications(f.ctx, u.ID)
	if err != nil || len(ns) != 3 || ns[0].Message != "mc" || ns[0].ReadAt != nil {
		t.Fatalf("notifications %+v %v", ns, err)
	}
	if one, err := f.s.Notification(f.ctx, ns[1].ID); err != nil || *one != *ns[1] {
		t.Fatalf("notification %d: %+v %v, want %+v", ns[1].ID, one, err, ns[1])
	}
	if _, err := f.s.Notification(f.ctx, ns[0].ID+1000); civic.ErrorKind(err) != civic.KindNotFound {
		t.Fatalf("a missing notification: %v", err)
	}
	f.update(t, func(tx civic.Tx) error { return tx.MarkNotificationsRead(f.ctx, u.ID) })
	ns, _ = f.s.Notifications(f.ctx, u.ID)
	for _, x := range ns {
		if x.ReadAt == nil {
			t.Fatal("not marked read")
		}
	}
}

func testGovernance(t *testing.T, f *fixture) {
	dept, admins, req := f.registryFixture(t)
	a := f.account(t, dept.ID, "@parks", "instagram", admins, req.ID)
	now := f.clock.Now()
	c := &civic.Contract{Platform: "instagram", Title: "Terms of Use", Version: "v3", AcceptedBy: "Jordan", Authority: "Communications", AcceptedOn: now, ReviewOn: now.AddDate(1, 0, 0), AccountIDs: []int64{a.ID}}
	f.update(t, func(tx civic.Tx) error { return tx.CreateContract(f.ctx, c) })
	wantErr(t, f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.CreateContract(f.ctx, &civic.Contract{Platform: "instagram", Title: "ToS", AcceptedBy: "J", Authority: "C", AcceptedOn: now, ReviewOn: now})
	}), civic.KindInvalid, "version")
	cs, err := f.s.Contracts(f.ctx)
	if err != nil || len(cs) != 1 || cs[0].AccountIDs[0] != a.ID || cs[0].ReviewDue(now) {
		t.Fatalf("contracts %+v %v", cs, err)
	}

	fl := &civic.Follow{AccountID: a.ID, Handle: "@campaign", Kind: civic.FollowReview}
	f.update(t, func(tx civic.Tx) error { return tx.PutFollow(f.ctx, fl) })
	wantErr(t, f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.PutFollow(f.ctx, &civic.Follow{AccountID: a.ID, Handle: "@campaign", Kind: civic.FollowGovernment})
	}), civic.KindConflict, "")
	wantErr(t, f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.PutFollow(f.ctx, &civic.Follow{AccountID: a.ID, Handle: "@x", Kind: "friend"})
	}), civic.KindInvalid, "kind")
	fl.Kind = civic.FollowBusiness
	f.update(t, func(tx civic.Tx) error { return tx.PutFollow(f.ctx, fl) })
	if e := f.lastEvent(t); e.Action != "follow.classify" || !strings.Contains(string(e.Before), "review") {
		t.Fatalf("classify event %s %s", e.Action, e.Before)
	}
	if fs, _ := f.s.Follows(f.ctx, a.ID); len(fs) != 1 || fs[0].Kind != civic.FollowBusiness {
		t.Fatalf("follows %+v", fs)
	}

	v1 := &civic.PolicyVersion{Slug: "social-media", Title: "Social Media Policy", Version: "1"}
	f.update(t, func(tx civic.Tx) error { return tx.PublishPolicy(f.ctx, v1) })
	wantErr(t, f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.PublishPolicy(f.ctx, &civic.PolicyVersion{Slug: "social-media", Title: "Social Media Policy", Version: "1"})
	}), civic.KindConflict, "version")
	f.update(t, func(tx civic.Tx) error {
		return tx.Acknowledge(f.ctx, &civic.Acknowledgement{PolicyVersionID: v1.ID, PersonID: admins[0]})
	})
	n := f.eventCount(t)
	f.update(t, func(tx civic.Tx) error {
		return tx.Acknowledge(f.ctx, &civic.Acknowledgement{PolicyVersionID: v1.ID, PersonID: admins[0]})
	})
	if f.eventCount(t) != n {
		t.Fatal("acknowledging twice recorded a second event")
	}
	if acks, _ := f.s.Acknowledgements(f.ctx, v1.ID); len(acks) != 1 || acks[0].PersonID != admins[0] {
		t.Fatalf("acknowledgements %+v", acks)
	}
	f.clock.Advance(time.Hour)
	v2 := &civic.PolicyVersion{Slug: "social-media", Title: "Social Media Policy", Version: "2"}
	f.update(t, func(tx civic.Tx) error { return tx.PublishPolicy(f.ctx, v2) })
	if vs, _ := f.s.PolicyVersions(f.ctx); len(vs) != 2 || vs[0].ID != v2.ID {
		t.Fatalf("versions newest first: %+v", vs)
	}

	cc := &civic.ConductCase{PersonID: admins[1], Summary: "posted case details", OpenedBy: req.ID}
	f.update(t, func(tx civic.Tx) error { return tx.CreateConductCase(f.ctx, cc) })
	f.update(t, func(tx civic.Tx) error {
		return tx.AddCaseEntry(f.ctx, &civic.CaseEntry{CaseID: cc.ID, Kind: "audit_event", Ref: "3", AddedBy: req.ID})
	})
	closed := f.clock.Now().UTC().Truncate(time.Microsecond)
	cc.Status, cc.Outcome, cc.ClosedAt = civic.CaseClosed, "written warning", &closed
	f.update(t, func(tx civic.Tx) error { return tx.UpdateConductCase(f.ctx, cc, "case.close") })
	got, err := f.s.ConductCase(f.ctx, cc.ID)
	if err != nil || got.Status != civic.CaseClosed || got.Outcome != "written warning" || got.ClosedAt == nil {
		t.Fatalf("case %+v %v", got, err)
	}
	if es, _ := f.s.CaseEntries(f.ctx, cc.ID); len(es) != 1 || es[0].Ref != "3" {
		t.Fatalf("entries %+v", es)
	}
	shown, _ := f.s.AuditEvents(f.ctx, civic.AuditFilter{Limit: 1000, HideObjectTypes: civic.ConductObjectTypes})
	for _, e := range shown {
		if e.ObjectType == "conduct_case" {
			t.Fatal("a conduct case event is listed although hidden")
		}
	}
}
