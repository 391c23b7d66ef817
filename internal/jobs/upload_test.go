package jobs_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/blob/disk"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/sqlstore"
)

// uploadArgs is a task that reads an uploaded file.
type uploadArgs struct {
	By     int64     `json:"by"`
	Export jobs.File `json:"upload"`
	Fail   string    `json:"fail,omitempty"` // "invalid"
}

func (uploadArgs) Kind() string        { return "test_upload" }
func (a uploadArgs) Owner() int64      { return a.By }
func (a uploadArgs) Upload() jobs.File { return a.Export }

// files counts the files the disk store holds, its own temporary ones left
// out.
func files(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := walk(dir, func(name string) {
		if !strings.HasPrefix(name, ".") {
			n++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func walk(dir string, fn func(string)) error {
	es, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range es {
		if e.IsDir() {
			if err := walk(dir+"/"+e.Name(), fn); err != nil {
				return err
			}
			continue
		}
		fn(e.Name())
	}
	return nil
}

// Stage streams an upload to the blob store under a name of its own (not
// the SHA-256 of its bytes, which a media file could share), and Fetch
// gives the bytes back; a file over the limit is refused as too large and
// nothing is stored; an empty one is invalid, naming the field.
func TestStage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	blobs, err := disk.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("an export of the parks account\n")
	f, err := jobs.Stage(ctx, blobs, bytes.NewReader(body), int64(len(body)), "file", "parks.zip", "application/zip")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	if f.Size != int64(len(body)) || f.Name != "parks.zip" || f.Blob == hex.EncodeToString(sum[:]) || f.Skip == 0 {
		t.Errorf("staged: %+v", f)
	}
	var got bytes.Buffer
	if err := jobs.Fetch(ctx, blobs, *f, &got); err != nil || !bytes.Equal(got.Bytes(), body) {
		t.Errorf("fetched %q %v", got.Bytes(), err)
	}
	before := files(t, dir)
	_, err = jobs.Stage(ctx, blobs, bytes.NewReader(body), int64(len(body))-1, "file", "parks.zip", "")
	if civic.ErrorKind(err) != civic.KindTooLarge || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("one byte over the limit: %v", err)
	}
	_, err = jobs.Stage(ctx, blobs, strings.NewReader(""), 100, "file", "parks.zip", "")
	if civic.ErrorKind(err) != civic.KindInvalid || civic.ErrorField(err) != "file" {
		t.Errorf("an empty file: %v", err)
	}
	if n := files(t, dir); n != before {
		t.Errorf("refused uploads left %d files in the store", n-before)
	}
	if err := blobs.Delete(ctx, f.Blob); err != nil {
		t.Fatal(err)
	}
	if err := jobs.Fetch(ctx, blobs, *f, io.Discard); civic.ErrorKind(err) != civic.KindNotFound || !strings.Contains(err.Error(), "send it again") {
		t.Errorf("fetch a deleted upload: %v", err)
	}
}

// A task's upload is deleted when the task has ended for good: once it is
// done, or refused (cancelled); one cancelled before it ran is deleted by
// the results sweep after the task's day.
func TestUploadDeleted(t *testing.T) {
	engines(t, func(t *testing.T, s *sqlstore.Store, open func(c jobs.Config) *jobs.Queue) {
		ctx := context.Background()
		blobs, err := disk.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		q := open(jobs.Config{})
		jobs.RegisterTask(q, blobs, nil, func(ctx context.Context, a uploadArgs, p *jobs.Reporter, w io.Writer) (string, string, error) {
			if err := jobs.Fetch(ctx, blobs, a.Export, w); err != nil {
				return "", "", err
			}
			if a.Fail == "invalid" {
				return "", "", civic.Invalid("file", "%s is not an export", a.Export.Name)
			}
			return "copy.txt", "text/plain", nil
		})
		owner := clerkUser(7)
		stage := func() jobs.File {
			f, err := jobs.Stage(ctx, blobs, strings.NewReader("export bytes"), 1<<20, "file", "export.zip", "")
			if err != nil {
				t.Fatal(err)
			}
			return *f
		}
		wait := func(id int64, state string) jobs.Task {
			t.Helper()
			deadline := time.Now().Add(30 * time.Second)
			for {
				tk, err := q.Task(ctx, owner, "test_upload", civic.PermRecordsManage, id)
				if err != nil {
					t.Fatal(err)
				}
				if tk.State == state {
					return tk
				}
				if time.Now().After(deadline) {
					t.Fatalf("task %d: %+v", id, tk)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		// Cancelled before any worker ran it.
		early := stage()
		id, err := q.EnqueueTask(ctx, owner, uploadArgs{By: 7, Export: early})
		if err != nil {
			t.Fatal(err)
		}
		admin := civic.ActorOf(&civic.User{ID: 1, Grants: []civic.Grant{{Role: civic.RoleAdmin}}})
		if _, err := q.Cancel(ctx, admin, id); err != nil {
			t.Fatal(err)
		}
		cancelled := wait(id, "cancelled")
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			fail, state string
		}{{"", "completed"}, {"invalid", "cancelled"}} {
			up := stage()
			id, err := q.EnqueueTask(ctx, owner, uploadArgs{By: 7, Export: up, Fail: c.fail})
			if err != nil {
				t.Fatal(err)
			}
			tk := wait(id, c.state)
			if has, _ := blobs.Has(ctx, up.Blob); has || !tk.UploadDeleted {
				t.Errorf("%s: the upload is kept (%+v)", c.state, tk)
			}
			if c.state == "completed" {
				rc, err := q.Open(ctx, blobs, tk)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(rc)
				rc.Close()
				if string(b) != "export bytes" {
					t.Errorf("the task read %q", b)
				}
			}
		}
		if has, _ := blobs.Has(ctx, early.Blob); !has {
			t.Fatal("the upload of a task cancelled before it ran is gone before its day is over")
		}
		if _, err := q.SweepResults(ctx, blobs, cancelled.Finished.Add(time.Hour), "test_upload"); err != nil {
			t.Fatal(err)
		}
		if has, _ := blobs.Has(ctx, early.Blob); !has {
			t.Fatal("the sweep deleted an upload in its day")
		}
		if _, err := q.SweepResults(ctx, blobs, cancelled.Finished.Add(jobs.ResultsKept+time.Minute), "test_upload"); err != nil {
			t.Fatal(err)
		}
		if has, _ := blobs.Has(ctx, early.Blob); has {
			t.Error("the sweep kept the upload of a task cancelled before it ran")
		}
		if tk := wait(id, "cancelled"); !tk.UploadDeleted {
			t.Errorf("the swept task does not say its upload was deleted: %+v", tk)
		}
	})
}
