package replication_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/object"
)

// TestMetadataChanges: tag and ACL changes of a replicated version travel
// to its replica as operations of their own (the source is PENDING until
// they are done); a change made while the data is still pending rides
// with it; replicas send nothing back; a replica deleted by version ID
// fails the change with DstVersionNotFound.
func TestMetadataChanges(t *testing.T) {
	e := newEnv(t)
	a := e.account("A")
	e.bucket(a, "src", bucketOpt{ownership: object.OwnershipObjectWriter, versioned: true})
	e.bucket(a, "dst", bucketOpt{ownership: object.OwnershipObjectWriter, versioned: true})
	role := e.role(a, "repl", fullRolePolicy([]string{"src"}, "dst"))
	e.configure("src", configXML(role, rule{id: "r", priority: 1, dest: "dst"}))
	replicaTags := func(id string) map[string]string {
		t.Helper()
		r, err := e.head("dst", "k", id)
		if err != nil {
			t.Fatalf("replica %s: %v", id, err)
		}
		return r.Tags
	}
	setTags := func(bucket, id string, tags map[string]string) {
		t.Helper()
		if _, err := e.obj.SetTags(e.ctx, bucket, "k", id, tags); err != nil {
			t.Fatalf("tag %s/k?versionId=%s: %v", bucket, id, err)
		}
	}

	o := e.put("src", "k", []byte("data"), putOpt{owner: a, attrs: object.Attrs{Tags: map[string]string{"a": "1"}}})
	e.settle("src", "k", o.VersionID, meta.ReplicationCompleted)
	if got := replicaTags(o.VersionID); !maps.Equal(got, map[string]string{"a": "1"}) {
		t.Fatalf("replica tags %v", got)
	}

	// A tag change goes out on its own: PENDING until it lands.
	e.hold()
	setTags("src", o.VersionID, map[string]string{"b": "2"})
	if v, _ := e.head("src", "k", o.VersionID); v.ReplicationStatus != meta.ReplicationPending || states(v)["dst"] != "PENDING" {
		t.Fatalf("source after a tag change: %s", describe(v))
	}
	if n := e.tasks(); n != 1 {
		t.Fatalf("%d tasks queued for one tag change", n)
	}
	e.release()
	e.settle("src", "k", o.VersionID, meta.ReplicationCompleted)
	if got := replicaTags(o.VersionID); !maps.Equal(got, map[string]string{"b": "2"}) {
		t.Fatalf("replica tags after the change %v", got)
	}
	// Removing the tags removes them from the replica.
	setTags("src", o.VersionID, nil)
	e.settle("src", "k", o.VersionID, meta.ReplicationCompleted)
	e.drained()
	if got := replicaTags(o.VersionID); len(got) != 0 {
		t.Fatalf("replica tags after removal %v", got)
	}

	// An ACL change travels too (ACLs are enabled on both buckets).
	grant := meta.Grant{Type: "CanonicalUser", Grantee: e.account("B"), Permission: "READ"}
	if err := e.obj.SetObjectACL(e.ctx, "src", "k", o.VersionID, object.ACL{Grants: []meta.Grant{grant}}, ""); err != nil {
		t.Fatal(err)
	}
	e.settle("src", "k", o.VersionID, meta.ReplicationCompleted)
	e.drained()
	if r, _ := e.head("dst", "k", o.VersionID); len(r.ACL) != 1 || r.ACL[0] != grant {
		t.Fatalf("replica ACL %+v, want %+v", r.ACL, grant)
	}

	// Changed while the data is still pending: no second task, the
	// replica gets the latest tags with the data.
	e.hold()
	o2 := e.put("src", "k", []byte("v2"), putOpt{owner: a, attrs: object.Attrs{Tags: map[string]string{"v": "1"}}})
	setTags("src", o2.VersionID, map[string]string{"v": "2"})
	if n := e.tasks(); n != 1 {
		t.Fatalf("%d tasks for a pending version whose tags changed", n)
	}
	e.release()
	e.settle("src", "k", o2.VersionID, meta.ReplicationCompleted)
	if got := replicaTags(o2.VersionID); !maps.Equal(got, map[string]string{"v": "2"}) {
		t.Fatalf("replica tags of a version tagged while pending %v", got)
	}

	// A replica's changes are not sent back.
	e.drained()
	setTags("dst", o2.VersionID, map[string]string{"replica": "local"})
	if n := e.tasks(); n != 0 {
		t.Fatalf("tagging a replica queued %d tasks", n)
	}
	if v, _ := e.head("dst", "k", o2.VersionID); v.ReplicationStatus != meta.ReplicationReplica {
		t.Fatalf("replica after its own tag change: %s", describe(v))
	}

	// The replica was deleted by version ID: the change fails, saying so.
	e.del("dst", "k", o.VersionID)
	setTags("src", o.VersionID, map[string]string{"late": "1"})
	v := e.settle("src", "k", o.VersionID, meta.ReplicationFailed)
	if st := v.Replication[0]; st.Reason != "DstVersionNotFound" {
		t.Fatalf("state after the replica was deleted: %+v", st)
	}
	if f := e.obs.failures(); len(f) != 1 || !strings.HasSuffix(f[0], "DstVersionNotFound") {
		t.Fatalf("failures reported: %v", f)
	}
	if _, err := e.head("dst", "k", o.VersionID); code(err) != "NoSuchVersion" {
		t.Fatalf("a metadata change re-created a deleted replica: %v", err)
	}
}

// TestMetadataUnreplicated: tagging versions that never replicated (no
// rule matched, written before the configuration) queues nothing.
func TestMetadataUnreplicated(t *testing.T) {
	e, a, role := sameAccount(t, "src", "dst")
	old := e.put("src", "k", []byte("before"), putOpt{owner: a})
	e.configure("src", configXML(role, rule{id: "r", priority: 1, prefix: "logs/", dest: "dst"}))
	other := e.put("src", "other", []byte("x"), putOpt{owner: a})
	for _, w := range []struct{ key, id string }{{"k", old.VersionID}, {"other", other.VersionID}} {
		if _, err := e.obj.SetTags(e.ctx, "src", w.key, w.id, map[string]string{"t": "1"}); err != nil {
			t.Fatal(err)
		}
		if v, _ := e.head("src", w.key, w.id); v.ReplicationStatus != "" || len(v.Replication) != 0 {
			t.Fatalf("%s after tagging: %s", w.key, describe(v))
		}
	}
	if n := e.tasks(); n != 0 {
		t.Fatalf("%d tasks queued", n)
	}
}

// TestMetadataChangeDuringReplication: tags changed after a replication
// read the source version but before it stored the replica (the change saw
// the destination PENDING and queued nothing) still reach the replica.
func TestMetadataChangeDuringReplication(t *testing.T) {
	e, a, role := sameAccountWith(t, true, "src", "dst")
	e.configure("src", configXML(role, rule{id: "r", priority: 1, dest: "dst"}))
	body := []byte(strings.Repeat("x", 4000)) // a blob, copied: onOpen runs mid-replication
	e.hold()
	o := e.put("src", "k", body, putOpt{owner: a, attrs: object.Attrs{Tags: map[string]string{"v": "1"}}})
	changed := make(chan error, 1)
	hook := func() {
		_, err := e.obj.SetTags(e.ctx, "src", "k", o.VersionID, map[string]string{"v": "2"})
		changed <- err
	}
	e.onOpen.Store(&hook)
	e.release()
	if err := <-changed; err != nil {
		t.Fatal(err)
	}
	e.settle("src", "k", o.VersionID, meta.ReplicationCompleted)
	e.drained()
	if r, err := e.head("dst", "k", o.VersionID); err != nil || !maps.Equal(r.Tags, map[string]string{"v": "2"}) {
		t.Fatalf("replica tags %v (%v), want the tags set mid-replication", r.Tags, err)
	}
}
