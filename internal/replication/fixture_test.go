package replication_test

// The fixture: a real bolt store and blob store in t.TempDir(), the IAM,
// object and replication services wired as internal/app/server.go wires
// them, and helpers that act and look as a user of the S3 API would.

import (
	"bytes"
	"context"
	"encoding/json"
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

	"github.com/ferrys3/ferry/internal/blob"
	blobfs "github.com/ferrys3/ferry/internal/blob/fs"
	"github.com/ferrys3/ferry/internal/clock"
	"github.com/ferrys3/ferry/internal/iam"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/meta/bolt"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/replication"
	"github.com/ferrys3/ferry/internal/s3err"
)

// Fixture timings: short, so that retries and session changes take
// effect quickly.
const (
	sessionTTL = 10 * time.Millisecond
	maxBackoff = 20 * time.Millisecond
	// waitLimit bounds every poll; it is only reached when a test fails.
	waitLimit = 15 * time.Second
)

// observer records every outcome the service reports.
type observer struct {
	mu        sync.Mutex
	completed []string // "src>dst rule"
	lags      []time.Duration
	failed    []string // "src>dst rule reason"
	skipped   []string // "src>dst rule"
}

func (o *observer) Completed(src, dst, rule string, took, lag time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.completed = append(o.completed, src+">"+dst+" "+rule)
	o.lags = append(o.lags, lag)
}

func (o *observer) lagsSeen() []time.Duration {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.lags)
}

func (o *observer) Failed(src, dst, rule, reason string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failed = append(o.failed, src+">"+dst+" "+rule+" "+reason)
}

func (o *observer) Skipped(src, dst, rule string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.skipped = append(o.skipped, src+">"+dst+" "+rule)
}

func (o *observer) counts() (completed, failed, skipped int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.completed), len(o.failed), len(o.skipped)
}

func (o *observer) failures() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.failed)
}

func (o *observer) skips() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.skipped)
}

type env struct {
	t     *testing.T
	ctx   context.Context
	dir   string
	store *bolt.Store
	blobs *blobfs.Store
	iam   *iam.Service
	obj   *object.Service
	repl  *replication.Service
	obs   *observer

	// copyOnly hides the blob store's hard links from the object
	// service: replica data is copied (and checked against the ETag).
	copyOnly bool
	// onOpen, when set, runs once at the next blob read of a copyOnly
	// store: in the middle of a replication, between reading the source
	// version and storing the replica.
	onOpen atomic.Pointer[func()]

	held atomic.Bool // every region reports down
	mu   sync.Mutex
	down map[string]bool // regions reported down
	open bool
}

func newEnv(t *testing.T) *env { return newEnvWith(t, false) }

// newEnvWith is newEnv, with replica data copied instead of linked when
// copyOnly is set.
func newEnvWith(t *testing.T, copyOnly bool) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), dir: t.TempDir(), down: map[string]bool{}, copyOnly: copyOnly}
	e.start()
	t.Cleanup(e.stop)
	return e
}

// unlinkable is a blob store without blob.Linker.
type unlinkable struct {
	blob.Store
	onOpen *atomic.Pointer[func()]
}

func (u unlinkable) Open(ctx context.Context, id string, offset, length int64) (io.ReadCloser, error) {
	if f := u.onOpen.Swap(nil); f != nil {
		(*f)()
	}
	return u.Store.Open(ctx, id, offset, length)
}

// start opens the stores in e.dir and starts the services.
func (e *env) start() {
	e.t.Helper()
	var err error
	e.store, err = bolt.Open(filepath.Join(e.dir, "meta.db"), bolt.Options{NoSync: true})
	if err != nil {
		e.t.Fatal(err)
	}
	e.blobs, err = blobfs.Open(filepath.Join(e.dir, "data"), blobfs.Options{NoSync: true})
	if err != nil {
		e.t.Fatal(err)
	}
	clk := clock.Real{}
	e.iam = iam.New(e.store, clk)
	e.obs = &observer{}
	e.repl = replication.New(replication.Config{Meta: e.store, IAM: e.iam, Clock: clk, Observer: e.obs,
		RegionUp: e.regionUp, Workers: 4, SessionTTL: sessionTTL, MaxBackoff: maxBackoff})
	var blobs blob.Store = e.blobs
	if e.copyOnly {
		blobs = unlinkable{e.blobs, &e.onOpen}
	}
	e.obj = object.New(object.Config{Meta: e.store, Blobs: blobs, Clock: clk, Region: "us-east-1",
		InlineMax: 1024, Replicator: e.repl})
	e.repl.SetObjects(e.obj)
	if err := e.repl.Start(e.ctx, true); err != nil {
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
	e.repl.Close()
	e.store.Close()
	e.blobs.Close()
}

func (e *env) regionUp(region string) bool {
	if e.held.Load() {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return !e.down[region]
}

// hold makes every destination unreachable: replications stay PENDING.
func (e *env) hold() { e.held.Store(true) }

// release ends hold and wakes the workers.
func (e *env) release() {
	e.held.Store(false)
	e.repl.Enqueued()
}

// setDown marks one region down or up.
func (e *env) setDown(region string, down bool) {
	e.mu.Lock()
	e.down[region] = down
	e.mu.Unlock()
	if !down {
		e.repl.Enqueued()
	}
}

// expireSessions waits until cached role sessions (and cached refusals)
// have expired, so that a role or trust policy change is seen.
func (e *env) expireSessions() { time.Sleep(3 * sessionTTL) }

func (e *env) account(name string) string {
	e.t.Helper()
	a, err := e.iam.CreateAccount(e.ctx, name)
	if err != nil {
		e.t.Fatal(err)
	}
	return a.AccountID
}

type bucketOpt struct {
	region    string
	ownership string
	versioned bool
}

func (e *env) bucket(owner, name string, o bucketOpt) {
	e.t.Helper()
	if err := e.obj.CreateBucketWith(e.ctx, object.CreateBucketInput{Owner: owner, Name: name, Region: o.region, Ownership: o.ownership}); err != nil {
		e.t.Fatalf("create bucket %s: %v", name, err)
	}
	if o.versioned {
		if err := e.obj.SetVersioning(e.ctx, name, object.VersioningEnabled); err != nil {
			e.t.Fatal(err)
		}
	}
}

// versioned creates a versioned bucket with default settings.
func (e *env) versioned(owner, name string) { e.bucket(owner, name, bucketOpt{versioned: true}) }

const s3Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// role creates a role trusting s3.amazonaws.com with an inline permissions
// policy and returns its ARN.
func (e *env) role(account, name, policyDoc string) string {
	e.t.Helper()
	r, err := e.iam.CreateEntity(e.ctx, account, iam.EntityInput{Kind: meta.KindRole, Name: name, TrustPolicy: s3Trust})
	if err != nil {
		e.t.Fatal(err)
	}
	e.setRolePolicy(account, name, policyDoc)
	return iam.EntityARN(r)
}

func (e *env) setRolePolicy(account, name, doc string) {
	e.t.Helper()
	if err := e.iam.PutInlinePolicy(e.ctx, account, meta.KindRole, name, "replication", doc); err != nil {
		e.t.Fatalf("put role policy: %v\n%s", err, doc)
	}
}

// stmt is one policy statement; principal is set for bucket policies.
type stmt struct {
	effect    string
	principal string
	actions   []string
	resources []string
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

var (
	srcBucketActions = []string{"s3:GetReplicationConfiguration", "s3:ListBucket"}
	srcObjectActions = []string{"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"}
	dstObjectActions = []string{"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"}
)

// sourceStmts allow the role to read the source buckets.
func sourceStmts(srcs ...string) []stmt {
	var buckets, objects []string
	for _, s := range srcs {
		buckets = append(buckets, "arn:aws:s3:::"+s)
		objects = append(objects, "arn:aws:s3:::"+s+"/*")
	}
	return []stmt{{actions: srcBucketActions, resources: buckets}, {actions: srcObjectActions, resources: objects}}
}

func objectsOf(buckets ...string) []string {
	var out []string
	for _, b := range buckets {
		out = append(out, "arn:aws:s3:::"+b+"/*")
	}
	return out
}

// fullRolePolicy lets a role replicate from srcs to dsts, with owner
// override.
func fullRolePolicy(srcs []string, dsts ...string) string {
	return policyDoc(append(sourceStmts(srcs...),
		stmt{actions: append(slices.Clone(dstObjectActions), "s3:ObjectOwnerOverrideToBucketOwner"), resources: objectsOf(dsts...)})...)
}

func (e *env) bucketPolicy(bucket, doc string) {
	e.t.Helper()
	if err := e.obj.SetBucketPolicy(e.ctx, bucket, []byte(doc), false); err != nil {
		e.t.Fatal(err)
	}
}

// rule is one V2 replication rule.
type rule struct {
	id            string
	priority      int
	prefix        string
	tags          [][2]string
	deleteMarkers bool
	dest          string
	storageClass  string
	account       string
	ownerOverride bool
	disabled      bool
}

func (r rule) xml() string {
	var b strings.Builder
	b.WriteString("<Rule>")
	if r.id != "" {
		fmt.Fprintf(&b, "<ID>%s</ID>", r.id)
	}
	fmt.Fprintf(&b, "<Priority>%d</Priority>", r.priority)
	tag := func(t [2]string) string { return "<Tag><Key>" + t[0] + "</Key><Value>" + t[1] + "</Value></Tag>" }
	switch {
	case len(r.tags) == 0 && r.prefix == "":
		b.WriteString("<Filter/>")
	case len(r.tags) == 0:
		b.WriteString("<Filter><Prefix>" + r.prefix + "</Prefix></Filter>")
	case len(r.tags) == 1 && r.prefix == "":
		b.WriteString("<Filter>" + tag(r.tags[0]) + "</Filter>")
	default:
		b.WriteString("<Filter><And>")
		if r.prefix != "" {
			b.WriteString("<Prefix>" + r.prefix + "</Prefix>")
		}
		for _, t := range r.tags {
			b.WriteString(tag(t))
		}
		b.WriteString("</And></Filter>")
	}
	status := "Enabled"
	if r.disabled {
		status = "Disabled"
	}
	b.WriteString("<Status>" + status + "</Status>")
	b.WriteString("<Destination><Bucket>arn:aws:s3:::" + r.dest + "</Bucket>")
	if r.account != "" {
		b.WriteString("<Account>" + r.account + "</Account>")
	}
	if r.storageClass != "" {
		b.WriteString("<StorageClass>" + r.storageClass + "</StorageClass>")
	}
	if r.ownerOverride {
		b.WriteString("<AccessControlTranslation><Owner>Destination</Owner></AccessControlTranslation>")
	}
	b.WriteString("</Destination>")
	dm := "Disabled"
	if r.deleteMarkers {
		dm = "Enabled"
	}
	b.WriteString("<DeleteMarkerReplication><Status>" + dm + "</Status></DeleteMarkerReplication>")
	b.WriteString("</Rule>")
	return b.String()
}

func configXML(role string, rules ...rule) []byte {
	var b strings.Builder
	b.WriteString(`<ReplicationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Role>` + role + `</Role>`)
	for _, r := range rules {
		b.WriteString(r.xml())
	}
	b.WriteString("</ReplicationConfiguration>")
	return []byte(b.String())
}

// v1ConfigXML is a V1 (Rule/Prefix) configuration.
func v1ConfigXML(role, id, prefix, dest string) []byte {
	return []byte(`<ReplicationConfiguration><Role>` + role + `</Role><Rule><ID>` + id + `</ID><Prefix>` + prefix +
		`</Prefix><Status>Enabled</Status><Destination><Bucket>arn:aws:s3:::` + dest + `</Bucket></Destination></Rule></ReplicationConfiguration>`)
}

func (e *env) configure(bucket string, doc []byte) {
	e.t.Helper()
	if err := e.repl.PutConfiguration(e.ctx, nil, bucket, doc); err != nil {
		e.t.Fatalf("put replication configuration on %s: %v\n%s", bucket, err, doc)
	}
}

type putOpt struct {
	owner    string
	attrs    object.Attrs
	checksum string
}

func (e *env) put(bucket, key string, data []byte, o putOpt) *object.PutOutput {
	e.t.Helper()
	out, err := e.obj.Put(e.ctx, object.PutInput{Bucket: bucket, Key: key, Owner: o.owner, Body: bytes.NewReader(data),
		Size: int64(len(data)), Attrs: o.attrs, Checksum: object.ChecksumSpec{Algorithm: o.checksum}})
	if err != nil {
		e.t.Fatalf("put %s/%s: %v", bucket, key, err)
	}
	return out
}

// del deletes key (a delete marker in a versioned bucket) or one version.
func (e *env) del(bucket, key, versionID string) *object.DeleteResult {
	e.t.Helper()
	res, err := e.obj.Delete(e.ctx, bucket, key, versionID, "")
	if err != nil {
		e.t.Fatalf("delete %s/%s?versionId=%s: %v", bucket, key, versionID, err)
	}
	return res
}

// head is HEAD with a version ID.
func (e *env) head(bucket, key, versionID string) (*meta.Version, error) {
	out, err := e.obj.Get(e.ctx, object.GetInput{Bucket: bucket, Key: key, VersionID: versionID, Head: true})
	if err != nil {
		return nil, err
	}
	return out.V, nil
}

// get is GET (optionally of one part) returning the version and bytes.
func (e *env) get(bucket, key, versionID string, part int) (*meta.Version, []byte, error) {
	out, err := e.obj.Get(e.ctx, object.GetInput{Bucket: bucket, Key: key, VersionID: versionID, PartNumber: part})
	if err != nil {
		return nil, nil, err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return out.V, b, err
}

// versions lists the versions and delete markers of key, newest first.
func (e *env) versions(bucket, key string) []object.VersionEntry {
	e.t.Helper()
	out, err := e.obj.ListVersions(e.ctx, object.ListVersionsInput{Bucket: bucket, Prefix: key, MaxKeys: 1000})
	if err != nil {
		e.t.Fatalf("list versions of %s/%s: %v", bucket, key, err)
	}
	var vs []object.VersionEntry
	for _, v := range out.Versions {
		if v.Key == key {
			vs = append(vs, v)
		}
	}
	return vs
}

// version finds one version or delete marker of key as ListObjectVersions
// shows it; nil when absent.
func (e *env) version(bucket, key, versionID string) *meta.Version {
	e.t.Helper()
	for _, v := range e.versions(bucket, key) {
		if v.VersionID == versionID {
			return v.Version
		}
	}
	return nil
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return s3err.As(err).Code
}

// eventually polls cond until it holds; it fails the test with cond's
// last description after waitLimit.
func eventually(t *testing.T, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", why)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func describe(v *meta.Version) string {
	if v == nil {
		return "absent"
	}
	return fmt.Sprintf("status %q destinations %+v", v.ReplicationStatus, v.Replication)
}

// settle waits until a source version's status is no longer PENDING and
// checks it is want.
func (e *env) settle(bucket, key, versionID, want string) *meta.Version {
	e.t.Helper()
	var v *meta.Version
	eventually(e.t, func() (bool, string) {
		v = e.version(bucket, key, versionID)
		return v != nil && v.ReplicationStatus != meta.ReplicationPending, fmt.Sprintf("%s/%s %s still pending: %s", bucket, key, versionID, describe(v))
	})
	if v.ReplicationStatus != want {
		e.t.Fatalf("%s/%s %s: got %s, want %s", bucket, key, versionID, describe(v), want)
	}
	return v
}

// states maps destination bucket to "STATUS" or "STATUS reason".
func states(v *meta.Version) map[string]string {
	m := map[string]string{}
	for _, r := range v.Replication {
		s := r.Status
		if r.Reason != "" {
			s += " " + r.Reason
		}
		m[r.Bucket] = s
	}
	return m
}

func (e *env) tasks() int {
	e.t.Helper()
	n := 0
	if err := e.store.View(e.ctx, func(tx meta.Tx) error {
		var err error
		n, err = tx.CountTasks(replication.Queue)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// drained waits until the replication queue is empty.
func (e *env) drained() {
	e.t.Helper()
	eventually(e.t, func() (bool, string) {
		n := e.tasks()
		return n == 0, fmt.Sprintf("%d replication tasks still queued", n)
	})
}

// observed waits until the observer has been told of exactly completed,
// failed and skipped outcomes: workers report an outcome just after
// storing it, so a test that saw the stored outcome may be early.
func (e *env) observed(completed, failed, skipped int) {
	e.t.Helper()
	eventually(e.t, func() (bool, string) {
		c, f, s := e.obs.counts()
		if c > completed || f > failed || s > skipped {
			e.t.Fatalf("observer: %d completed, %d failed, %d skipped; want %d, %d, %d (failures %v, skips %v)",
				c, f, s, completed, failed, skipped, e.obs.failures(), e.obs.skips())
		}
		return c == completed && f == failed && s == skipped, fmt.Sprintf("observer: %d completed, %d failed, %d skipped; want %d, %d, %d",
			c, f, s, completed, failed, skipped)
	})
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
