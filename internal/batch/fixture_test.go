package batch_test

// The fixture: a real bolt store and blob store in t.TempDir(), the IAM,
// object, replication and batch services wired as internal/app/server.go
// wires them, and helpers that act and look as a user of S3 and S3 Control
// would. The metadata store is wrapped by a spy that records, in commit
// order, every job status committed and every object tag write, and can
// make tag writes slow.

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/batch"
	blobfs "github.com/ferrys3/ferry/internal/blob/fs"
	"github.com/ferrys3/ferry/internal/clock"
	"github.com/ferrys3/ferry/internal/iam"
	"github.com/ferrys3/ferry/internal/manifest"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/meta/bolt"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/replication"
	"github.com/ferrys3/ferry/internal/s3err"
)

const (
	region = "us-east-1"
	// waitLimit bounds every poll; it is only reached when a test fails.
	waitLimit = 20 * time.Second
	// jobTag is the tag the tagging jobs set.
	jobTagKey = "batch"
)

// ---------------------------------------------------------------------------
// The spying store.

// spy wraps the metadata store of every service. It survives restarts
// (each start wraps the newly opened bolt store).
//
// It records writes while the transaction runs, before its commit, so a
// reader that sees the committed data also sees the record; the records
// of a run that does not commit (an error, or a rerun after another
// request of the batch failed) are discarded. Runs of Update's fns are
// serialized by the store's writer, so record order is commit order.
type spy struct {
	meta.Store

	mu      sync.Mutex
	records []record
	// tagDelay is added to every Update that wrote a tagged version: the
	// operation of tagging jobs becomes slow.
	tagDelay atomic.Int64
	// jobHook, when set, sees every job write and may refuse it.
	jobHook atomic.Pointer[func(status string, enqueued int64) error]
	// readHook, when set, is called after every View that read a job, with
	// the job's ID and status as read, before the View's caller goes on.
	readHook atomic.Pointer[func(id, status string)]
}

// record is one job write (id, status) or one write of a version carrying
// jobTagKey (key "bucket/key").
type record struct {
	run        *spyTx
	id, status string
	key        string
}

func newSpy() *spy { return &spy{} }

// spyTx is one run of an Update's fn.
type spyTx struct {
	meta.Tx
	s    *spy
	tags int
}

func (s *spy) add(r record) {
	s.mu.Lock()
	s.records = append(s.records, r)
	s.mu.Unlock()
}

// discard drops the records of a run that did not commit.
func (s *spy) discard(run *spyTx) {
	if run == nil {
		return
	}
	s.mu.Lock()
	s.records = slices.DeleteFunc(s.records, func(r record) bool { return r.run == run })
	s.mu.Unlock()
}

func (t *spyTx) PutJob(j *meta.Job) error {
	var d struct {
		State struct {
			Status   string `json:"status"`
			Enqueued int64  `json:"enqueued"`
		} `json:"state"`
	}
	_ = json.Unmarshal(j.Data, &d)
	if h := t.s.jobHook.Load(); h != nil {
		if err := (*h)(d.State.Status, d.State.Enqueued); err != nil {
			return err
		}
	}
	if err := t.Tx.PutJob(j); err != nil {
		return err
	}
	t.s.add(record{run: t, id: j.ID, status: d.State.Status})
	return nil
}

func (t *spyTx) PutVersion(v *meta.Version) error {
	if err := t.Tx.PutVersion(v); err != nil {
		return err
	}
	if _, ok := v.Tags[jobTagKey]; ok {
		t.tags++
		t.s.add(record{run: t, key: v.Bucket + "/" + v.Key})
	}
	return nil
}

func (s *spy) Update(ctx context.Context, fn func(meta.Tx) error) error {
	var last *spyTx
	err := s.Store.Update(ctx, func(tx meta.Tx) error {
		s.discard(last) // a rerun: the earlier run was rolled back
		last = &spyTx{Tx: tx, s: s}
		return fn(last)
	})
	if err != nil {
		s.discard(last)
		return err
	}
	if d := time.Duration(s.tagDelay.Load()); d > 0 && last != nil && last.tags > 0 {
		time.Sleep(d)
	}
	return nil
}

// viewTx notes the jobs a View reads.
type viewTx struct {
	meta.Tx
	read []*meta.Job
}

func (t *viewTx) GetJob(account, id string) (*meta.Job, error) {
	j, err := t.Tx.GetJob(account, id)
	if err == nil {
		t.read = append(t.read, j)
	}
	return j, err
}

func (s *spy) View(ctx context.Context, fn func(meta.Tx) error) error {
	h := s.readHook.Load()
	if h == nil {
		return s.Store.View(ctx, fn)
	}
	vt := &viewTx{}
	err := s.Store.View(ctx, func(tx meta.Tx) error {
		vt.Tx = tx
		return fn(vt)
	})
	for _, j := range vt.read {
		(*h)(j.ID, statusOf(j))
	}
	return err
}

func statusOf(j *meta.Job) string {
	var d struct {
		State struct {
			Status string `json:"status"`
		} `json:"state"`
	}
	_ = json.Unmarshal(j.Data, &d)
	return d.State.Status
}

// path is the sequence of statuses a job went through, as committed.
func (s *spy) path(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.records {
		if r.id == id && (len(out) == 0 || out[len(out)-1] != r.status) {
			out = append(out, r.status)
		}
	}
	return out
}

// tagged returns how many times each key of bucket was tagged.
func (s *spy) tagged(bucket string) map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for _, r := range s.records {
		if key, ok := strings.CutPrefix(r.key, bucket+"/"); ok && r.key != "" {
			out[key]++
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// The environment.

type env struct {
	t       *testing.T
	ctx     context.Context
	dir     string
	workers int

	spy   *spy
	bolt  *bolt.Store
	blobs *blobfs.Store
	iam   *iam.Service
	obj   *object.Service
	repl  *replication.Service
	batch *batch.Service
	open  bool
}

func newEnv(t *testing.T) *env { return newEnvWorkers(t, 8) }

func newEnvWorkers(t *testing.T, workers int) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), dir: t.TempDir(), workers: workers, spy: newSpy()}
	e.start()
	t.Cleanup(e.stop)
	return e
}

// start opens the stores in e.dir and starts the services.
func (e *env) start() {
	e.t.Helper()
	var err error
	if e.bolt, err = bolt.Open(filepath.Join(e.dir, "meta.db"), bolt.Options{NoSync: true}); err != nil {
		e.t.Fatal(err)
	}
	if e.blobs, err = blobfs.Open(filepath.Join(e.dir, "data"), blobfs.Options{NoSync: true}); err != nil {
		e.t.Fatal(err)
	}
	e.spy.Store = e.bolt
	clk := clock.Real{}
	e.iam = iam.New(e.spy, clk)
	e.repl = replication.New(replication.Config{Meta: e.spy, IAM: e.iam, Clock: clk, Workers: 4,
		SessionTTL: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
	e.obj = object.New(object.Config{Meta: e.spy, Blobs: e.blobs, Clock: clk, Region: region, InlineMax: 1024, Replicator: e.repl})
	e.repl.SetObjects(e.obj)
	e.batch = batch.New(batch.Config{Meta: e.spy, IAM: e.iam, Objects: e.obj, Replication: e.repl, Clock: clk,
		Workers: e.workers})
	if err := e.repl.Start(e.ctx, true); err != nil {
		e.t.Fatal(err)
	}
	if err := e.batch.Start(e.ctx, true); err != nil {
		e.t.Fatal(err)
	}
	e.open = true
}

// stop stops the workers and closes the stores (idempotent).
func (e *env) stop() {
	if !e.open {
		return
	}
	e.open = false
	e.batch.Close()
	e.repl.Close()
	e.bolt.Close()
	e.blobs.Close()
}

func (e *env) account(name string) string {
	e.t.Helper()
	a, err := e.iam.CreateAccount(e.ctx, name)
	if err != nil {
		e.t.Fatal(err)
	}
	return a.AccountID
}

func (e *env) bucket(owner, name string) {
	e.t.Helper()
	if err := e.obj.CreateBucketWith(e.ctx, object.CreateBucketInput{Owner: owner, Name: name}); err != nil {
		e.t.Fatalf("create bucket %s: %v", name, err)
	}
}

func (e *env) versioned(owner, name string) {
	e.t.Helper()
	e.bucket(owner, name)
	if err := e.obj.SetVersioning(e.ctx, name, object.VersioningEnabled); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) put(owner, bucket, key string, data []byte) *object.PutOutput {
	e.t.Helper()
	out, err := e.obj.Put(e.ctx, object.PutInput{Bucket: bucket, Key: key, Owner: owner, Body: bytes.NewReader(data),
		Size: int64(len(data))})
	if err != nil {
		e.t.Fatalf("put %s/%s: %v", bucket, key, err)
	}
	return out
}

// get returns an object's current version and bytes.
func (e *env) get(bucket, key string) (*meta.Version, []byte, error) {
	out, err := e.obj.Get(e.ctx, object.GetInput{Bucket: bucket, Key: key})
	if err != nil {
		return nil, nil, err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return out.V, b, err
}

func (e *env) mustGet(bucket, key string) (*meta.Version, []byte) {
	e.t.Helper()
	v, b, err := e.get(bucket, key)
	if err != nil {
		e.t.Fatalf("get %s/%s: %v", bucket, key, err)
	}
	return v, b
}

func (e *env) tags(bucket, key, versionID string) map[string]string {
	e.t.Helper()
	tags, _, err := e.obj.Tags(e.ctx, bucket, key, versionID)
	if err != nil {
		e.t.Fatalf("tags of %s/%s %s: %v", bucket, key, versionID, err)
	}
	return tags
}

// versions lists a bucket's versions.
func (e *env) versions(bucket string) []object.VersionEntry {
	e.t.Helper()
	out, err := e.obj.ListVersions(e.ctx, object.ListVersionsInput{Bucket: bucket, MaxKeys: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	return out.Versions
}

func (e *env) bucketPolicy(bucket, doc string) {
	e.t.Helper()
	if err := e.obj.SetBucketPolicy(e.ctx, bucket, []byte(doc), false); err != nil {
		e.t.Fatalf("bucket policy: %v\n%s", err, doc)
	}
}

// ---------------------------------------------------------------------------
// Roles and policies.

func trust(service string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service +
		`"},"Action":"sts:AssumeRole"}]}`
}

// role creates a role trusting service with an inline permissions policy.
func (e *env) role(account, name, service, doc string) string {
	e.t.Helper()
	r, err := e.iam.CreateEntity(e.ctx, account, iam.EntityInput{Kind: meta.KindRole, Name: name, TrustPolicy: trust(service)})
	if err != nil {
		e.t.Fatal(err)
	}
	if doc != "" {
		if err := e.iam.PutInlinePolicy(e.ctx, account, meta.KindRole, name, "permissions", doc); err != nil {
			e.t.Fatalf("put role policy: %v\n%s", err, doc)
		}
	}
	return iam.EntityARN(r)
}

// batchRole creates a role for jobs (trusting batchoperations.s3.amazonaws.com).
func (e *env) batchRole(account, name string, sts ...stmt) string {
	return e.role(account, name, iam.BatchPrincipal, policyDoc(sts...))
}

type stmt struct {
	effect    string
	principal string
	actions   []string
	resources []string
}

func allow(actions []string, resources ...string) stmt {
	return stmt{actions: actions, resources: resources}
}

func policyDoc(sts ...stmt) string {
	var list []map[string]any
	for _, s := range sts {
		m := map[string]any{"Effect": s.effect, "Action": s.actions, "Resource": s.resources}
		if s.effect == "" {
			m["Effect"] = "Allow"
		}
		if s.principal != "" {
			m["Principal"] = map[string]string{"AWS": s.principal}
		}
		list = append(list, m)
	}
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": list})
	return string(b)
}

func objects(buckets ...string) []string {
	var out []string
	for _, b := range buckets {
		out = append(out, "arn:aws:s3:::"+b+"/*")
	}
	return out
}

// taggingRole may read the manifests of mbucket, tag objects of the data
// buckets and write reports to rbucket.
func (e *env) taggingRole(account, name, mbucket, rbucket string, data ...string) string {
	sts := []stmt{
		allow([]string{"s3:GetObject", "s3:GetObjectVersion"}, objects(mbucket)...),
		allow([]string{"s3:PutObjectTagging", "s3:PutObjectVersionTagging"}, objects(data...)...),
	}
	if rbucket != "" {
		sts = append(sts, allow([]string{"s3:PutObject"}, objects(rbucket)...))
	}
	return e.batchRole(account, name, sts...)
}

// ---------------------------------------------------------------------------
// Manifests and jobs.

// csvManifest is a manifest's rows; each row's fields are written as they
// are (keys must already be URL-encoded).
func csvManifest(rows ...[]string) []byte {
	var b bytes.Buffer
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	return b.Bytes()
}

// keysManifest lists keys of bucket (Fields Bucket, Key).
func keysManifest(bucket string, keys ...string) []byte {
	rows := make([][]string, len(keys))
	for i, k := range keys {
		rows[i] = []string{bucket, manifest.EncodeKey(k)}
	}
	return csvManifest(rows...)
}

// upload stores a manifest and returns its location for a job spec.
func (e *env) upload(owner, bucket, key string, body []byte, fields ...string) *batch.Manifest {
	e.t.Helper()
	out := e.put(owner, bucket, key, body)
	if len(fields) == 0 {
		fields = []string{"Bucket", "Key"}
	}
	return &batch.Manifest{Format: batch.FormatCSV, Fields: fields, Bucket: bucket, Key: key, ETag: out.ETag}
}

func tagOp() batch.Operation {
	return batch.Operation{Kind: batch.OpPutTagging, Tags: []batch.Tag{{Key: jobTagKey, Value: "done"}}}
}

func report(bucket, prefix, scope string) batch.Report {
	return batch.Report{Enabled: true, Bucket: bucket, Prefix: prefix, Scope: scope, Format: "Report_CSV_20180820"}
}

func noReport() batch.Report { return batch.Report{} }

func tagSpec(role string, m *batch.Manifest, r batch.Report) batch.Spec {
	return batch.Spec{Operation: tagOp(), Manifest: m, Report: r, Priority: 10, RoleArn: role}
}

var tokens atomic.Int64

func (e *env) create(account string, spec batch.Spec) string {
	e.t.Helper()
	id, err := e.batch.CreateJob(e.ctx, nil, account, region, fmt.Sprintf("token-%d", tokens.Add(1)), spec)
	if err != nil {
		e.t.Fatalf("create job: %v", err)
	}
	return id
}

func (e *env) describe(account, id string) *batch.Job {
	e.t.Helper()
	j, err := e.batch.DescribeJob(e.ctx, account, id)
	if err != nil {
		e.t.Fatalf("describe job %s: %v", id, err)
	}
	return j
}

func progress(j *batch.Job) string {
	return fmt.Sprintf("status %s total %d succeeded %d failed %d failures %+v", j.State.Status, j.State.Total,
		j.State.Succeeded, j.State.Failed, j.State.FailureReasons)
}

// wait polls the job until cond holds.
func (e *env) wait(account, id string, what string, cond func(*batch.Job) bool) *batch.Job {
	e.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		j := e.describe(account, id)
		if cond(j) {
			return j
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("job %s: timed out waiting for %s: %s", id, what, progress(j))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitStatus waits until the job is in status (failing if it ends in
// another).
func (e *env) waitStatus(account, id, status string) *batch.Job {
	e.t.Helper()
	j := e.wait(account, id, status, func(j *batch.Job) bool { return j.State.Status == status || j.Terminal() })
	if j.State.Status != status {
		e.t.Fatalf("job %s: want %s, got %s (path %v)", id, status, progress(j), e.spy.path(id))
	}
	return j
}

func errCode(err error) string {
	var be *batch.Error
	if errors.As(err, &be) {
		return be.Code
	}
	if err == nil {
		return ""
	}
	return s3err.As(err).Code
}

func hasFailure(j *batch.Job, code, substr string) bool {
	for _, f := range j.State.FailureReasons {
		if f.Code == code && strings.Contains(f.Reason, substr) {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------------------
// Completion reports.

type reportManifest struct {
	Format             string
	ReportCreationDate string
	ReportSchema       string
	Results            []struct {
		TaskExecutionStatus string
		Bucket              string
		MD5Checksum         string
		Key                 string
	}
}

// row is one completion report row, key decoded.
type row struct {
	Bucket, Key, VersionID, Status, HTTP, Code, Message string
}

// readReport reads a job's completion report from bucket under prefix,
// checking its manifest.json against the results files, and returns the
// manifest and the rows of each results file by status.
func (e *env) readReport(bucket, prefix, id string) (*reportManifest, map[string][]row) {
	e.t.Helper()
	base := "job-" + id + "/"
	if prefix != "" {
		base = strings.TrimSuffix(prefix, "/") + "/" + base
	}
	v, body, err := e.get(bucket, base+"manifest.json")
	if err != nil {
		e.t.Fatalf("report manifest %s/%smanifest.json: %v", bucket, base, err)
	}
	if v.ContentType != "application/json" {
		e.t.Errorf("report manifest content type %q", v.ContentType)
	}
	var m reportManifest
	if err := json.Unmarshal(body, &m); err != nil {
		e.t.Fatalf("report manifest: %v\n%s", err, body)
	}
	if m.Format != "Report_CSV_20180820" {
		e.t.Errorf("report Format %q", m.Format)
	}
	if m.ReportSchema != "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage" {
		e.t.Errorf("report ReportSchema %q", m.ReportSchema)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", m.ReportCreationDate); err != nil {
		e.t.Errorf("report ReportCreationDate %q: %v", m.ReportCreationDate, err)
	}
	rows := map[string][]row{}
	for _, r := range m.Results {
		if r.Bucket != bucket {
			e.t.Errorf("report result Bucket %q, want %q", r.Bucket, bucket)
		}
		if !strings.HasPrefix(r.Key, base+"results/") || !strings.HasSuffix(r.Key, ".csv") {
			e.t.Errorf("report result key %q is not under %sresults/", r.Key, base)
		}
		_, data := e.mustGet(bucket, r.Key)
		sum := md5.Sum(data)
		if got := hex.EncodeToString(sum[:]); got != r.MD5Checksum {
			e.t.Errorf("report result %s: MD5Checksum %s, the object's MD5 is %s", r.Key, r.MD5Checksum, got)
		}
		if len(data) > 0 && !bytes.HasSuffix(data, []byte("\r\n")) {
			e.t.Errorf("report result %s does not end in CRLF: %q", r.Key, data)
		}
		rd := csv.NewReader(bytes.NewReader(data))
		recs, err := rd.ReadAll()
		if err != nil {
			e.t.Fatalf("report result %s: %v\n%s", r.Key, err, data)
		}
		for _, rec := range recs {
			if len(rec) != 7 {
				e.t.Fatalf("report row %q has %d fields", rec, len(rec))
			}
			key, err := manifest.DecodeKey(rec[1])
			if err != nil {
				e.t.Fatalf("report row key %q: %v", rec[1], err)
			}
			if rec[3] != r.TaskExecutionStatus {
				e.t.Errorf("row %q in a %s file", rec, r.TaskExecutionStatus)
			}
			rows[r.TaskExecutionStatus] = append(rows[r.TaskExecutionStatus],
				row{Bucket: rec[0], Key: key, VersionID: rec[2], Status: rec[3], HTTP: rec[4], Code: rec[5], Message: rec[6]})
		}
	}
	return &m, rows
}

// keysOf returns the sorted keys of rows.
func keysOf(rows []row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Key)
	}
	sort.Strings(out)
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

// objectKeys lists a bucket's current keys.
func (e *env) objectKeys(bucket, prefix string) []string {
	e.t.Helper()
	var keys []string
	for _, v := range e.versions(bucket) {
		if v.IsLatest && !v.DeleteMarker && strings.HasPrefix(v.Key, prefix) {
			keys = append(keys, v.Key)
		}
	}
	sort.Strings(keys)
	return keys
}
