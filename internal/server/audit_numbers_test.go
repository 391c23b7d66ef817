package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// listed returns the numbers and actions of the audit events the API lists
// to bearer, newest first, and the raw answer.
func listed(t *testing.T, c apiClient, bearer, query string) (seqs []int64, actions []string, raw string) {
	t.Helper()
	res := c.app.do(request{method: "GET", path: "/api/v1/audit" + query, bearer: bearer})
	raw = readBody(t, res)
	var out struct {
		Items []struct {
			Seq    int64  `json:"seq"`
			Action string `json:"action"`
		} `json:"items"`
		NextBefore int64 `json:"next_before"`
	}
	if err := json.Unmarshal([]byte(raw), &out); err != nil || res.StatusCode != 200 {
		t.Fatalf("GET /api/v1/audit%s: %d %s", query, res.StatusCode, raw)
	}
	for _, it := range out.Items {
		seqs = append(seqs, it.Seq)
		actions = append(actions, it.Action)
	}
	return seqs, actions, raw
}

// contiguous fails unless seqs count down by one to 1.
func contiguous(t *testing.T, who string, seqs []int64) {
	t.Helper()
	for i, s := range seqs {
		if want := int64(len(seqs) - i); s != want {
			t.Fatalf("%s's audit numbers are not 1, 2, 3… (newest first %v): at position %d got %d, want %d", who, seqs, i, s, want)
		}
	}
}

// TestAuditNumbersHideCovertEvents is the penetration test's finding 6 on
// every engine: disabling a covert profile's maintainer flags its
// password, an event only SIC commanders may see, written next to the
// disable. Before, the gap it left in the numbers named the maintainer.
// Now every viewer's listing, page and API, is numbered 1, 2, 3… over what
// they may see, pages by those numbers, and carries no hash; a conduct
// case cites events in a numbering that is the same for every reader.
func TestAuditNumbersHideCovertEvents(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			c := apiClient{t, app}
			ctx := context.Background()
			sic := app.token(demoEmail(civic.RoleSICCommander))
			admin := app.token(demoEmail(civic.RoleAdmin))
			maint := app.addUser("undercover@demo-city.example", "police", civic.Grant{Role: civic.RoleStaff})
			maint = app.grantCovert(t, maint, civic.CovertMaintainer)
			p := c.want(201, "POST", "/api/v1/covert-profiles", fmt.Sprintf(`{"site_name":"Reddit","site_url":"https://www.reddit.com/","username":"quiet.otter","screen_name":"QuietOtter","maintainer_id":%d,"purpose":"stolen bikes resold online","registered_on":"2025-10-01"}`, maint.ID), sic)
			c.want(200, "POST", fmt.Sprintf("/api/v1/covert-profiles/%d/password", idOf(p)), `{"secret":"otter-SECRET-77"}`, app.token(maint.Email))
			c.want(200, "PATCH", fmt.Sprintf("/api/v1/users/%d", maint.ID), `{"disabled":true}`, admin)

			// The chain itself: the disable and, beside it, the hidden flag.
			all, err := app.store.AuditEvents(ctx, civic.AuditFilter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			disable, flag := int64(0), int64(0)
			for _, ev := range all {
				switch {
				case ev.Action == "user.disable" && ev.ObjectID == strconv.FormatInt(maint.ID, 10):
					disable = ev.Seq
				case ev.Action == "credential.flag_rotation" && ev.ObjectType == "covert_credential":
					flag = ev.Seq
				}
			}
			if disable == 0 || flag == 0 || flag-disable > 1 || disable-flag > 1 {
				t.Fatalf("the disable (%d) and the hidden flag (%d) are not side by side: this test shows nothing", disable, flag)
			}

			auditor := app.token(demoEmail(civic.RoleAuditor))
			auditorCookie := app.session(demoEmail(civic.RoleAuditor))
			seqs, actions, raw := listed(t, c, auditor, "?limit=1000")
			contiguous(t, "the auditor", seqs)
			for _, leak := range []string{"covert", `"hash"`, "prev_hash", "flag_rotation", "QuietOtter"} {
				if strings.Contains(raw, leak) {
					i := strings.Index(raw, leak)
					t.Errorf("the auditor's listing holds %q: …%s…", leak, raw[max(0, i-80):min(len(raw), i+80)])
				}
			}
			at := -1
			for i, a := range actions {
				if a == "user.disable" && at < 0 {
					at = i
				}
			}
			if at < 0 {
				t.Fatal("the auditor does not see the disable")
			}
			if seqs[at] == disable {
				t.Errorf("the auditor sees the chain's own number %d (the demo city has hidden events before it)", disable)
			}
			// Paging by the auditor's numbers walks the same list.
			var walked []int64
			for q := "?limit=7"; ; {
				s, _, raw := listed(t, c, auditor, q)
				walked = append(walked, s...)
				var page struct {
					NextBefore int64 `json:"next_before"`
				}
				json.Unmarshal([]byte(raw), &page)
				if page.NextBefore == 0 || len(walked) > len(seqs) {
					break
				}
				q = fmt.Sprintf("?limit=7&before=%d", page.NextBefore)
			}
			if fmt.Sprint(walked) != fmt.Sprint(seqs) {
				t.Errorf("paging walked %v, the full list is %v", walked, seqs)
			}
			// The page: its No. column counts down by one too.
			body := readBody(t, app.do(request{method: "GET", path: "/audit?limit=1000", cookie: auditorCookie}))
			var page []int64
			for _, m := range regexp.MustCompile(`<tr>\s*<td>(\d+)</td><td>`).FindAllStringSubmatch(body, -1) {
				n, _ := strconv.ParseInt(m[1], 10, 64)
				page = append(page, n)
			}
			if len(page) != len(seqs) {
				t.Fatalf("the page lists %d numbered events, the API %d", len(page), len(seqs))
			}
			contiguous(t, "the auditor's page", page)
			if strings.Contains(body, "covert") {
				t.Error("the auditor's page mentions covert events")
			}
			// A commander who may read the audit log (commanders alone may
			// not) sees the flag, in a numbering of their own.
			both := app.addUser("chief@demo-city.example", "police", civic.Grant{Role: civic.RoleAttorney})
			both = app.grantCovert(t, both, civic.CovertCommander)
			bothTok := app.token(both.Email)
			cs, cactions, _ := listed(t, c, bothTok, "?limit=1000")
			contiguous(t, "the commander", cs)
			if !strings.Contains(strings.Join(cactions, " "), "credential.flag_rotation") || len(cs) <= len(seqs) {
				t.Errorf("the commander does not see the flag: %d events, the auditor %d", len(cs), len(seqs))
			}

			// A conduct case cites the disable by the number the City
			// Attorney sees; a reader who is also a commander sees it under
			// theirs.
			hr := app.token(demoEmail(civic.RoleAttorney))
			hrSeqs, hrActions, _ := listed(t, c, hr, "?limit=1000")
			hrNum := int64(0)
			for i, a := range hrActions {
				if a == "user.disable" && hrNum == 0 {
					hrNum = hrSeqs[i]
				}
			}
			lee, _ := app.store.People(ctx, civic.PersonFilter{Query: "Lee Tran"})
			cid := idOf(c.want(201, "POST", "/api/v1/cases", fmt.Sprintf(`{"person_id":%d,"summary":"disabled"}`, lee[0].ID), hr))
			path := fmt.Sprintf("/api/v1/cases/%d", cid)
			c.want(200, "POST", path+"/entries", fmt.Sprintf(`{"kind":"audit_event","ref":"%d"}`, hrNum), hr)
			if got := c.want(200, "GET", path, "", hr)["entries"].([]any)[0].(map[string]any)["ref"]; got != strconv.FormatInt(hrNum, 10) {
				t.Errorf("the attorney sees the evidence as event %v, want %d", got, hrNum)
			}
			bs, bactions, _ := listed(t, c, bothTok, "?limit=1000")
			bothNum := int64(0)
			for i, a := range bactions {
				if a == "user.disable" && bothNum == 0 {
					bothNum = bs[i]
				}
			}
			if got := c.want(200, "GET", path, "", bothTok)["entries"].([]any)[0].(map[string]any)["ref"]; got != strconv.FormatInt(bothNum, 10) || bothNum == hrNum {
				t.Errorf("the commander-attorney sees the evidence as event %v, want their %d (the attorney's is %d)", got, bothNum, hrNum)
			}
			// The entry's own audit event does not cite the chain's number.
			es, _ := app.store.AuditEvents(ctx, civic.AuditFilter{Action: "case.audit_event", Limit: 1})
			var entry struct{ Ref string }
			json.Unmarshal(es[0].After, &entry)
			if entry.Ref == strconv.FormatInt(disable, 10) {
				t.Errorf("the evidence is stored under the chain's own number %d", disable)
			}
			// Citing a covert event is refused, even by one who sees it.
			var flagNum int64
			for i, a := range bactions {
				if a == "credential.flag_rotation" {
					flagNum = bs[i]
				}
			}
			c.want(422, "POST", path+"/entries", fmt.Sprintf(`{"kind":"audit_event","ref":"%d"}`, flagNum), bothTok)
		})
	}
}
