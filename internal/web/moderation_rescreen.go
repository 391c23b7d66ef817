package web

import (
	"fmt"
	"net/http"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/moderation"
	"steward.city/steward/internal/route"
)

// rescreen asks for the last days' comments (days=N, 30 when empty) to be
// screened again with the screener in force, in the background; the
// browser goes to its progress page.
func (p *moderationPages) rescreen(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	days, err := moderation.RescreenWindow(r.PostFormValue("days"))
	if err != nil {
		return p.settingsResult(w, r, err)
	}
	actor := route.Actor(r)
	job, err := p.jobs.EnqueueTask(r.Context(), actor, moderation.RescreenTask{Days: days, By: actor.UserID})
	if err != nil {
		return err
	}
	return seeOther(w, r, fmt.Sprintf("/moderation/rescreen/%d", job), "")
}

// rescreenTask returns the job named in the path, if it is a screening
// again the user asked for (or they manage jobs).
func rescreenTask(r *http.Request, q *jobs.Queue) (moderation.RescreenTask, jobs.Task, error) {
	job, err := taskID(r)
	if err != nil {
		return moderation.RescreenTask{}, jobs.Task{}, err
	}
	return jobs.TaskOf(r.Context(), q, route.Actor(r), civic.PermModerationConfigure, job, func(moderation.RescreenTask) bool { return true })
}

// rescreenPage shows its progress, then the list of what changed.
func (p *moderationPages) rescreenPage(w http.ResponseWriter, r *http.Request) error {
	args, t, err := rescreenTask(r, p.jobs)
	if err != nil {
		return err
	}
	days := args.Days
	if days <= 0 {
		days = moderation.RescreenDays
	}
	return p.renderTask(w, r, fmt.Sprintf("Screening the last %d days again", days), taskData{
		Back: "/moderation/settings", BackText: "Back to the moderation settings", What: "The list of what changed",
		Download: fmt.Sprintf("/moderation/rescreen/%d/file", t.ID), Task: t,
		Hint: "The queue already shows the new suggestions. The file lists each comment whose place in the queue changed, and a last line counts them all."})
}

// rescreenFile downloads the list of what changed.
func (p *moderationPages) rescreenFile(w http.ResponseWriter, r *http.Request) error {
	_, t, err := rescreenTask(r, p.jobs)
	if err != nil {
		return err
	}
	return p.serveResult(w, r, t)
}
