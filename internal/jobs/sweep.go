package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"steward.city/steward/internal/blob"
)

// ResultsKept is how long a task's file may be downloaded after the task
// finished: a little less than the day River keeps a finished job's row,
// so that SweepResults deletes every file before its row goes.
const ResultsKept = 23 * time.Hour

// SweepResults deletes from blobs the files of the tasks of the given kinds
// that finished more than ResultsKept before now, and marks them expired:
// their page then says the file was deleted. Each task's stored file is
// its own (it begins with random bytes); should two ever share a name, the
// file is kept while one of them is in its day. It returns how many files
// it deleted. It also deletes the uploads (Uploaded) of the tasks that
// ended, in any way, more than ResultsKept before now and still hold one:
// a task cancelled before it ran, or whose worker could not delete it.
func (q *Queue) SweepResults(ctx context.Context, blobs blob.Store, now time.Time, kinds ...string) (int, error) {
	if blobs == nil || len(kinds) == 0 {
		return 0, nil
	}
	type done struct {
		row *rivertype.JobRow
		out Progress
	}
	var old, uploads []done
	live := map[string]bool{}
	params := river.NewJobListParams().Kinds(kinds...).States(rivertype.JobStateCompleted, rivertype.JobStateCancelled, rivertype.JobStateDiscarded).OrderBy(river.JobListOrderByID, river.SortOrderAsc).First(500)
	for {
		res, err := q.insert.JobList(ctx, params)
		if err != nil {
			return 0, fmt.Errorf("jobs: list finished tasks: %w", err)
		}
		for _, r := range res.Jobs {
			t := taskOf(r)
			expired := t.Finished != nil && now.Sub(*t.Finished) > ResultsKept
			if t.upload != nil && !t.UploadDeleted && expired {
				uploads = append(uploads, done{r, t.Progress})
			}
			if t.Result == nil {
				continue
			}
			if expired {
				old = append(old, done{r, t.Progress})
			} else {
				live[t.Result.Blob] = true
			}
		}
		if len(res.Jobs) < 500 || res.LastCursor == nil {
			break
		}
		params = params.After(res.LastCursor)
	}
	n := 0
	for _, d := range uploads {
		if err := blobs.Delete(ctx, taskOf(d.row).upload.Blob); err != nil {
			return n, fmt.Errorf("jobs: delete the upload of task %d: %w", d.row.ID, err)
		}
		n++
		d.out.UploadDeleted = true
		if _, err := q.insert.JobUpdate(ctx, d.row.ID, &river.JobUpdateParams{Output: d.out}); err != nil {
			return n, fmt.Errorf("jobs: mark the upload of task %d deleted: %w", d.row.ID, err)
		}
	}
	for _, d := range old {
		if taskOf(d.row).upload != nil {
			d.out.UploadDeleted = true // by its worker, or above
		}
		if !live[d.out.Result.Blob] {
			if err := blobs.Delete(ctx, d.out.Result.Blob); err != nil {
				return n, fmt.Errorf("jobs: delete the file of task %d: %w", d.row.ID, err)
			}
			n++
		}
		d.out.Result, d.out.Expired = nil, true
		if _, err := q.insert.JobUpdate(ctx, d.row.ID, &river.JobUpdateParams{Output: d.out}); err != nil {
			return n, fmt.Errorf("jobs: mark task %d expired: %w", d.row.ID, err)
		}
	}
	return n, nil
}
