package replication_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/replication"
)

// crossAccount is account A with versioned bucket "src" and a role
// "repl" allowed (by its own policy) to replicate to the named
// destinations, and account B owning those destinations (versioned,
// without bucket policy).
type crossAccount struct {
	*env
	a, b, role string
}

func newCrossAccount(t *testing.T, dsts ...string) *crossAccount {
	e := newEnv(t)
	c := &crossAccount{env: e, a: e.account("A"), b: e.account("B")}
	e.versioned(c.a, "src")
	for _, d := range dsts {
		e.versioned(c.b, d)
	}
	c.role = e.role(c.a, "repl", fullRolePolicy([]string{"src"}, dsts...))
	return c
}

// grant sets dst's bucket policy allowing the role the actions on its
// objects.
func (c *crossAccount) grant(dst string, actions ...string) {
	c.bucketPolicy(dst, policyDoc(stmt{principal: c.role, actions: actions, resources: objectsOf(dst)}))
}

// TestCrossAccountFailuresAndRetry walks through the failures a
// cross-account setup meets and their recovery with Retry.
func TestCrossAccountFailuresAndRetry(t *testing.T) {
	c := newCrossAccount(t, "dst")
	c.configure("src", configXML(c.role, rule{id: "r", priority: 1, dest: "dst", deleteMarkers: true}))

	// No bucket policy on the destination: the role's own policy is not
	// enough across accounts.
	o1 := c.put("src", "k1", []byte("one"), putOpt{owner: c.a})
	v := c.settle("src", "k1", o1.VersionID, meta.ReplicationFailed)
	if got := states(v); got["dst"] != "FAILED "+replication.ReasonDstPutNotPermitted {
		t.Errorf("destinations %v", got)
	}
	if h, _ := c.head("src", "k1", o1.VersionID); h.ReplicationStatus != meta.ReplicationFailed {
		t.Errorf("HEAD: %s", describe(h))
	}
	c.drained() // FAILED is terminal: no task left
	if _, err := c.head("dst", "k1", o1.VersionID); code(err) != "NoSuchVersion" {
		t.Errorf("replica despite the failure: %v", err)
	}
	c.observed(0, 1, 0)
	if f := c.obs.failures(); len(f) != 1 || f[0] != "src>dst r "+replication.ReasonDstPutNotPermitted {
		t.Errorf("observer failures %v", f)
	}

	// The destination owner grants ReplicateObject only; Retry re-drives
	// the FAILED version, which completes.
	c.grant("dst", "s3:ReplicateObject")
	n, err := c.repl.Retry(c.ctx, "src")
	if err != nil || n != 1 {
		t.Fatalf("retry: %d %v", n, err)
	}
	c.settle("src", "k1", o1.VersionID, meta.ReplicationCompleted)
	if _, body, err := c.get("dst", "k1", o1.VersionID, 0); err != nil || string(body) != "one" {
		t.Errorf("replica after retry: %q %v", body, err)
	}
	if n, err := c.repl.Retry(c.ctx, "src"); err != nil || n != 0 {
		t.Errorf("retry with nothing failed: %d %v", n, err)
	}

	// A delete marker needs s3:ReplicateDelete.
	dm := c.del("src", "k1", "")
	m := c.settle("src", "k1", dm.VersionID, meta.ReplicationFailed)
	if got := states(m); got["dst"] != "FAILED "+replication.ReasonDstDelNotPermitted {
		t.Errorf("delete marker destinations %v", got)
	}
	c.grant("dst", "s3:ReplicateObject", "s3:ReplicateDelete")
	if n, err := c.repl.Retry(c.ctx, "src"); err != nil || n != 1 {
		t.Fatalf("retry: %d %v", n, err)
	}
	c.settle("src", "k1", dm.VersionID, meta.ReplicationCompleted)
	if r := c.version("dst", "k1", dm.VersionID); r == nil || !r.DeleteMarker || r.ReplicationStatus != meta.ReplicationReplica {
		t.Errorf("delete marker replica %s", describe(r))
	}

	// A trust policy that does not let s3.amazonaws.com assume the role.
	if err := c.iam.UpdateAssumeRolePolicy(c.ctx, c.a, "repl",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`); err != nil {
		t.Fatal(err)
	}
	c.expireSessions()
	o2 := c.put("src", "k2", []byte("two"), putOpt{owner: c.a})
	v = c.settle("src", "k2", o2.VersionID, meta.ReplicationFailed)
	if got := states(v); got["dst"] != "FAILED "+replication.ReasonAssumeRole {
		t.Errorf("untrusted: destinations %v", got)
	}
	if err := c.iam.UpdateAssumeRolePolicy(c.ctx, c.a, "repl", s3Trust); err != nil {
		t.Fatal(err)
	}
	c.expireSessions()
	if n, err := c.repl.Retry(c.ctx, "src"); err != nil || n != 1 {
		t.Fatalf("retry: %d %v", n, err)
	}
	c.settle("src", "k2", o2.VersionID, meta.ReplicationCompleted)

	// A role that does not exist.
	c.configure("src", configXML("arn:aws:iam::"+c.a+":role/nosuch", rule{id: "r", priority: 1, dest: "dst"}))
	o3 := c.put("src", "k3", []byte("three"), putOpt{owner: c.a})
	v = c.settle("src", "k3", o3.VersionID, meta.ReplicationFailed)
	if got := states(v); got["dst"] != "FAILED "+replication.ReasonAssumeRole {
		t.Errorf("missing role: destinations %v", got)
	}
	// The explanation says why.
	r, err := c.repl.Status(c.ctx, "src")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Destinations) != 1 || len(r.Destinations[0].Failures) != 1 ||
		!strings.Contains(r.Destinations[0].Failures[0].Explanation, "role/nosuch") {
		t.Errorf("status %+v", r)
	}
	c.drained()
}

// TestDestinationGoneConfigGoneSourceGone: failures and skips decided
// while a replication was waiting.
func TestDestinationGoneConfigGoneSourceGone(t *testing.T) {
	c := newCrossAccount(t, "dst", "dst2")
	c.grant("dst", "s3:ReplicateObject", "s3:ReplicateDelete")
	c.grant("dst2", "s3:ReplicateObject", "s3:ReplicateDelete")
	c.configure("src", configXML(c.role, rule{id: "r", priority: 1, dest: "dst"}))

	// The destination bucket is deleted while the replication waits.
	c.hold()
	goneDst := c.put("src", "gone-dst", []byte("x"), putOpt{owner: c.a})
	if err := c.obj.DeleteBucket(c.ctx, "dst"); err != nil {
		t.Fatal(err)
	}
	c.release()
	v := c.settle("src", "gone-dst", goneDst.VersionID, meta.ReplicationFailed)
	if got := states(v); got["dst"] != "FAILED "+replication.ReasonDstBucketNotFound {
		t.Errorf("destinations %v", got)
	}

	// The configuration is deleted while the replication waits.
	c.configure("src", configXML(c.role, rule{id: "r2", priority: 1, dest: "dst2"}))
	c.hold()
	goneConfig := c.put("src", "gone-config", []byte("x"), putOpt{owner: c.a})
	if err := c.repl.DeleteConfiguration(c.ctx, "src"); err != nil {
		t.Fatal(err)
	}
	c.release()
	v = c.settle("src", "gone-config", goneConfig.VersionID, meta.ReplicationFailed)
	if got := states(v); got["dst2"] != "FAILED "+replication.ReasonSrcConfigMissing {
		t.Errorf("destinations %v", got)
	}
	if _, err := c.repl.Configuration(c.ctx, "src"); code(err) != "ReplicationConfigurationNotFoundError" {
		t.Errorf("configuration after delete: %v", err)
	}
	if err := c.repl.DeleteConfiguration(c.ctx, "src"); err != nil {
		t.Errorf("deleting it again: %v", err)
	}
	// Without configuration, writes are not replicated at all.
	o := c.put("src", "no-config", []byte("x"), putOpt{owner: c.a})
	if h, _ := c.head("src", "no-config", o.VersionID); h.ReplicationStatus != "" {
		t.Errorf("written without configuration: %s", describe(h))
	}
	// Retry after the configuration is back.
	c.configure("src", configXML(c.role, rule{id: "r2", priority: 1, dest: "dst2"}))
	if n, err := c.repl.Retry(c.ctx, "src"); err != nil || n != 2 {
		t.Fatalf("retry: %d %v (want the two FAILED versions)", n, err)
	}
	c.settle("src", "gone-config", goneConfig.VersionID, meta.ReplicationCompleted)
	if _, body, err := c.get("dst2", "gone-config", goneConfig.VersionID, 0); err != nil || string(body) != "x" {
		t.Errorf("replica after retry: %q %v", body, err)
	}
	// The version whose destination is gone fails again: no rule of the
	// configuration replicates to it any more.
	v = c.settle("src", "gone-dst", goneDst.VersionID, meta.ReplicationFailed)
	if got := states(v); got["dst"] != "FAILED "+replication.ReasonSrcConfigMissing {
		t.Errorf("destinations %v", got)
	}
	c.drained()

	// The source version is deleted (by version ID) before its
	// replication ran: nothing to do, no failure, the task is gone.
	c.hold()
	o = c.put("src", "gone-version", []byte("x"), putOpt{owner: c.a})
	c.del("src", "gone-version", o.VersionID)
	c.release()
	eventually(t, func() (bool, string) {
		s := c.obs.skips()
		return len(s) == 1, "skips " + strings.Join(s, ", ")
	})
	if s := c.obs.skips(); s[0] != "src>dst2 r2" {
		t.Errorf("skipped %v", s)
	}
	c.drained()
	// gone-config completed once; gone-dst failed twice and gone-config
	// once; the vanished version is a skip, not a failure.
	c.observed(1, 3, 1)
	if vs := c.versions("dst2", "gone-version"); len(vs) != 0 {
		t.Errorf("replica of a deleted version: %d versions", len(vs))
	}
}

// TestTagsAndOwnership: tags dropped when ReplicateTags is denied, kept
// when it is merely not granted;
// owner override needs s3:ObjectOwnerOverrideToBucketOwner unless the
// destination has ACLs disabled.
func TestTagsAndOwnership(t *testing.T) {
	e := newEnv(t)
	a, b := e.account("A"), e.account("B")
	e.versioned(a, "src")
	e.bucket(b, "writer", bucketOpt{ownership: object.OwnershipObjectWriter, versioned: true})
	e.bucket(b, "enforced", bucketOpt{versioned: true})
	e.bucket(b, "notags", bucketOpt{ownership: object.OwnershipObjectWriter, versioned: true})
	// The role may not override owners itself at first.
	role := e.role(a, "repl", policyDoc(append(sourceStmts("src"),
		stmt{actions: dstObjectActions, resources: objectsOf("writer", "enforced", "notags")})...))
	allow := func(dst string, actions ...string) stmt {
		return stmt{principal: role, actions: actions, resources: objectsOf(dst)}
	}
	e.bucketPolicy("writer", policyDoc(allow("writer", "s3:ReplicateObject", "s3:ObjectOwnerOverrideToBucketOwner")))
	e.bucketPolicy("enforced", policyDoc(allow("enforced", "s3:ReplicateObject")))
	e.bucketPolicy("notags", policyDoc(allow("notags", "s3:ReplicateObject", "s3:ReplicateTags"),
		stmt{effect: "Deny", principal: role, actions: []string{"s3:ReplicateTags"}, resources: objectsOf("notags")}))
	e.configure("src", configXML(role,
		rule{id: "plain", priority: 1, prefix: "plain/", dest: "notags"},
		rule{id: "ow", priority: 2, prefix: "ow/", dest: "writer", account: b, ownerOverride: true},
		rule{id: "oe", priority: 3, prefix: "oe/", dest: "enforced", account: b, ownerOverride: true},
		rule{id: "keep", priority: 4, prefix: "keep/", dest: "writer"}))
	tags := map[string]string{"team": "a"}

	// Tags: the destination denies ReplicateTags, the object replicates
	// without them and owned by the source owner (ObjectWriter).
	o := e.put("src", "plain/1", []byte("p"), putOpt{owner: a, attrs: object.Attrs{Tags: tags}})
	e.settle("src", "plain/1", o.VersionID, meta.ReplicationCompleted)
	r, err := e.head("notags", "plain/1", o.VersionID)
	if err != nil || len(r.Tags) != 0 || r.Owner != a {
		t.Errorf("replica without tags: %+v %v", r, err)
	}
	if src, _ := e.head("src", "plain/1", o.VersionID); !maps.Equal(src.Tags, tags) {
		t.Errorf("source lost its tags: %v", src.Tags)
	}

	// Without owner override into an ObjectWriter bucket: the source
	// owner keeps owning the replica, and the tags travel although the
	// bucket policy does not name s3:ReplicateTags (s3:ReplicateObject
	// covers them; only an explicit deny drops them).
	o = e.put("src", "keep/1", []byte("k"), putOpt{owner: a, attrs: object.Attrs{Tags: tags}})
	e.settle("src", "keep/1", o.VersionID, meta.ReplicationCompleted)
	if r, err := e.head("writer", "keep/1", o.VersionID); err != nil || r.Owner != a || !maps.Equal(r.Tags, tags) {
		t.Errorf("replica without override: %+v %v", r, err)
	}

	// Owner override into an ObjectWriter bucket needs the permission in
	// the role policy too.
	o = e.put("src", "ow/1", []byte("w"), putOpt{owner: a})
	v := e.settle("src", "ow/1", o.VersionID, meta.ReplicationFailed)
	if got := states(v); got["writer"] != "FAILED "+replication.ReasonDstPutNotPermitted {
		t.Errorf("override without permission: %v", got)
	}
	// Into a BucketOwnerEnforced bucket it needs none.
	o2 := e.put("src", "oe/1", []byte("e"), putOpt{owner: a})
	e.settle("src", "oe/1", o2.VersionID, meta.ReplicationCompleted)
	if r, err := e.head("enforced", "oe/1", o2.VersionID); err != nil || r.Owner != b || len(r.ACL) != 0 {
		t.Errorf("replica in a BucketOwnerEnforced destination: %+v %v", r, err)
	}

	e.setRolePolicy(a, "repl", fullRolePolicy([]string{"src"}, "writer", "enforced", "notags"))
	e.expireSessions()
	if n, err := e.repl.Retry(e.ctx, "src"); err != nil || n != 1 {
		t.Fatalf("retry: %d %v", n, err)
	}
	e.settle("src", "ow/1", o.VersionID, meta.ReplicationCompleted)
	if r, err := e.head("writer", "ow/1", o.VersionID); err != nil || r.Owner != b || len(r.ACL) != 0 {
		t.Errorf("replica with owner override: %+v %v", r, err)
	}
	acl, err := e.obj.ObjectACL(e.ctx, "writer", "ow/1", o.VersionID)
	if err != nil {
		t.Fatal(err)
	}
	if acl.Owner != b || len(acl.Grants) != 0 {
		t.Errorf("override replica ACL %+v, want owned by %s with no other grant", acl, b)
	}
}

// TestSourceReadDenied: a role without read access to the source fails
// with SrcGetObjectNotPermitted; without tag read access the replica has
// no tags.
func TestSourceReadDenied(t *testing.T) {
	e := newEnv(t)
	a := e.account("A")
	e.versioned(a, "src")
	e.versioned(a, "dst")
	role := e.role(a, "repl", policyDoc(stmt{actions: dstObjectActions, resources: objectsOf("dst")}))
	e.configure("src", configXML(role, rule{id: "r", priority: 1, dest: "dst"}))
	o := e.put("src", "k", []byte("x"), putOpt{owner: a, attrs: object.Attrs{Tags: map[string]string{"t": "1"}}})
	v := e.settle("src", "k", o.VersionID, meta.ReplicationFailed)
	if got := states(v); got["dst"] != "FAILED "+replication.ReasonSrcGetNotPermitted {
		t.Errorf("destinations %v", got)
	}
	// s3:GetObjectVersion also lets it read, but tags need
	// s3:GetObjectVersionTagging.
	e.setRolePolicy(a, "repl", policyDoc(
		stmt{actions: []string{"s3:GetObjectVersion"}, resources: objectsOf("src")},
		stmt{actions: dstObjectActions, resources: objectsOf("dst")}))
	e.expireSessions()
	if n, err := e.repl.Retry(e.ctx, "src"); err != nil || n != 1 {
		t.Fatalf("retry: %d %v", n, err)
	}
	e.settle("src", "k", o.VersionID, meta.ReplicationCompleted)
	if r, err := e.head("dst", "k", o.VersionID); err != nil || len(r.Tags) != 0 {
		t.Errorf("replica %+v %v, want no tags", r, err)
	}
	e.observed(1, 1, 0)
	if l := e.obs.lagsSeen(); len(l) != 1 || l[0] != 0 {
		t.Errorf("lag of a retried replication: %v, want 0", l)
	}
	if f := e.obs.failures(); !slices.Equal(f, []string{"src>dst r " + replication.ReasonSrcGetNotPermitted}) {
		t.Errorf("observer failures %v", f)
	}
}
