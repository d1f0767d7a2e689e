package batch_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/batch"
	"github.com/ferrys3/ferry/internal/manifest"
)

// TestCSVManifestTagging: a job on a CSV manifest with URL-encoded keys
// (spaces, unicode, reserved characters) tags every listed object and
// nothing else, goes New → Preparing → Ready → Active → Complete without
// confirmation, and shows its progress and time spent Active.
func TestCSVManifestTagging(t *testing.T) {
	e := newEnv(t)
	a := e.account("owner")
	e.bucket(a, "manifests")
	e.bucket(a, "data")
	e.bucket(a, "reports")
	role := e.taggingRole(a, "tagger", "manifests", "reports", "data")

	keys := []string{"plain.txt", "hello world.txt", "dir/ünïcödé ファイル.txt", `odd+key%50,"q"&=?.txt`, "dir/hello world 2.txt", "raw/ñ.txt"}
	for _, k := range keys {
		e.put(a, "data", k, []byte("data of "+k))
	}
	e.put(a, "data", "unlisted.txt", []byte("x"))
	rows := [][]string{
		{"data", manifest.EncodeKey(keys[0])},
		{"data", manifest.EncodeKey(keys[1])}, // hello+world.txt
		{"data", manifest.EncodeKey(keys[2])}, // %C3%BC…
		{"data", manifest.EncodeKey(keys[3])}, // odd%2Bkey%2550%2C%22q%22%26%3D%3F.txt
		{"data", "dir/hello%20world%202.txt"}, // %20 for spaces
		{"data", "raw/ñ.txt"},                 // unencoded UTF-8 stands for itself
	}
	m := e.upload(a, "manifests", "tag.csv", csvManifest(rows...))
	id := e.create(a, tagSpec(role, m, report("reports", "r", "AllTasks")))

	j := e.waitStatus(a, id, batch.StatusComplete)
	if j.Spec.ConfirmationRequired {
		t.Errorf("ConfirmationRequired is true")
	}
	if j.State.Total != int64(len(keys)) || j.State.Succeeded != int64(len(keys)) || j.State.Failed != 0 {
		t.Errorf("progress: %s, want %d of %d succeeded", progress(j), len(keys), len(keys))
	}
	if len(j.State.FailureReasons) != 0 {
		t.Errorf("failure reasons %+v", j.State.FailureReasons)
	}
	want := []string{batch.StatusNew, batch.StatusPreparing, batch.StatusReady, batch.StatusActive, batch.StatusComplete}
	if got := e.spy.path(id); !slices.Equal(got, want) {
		t.Errorf("status path %v, want %v", got, want)
	}
	if j.State.Terminated.IsZero() || j.State.Terminated.Before(j.Created) {
		t.Errorf("termination date %v, created %v", j.State.Terminated, j.Created)
	}
	active := j.Elapsed(time.Now())
	if active <= 0 {
		t.Errorf("elapsed time in Active %v", active)
	}
	if active > j.State.Terminated.Sub(j.Created) {
		t.Errorf("elapsed time in Active %v is more than the job's life %v", active, j.State.Terminated.Sub(j.Created))
	}
	time.Sleep(20 * time.Millisecond)
	if again := e.describe(a, id).Elapsed(time.Now()); again != active {
		t.Errorf("elapsed time in Active still grows after the job ended: %v then %v", active, again)
	}
	if arn := j.ARN(); arn != "arn:aws:s3:"+region+":"+a+":job/"+id {
		t.Errorf("job ARN %s", arn)
	}

	for _, k := range keys {
		if tags := e.tags("data", k, ""); len(tags) != 1 || tags[jobTagKey] != "done" {
			t.Errorf("tags of %q: %v", k, tags)
		}
	}
	if tags := e.tags("data", "unlisted.txt", ""); len(tags) != 0 {
		t.Errorf("an object the manifest does not list was tagged: %v", tags)
	}
	tagged := e.spy.tagged("data")
	for _, k := range keys {
		if tagged[k] != 1 {
			t.Errorf("%q tagged %d times", k, tagged[k])
		}
	}

	_, got := e.readReport("reports", "r", id)
	if len(got["failed"]) != 0 {
		t.Errorf("failed rows %+v", got["failed"])
	}
	if g := keysOf(got["succeeded"]); !slices.Equal(g, sorted(keys)) {
		t.Errorf("report keys %q, want %q", g, sorted(keys))
	}
	for _, r := range got["succeeded"] {
		if r.Bucket != "data" || r.VersionID != "" || r.HTTP != "200" || r.Code != "" || r.Message == "" {
			t.Errorf("report row %+v", r)
		}
	}
}

// TestCSVManifestVersionIDs: with Fields Bucket, Key, VersionId the job
// acts on the listed versions, not the current ones.
func TestCSVManifestVersionIDs(t *testing.T) {
	e := newEnv(t)
	a := e.account("owner")
	e.bucket(a, "manifests")
	e.versioned(a, "vdata")
	role := e.taggingRole(a, "tagger", "manifests", "", "vdata")
	v1 := e.put(a, "vdata", "k y", []byte("one")).VersionID
	v2 := e.put(a, "vdata", "k y", []byte("two")).VersionID
	w1 := e.put(a, "vdata", "ß/other", []byte("other")).VersionID
	m := e.upload(a, "manifests", "v.csv", csvManifest(
		[]string{"vdata", "k+y", v1},
		[]string{"vdata", manifest.EncodeKey("ß/other"), w1},
	), "Bucket", "Key", "VersionId")
	id := e.create(a, tagSpec(role, m, noReport()))
	j := e.waitStatus(a, id, batch.StatusComplete)
	if j.State.Total != 2 || j.State.Succeeded != 2 {
		t.Errorf("progress: %s", progress(j))
	}
	if tags := e.tags("vdata", "k y", v1); tags[jobTagKey] != "done" {
		t.Errorf("listed version v1: tags %v", tags)
	}
	if tags := e.tags("vdata", "k y", v2); len(tags) != 0 {
		t.Errorf("current version v2, not listed, was tagged: %v", tags)
	}
	if tags := e.tags("vdata", "ß/other", w1); tags[jobTagKey] != "done" {
		t.Errorf("ß/other: tags %v", tags)
	}
}

// TestConfirmation: a job that needs confirmation stops Suspended with its
// task count known; UpdateJobStatus Ready runs it; a Complete job's status
// cannot change; a Suspended job cancelled runs nothing.
func TestConfirmation(t *testing.T) {
	e := newEnv(t)
	a := e.account("owner")
	e.bucket(a, "manifests")
	e.bucket(a, "data")
	e.bucket(a, "reports")
	role := e.taggingRole(a, "tagger", "manifests", "reports", "data")
	var keys []string
	for i := range 5 {
		keys = append(keys, fmt.Sprintf("obj %d", i))
		e.put(a, "data", keys[i], []byte{byte(i)})
	}
	m := e.upload(a, "manifests", "m.csv", keysManifest("data", keys...))

	confirm := func() batch.Spec {
		s := tagSpec(role, m, report("reports", "", "AllTasks"))
		s.ConfirmationRequired = true
		return s
	}

	t.Run("confirmed", func(t *testing.T) {
		id := e.create(a, confirm())
		j := e.waitStatus(a, id, batch.StatusSuspended)
		if j.State.SuspendedCause == "" || j.State.SuspendedAt.IsZero() {
			t.Errorf("suspended job: cause %q date %v", j.State.SuspendedCause, j.State.SuspendedAt)
		}
		if j.State.Total != 5 || j.State.Succeeded+j.State.Failed != 0 {
			t.Errorf("suspended job: %s, want 5 tasks none run", progress(j))
		}
		time.Sleep(50 * time.Millisecond)
		if j := e.describe(a, id); j.State.Status != batch.StatusSuspended {
			t.Fatalf("unconfirmed job left Suspended: %s", progress(j))
		}
		if n := len(e.spy.tagged("data")); n != 0 {
			t.Fatalf("an unconfirmed job tagged %d objects", n)
		}
		if _, err := e.batch.UpdateJobStatus(e.ctx, a, id, batch.StatusActive, ""); errCode(err) != batch.CodeJobStatus {
			t.Errorf("UpdateJobStatus Active: %v, want JobStatusException", err)
		}
		j, err := e.batch.UpdateJobStatus(e.ctx, a, id, batch.StatusReady, "looks right")
		if err != nil {
			t.Fatalf("UpdateJobStatus Ready: %v", err)
		}
		if j.State.Status != batch.StatusReady || j.State.StatusUpdateReason != "looks right" {
			t.Errorf("after UpdateJobStatus Ready: status %s reason %q", j.State.Status, j.State.StatusUpdateReason)
		}
		j = e.waitStatus(a, id, batch.StatusComplete)
		if j.State.Total != 5 || j.State.Succeeded != 5 {
			t.Errorf("confirmed job: %s", progress(j))
		}
		want := []string{batch.StatusNew, batch.StatusPreparing, batch.StatusSuspended, batch.StatusReady, batch.StatusActive, batch.StatusComplete}
		if got := e.spy.path(id); !slices.Equal(got, want) {
			t.Errorf("status path %v, want %v", got, want)
		}
		for _, k := range keys {
			if tags := e.tags("data", k, ""); tags[jobTagKey] != "done" {
				t.Errorf("%s: tags %v", k, tags)
			}
		}
		for _, st := range []string{batch.StatusReady, batch.StatusCancelled} {
			if _, err := e.batch.UpdateJobStatus(e.ctx, a, id, st, ""); errCode(err) != batch.CodeJobStatus {
				t.Errorf("UpdateJobStatus %s on a Complete job: %v, want JobStatusException", st, err)
			}
		}
		if j := e.describe(a, id); j.State.Status != batch.StatusComplete {
			t.Errorf("after refused updates: %s", progress(j))
		}
		if _, err := e.batch.UpdateJobStatus(e.ctx, a, "00000000-0000-0000-0000-000000000000", batch.StatusReady, ""); errCode(err) != batch.CodeNotFound {
			t.Errorf("UpdateJobStatus of an unknown job: %v, want NotFoundException", err)
		}
	})

	t.Run("cancelled while suspended", func(t *testing.T) {
		before := e.spy.tagged("data")
		id := e.create(a, confirm())
		e.waitStatus(a, id, batch.StatusSuspended)
		if _, err := e.batch.UpdateJobStatus(e.ctx, a, id, batch.StatusCancelled, "not today"); err != nil {
			t.Fatalf("cancel: %v", err)
		}
		j := e.waitStatus(a, id, batch.StatusCancelled)
		if j.State.Succeeded != 0 || j.State.Failed != 0 || j.State.Total != 5 {
			t.Errorf("cancelled job: %s", progress(j))
		}
		if j.State.Terminated.IsZero() {
			t.Errorf("no termination date")
		}
		path := e.spy.path(id)
		if !slices.Equal(path[len(path)-2:], []string{batch.StatusCancelling, batch.StatusCancelled}) || slices.Contains(path, batch.StatusActive) {
			t.Errorf("status path %v", path)
		}
		if after := e.spy.tagged("data"); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("a job cancelled before it ran tagged objects: %v then %v", before, after)
		}
		if _, _, err := e.get("reports", "job-"+id+"/manifest.json"); errCode(err) != "NoSuchKey" {
			t.Errorf("report of a job that ran no task: %v, want none", err)
		}
		if _, err := e.batch.UpdateJobStatus(e.ctx, a, id, batch.StatusReady, ""); errCode(err) != batch.CodeJobStatus {
			t.Errorf("UpdateJobStatus Ready on a Cancelled job: %v, want JobStatusException", err)
		}
	})
}

// TestCancelActive: cancelling a job while its tasks run ends it
// Cancelled; tasks not yet run are dropped, and the report (and the
// progress) shows exactly the tasks that ran.
func TestCancelActive(t *testing.T) {
	e := newEnvWorkers(t, 4)
	a := e.account("owner")
	e.bucket(a, "manifests")
	e.bucket(a, "data")
	e.bucket(a, "reports")
	role := e.taggingRole(a, "tagger", "manifests", "reports", "data")
	const n = 1500
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("k/%04d", i)
		e.put(a, "data", keys[i], nil)
	}
	m := e.upload(a, "manifests", "m.csv", keysManifest("data", keys...))
	e.spy.tagDelay.Store(int64(2 * time.Millisecond))
	id := e.create(a, tagSpec(role, m, report("reports", "cancel", "AllTasks")))
	e.wait(a, id, "40 tasks run", func(j *batch.Job) bool { return j.State.Succeeded >= 40 || j.Terminal() })
	j, err := e.batch.UpdateJobStatus(e.ctx, a, id, batch.StatusCancelled, "stop")
	if err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if j.State.Status != batch.StatusCancelling && j.State.Status != batch.StatusCancelled {
		t.Errorf("status right after cancelling: %s", j.State.Status)
	}
	if _, err := e.batch.UpdateJobStatus(e.ctx, a, id, batch.StatusCancelled, "again"); errCode(err) != batch.CodeJobStatus && err != nil {
		t.Errorf("second cancel: %v", err)
	}
	j = e.waitStatus(a, id, batch.StatusCancelled)
	ran := j.State.Succeeded + j.State.Failed
	if j.State.Total != n || j.State.Failed != 0 || j.State.Succeeded == 0 || ran >= n {
		t.Errorf("cancelled job: %s, want some but not all of %d tasks run", progress(j), n)
	}
	path := e.spy.path(id)
	if !slices.Equal(path[len(path)-2:], []string{batch.StatusCancelling, batch.StatusCancelled}) {
		t.Errorf("status path %v", path)
	}
	// Tasks that ran are in the progress and the report; none other ran.
	tagged := e.spy.tagged("data")
	var taggedKeys []string
	for k, c := range tagged {
		if c != 1 {
			t.Errorf("%s tagged %d times", k, c)
		}
		taggedKeys = append(taggedKeys, k)
	}
	if int64(len(tagged)) != j.State.Succeeded {
		t.Errorf("%d objects were tagged, the job shows %d tasks succeeded", len(tagged), j.State.Succeeded)
	}
	_, rows := e.readReport("reports", "cancel", id)
	if got := keysOf(rows["succeeded"]); !slices.Equal(got, sorted(taggedKeys)) {
		t.Errorf("report lists %d succeeded tasks, %d objects were tagged", len(got), len(taggedKeys))
	}
	if len(rows["failed"]) != 0 {
		t.Errorf("failed rows: %d", len(rows["failed"]))
	}
	// Nothing more happens once Cancelled.
	time.Sleep(50 * time.Millisecond)
	if after := e.spy.tagged("data"); len(after) != len(tagged) {
		t.Errorf("tasks ran after the job was Cancelled: %d then %d objects tagged", len(tagged), len(after))
	}
}

// TestIdempotency: CreateJob with a token already used returns the same
// job for the same request and IdempotencyException for another.
func TestIdempotency(t *testing.T) {
	e := newEnv(t)
	a := e.account("owner")
	b := e.account("other")
	e.bucket(a, "manifests")
	e.bucket(a, "data")
	e.put(a, "data", "k", nil)
	role := e.taggingRole(a, "tagger", "manifests", "", "data")
	m := e.upload(a, "manifests", "m.csv", keysManifest("data", "k"))
	spec := tagSpec(role, m, noReport())
	spec.ConfirmationRequired = true
	spec.Description = "first"

	id1, err := e.batch.CreateJob(e.ctx, nil, a, region, "tok-1", spec)
	if err != nil {
		t.Fatal(err)
	}
	same := tagSpec(role, m, noReport())
	same.ConfirmationRequired = true
	same.Description = "first"
	id2, err := e.batch.CreateJob(e.ctx, nil, a, region, "tok-1", same)
	if err != nil || id2 != id1 {
		t.Errorf("same token and request: %q, %v; want %q", id2, err, id1)
	}
	other := same
	other.Priority = 99
	if id, err := e.batch.CreateJob(e.ctx, nil, a, region, "tok-1", other); errCode(err) != batch.CodeIdempotency {
		t.Errorf("same token, another priority: %q, %v; want IdempotencyException", id, err)
	}
	other = same
	other.Operation = batch.Operation{Kind: batch.OpDeleteTagging}
	if id, err := e.batch.CreateJob(e.ctx, nil, a, region, "tok-1", other); errCode(err) != batch.CodeIdempotency {
		t.Errorf("same token, another operation: %q, %v; want IdempotencyException", id, err)
	}
	jobs, _, err := e.batch.ListJobs(e.ctx, a, nil, "", 100)
	if err != nil || len(jobs) != 1 || jobs[0].ID != id1 {
		t.Errorf("jobs of the account: %d, %v", len(jobs), err)
	}
	// Another token is another job; the token is per account.
	id3, err := e.batch.CreateJob(e.ctx, nil, a, region, "tok-2", same)
	if err != nil || id3 == id1 {
		t.Errorf("another token: %q, %v", id3, err)
	}
	id4, err := e.batch.CreateJob(e.ctx, nil, b, region, "tok-1", other)
	if err != nil || id4 == id1 {
		t.Errorf("the token in another account: %q, %v", id4, err)
	}
	e.waitStatus(a, id1, batch.StatusSuspended)
	if j := e.describe(a, id1); j.Spec.Description != "first" || j.Spec.Priority != 10 {
		t.Errorf("the first job changed: %+v", j.Spec)
	}
}

// TestListJobs: the statuses filter, pagination and invalid tokens.
func TestListJobs(t *testing.T) {
	e := newEnv(t)
	a := e.account("owner")
	b := e.account("other")
	e.bucket(a, "manifests")
	e.bucket(a, "data")
	e.put(a, "data", "k", nil)
	role := e.taggingRole(a, "tagger", "manifests", "", "data")
	m := e.upload(a, "manifests", "m.csv", keysManifest("data", "k"))
	var ids []string
	for i := range 4 {
		s := tagSpec(role, m, noReport())
		s.ConfirmationRequired = i < 3
		s.Description = fmt.Sprint("job ", i)
		ids = append(ids, e.create(a, s))
		time.Sleep(2 * time.Millisecond) // distinct creation times
	}
	for _, id := range ids[:3] {
		e.waitStatus(a, id, batch.StatusSuspended)
	}
	e.waitStatus(a, ids[3], batch.StatusComplete)
	if _, err := e.batch.UpdateJobStatus(e.ctx, a, ids[1], batch.StatusCancelled, ""); err != nil {
		t.Fatal(err)
	}
	e.waitStatus(a, ids[1], batch.StatusCancelled)
	// A job of another account.
	e.bucket(b, "b-manifests")
	e.bucket(b, "b-data")
	e.put(b, "b-data", "k", nil)
	brole := e.taggingRole(b, "tagger", "b-manifests", "", "b-data")
	bid := e.create(b, tagSpec(brole, e.upload(b, "b-manifests", "m.csv", keysManifest("b-data", "k")), noReport()))

	list := func(statuses []string, next string, max int) ([]string, string) {
		t.Helper()
		jobs, more, err := e.batch.ListJobs(e.ctx, a, statuses, next, max)
		if err != nil {
			t.Fatalf("ListJobs %v %q %d: %v", statuses, next, max, err)
		}
		var out []string
		for _, j := range jobs {
			out = append(out, j.ID)
		}
		return out, more
	}
	if got, more := list(nil, "", 0); !slices.Equal(got, ids) || more != "" {
		t.Errorf("all jobs: %v next %q, want %v", got, more, ids)
	}
	if got, _ := list([]string{batch.StatusSuspended}, "", 0); !slices.Equal(got, []string{ids[0], ids[2]}) {
		t.Errorf("Suspended: %v, want %v", got, []string{ids[0], ids[2]})
	}
	if got, _ := list([]string{batch.StatusCancelled, batch.StatusComplete}, "", 0); !slices.Equal(got, []string{ids[1], ids[3]}) {
		t.Errorf("Cancelled, Complete: %v, want %v", got, []string{ids[1], ids[3]})
	}
	if got, _ := list([]string{batch.StatusActive}, "", 0); len(got) != 0 {
		t.Errorf("Active: %v", got)
	}

	// One at a time.
	var paged []string
	next := ""
	for page := 0; ; page++ {
		if page > len(ids) {
			t.Fatalf("more pages than jobs: %v", paged)
		}
		got, more := list(nil, next, 1)
		if len(got) != 1 {
			t.Fatalf("page %d: %v (next %q)", page, got, next)
		}
		paged = append(paged, got...)
		if more == "" {
			break
		}
		next = more
	}
	if !slices.Equal(paged, ids) {
		t.Errorf("paged: %v, want %v", paged, ids)
	}
	// Filtered pages.
	got, more := list([]string{batch.StatusSuspended}, "", 1)
	if !slices.Equal(got, ids[:1]) || more == "" {
		t.Fatalf("first Suspended page: %v next %q", got, more)
	}
	got, more = list([]string{batch.StatusSuspended}, more, 1)
	if !slices.Equal(got, ids[2:3]) || more != "" {
		t.Errorf("second Suspended page: %v next %q", got, more)
	}

	for _, tok := range []string{"nope", "00000000-0000-7000-8000-000000000000", bid} {
		if _, _, err := e.batch.ListJobs(e.ctx, a, nil, tok, 1); errCode(err) != batch.CodeInvalidNext {
			t.Errorf("next token %q: %v, want InvalidNextTokenException", tok, err)
		}
	}
	// The other account sees its own job only.
	jobs, _, err := e.batch.ListJobs(e.ctx, b, nil, "", 0)
	if err != nil || len(jobs) != 1 || jobs[0].ID != bid {
		t.Errorf("other account's jobs: %d, %v", len(jobs), err)
	}
	if _, err := e.batch.DescribeJob(e.ctx, b, ids[0]); errCode(err) != batch.CodeNotFound {
		t.Errorf("describing another account's job: %v, want NotFoundException", err)
	}
	for _, j := range mustList(t, e, a) {
		if !strings.HasPrefix(j.Spec.Description, "job ") {
			t.Errorf("listed job %s description %q", j.ID, j.Spec.Description)
		}
	}
}

func mustList(t *testing.T, e *env, account string) []*batch.Job {
	t.Helper()
	jobs, _, err := e.batch.ListJobs(e.ctx, account, nil, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	return jobs
}

// TestCancelWhilePreparing: a job cancelled just as the service picks it
// up to read its manifest ends Cancelled, having run nothing.
func TestCancelWhilePreparing(t *testing.T) {
	e := newEnv(t)
	a := e.account("owner")
	e.bucket(a, "manifests")
	e.bucket(a, "data")
	e.put(a, "data", "k", nil)
	role := e.taggingRole(a, "tagger", "manifests", "", "data")
	m := e.upload(a, "manifests", "m.csv", keysManifest("data", "k"))

	// The first time the service reads the New job (to prepare it), the
	// user cancels it before the service goes on.
	var once sync.Once
	cancelled := make(chan error, 1)
	hook := func(id, status string) {
		if status == batch.StatusNew {
			once.Do(func() {
				_, err := e.batch.UpdateJobStatus(e.ctx, a, id, batch.StatusCancelled, "changed my mind")
				cancelled <- err
			})
		}
	}
	e.spy.readHook.Store(&hook)
	id := e.create(a, tagSpec(role, m, noReport()))
	select {
	case err := <-cancelled:
		if err != nil {
			t.Fatalf("cancel: %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("the service never read the job")
	}
	e.spy.readHook.Store(nil)
	j := e.wait(a, id, "the end", (*batch.Job).Terminal)
	if j.State.Status != batch.StatusCancelled || j.State.Succeeded+j.State.Failed != 0 {
		t.Errorf("job cancelled while New: %s (path %v)", progress(j), e.spy.path(id))
	}
	want := []string{batch.StatusNew, batch.StatusCancelling, batch.StatusCancelled}
	if got := e.spy.path(id); !slices.Equal(got, want) {
		t.Errorf("status path %v, want %v", got, want)
	}
	if n := len(e.spy.tagged("data")); n != 0 {
		t.Errorf("a cancelled job tagged %d objects", n)
	}
}
