package replication_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/policy"
	"github.com/ferrys3/ferry/internal/replconf"
	"github.com/ferrys3/ferry/internal/replication"
)

// TestStatusAndBacklogs: the status report counts versions by status and
// destination, groups failures by reason with an example and what was
// missing, and describes the queue; Backlogs groups it by rule.
func TestStatusAndBacklogs(t *testing.T) {
	e := newEnv(t)
	a, b := e.account("A"), e.account("B")
	e.versioned(a, "src")
	e.versioned(a, "okay")
	e.versioned(b, "other")
	role := e.role(a, "repl", fullRolePolicy([]string{"src"}, "okay", "other"))
	e.configure("src", configXML(role, rule{id: "r-ok", priority: 1, dest: "okay"}, rule{id: "r-other", priority: 2, dest: "other"}))

	var ids []string
	for i := 1; i <= 3; i++ {
		key := fmt.Sprintf("a/%d", i)
		ids = append(ids, e.put("src", key, []byte("x"), putOpt{owner: a}).VersionID)
		v := e.settle("src", key, ids[i-1], meta.ReplicationFailed)
		if got := states(v); got["okay"] != "COMPLETED" || got["other"] != "FAILED "+replication.ReasonDstPutNotPermitted {
			t.Fatalf("%s: %v", key, got)
		}
	}
	cm := e.put("src", "c/matched", []byte("x"), putOpt{owner: a})
	e.settle("src", "c/matched", cm.VersionID, meta.ReplicationFailed)
	if err := e.repl.DeleteConfiguration(e.ctx, "src"); err != nil {
		t.Fatal(err)
	}
	e.put("src", "no-config", []byte("x"), putOpt{owner: a})
	e.configure("src", configXML(role, rule{id: "r-ok", priority: 1, prefix: "a/", dest: "okay"}, rule{id: "r-other", priority: 2, prefix: "a/", dest: "other"}))
	e.put("src", "b/not-matched", []byte("x"), putOpt{owner: a})
	e.drained()

	r, err := e.repl.Status(e.ctx, "src")
	if err != nil {
		t.Fatal(err)
	}
	// Versions that matched no rule ("no-config", "b/not-matched") are
	// not counted.
	if r.Bucket != "src" || r.Pending != 0 || r.Completed != 0 || r.Failed != 4 || r.Replicas != 0 || r.BytesPending != 0 || r.OldestPendingSeconds != 0 {
		t.Errorf("report %+v", r)
	}
	if len(r.Destinations) != 2 || r.Destinations[0].Bucket != "okay" || r.Destinations[1].Bucket != "other" {
		t.Fatalf("destinations %+v", r.Destinations)
	}
	if d := r.Destinations[0]; d.Completed != 4 || d.Failed != 0 || d.Pending != 0 || len(d.Failures) != 0 {
		t.Errorf("okay: %+v", d)
	}
	d := r.Destinations[1]
	if d.Completed != 0 || d.Failed != 4 || len(d.Failures) != 1 {
		t.Fatalf("other: %+v", d)
	}
	if g := d.Failures[0]; g.Reason != replication.ReasonDstPutNotPermitted || g.Count != 4 || g.Example != "a/1" ||
		!strings.Contains(g.Explanation, "s3:ReplicateObject") || !strings.Contains(g.Explanation, "assumed-role/repl/") {
		t.Errorf("failure group %+v", g)
	}

	// Held: the report and the backlogs describe the queue.
	e.hold()
	e.put("src", "a/4", bytes.Repeat([]byte("x"), 10), putOpt{owner: a})
	e.put("src", "a/5", bytes.Repeat([]byte("x"), 20), putOpt{owner: a})
	eventually(t, func() (bool, string) {
		r, err = e.repl.Status(e.ctx, "src")
		if err != nil {
			return false, err.Error()
		}
		return len(r.Destinations) == 2 && r.Destinations[0].Waiting != "" && r.Destinations[1].Waiting != "", fmt.Sprintf("report %+v", r)
	})
	if r.Pending != 2 || r.BytesPending != 60 || r.OldestPendingSeconds <= 0 || r.Destinations[0].Pending != 2 || r.Destinations[1].Pending != 2 ||
		!strings.Contains(r.Destinations[0].Waiting, "unreachable") {
		t.Errorf("held report %+v", r)
	}
	bl, err := e.repl.Backlogs(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(bl) != 2 || bl[0].Destination != "okay" || bl[0].Rule != "r-ok" || bl[1].Destination != "other" || bl[1].Rule != "r-other" {
		t.Fatalf("backlogs %+v", bl)
	}
	for _, x := range bl {
		if x.Source != "src" || x.Operations != 2 || x.Bytes != 30 || x.Oldest.IsZero() || !strings.Contains(x.LastError, "unreachable") {
			t.Errorf("backlog %+v", x)
		}
	}

	// Fixed and retried: everything completes.
	e.bucketPolicy("other", policyDoc(stmt{principal: role, actions: []string{"s3:ReplicateObject"}, resources: objectsOf("other")}))
	e.release()
	e.drained()
	n, err := e.repl.Retry(e.ctx, "src")
	if err != nil || n != 4 {
		t.Fatalf("retry: %d %v", n, err)
	}
	e.drained()
	r, err = e.repl.Status(e.ctx, "src")
	if err != nil {
		t.Fatal(err)
	}
	if r.Completed != 6 || r.Failed != 0 || r.Pending != 0 || r.Destinations[1].Completed != 6 || len(r.Destinations[1].Failures) != 0 {
		t.Errorf("report after retry %+v", r)
	}
	if bl, _ := e.repl.Backlogs(e.ctx); len(bl) != 0 {
		t.Errorf("backlogs after retry %+v", bl)
	}
	if r, err := e.repl.Status(e.ctx, "other"); err != nil || r.Replicas != 6 || len(r.Destinations) != 0 {
		t.Errorf("destination report %+v %v", r, err)
	}
	if _, err := e.repl.Status(e.ctx, "nosuch"); code(err) != "NoSuchBucket" {
		t.Errorf("status of a missing bucket: %v", err)
	}
	if _, err := e.repl.Retry(e.ctx, "nosuch"); code(err) != "NoSuchBucket" {
		t.Errorf("retry of a missing bucket: %v", err)
	}
}

func findCheck(d *replication.Diagnosis, prefix string) *replication.Check {
	for i := range d.Checks {
		if strings.HasPrefix(d.Checks[i].Check, prefix) {
			return &d.Checks[i]
		}
	}
	return nil
}

func errorsOf(d *replication.Diagnosis) []replication.Check {
	var out []replication.Check
	for _, c := range d.Checks {
		if c.Severity == replication.CheckError {
			out = append(out, c)
		}
	}
	return out
}

func (e *env) doctor(bucket string) *replication.Diagnosis {
	e.t.Helper()
	d, err := e.repl.Doctor(e.ctx, bucket)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

// TestDoctor: a healthy setup, and each thing the doctor explains.
func TestDoctor(t *testing.T) {
	e := newEnv(t)
	a, b := e.account("A"), e.account("B")
	e.versioned(a, "src")
	e.versioned(a, "mine")
	e.versioned(b, "theirs")
	role := e.role(a, "repl", fullRolePolicy([]string{"src"}, "mine", "theirs"))
	e.bucketPolicy("theirs", policyDoc(stmt{principal: role, actions: []string{"s3:ReplicateObject", "s3:ReplicateDelete"}, resources: objectsOf("theirs")}))
	e.configure("src", configXML(role, rule{id: "m", priority: 1, dest: "mine", deleteMarkers: true},
		rule{id: "t", priority: 2, dest: "theirs", deleteMarkers: true}))

	d := e.doctor("src")
	if !d.Healthy || d.Role != role || d.Bucket != "src" || len(errorsOf(d)) != 0 {
		t.Fatalf("healthy setup: %+v", d)
	}
	for _, c := range d.Checks {
		if c.Severity != replication.CheckOK {
			t.Errorf("healthy setup has %+v", c)
		}
	}
	for _, want := range []string{"replication configuration", "versioning on source src", "role " + role + " can be assumed",
		"destination bucket theirs exists", "s3:ReplicateObject on arn:aws:s3:::theirs/*", "s3:ReplicateDelete on arn:aws:s3:::mine/*"} {
		if findCheck(d, want) == nil {
			t.Errorf("no check %q in %+v", want, d.Checks)
		}
	}
	// And it replicates.
	o := e.put("src", "k", []byte("x"), putOpt{owner: a})
	e.settle("src", "k", o.VersionID, meta.ReplicationCompleted)

	// The destination owner has not granted the role.
	if err := e.obj.DeleteBucketPolicy(e.ctx, "theirs"); err != nil {
		t.Fatal(err)
	}
	d = e.doctor("src")
	c := findCheck(d, "s3:ReplicateObject on arn:aws:s3:::theirs/*")
	if d.Healthy || c == nil || c.Severity != replication.CheckError || !strings.Contains(c.Fix, "bucket policy of theirs") ||
		!strings.Contains(c.Fix, "put-bucket-policy") || !strings.Contains(c.Fix, role) || strings.Contains(c.Fix, "put-role-policy") ||
		!strings.Contains(c.Detail, replication.ReasonDstPutNotPermitted) {
		t.Errorf("missing destination grant: %+v\n%+v", c, d)
	}
	if c := findCheck(d, "s3:ReplicateDelete on arn:aws:s3:::theirs/*"); c == nil || c.Severity != replication.CheckError {
		t.Errorf("missing delete grant: %+v", c)
	}
	if c := findCheck(d, "s3:ReplicateObject on arn:aws:s3:::mine/*"); c == nil || c.Severity != replication.CheckOK {
		t.Errorf("same-account destination: %+v", c)
	}
	// An explicit deny of s3:ReplicateTags is a warning naming the
	// statement.
	e.bucketPolicy("theirs", policyDoc(
		stmt{principal: role, actions: []string{"s3:ReplicateObject", "s3:ReplicateDelete"}, resources: objectsOf("theirs")},
		stmt{effect: "Deny", principal: role, actions: []string{"s3:ReplicateTags"}, resources: objectsOf("theirs")}))
	d = e.doctor("src")
	if c := findCheck(d, "s3:ReplicateTags on arn:aws:s3:::theirs/*"); !d.Healthy || c == nil || c.Severity != replication.CheckWarn ||
		!strings.Contains(c.Fix, "Deny statement #2") {
		t.Errorf("denied tags: %+v\n%+v", c, d)
	}

	// The role lacks a permission of its own.
	e.setRolePolicy(a, "repl", policyDoc(append(sourceStmts("src"),
		stmt{actions: []string{"s3:ReplicateDelete"}, resources: objectsOf("mine", "theirs")})...))
	d = e.doctor("src")
	c = findCheck(d, "s3:ReplicateObject on arn:aws:s3:::mine/*")
	if d.Healthy || c == nil || c.Severity != replication.CheckError || !strings.Contains(c.Fix, "put-role-policy --role-name repl") ||
		!strings.Contains(c.Fix, "account "+a) || strings.Contains(c.Fix, "bucket policy") {
		t.Errorf("missing role permission: %+v", c)
	}
	// Both sides are missing for the other account's bucket.
	c = findCheck(d, "s3:ReplicateObject on arn:aws:s3:::theirs/*")
	if c == nil || !strings.Contains(c.Fix, "put-role-policy") || strings.Contains(c.Fix, "put-bucket-policy") {
		t.Errorf("role permission missing, bucket policy present: %+v", c)
	}
	// Source-side permissions.
	e.setRolePolicy(a, "repl", policyDoc(stmt{actions: dstObjectActions, resources: objectsOf("mine", "theirs")}))
	d = e.doctor("src")
	if c := findCheck(d, "s3:GetObjectVersionForReplication on arn:aws:s3:::src/*"); d.Healthy || c == nil || c.Severity != replication.CheckError {
		t.Errorf("source read: %+v", c)
	}
	if c := findCheck(d, "s3:GetObjectVersionTagging"); c == nil || c.Severity != replication.CheckWarn {
		t.Errorf("source tags: %+v", c)
	}
	e.setRolePolicy(a, "repl", fullRolePolicy([]string{"src"}, "mine", "theirs"))

	// Trust policy: s3.amazonaws.com may not assume the role.
	if err := e.iam.UpdateAssumeRolePolicy(e.ctx, a, "repl",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`); err != nil {
		t.Fatal(err)
	}
	d = e.doctor("src")
	if c := findCheck(d, "role "+role+" can be assumed"); d.Healthy || c == nil || c.Severity != replication.CheckError ||
		!strings.Contains(c.Fix, "update-assume-role-policy") {
		t.Errorf("untrusted role: %+v", d)
	}
	// Trusted, but only for another source account.
	if err := e.iam.UpdateAssumeRolePolicy(e.ctx, a, "repl",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"999999999999"}}}]}`); err != nil {
		t.Fatal(err)
	}
	d = e.doctor("src")
	if c := findCheck(d, "role "+role+" can be assumed"); d.Healthy || c == nil || c.Severity != replication.CheckError {
		t.Errorf("trust condition for another account: %+v", c)
	}
	// Trusted for this source account and bucket: the service presents
	// aws:SourceAccount and aws:SourceArn.
	if err := e.iam.UpdateAssumeRolePolicy(e.ctx, a, "repl",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"`+a+`"},"ArnLike":{"aws:SourceArn":"arn:aws:s3:::src"}}}]}`); err != nil {
		t.Fatal(err)
	}
	if d = e.doctor("src"); !d.Healthy {
		t.Errorf("trust conditions met: %+v", errorsOf(d))
	}
	e.expireSessions()
	o = e.put("src", "k2", []byte("x"), putOpt{owner: a})
	e.settle("src", "k2", o.VersionID, meta.ReplicationCompleted)
	if err := e.iam.UpdateAssumeRolePolicy(e.ctx, a, "repl", s3Trust); err != nil {
		t.Fatal(err)
	}

	// Destination problems: region down, unversioned, gone.
	e.setDown("us-east-1", true)
	if err := e.obj.SetVersioning(e.ctx, "mine", object.VersioningSuspended); err != nil {
		t.Fatal(err)
	}
	d = e.doctor("src")
	if c := findCheck(d, "destination region us-east-1 reachable"); c == nil || c.Severity != replication.CheckWarn {
		t.Errorf("region down: %+v", c)
	}
	if c := findCheck(d, "versioning on destination mine"); d.Healthy || c == nil || c.Severity != replication.CheckError ||
		!strings.Contains(c.Detail, replication.ReasonDstUnversioned) {
		t.Errorf("unversioned destination: %+v", c)
	}
	e.setDown("us-east-1", false)
	if err := e.repl.DeleteConfiguration(e.ctx, "src"); err != nil {
		t.Fatal(err)
	}
	d = e.doctor("src")
	if c := findCheck(d, "replication configuration"); d.Healthy || c == nil || c.Severity != replication.CheckError ||
		!strings.Contains(c.Fix, "put-bucket-replication") {
		t.Errorf("no configuration: %+v", d)
	}
	// A configuration stored before its destination was deleted.
	if err := e.obj.SetVersioning(e.ctx, "mine", object.VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	e.versioned(b, "gone")
	e.configure("src", configXML(role, rule{id: "g", priority: 2, dest: "gone"}))
	if err := e.obj.DeleteBucket(e.ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	d = e.doctor("src")
	if c := findCheck(d, "destination bucket gone exists"); d.Healthy || c == nil || !strings.Contains(c.Detail, replication.ReasonDstBucketNotFound) {
		t.Errorf("destination gone: %+v", c)
	}
	if _, err := e.repl.Doctor(e.ctx, "nosuch"); code(err) != "NoSuchBucket" {
		t.Errorf("doctor of a missing bucket: %v", err)
	}
}

// TestPutConfigurationValidation: AWS's checks and messages, the stored
// document, and versioning locked while a configuration exists.
func TestPutConfigurationValidation(t *testing.T) {
	e := newEnv(t)
	a := e.account("A")
	e.versioned(a, "src")
	e.versioned(a, "dst")
	e.bucket(a, "plain", bucketOpt{})
	e.bucket(a, "suspended", bucketOpt{versioned: true})
	if err := e.obj.SetVersioning(e.ctx, "suspended", object.VersioningSuspended); err != nil {
		t.Fatal(err)
	}
	role := e.role(a, "repl", fullRolePolicy([]string{"src"}, "dst"))
	for _, c := range []struct {
		name, bucket string
		doc          []byte
		code, msg    string
	}{
		{"source unversioned", "plain", configXML(role, rule{priority: 1, dest: "dst"}), "InvalidRequest",
			"Versioning must be 'Enabled' on the bucket to apply a replication configuration"},
		{"source suspended", "suspended", configXML(role, rule{priority: 1, dest: "dst"}), "InvalidRequest",
			"Versioning must be 'Enabled' on the bucket to apply a replication configuration"},
		{"destination missing", "src", configXML(role, rule{priority: 1, dest: "nosuch"}), "InvalidRequest", "Destination bucket must exist."},
		{"destination unversioned", "src", configXML(role, rule{priority: 1, dest: "plain"}), "InvalidRequest",
			"Destination bucket must have versioning enabled."},
		{"destination suspended", "src", configXML(role, rule{priority: 1, dest: "dst"}, rule{priority: 2, dest: "suspended"}), "InvalidRequest",
			"Destination bucket must have versioning enabled."},
		{"source missing", "nosuch", configXML(role, rule{priority: 1, dest: "dst"}), "NoSuchBucket", ""},
		{"malformed", "src", []byte("<ReplicationConfiguration><Role>x</Role>"), "MalformedXML", ""},
		{"too large", "src", bytes.Repeat([]byte(" "), replconf.MaxDocumentSize+1), "InvalidRequest", ""},
	} {
		err := e.repl.PutConfiguration(e.ctx, nil, c.bucket, c.doc)
		if e := code(err); e != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
			continue
		}
		if c.msg != "" && !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: message %q, want %q", c.name, err, c.msg)
		}
	}
	if _, err := e.repl.Configuration(e.ctx, "src"); code(err) != "ReplicationConfigurationNotFoundError" {
		t.Errorf("after refused puts: %v", err)
	}

	// A valid one is stored in canonical form, with generated rule IDs.
	e.configure("src", configXML(role, rule{priority: 1, prefix: "p/", dest: "dst"}))
	doc, err := e.repl.Configuration(e.ctx, "src")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := replconf.Parse(doc)
	if err != nil || cfg.Role != role || len(cfg.Rules) != 1 || cfg.Rules[0].ID == "" || cfg.Rules[0].Filter.Prefix != "p/" {
		t.Fatalf("stored %s: %+v %v", doc, cfg, err)
	}
	if again, _ := e.repl.Configuration(e.ctx, "src"); !bytes.Equal(again, doc) {
		t.Errorf("rule ID not stable across reads")
	}
	o := e.put("src", "p/1", []byte("x"), putOpt{owner: a})
	if v := e.settle("src", "p/1", o.VersionID, meta.ReplicationCompleted); v.Replication[0].Rule != cfg.Rules[0].ID {
		t.Errorf("rule of the replication %q, want the generated %q", v.Replication[0].Rule, cfg.Rules[0].ID)
	}

	// Versioning cannot be suspended while the configuration exists.
	err = e.obj.SetVersioning(e.ctx, "src", object.VersioningSuspended)
	if code(err) != "InvalidBucketState" {
		t.Errorf("suspend with replication: %v", err)
	}
	if err := e.obj.SetVersioning(e.ctx, "src", object.VersioningEnabled); err != nil {
		t.Errorf("enable again: %v", err)
	}
	if err := e.repl.DeleteConfiguration(e.ctx, "src"); err != nil {
		t.Fatal(err)
	}
	if err := e.obj.SetVersioning(e.ctx, "src", object.VersioningSuspended); err != nil {
		t.Errorf("suspend without replication: %v", err)
	}

	// A caller other than the root user needs iam:PassRole on the role.
	user := func(doc string) *authz.Identity {
		id := &authz.Identity{AccountID: a, ARN: "arn:aws:iam::" + a + ":user/u", UserID: "AIDAUSER"}
		if doc != "" {
			p, err := policy.Parse([]byte(doc), policy.ForIdentityPolicy())
			if err != nil {
				t.Fatal(err)
			}
			id.Policies = []authz.NamedPolicy{{Name: "p", Policy: p}}
		}
		return id
	}
	if err := e.obj.SetVersioning(e.ctx, "src", object.VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	doc = configXML(role, rule{priority: 1, dest: "dst"})
	if err := e.repl.PutConfiguration(e.ctx, user(""), "src", doc); code(err) != "AccessDenied" || !strings.Contains(err.Error(), "iam:PassRole") {
		t.Errorf("without iam:PassRole: %v", err)
	}
	pass := policyDoc(stmt{actions: []string{"iam:PassRole"}, resources: []string{role}})
	if err := e.repl.PutConfiguration(e.ctx, user(pass), "src", doc); err != nil {
		t.Errorf("with iam:PassRole: %v", err)
	}
}
