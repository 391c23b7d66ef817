package web

import (
	"net/http"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/moderation"
	"steward.city/steward/internal/route"
)

type settingsData struct {
	Codes      []civic.ReasonCode
	Thresholds []moderation.CodeThreshold
	Holds      []*civic.HoldSetting
	Accounts   []*civic.ArchiveAccount
	Officials  bool
	// Stale says the queue was screened with another model or thresholds.
	Stale bool
}

func (p *moderationPages) settings(w http.ResponseWriter, r *http.Request) error {
	return p.renderSettings(w, r, http.StatusOK, nil)
}

func (p *moderationPages) renderSettings(w http.ResponseWriter, r *http.Request, status int, errs []FieldError) error {
	ctx := r.Context()
	codes, err := p.svc.Codes(ctx)
	if err != nil {
		return err
	}
	holds, err := p.svc.Holds(ctx, route.Actor(r))
	if err != nil {
		return err
	}
	accts, err := p.store.ArchiveAccounts(ctx)
	if err != nil {
		return err
	}
	off, err := p.svc.OfficialsNeedSecond(ctx)
	if err != nil {
		return err
	}
	th, err := p.svc.Thresholds(ctx, route.Actor(r))
	if err != nil {
		return err
	}
	stale, err := p.svc.RescreenNeeded(ctx)
	if err != nil {
		return err
	}
	return p.render(w, r, status, "moderation_settings", Page{Title: "Moderation settings", Errors: errs, Data: settingsData{Codes: codes, Thresholds: th, Holds: holds, Accounts: accts, Officials: off, Stale: stale}})
}

func (p *moderationPages) settingsResult(w http.ResponseWriter, r *http.Request, err error) error {
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return p.renderSettings(w, r, http.StatusUnprocessableEntity, fe)
		}
		return err
	}
	return seeOther(w, r, "/moderation/settings", "saved")
}

func (p *moderationPages) setCode(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	_, err := p.svc.SetCode(r.Context(), route.Actor(r), r.PostFormValue("code"), r.PostFormValue("label"), r.PostFormValue("description"), r.PostFormValue("second_review") == "yes")
	return p.settingsResult(w, r, err)
}

func (p *moderationPages) setHold(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	_, err := p.svc.SetHold(r.Context(), route.Actor(r), r.PostFormValue("account"), civic.HoldMode(r.PostFormValue("mode")))
	return p.settingsResult(w, r, err)
}

func (p *moderationPages) setThreshold(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	return p.settingsResult(w, r, p.svc.SetThreshold(r.Context(), route.Actor(r), r.PostFormValue("code"), r.PostFormValue("threshold")))
}

func (p *moderationPages) setOfficials(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	return p.settingsResult(w, r, p.svc.SetOfficialsNeedSecond(r.Context(), route.Actor(r), r.PostFormValue("officials") == "yes"))
}

func (p *moderationPages) disposals(w http.ResponseWriter, r *http.Request) error {
	ds, err := p.svc.FormDisposals(r.Context(), route.Actor(r))
	if err != nil {
		return err
	}
	return p.render(w, r, http.StatusOK, "moderation_disposals", Page{Title: "Disposition of tracking forms", Data: ds})
}

func (p *moderationPages) propose(w http.ResponseWriter, r *http.Request) error {
	if _, err := p.svc.ProposeFormDisposal(r.Context(), route.Actor(r), time.Time{}); err != nil {
		if civic.ErrorKind(err) == civic.KindConflict {
			ds, lerr := p.svc.FormDisposals(r.Context(), route.Actor(r))
			if lerr != nil {
				return lerr
			}
			return p.render(w, r, http.StatusConflict, "moderation_disposals", Page{Title: "Disposition of tracking forms", Errors: []FieldError{{Message: civic.ErrorMessage(err)}}, Data: ds})
		}
		return err
	}
	return seeOther(w, r, "/moderation/disposals", "created")
}

func (p *moderationPages) approve(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := p.svc.ApproveFormDisposal(r.Context(), route.Actor(r), id); err != nil {
		return err
	}
	return seeOther(w, r, "/moderation/disposals", "decided")
}

type reportForm struct {
	Item, Link, Note, To string
}

func (p *moderationPages) reportForm(w http.ResponseWriter, r *http.Request) error {
	return p.render(w, r, http.StatusOK, "moderation_report", Page{Title: "Report content", Data: reportForm{Item: r.URL.Query().Get("item"), To: moderation.ToCommunications}})
}

func (p *moderationPages) report(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := reportForm{Item: r.PostFormValue("item_id"), Link: r.PostFormValue("link"), Note: r.PostFormValue("note"), To: r.PostFormValue("to")}
	item, err := formInt(r, "item_id")
	if err == nil {
		_, err = p.svc.Report(r.Context(), route.Actor(r), moderation.ReportInput{ItemID: item, Link: f.Link, Note: f.Note, To: f.To})
	}
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return p.render(w, r, http.StatusUnprocessableEntity, "moderation_report", Page{Title: "Report content", Errors: fe, Data: f})
		}
		return err
	}
	return seeOther(w, r, "/moderation/reports", "reported")
}

func (p *moderationPages) reports(w http.ResponseWriter, r *http.Request) error {
	rs, err := p.svc.Reports(r.Context(), route.Actor(r))
	if err != nil {
		return err
	}
	return p.render(w, r, http.StatusOK, "moderation_reports", Page{Title: "Staff reports", Data: rs})
}

func (p *moderationPages) closeReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := p.svc.CloseReport(r.Context(), route.Actor(r), id); err != nil {
		return err
	}
	return seeOther(w, r, "/moderation/reports", "saved")
}

type inquiryForm struct {
	moderation.InquiryInput
	Accounts []*civic.ArchiveAccount
}

func (p *moderationPages) inquiryForm(w http.ResponseWriter, r *http.Request) error {
	return p.renderInquiryForm(w, r, http.StatusOK, moderation.InquiryInput{}, nil)
}

func (p *moderationPages) renderInquiryForm(w http.ResponseWriter, r *http.Request, status int, in moderation.InquiryInput, errs []FieldError) error {
	accts, err := p.store.ArchiveAccounts(r.Context())
	if err != nil {
		return err
	}
	return p.render(w, r, status, "moderation_inquiry_public", Page{Title: "Ask about a comment", Errors: errs, Data: inquiryForm{InquiryInput: in, Accounts: accts}})
}

func (p *moderationPages) fileInquiry(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	v := r.PostFormValue
	in := moderation.InquiryInput{Account: v("account"), ScreenName: v("screen_name"), PostedOn: v("posted_on"), Name: v("name"), Contact: v("contact"), Question: v("question")}
	q, err := p.svc.FileInquiry(r.Context(), clientAddr(r), in)
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return p.renderInquiryForm(w, r, http.StatusUnprocessableEntity, in, fe)
		}
		if civic.ErrorKind(err) == civic.KindTooMany {
			return p.renderInquiryForm(w, r, http.StatusTooManyRequests, in, []FieldError{{Message: civic.ErrorMessage(err)}})
		}
		return err
	}
	// The confirmation is the response itself: the reference number is
	// shown once, here, and in the acknowledgement e-mail; no page looks an
	// inquiry up by its number. It says the same whether or not a removal
	// was found.
	return p.render(w, r, http.StatusOK, "moderation_inquiry_received", Page{Title: "We received your question", Data: inquiryReceived{Reference: q.Reference, DueAt: q.DueAt, Contact: q.Contact}})
}

type inquiryReceived struct {
	Reference string
	DueAt     time.Time
	Contact   string
}

type transparencyData struct {
	*moderation.Transparency
	Card *civic.ModelCard
}

func (p *moderationPages) transparency(w http.ResponseWriter, r *http.Request) error {
	t, err := p.svc.Transparency(r.Context())
	if err != nil {
		return err
	}
	return p.render(w, r, http.StatusOK, "moderation_transparency", Page{Title: "Removed comments: transparency report", Data: transparencyData{Transparency: t, Card: p.svc.ModelCard()}})
}
