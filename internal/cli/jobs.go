package cli

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/capture"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/importer"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/moderation"
	"steward.city/steward/internal/plain"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/registry"
	"steward.city/steward/internal/sqlstore"
)

// The background jobs of a Steward process. Each was a ticker loop in
// serve; now each is a job on the queue (internal/jobs), worked by the
// processes run with --role worker or all, however many share the
// database.

// screenJob screens what ingest stored: it is queued in the transaction
// that stored a new comment or reply, so no comment is archived without
// its screening job. It runs moderation's ScreenNew, which screens
// everything past its watermark: one job screens every comment stored
// before it, and later ones find little to do.
type screenJob struct {
	// Through is the newest version stored by the ingest that queued it,
	// for the jobs page; the screening goes by the watermark.
	Through int64 `json:"through"`
}

func (screenJob) Kind() string { return "screen" }

// captureScheduleJob queues a capture job for every connection due
// (--capture-tick).
type captureScheduleJob struct{}

func (captureScheduleJob) Kind() string { return "capture_schedule" }

// checkpointJob signs a checkpoint of the archive when new records arrived
// (--checkpoint-interval).
type checkpointJob struct{}

func (checkpointJob) Kind() string { return "checkpoint" }

// dispositionJob proposes a disposition run (--disposition-every).
type dispositionJob struct{}

func (dispositionJob) Kind() string { return "disposition" }

// sweepJob sends the notifications time brings: expiring authorizations,
// overdue recertifications and covert audits (hourly).
type sweepJob struct{}

func (sweepJob) Kind() string { return "notification_sweep" }

// purgeJob deletes expired sessions and stale sign-in failures (every ten
// minutes).
type purgeJob struct{}

func (purgeJob) Kind() string { return "session_purge" }

// resultsSweepJob deletes the files of tasks that finished a day ago
// (jobs.SweepResults): exports and WARC files are downloaded within a day.
type resultsSweepJob struct{}

func (resultsSweepJob) Kind() string { return "results_sweep" }

// publishDueJob publishes the approved posts whose scheduled time has come
// and reconciles publications a crash left without an answer (every 30
// seconds, so a scheduled post goes out within a minute of its time).
type publishDueJob struct{}

func (publishDueJob) Kind() string { return "publish_due" }

// searchMergeJob merges SQLite's full-text index into one segment
// (mergeSearchIndex), daily; on PostgreSQL it has nothing to do.
type searchMergeJob struct{}

func (searchMergeJob) Kind() string { return "search_index_merge" }

// Schedule is how often the periodic jobs run; a zero duration leaves the
// job out.
type Schedule struct {
	Capture     time.Duration // capture_schedule (--capture-tick)
	Checkpoint  time.Duration // checkpoint (--checkpoint-interval)
	Disposition time.Duration // disposition (--disposition-every)
	Sweep       time.Duration // notification_sweep
	Purge       time.Duration // session_purge
	Publish     time.Duration // publish_due
	Results     time.Duration // results_sweep
	SearchMerge time.Duration // search_index_merge
}

// DefaultSchedule is serve's, less what its flags set.
var DefaultSchedule = Schedule{Capture: 30 * time.Second, Checkpoint: 2 * time.Minute, Sweep: time.Hour, Purge: 10 * time.Minute, Publish: 30 * time.Second, Results: time.Hour,
	SearchMerge: 24 * time.Hour}

// newQueue returns a job queue on the store's database, with c's other
// settings, or nil when the store is not one (it has no database/sql pool).
func newQueue(store civic.Store, c jobs.Config) (*jobs.Queue, error) {
	db, ok := store.(interface {
		DB() *sql.DB
		Engine() string
	})
	if !ok {
		return nil, nil
	}
	c.Engine, c.DB, c.Store = db.Engine(), db.DB(), store
	return jobs.New(c)
}

// registerJobs makes s's services the workers of the queue's jobs,
// schedules the periodic ones, and queues screening in every ingest
// transaction that stored a comment or reply.
func (s *Services) registerJobs(q *jobs.Queue, sch Schedule) {
	log := s.logger
	screenOnIngest(s.Archive, q)
	jobs.Register(q, func(ctx context.Context, _ screenJob) error {
		n, err := s.Moderation.ScreenNew(ctx)
		if n > 0 {
			log.Info("comments queued for review", "queued", n)
		}
		return err
	})
	jobs.Register(q, func(ctx context.Context, j capture.PassJob) error {
		res, err := s.Capture.Pass(ctx, j.Connection)
		if res != nil {
			// The pass ran: its outcome, a platform error included, is
			// recorded on the connection, which backs off by itself.
			return nil
		}
		if civic.ErrorKind(err) == civic.KindNotFound {
			return nil // the connection is gone
		}
		return err
	})
	jobs.Register(q, func(ctx context.Context, _ captureScheduleJob) error {
		cs, err := s.Capture.Due(ctx)
		if err != nil {
			return err
		}
		var errs []error
		for _, c := range cs {
			if _, err := q.Enqueue(ctx, capture.PassJob{Connection: c.ID}, jobs.Opts{Unique: true}); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	})
	jobs.Register(q, func(ctx context.Context, _ checkpointJob) error {
		c, err := s.Archive.Checkpoint(ctx)
		if c != nil {
			log.Info("checkpoint signed", "size", c.Size, "root", c.RootHash)
		}
		return err
	})
	jobs.Register(q, func(ctx context.Context, _ dispositionJob) error {
		run, err := s.Archive.ProposeScheduled(ctx)
		if run != nil && run.ID != 0 {
			log.Info("disposition run proposed", "run", run.ID, "items", run.Items)
		}
		return err
	})
	jobs.RegisterTask(q, s.Archive.Blobs(), s.clock, s.exportTask)
	jobs.RegisterTask(q, s.Archive.Blobs(), s.clock, s.transferTask)
	jobs.RegisterTask(q, s.Archive.Blobs(), s.clock, s.rescreenTask)
	s.Archive.QueueDispositions(func(ctx context.Context, tx civic.Tx, t archive.DispositionTask) (int64, bool, error) {
		res, err := q.EnqueueTx(ctx, tx, t, jobs.Opts{Unique: true})
		return res.ID, res.Skipped, err
	})
	jobs.RegisterTask(q, s.Archive.Blobs(), s.clock, s.dispositionTask)
	jobs.RegisterTask(q, s.Archive.Blobs(), s.clock, s.importTask)
	jobs.Register(q, func(ctx context.Context, _ resultsSweepJob) error {
		n, err := q.SweepResults(ctx, s.Archive.Blobs(), s.clock(), records.ExportTask{}.Kind(), archive.TransferTask{}.Kind(), moderation.RescreenTask{}.Kind(),
			archive.DispositionTask{}.Kind(), importer.Task{}.Kind())
		if n > 0 {
			log.Info("task files deleted a day after they were ready", "files", n)
		}
		return err
	})
	jobs.Register(q, func(ctx context.Context, j registry.MailJob) error {
		return s.Registry.MailNotification(ctx, j.Notification)
	})
	jobs.Register(q, func(ctx context.Context, _ searchMergeJob) error {
		m, ok := s.store.(searchMerger)
		if !ok {
			return nil
		}
		start := time.Now()
		steps, err := mergeSearchIndex(ctx, m)
		if steps > 1 {
			log.Info("search index merged", "steps", steps, "seconds", time.Since(start).Round(time.Second).Seconds())
		}
		return err
	})
	jobs.Register(q, func(ctx context.Context, _ sweepJob) error { return s.Registry.SweepDue(ctx) })
	jobs.Register(q, func(ctx context.Context, _ purgeJob) error { return s.Auth.Purge(ctx) })
	jobs.Register(q, func(ctx context.Context, _ publishDueJob) error {
		n, err := s.Publish.PublishDue(ctx)
		if n > 0 {
			log.Info("scheduled posts published", "posts", n)
		}
		return err
	})

	periodic := []struct {
		every   time.Duration
		onStart bool
		args    jobs.Args
	}{
		{sch.Capture, true, captureScheduleJob{}},
		// The first checkpoint comes one interval after start, so that a
		// restart writes nothing.
		{sch.Checkpoint, false, checkpointJob{}},
		{sch.Disposition, false, dispositionJob{}},
		{sch.Sweep, true, sweepJob{}},
		{sch.Purge, false, purgeJob{}},
		{sch.Publish, true, publishDueJob{}},
		{sch.Results, false, resultsSweepJob{}},
		{sch.SearchMerge, false, searchMergeJob{}},
	}
	for _, p := range periodic {
		if p.every <= 0 {
			continue
		}
		a := p.args
		q.Periodic(a.Kind(), p.every, p.onStart, func() jobs.Args { return a })
	}
}

// exportTask writes a records request's bag in the background, as the
// user who asked: one who has since lost the right to export gets nothing.
func (s *Services) exportTask(ctx context.Context, a records.ExportTask, p *jobs.Reporter, w io.Writer) (name, typ string, err error) {
	u, err := s.store.User(ctx, a.By)
	if err != nil {
		return "", "", err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if _, err := s.Records.ExportProgress(ctx, civic.ActorOf(u), a.Request, bw, p.Report); err != nil {
		return "", "", err
	}
	if err := bw.Flush(); err != nil {
		return "", "", err
	}
	return fmt.Sprintf("records-request-%d-%s.zip", a.Request, s.Records.Today().Format(time.DateOnly)), "application/zip", nil
}

// transferTask writes an account's month as a WARC file, a WACZ package
// or a transfer bag in the background, as the user who asked: one who has
// since lost the permission gets nothing.
func (s *Services) transferTask(ctx context.Context, a archive.TransferTask, p *jobs.Reporter, w io.Writer) (name, typ string, err error) {
	u, err := s.store.User(ctx, a.By)
	if err != nil {
		return "", "", err
	}
	from, err := time.ParseInLocation("2006-01", a.Month, s.loc)
	if err != nil {
		return "", "", civic.Invalid("month", "write the month as YYYY-MM, for example 2026-01")
	}
	if a.Format, err = archive.TransferFormat(a.Format); err != nil {
		return "", "", err
	}
	actor := civic.ActorOf(u)
	to := from.AddDate(0, 1, 0)
	set, err := s.Archive.TransferSelect(ctx, actor, archive.TransferQuery{AccountID: a.Account, From: from, To: to, IncludeWithheld: a.Withheld})
	if err != nil {
		return "", "", err
	}
	set.Progress = p.Report
	bw := bufio.NewWriterSize(w, 1<<20)
	switch a.Format {
	case archive.FormatWACZ:
		_, err = s.Archive.WriteWACZ(ctx, actor, set, set.Account.Ref+" "+from.Format("January 2006"), "", bw)
	case archive.FormatTransfer:
		_, err = s.Archive.WriteTransferBag(ctx, actor, set, from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly), bw)
	default:
		_, err = s.Archive.WriteWARC(ctx, actor, set, a.FileName(), bw)
	}
	if err != nil {
		return "", "", err
	}
	return a.FileName(), a.ContentType(), bw.Flush()
}

// rescreenTask screens the last days' comments again in the background,
// as the user who asked, and writes what changed as a CSV file.
func (s *Services) rescreenTask(ctx context.Context, a moderation.RescreenTask, p *jobs.Reporter, w io.Writer) (name, typ string, err error) {
	u, err := s.store.User(ctx, a.By)
	if err != nil {
		return "", "", err
	}
	days := a.Days
	if days <= 0 {
		days = moderation.RescreenDays
	}
	res, err := s.Moderation.Rescreen(ctx, civic.ActorOf(u), s.clock().AddDate(0, 0, -days), p.Report)
	if err != nil {
		return "", "", err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"comment", "what happened", "codes before", "codes now", "page"})
	for _, c := range res.Changes {
		cw.Write([]string{strconv.FormatInt(c.ItemID, 10), c.What, strings.Join(c.Before, " "), strings.Join(c.After, " "), "/archive/items/" + strconv.FormatInt(c.ItemID, 10)})
	}
	summary := fmt.Sprintf("%s screened again: %d newly queued, %d with other codes, %d no longer flagged, %d unchanged",
		plain.Count(res.Screened, "comment", "comments"), res.Queued, res.Changed, res.Cleared, res.Unchanged)
	if res.Decided > 0 {
		summary += fmt.Sprintf("; %s left alone because a person decided on it", plain.Count(res.Decided, "comment", "comments"))
		if res.Decided > 1 {
			summary = strings.TrimSuffix(summary, "it") + "them"
		}
	}
	cw.Write([]string{"", summary, "", "", ""})
	p.Summarize(summary)
	cw.Flush()
	return "rescreen-" + s.clock().In(s.loc).Format(time.DateOnly) + ".csv", "text/csv", cw.Error()
}

// dispositionTask executes an approved disposition run in the
// background, as the clerk who approved it (Steward itself when the
// command line did), and writes the disposition list as a CSV file.
func (s *Services) dispositionTask(ctx context.Context, a archive.DispositionTask, p *jobs.Reporter, w io.Writer) (name, typ string, err error) {
	actor := civic.System
	if a.By != 0 {
		u, err := s.store.User(ctx, a.By)
		if err != nil {
			return "", "", err
		}
		actor = civic.ActorOf(u)
	}
	run, err := s.Archive.ExecuteDisposition(ctx, actor, a.Run, p.Report)
	if err != nil {
		return "", "", err
	}
	p.Report(int64(run.Items), int64(run.Items), "writing the disposition list")
	if err := s.Archive.WriteDispositionList(ctx, civic.System, a.Run, w); err != nil {
		return "", "", err
	}
	p.Summarize(fmt.Sprintf("%s disposed of, %s skipped", plain.Count(run.Disposed, "item", "items"), plain.Count(run.Skipped, "item", "items")))
	return a.FileName(), "text/csv", nil
}

// importTask imports an uploaded export in the background, as the user
// who asked: one who has since lost the permission imports nothing. The
// worker copies the upload from the blob store to a temporary file (it
// may not be the process that took it, and the store may be S3), and
// writes what the import did as a CSV report. A retry carries on after
// the last whole batch (the importer's progress, by the file's hash).
func (s *Services) importTask(ctx context.Context, a importer.Task, p *jobs.Reporter, w io.Writer) (name, typ string, err error) {
	u, err := s.store.User(ctx, a.By)
	if err != nil {
		return "", "", err
	}
	actor := civic.ActorOf(u)
	acct, err := s.Archive.IngestAccount(ctx, actor, a.Account)
	if err != nil {
		return "", "", err
	}
	if err := importer.CheckPlatform(a.Platform, acct.Ref); err != nil {
		return "", "", err
	}
	p.Report(0, 0, "copying the export from the file store")
	dir, err := os.MkdirTemp("", "steward-import-*")
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "export")
	f, err := os.Create(path)
	if err != nil {
		return "", "", err
	}
	err = jobs.Fetch(ctx, s.Archive.Blobs(), a.Export, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", "", err
	}
	p.Report(0, 0, "reading the export")
	res, err := importer.Import(ctx, importer.Options{Archive: s.Archive, Actor: actor, Platform: a.Platform, Account: acct.Ref,
		Path: path, Name: a.Export.Name, Progress: p.Report})
	if err != nil {
		return "", "", err
	}
	p.Summarize(res.Summary())
	return a.ReportName(), "text/csv", res.WriteReport(w)
}

// screenOnIngest makes every ingest through arch that stores a comment or
// reply queue a screening job in its own transaction. Every archive
// service that ingests is given it: serve's, and those of steward
// capture, import and archive ingest.
func screenOnIngest(arch *archive.Service, q *jobs.Queue) {
	arch.OnIngest(func(ctx context.Context, tx civic.Tx, stored []*civic.Version) error {
		var through int64
		for _, v := range stored {
			if v.Kind == civic.ItemComment || v.Kind == civic.ItemReply {
				through = max(through, v.ID)
			}
		}
		if through == 0 {
			return nil
		}
		_, err := q.EnqueueTx(ctx, tx, screenJob{Through: through}, jobs.Opts{})
		return err
	})
}

// StartJobs starts working the background jobs in this process and
// queues one screening pass, unique, for what was stored without a job
// (versions written before the job queue existed, a restored backup, the
// demo city).
func (s *Services) StartJobs(ctx context.Context) error {
	if s.Jobs == nil {
		return errors.New("no job queue")
	}
	if err := s.Jobs.Start(ctx); err != nil {
		return err
	}
	if _, err := s.Jobs.Enqueue(ctx, screenJob{}, jobs.Opts{Unique: true}); err != nil {
		s.logger.Error("queue the start-up screening pass", "err", err)
	}
	return nil
}

// String is the schedule as one log value.
func (sch Schedule) String() string {
	return fmt.Sprintf("capture=%s checkpoint=%s disposition=%s sweep=%s purge=%s publish=%s results=%s search_merge=%s", sch.Capture, sch.Checkpoint, sch.Disposition, sch.Sweep, sch.Purge, sch.Publish, sch.Results, sch.SearchMerge)
}

// Role is what one serve process does.
type Role string

// The roles of serve --role.
const (
	RoleWeb    = "web"    // pages and API; queues jobs, works none
	RoleWorker = "worker" // works the jobs and schedules the periodic ones; no HTTP
	RoleAll    = "all"    // both: the default, one process for a city
)

func parseRole(s string) (Role, error) {
	switch s {
	case RoleWeb, RoleWorker, RoleAll:
		return Role(s), nil
	}
	return "", usagef("--role %q: want web, worker or all", s)
}

func (r Role) web() bool    { return r == RoleWeb || r == RoleAll }
func (r Role) worker() bool { return r == RoleWorker || r == RoleAll }

// mailOnNotify makes every notification stored in store queue its e-mail,
// a notification_mail job, in the transaction that stored it: the two
// commit together or not at all. Every service notifies through the
// store's Notify, so this is the one place that mails them. A store
// without a notify hook (not sqlstore's) mails nothing.
func mailOnNotify(store civic.Store, q *jobs.Queue, log *slog.Logger) {
	st, ok := store.(interface{ OnNotify(sqlstore.NotifyHook) })
	if !ok {
		log.Warn("notifications are not e-mailed: the store has no notify hook", "store", fmt.Sprintf("%T", store))
		return
	}
	st.OnNotify(func(ctx context.Context, tx civic.Tx, n *civic.Notification) error {
		_, err := q.EnqueueTx(ctx, tx, registry.MailJob{Notification: n.ID}, jobs.Opts{})
		return err
	})
}

// queueScreening gives a command's own archive service the screening
// hook, so that what it ingests is screened by the workers of serve.
func (a *app) queueScreening(arch *archive.Service, store civic.Store) error {
	q, err := newQueue(store, jobs.Config{})
	if err != nil {
		return err
	}
	if q != nil {
		screenOnIngest(arch, q)
	}
	return nil
}

// searchMerger is a store whose full-text index can be merged
// (sqlstore.Store).
type searchMerger interface {
	MergeSearchIndex(ctx context.Context, pages int) (more bool, err error)
}

// mergeSearchIndex merges the store's full-text index a step at a time
// until nothing is left to merge, resting after each step as long as it
// took, so that ingest and the other writers have the database at least
// half the time. It returns how many steps it took. Cut off (the job's
// timeout, a shutdown), it leaves the index whole and the merge's progress
// kept for the next run.
func mergeSearchIndex(ctx context.Context, m searchMerger) (int, error) {
	for steps := 1; ; steps++ {
		if err := ctx.Err(); err != nil {
			return steps - 1, err
		}
		start := time.Now()
		more, err := m.MergeSearchIndex(ctx, 0)
		if err != nil || !more {
			return steps, err
		}
		select {
		case <-ctx.Done():
			return steps, ctx.Err()
		case <-time.After(time.Since(start)):
		}
	}
}
