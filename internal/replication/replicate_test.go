package replication_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/replication"
)

// sameAccount is one account "A" with a role allowed to replicate between
// all the named buckets (each created versioned).
func sameAccount(t *testing.T, buckets ...string) (*env, string, string) {
	return sameAccountWith(t, false, buckets...)
}

func sameAccountWith(t *testing.T, copyOnly bool, buckets ...string) (*env, string, string) {
	e := newEnvWith(t, copyOnly)
	a := e.account("A")
	for _, b := range buckets {
		e.versioned(a, b)
	}
	role := e.role(a, "repl", fullRolePolicy(buckets, buckets...))
	return e, a, role
}

// TestReplicatesVersionAsIs: a PUT under a rule goes PENDING then
// COMPLETED; the replica keeps version ID, time, ETag, type, headers,
// user metadata, tags and checksums, is marked REPLICA and is never
// replicated again, even by a rule pointing back at the source.
func TestReplicatesVersionAsIs(t *testing.T) {
	t.Run("linked", func(t *testing.T) { testReplicatesVersionAsIs(t, false) })
	t.Run("copied", func(t *testing.T) { testReplicatesVersionAsIs(t, true) })
}

func testReplicatesVersionAsIs(t *testing.T, copyOnly bool) {
	e, a, role := sameAccountWith(t, copyOnly, "src", "dst")
	e.configure("src", configXML(role, rule{id: "to-dst", priority: 1, dest: "dst"}))
	// Two-way: the destination replicates back to the source.
	e.configure("dst", configXML(role, rule{id: "back", priority: 1, dest: "src"}))

	for _, size := range []int{0, 100, 4000} { // empty, inline and blob bodies
		key := fmt.Sprintf("docs/k%d", size)
		data := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
		e.hold()
		out := e.put("src", key, data, putOpt{owner: a, checksum: "CRC32C", attrs: object.Attrs{
			ContentType: "text/plain", Headers: map[string]string{"Cache-Control": "no-cache"},
			Metadata: map[string]string{"color": "blue"}, Tags: map[string]string{"team": "a", "env": "prod"}}})
		v, err := e.head("src", key, out.VersionID)
		if err != nil || v.ReplicationStatus != meta.ReplicationPending || states(v)["dst"] != "PENDING" {
			t.Fatalf("%s right after PUT: %v %s", key, err, describe(v))
		}
		if _, err := e.head("dst", key, out.VersionID); code(err) != "NoSuchVersion" {
			t.Fatalf("replica before the destination is reachable: %v", err)
		}
		e.release()
		src := e.settle("src", key, out.VersionID, meta.ReplicationCompleted)
		if len(src.Replication) != 1 || src.Replication[0] != (meta.ReplicaState{Bucket: "dst", Rule: "to-dst", Status: "COMPLETED"}) {
			t.Errorf("%s destinations %+v", key, src.Replication)
		}
		if h, _ := e.head("src", key, out.VersionID); h.ReplicationStatus != meta.ReplicationCompleted {
			t.Errorf("HEAD source: %s", describe(h))
		}
		r, body, err := e.get("dst", key, out.VersionID, 0)
		if err != nil {
			t.Fatalf("GET replica %s: %v", key, err)
		}
		if !bytes.Equal(body, data) {
			t.Errorf("%s: replica bytes differ (%d vs %d)", key, len(body), len(data))
		}
		sum := md5.Sum(data)
		if r.VersionID != out.VersionID || !r.ModTime.Equal(src.ModTime) || r.ETag != hex.EncodeToString(sum[:]) || r.ETag != src.ETag ||
			r.Size != int64(size) || r.ContentType != "text/plain" || r.StorageClass != "STANDARD" || r.Owner != a {
			t.Errorf("%s replica %+v\nsource %+v", key, r, src)
		}
		if !maps.Equal(r.Metadata, src.Metadata) || !maps.Equal(r.Headers, src.Headers) || !maps.Equal(r.Tags, src.Tags) ||
			!maps.Equal(r.Checksums, src.Checksums) || r.Checksums["CRC32C"] == "" || r.ChecksumType != src.ChecksumType {
			t.Errorf("%s replica metadata %v %v %v %v %s, source %v %v %v %v %s", key, r.Metadata, r.Headers, r.Tags, r.Checksums, r.ChecksumType,
				src.Metadata, src.Headers, src.Tags, src.Checksums, src.ChecksumType)
		}
		if r.ReplicationStatus != meta.ReplicationReplica || len(r.Replication) != 0 {
			t.Errorf("%s replica status %s", key, describe(r))
		}
		// The current version of the destination key is the replica.
		if cur, err := e.head("dst", key, ""); err != nil || cur.VersionID != out.VersionID {
			t.Errorf("current destination version: %v %v", cur, err)
		}
	}
	e.drained()
	// Nothing bounced back: the source keys hold exactly their one version.
	for _, size := range []int{0, 100, 4000} {
		key := fmt.Sprintf("docs/k%d", size)
		if vs := e.versions("src", key); len(vs) != 1 {
			t.Errorf("%s: %d source versions after replication", key, len(vs))
		}
	}
	// A write to the destination replicates back, and its replica in the
	// source does not go out again.
	out := e.put("dst", "back/1", []byte("from dst"), putOpt{owner: a})
	e.settle("dst", "back/1", out.VersionID, meta.ReplicationCompleted)
	if r, err := e.head("src", "back/1", out.VersionID); err != nil || r.ReplicationStatus != meta.ReplicationReplica {
		t.Fatalf("back replica: %v %s", err, describe(r))
	}
	e.drained()
	if vs := e.versions("dst", "back/1"); len(vs) != 1 || vs[0].ReplicationStatus != meta.ReplicationCompleted {
		t.Errorf("destination key after two-way replication: %d versions", len(vs))
	}
	e.observed(4, 0, 0)
	for _, l := range e.obs.lagsSeen() {
		if l <= 0 || l > waitLimit {
			t.Errorf("lag of a live replication: %v", l)
		}
	}
}

// TestFanOut: two rules to two destinations; COMPLETED only once both
// are; an unversioned destination fails alone with DstBucketUnversioned.
func TestFanOut(t *testing.T) {
	e := newEnv(t)
	a := e.account("A")
	e.versioned(a, "src")
	e.versioned(a, "east")
	e.bucket(a, "west", bucketOpt{region: "us-west-2", versioned: true})
	role := e.role(a, "repl", fullRolePolicy([]string{"src"}, "east", "west"))
	e.configure("src", configXML(role,
		rule{id: "r-east", priority: 1, dest: "east"},
		rule{id: "r-west", priority: 2, prefix: "", dest: "west"}))

	e.setDown("us-west-2", true)
	out := e.put("src", "k", []byte("fan out"), putOpt{owner: a})
	eventually(t, func() (bool, string) {
		v := e.version("src", "k", out.VersionID)
		return states(v)["east"] == "COMPLETED", "east not completed: " + describe(v)
	})
	v := e.version("src", "k", out.VersionID)
	if v.ReplicationStatus != meta.ReplicationPending || states(v)["west"] != "PENDING" {
		t.Fatalf("one of two destinations done: %s", describe(v))
	}
	if _, err := e.head("east", "k", out.VersionID); err != nil {
		t.Errorf("east replica: %v", err)
	}
	e.setDown("us-west-2", false)
	v = e.settle("src", "k", out.VersionID, meta.ReplicationCompleted)
	if got := states(v); len(got) != 2 || got["east"] != "COMPLETED" || got["west"] != "COMPLETED" {
		t.Errorf("destinations %v", got)
	}
	for _, d := range []string{"east", "west"} {
		if _, body, err := e.get(d, "k", out.VersionID, 0); err != nil || string(body) != "fan out" {
			t.Errorf("%s replica: %q %v", d, body, err)
		}
	}

	// A destination whose versioning was suspended after the rule was
	// put: that destination fails, the other completes.
	if err := e.obj.SetVersioning(e.ctx, "west", object.VersioningSuspended); err != nil {
		t.Fatal(err)
	}
	out = e.put("src", "k2", []byte("half"), putOpt{owner: a})
	v = e.settle("src", "k2", out.VersionID, meta.ReplicationFailed)
	if got := states(v); got["east"] != "COMPLETED" || got["west"] != "FAILED "+replication.ReasonDstUnversioned {
		t.Errorf("destinations %v", got)
	}
	if _, err := e.head("west", "k2", out.VersionID); err == nil {
		t.Errorf("replica written to the unversioned destination")
	}
	if _, err := e.head("east", "k2", out.VersionID); err != nil {
		t.Errorf("east replica: %v", err)
	}
	e.drained()
	e.observed(3, 1, 0)
	if f := e.obs.failures(); len(f) != 1 || f[0] != "src>west r-west "+replication.ReasonDstUnversioned {
		t.Errorf("observer failures %v", f)
	}
}

// TestPriority: of two rules to one destination the higher priority wins
// (its storage class is used and its ID recorded), wherever it appears in
// the document.
func TestPriority(t *testing.T) {
	e, a, role := sameAccount(t, "src", "dst")
	e.configure("src", configXML(role,
		rule{id: "low", priority: 1, dest: "dst", storageClass: "STANDARD_IA"},
		rule{id: "high", priority: 9, prefix: "hot/", dest: "dst", storageClass: "GLACIER_IR"},
		rule{id: "higher-but-off", priority: 20, prefix: "hot/", dest: "dst", storageClass: "ONEZONE_IA", disabled: true}))
	hot := e.put("src", "hot/x", []byte("x"), putOpt{owner: a})
	cold := e.put("src", "cold/y", []byte("y"), putOpt{owner: a})
	for _, c := range []struct {
		key, vid, rule, class string
	}{{"hot/x", hot.VersionID, "high", "GLACIER_IR"}, {"cold/y", cold.VersionID, "low", "STANDARD_IA"}} {
		v := e.settle("src", c.key, c.vid, meta.ReplicationCompleted)
		if len(v.Replication) != 1 || v.Replication[0].Rule != c.rule {
			t.Errorf("%s: destinations %+v, want rule %s", c.key, v.Replication, c.rule)
		}
		if v.StorageClass != "STANDARD" {
			t.Errorf("%s: source storage class changed to %s", c.key, v.StorageClass)
		}
		r, err := e.head("dst", c.key, c.vid)
		if err != nil || r.StorageClass != c.class {
			t.Errorf("%s replica: %v %v, want storage class %s", c.key, r, err, c.class)
		}
	}
}

// TestFilters: prefix and tag filters (tags as written: tagging later does
// not replicate); delete markers with V1 always, with V2 only when
// DeleteMarkerReplication is Enabled; version-specific deletes never.
func TestFilters(t *testing.T) {
	e, a, role := sameAccount(t, "src", "logs", "prod")
	e.configure("src", configXML(role,
		rule{id: "logs", priority: 1, prefix: "logs/", dest: "logs"},
		rule{id: "prod", priority: 2, tags: [][2]string{{"env", "prod"}}, dest: "prod"}))

	l := e.put("src", "logs/a", []byte("a"), putOpt{owner: a})
	p := e.put("src", "data/b", []byte("b"), putOpt{owner: a, attrs: object.Attrs{Tags: map[string]string{"env": "prod", "x": "y"}}})
	both := e.put("src", "logs/c", []byte("c"), putOpt{owner: a, attrs: object.Attrs{Tags: map[string]string{"env": "prod"}}})
	wrong := e.put("src", "data/d", []byte("d"), putOpt{owner: a, attrs: object.Attrs{Tags: map[string]string{"env": "dev"}}})
	none := e.put("src", "data/e", []byte("e"), putOpt{owner: a})
	for _, c := range []struct {
		key, vid string
		dests    []string
	}{{"logs/a", l.VersionID, []string{"logs"}}, {"data/b", p.VersionID, []string{"prod"}},
		{"logs/c", both.VersionID, []string{"logs", "prod"}}} {
		v := e.settle("src", c.key, c.vid, meta.ReplicationCompleted)
		if got := sortedKeys(states(v)); fmt.Sprint(got) != fmt.Sprint(c.dests) {
			t.Errorf("%s replicated to %v, want %v", c.key, got, c.dests)
		}
		for _, d := range []string{"logs", "prod"} {
			_, err := e.head(d, c.key, c.vid)
			want := "NoSuchVersion"
			if slices.Contains(c.dests, d) {
				want = ""
			}
			if code(err) != want {
				t.Errorf("%s in %s: %v, want %q", c.key, d, err, want)
			}
		}
	}
	for _, c := range []struct{ key, vid string }{{"data/d", wrong.VersionID}, {"data/e", none.VersionID}} {
		v, err := e.head("src", c.key, c.vid)
		if err != nil || v.ReplicationStatus != "" || len(v.Replication) != 0 {
			t.Errorf("%s matched no rule yet shows %s (%v)", c.key, describe(v), err)
		}
	}
	e.drained()
	// Tagging afterwards does not replicate: the decision was taken when
	// the version was written.
	if _, err := e.obj.SetTags(e.ctx, "src", "data/e", none.VersionID, map[string]string{"env": "prod"}); err != nil {
		t.Fatal(err)
	}
	if n := e.tasks(); n != 0 {
		t.Errorf("tagging queued %d replications", n)
	}
	if v, _ := e.head("src", "data/e", none.VersionID); v.ReplicationStatus != "" {
		t.Errorf("tagged later: %s", describe(v))
	}

	// V2 without DeleteMarkerReplication: the marker stays here.
	dm := e.del("src", "logs/a", "")
	if m := e.version("src", "logs/a", dm.VersionID); m == nil || !m.DeleteMarker || m.ReplicationStatus != "" {
		t.Errorf("delete marker with replication disabled: %s", describe(m))
	}
	if n := e.tasks(); n != 0 {
		t.Errorf("delete marker queued %d replications", n)
	}
	// V2 with it Enabled (a prefix rule): the marker replicates, and the
	// destination key then reads as deleted.
	e.configure("src", configXML(role,
		rule{id: "logs", priority: 1, prefix: "logs/", dest: "logs", deleteMarkers: true},
		rule{id: "prod", priority: 2, tags: [][2]string{{"env", "prod"}}, dest: "prod"}))
	dm = e.del("src", "logs/c", "")
	m := e.settle("src", "logs/c", dm.VersionID, meta.ReplicationCompleted)
	if got := states(m); len(got) != 1 || got["logs"] != "COMPLETED" {
		t.Errorf("delete marker destinations %v (tag rules never replicate delete markers)", got)
	}
	if r := e.version("logs", "logs/c", dm.VersionID); r == nil || !r.DeleteMarker || r.ReplicationStatus != meta.ReplicationReplica {
		t.Errorf("delete marker replica: %s", describe(r))
	}
	if _, err := e.head("logs", "logs/c", ""); code(err) != "NoSuchKey" {
		t.Errorf("destination key after the marker: %v", err)
	}
	if _, err := e.head("prod", "logs/c", ""); err != nil {
		t.Errorf("tag-rule destination must keep the object: %v", err)
	}

	// V1: delete markers always replicate.
	e.configure("src", v1ConfigXML(role, "v1", "logs/", "logs"))
	v := e.put("src", "logs/v1", []byte("v1"), putOpt{owner: a})
	e.settle("src", "logs/v1", v.VersionID, meta.ReplicationCompleted)
	dm = e.del("src", "logs/v1", "")
	e.settle("src", "logs/v1", dm.VersionID, meta.ReplicationCompleted)
	if r := e.version("logs", "logs/v1", dm.VersionID); r == nil || !r.DeleteMarker {
		t.Errorf("V1 delete marker not replicated: %s", describe(r))
	}

	// A version-specific delete never propagates: neither removing a
	// version nor removing a delete marker.
	e.drained()
	e.del("src", "logs/v1", v.VersionID)
	e.del("src", "logs/v1", dm.VersionID)
	if n := e.tasks(); n != 0 {
		t.Errorf("version-specific deletes queued %d replications", n)
	}
	if vs := e.versions("src", "logs/v1"); len(vs) != 0 {
		t.Errorf("source still has %d versions", len(vs))
	}
	if vs := e.versions("logs", "logs/v1"); len(vs) != 2 {
		t.Errorf("destination has %d versions of logs/v1, want the replica and the marker", len(vs))
	}
	if _, body, err := e.get("logs", "logs/v1", v.VersionID, 0); err != nil || string(body) != "v1" {
		t.Errorf("replica after the source version was deleted: %q %v", body, err)
	}
}

// TestMultipart: a two-part object replicates with its "-2" ETag, parts
// count and part layout.
func TestMultipart(t *testing.T) {
	t.Run("linked", func(t *testing.T) { testMultipart(t, false) })
	t.Run("copied", func(t *testing.T) { testMultipart(t, true) })
}

func testMultipart(t *testing.T, copyOnly bool) {
	e, a, role := sameAccountWith(t, copyOnly, "src", "dst")
	e.configure("src", configXML(role, rule{id: "all", priority: 1, dest: "dst"}))
	part1 := bytes.Repeat([]byte{'a'}, object.MinPartSize)
	part2 := bytes.Repeat([]byte("bc"), object.MinPartSize/2)
	id, err := e.obj.CreateUpload(e.ctx, object.CreateUploadInput{Bucket: "src", Key: "big", Owner: a, ChecksumAlgorithm: "CRC32",
		Attrs: object.Attrs{ContentType: "application/x-big", Metadata: map[string]string{"m": "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	var parts []object.CompletePart
	for i, p := range [][]byte{part1, part2} {
		out, err := e.obj.UploadPart(e.ctx, object.PartInput{Bucket: "src", Key: "big", UploadID: id, Number: i + 1,
			Body: bytes.NewReader(p), Size: int64(len(p))})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, object.CompletePart{Number: i + 1, ETag: out.ETag})
	}
	out, err := e.obj.Complete(e.ctx, "src", "big", id, parts, object.WriteConditions{})
	if err != nil {
		t.Fatal(err)
	}
	src := e.settle("src", "big", out.VersionID, meta.ReplicationCompleted)
	r, err := e.head("dst", "big", out.VersionID)
	if err != nil {
		t.Fatal(err)
	}
	if r.ETag != src.ETag || len(r.ETag) < 3 || r.ETag[len(r.ETag)-2:] != "-2" || r.PartsCount != 2 || r.Size != int64(len(part1)+len(part2)) ||
		r.ContentType != "application/x-big" || !maps.Equal(r.Checksums, src.Checksums) || r.ChecksumType != "COMPOSITE" {
		t.Errorf("replica %+v\nsource %+v", r, src)
	}
	for n, want := range map[int][]byte{1: part1, 2: part2} {
		_, body, err := e.get("dst", "big", out.VersionID, n)
		if err != nil || !bytes.Equal(body, want) {
			t.Errorf("replica part %d: %d bytes, %v", n, len(body), err)
		}
	}
	if _, _, err := e.get("dst", "big", out.VersionID, 3); code(err) != "InvalidPartNumber" {
		t.Errorf("part 3: %v", err)
	}
	_, whole, err := e.get("dst", "big", out.VersionID, 0)
	if err != nil || !bytes.Equal(whole, append(append([]byte(nil), part1...), part2...)) {
		t.Errorf("whole replica: %d bytes, %v", len(whole), err)
	}
}

// TestPerKeyOrder: versions of one key written while the destination is
// unreachable arrive in order, the last written is current; an older
// version stored after a newer one lands as noncurrent.
func TestPerKeyOrder(t *testing.T) {
	e, a, role := sameAccount(t, "src", "dst", "dst2")
	e.configure("src", configXML(role, rule{id: "all", priority: 1, dest: "dst"}))
	e.hold()
	var ids []string
	for i := 1; i <= 3; i++ {
		ids = append(ids, e.put("src", "k", []byte(fmt.Sprintf("v%d", i)), putOpt{owner: a}).VersionID)
	}
	dm := e.del("src", "other", "") // another key, not replicated (no DeleteMarkerReplication)
	if n := e.tasks(); n != 3 {
		t.Fatalf("%d tasks queued, want 3", n)
	}
	if m := e.version("src", "other", dm.VersionID); m.ReplicationStatus != "" {
		t.Errorf("marker: %s", describe(m))
	}
	// Held: backlog and last error are visible.
	eventually(t, func() (bool, string) {
		bl, err := e.repl.Backlogs(e.ctx)
		if err != nil {
			return false, err.Error()
		}
		return len(bl) == 1 && bl[0].Operations == 3 && bl[0].Bytes == 6 && bl[0].LastError != "", fmt.Sprintf("backlogs %+v", bl)
	})
	e.release()
	for _, id := range ids {
		e.settle("src", "k", id, meta.ReplicationCompleted)
	}
	vs := e.versions("dst", "k")
	if len(vs) != 3 {
		t.Fatalf("%d destination versions", len(vs))
	}
	for i, v := range vs { // newest first
		if v.VersionID != ids[2-i] || v.IsLatest != (i == 0) {
			t.Errorf("destination version %d: %s latest %v, want %s", i, v.VersionID, v.IsLatest, ids[2-i])
		}
	}
	if cur, body, err := e.get("dst", "k", "", 0); err != nil || cur.VersionID != ids[2] || string(body) != "v3" {
		t.Errorf("current destination version %v %q %v", cur, body, err)
	}

	// Stored out of order, directly: v2 then v1.
	for _, i := range []int{1, 0} {
		v, err := e.obj.VersionByID(e.ctx, "src", "k", ids[i])
		if err != nil {
			t.Fatal(err)
		}
		r := *v
		r.Bucket = "dst2"
		err = e.obj.PutReplica(e.ctx, object.ReplicaInput{V: &r, Writer: v.Owner})
		if err != nil {
			t.Fatal(err)
		}
	}
	vs = e.versions("dst2", "k")
	if len(vs) != 2 || vs[0].VersionID != ids[1] || !vs[0].IsLatest || vs[1].VersionID != ids[0] || vs[1].IsLatest {
		t.Errorf("out-of-order replicas: %+v", vs)
	}
	if cur, body, err := e.get("dst2", "k", "", 0); err != nil || cur.VersionID != ids[1] || string(body) != "v2" ||
		cur.ReplicationStatus != meta.ReplicationReplica {
		t.Errorf("current after out-of-order replicas: %v %q %v", cur, body, err)
	}
	// Storing the same replica again replaces it: still two versions.
	v, _ := e.obj.VersionByID(e.ctx, "src", "k", ids[0])
	r := *v
	r.Bucket = "dst2"
	if err := e.obj.PutReplica(e.ctx, object.ReplicaInput{V: &r, Writer: v.Owner}); err != nil {
		t.Fatal(err)
	}
	if vs := e.versions("dst2", "k"); len(vs) != 2 {
		t.Errorf("replica stored twice: %d versions", len(vs))
	}
}

// TestPutReplicaIntegrity: copied replica bytes that do not hash to the
// source ETag are refused and leave nothing behind; VersionByID reports
// missing versions and buckets as S3 does.
func TestPutReplicaIntegrity(t *testing.T) {
	e, a, _ := sameAccountWith(t, true, "src", "dst")
	out := e.put("src", "k", bytes.Repeat([]byte("good bytes"), 200), putOpt{owner: a}) // a blob, not inline
	v, err := e.obj.VersionByID(e.ctx, "src", "k", out.VersionID)
	if err != nil {
		t.Fatal(err)
	}
	r := *v
	r.Bucket = "dst"
	r.ETag = strings.Repeat("0", 32) // not the MD5 of the bytes
	err = e.obj.PutReplica(e.ctx, object.ReplicaInput{V: &r, Writer: a})
	if !errors.Is(err, object.ErrReplicaIntegrity) {
		t.Errorf("tampered replica: %v", err)
	}
	if vs := e.versions("dst", "k"); len(vs) != 0 {
		t.Errorf("tampered replica stored")
	}
	n := 0
	if err := e.blobs.Walk(e.ctx, func(string) error { n++; return nil }); err != nil || n != 1 {
		t.Errorf("%d blobs after a refused replica, want the source's only (%v)", n, err)
	}
	r.ETag = v.ETag
	if err := e.obj.PutReplica(e.ctx, object.ReplicaInput{V: &r, Writer: a}); err != nil {
		t.Errorf("intact replica: %v", err)
	}
	if _, err := e.obj.VersionByID(e.ctx, "src", "k", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"); code(err) != "NoSuchVersion" {
		t.Errorf("missing version: %v", err)
	}
	if _, err := e.obj.VersionByID(e.ctx, "nosuch", "k", out.VersionID); code(err) != "NoSuchBucket" {
		t.Errorf("missing bucket: %v", err)
	}
	r.ModTime = time.Time{}
	if err := e.obj.PutReplica(e.ctx, object.ReplicaInput{V: &r, Writer: a}); err == nil {
		t.Errorf("replica without its time accepted")
	}
}

// TestCopyAndManyVersions: CopyObject writes a version that replicates
// (and is how a FAILED version is re-driven by hand); many versions of a
// few keys written concurrently with the workers arrive in order.
func TestCopyAndManyVersions(t *testing.T) {
	e, a, role := sameAccount(t, "src", "dst")
	e.configure("src", configXML(role, rule{id: "r", priority: 1, prefix: "in/", dest: "dst"}))
	o := e.put("src", "out/k", []byte("copied"), putOpt{owner: a, attrs: object.Attrs{Metadata: map[string]string{"m": "v"}}})
	if v, _ := e.head("src", "out/k", o.VersionID); v.ReplicationStatus != "" {
		t.Fatalf("outside the prefix: %s", describe(v))
	}
	c, err := e.obj.Copy(e.ctx, object.CopyInput{SrcBucket: "src", SrcKey: "out/k", Bucket: "src", Key: "in/k", Owner: a})
	if err != nil {
		t.Fatal(err)
	}
	e.settle("src", "in/k", c.VersionID, meta.ReplicationCompleted)
	if r, body, err := e.get("dst", "in/k", c.VersionID, 0); err != nil || string(body) != "copied" || r.Metadata["m"] != "v" {
		t.Errorf("replica of a copy: %v %q %v", r, body, err)
	}

	// Copy in place re-drives a FAILED version as a new version.
	if err := e.obj.SetVersioning(e.ctx, "dst", object.VersioningSuspended); err != nil {
		t.Fatal(err)
	}
	f := e.put("src", "in/f", []byte("f"), putOpt{owner: a})
	e.settle("src", "in/f", f.VersionID, meta.ReplicationFailed)
	if err := e.obj.SetVersioning(e.ctx, "dst", object.VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	c, err = e.obj.Copy(e.ctx, object.CopyInput{SrcBucket: "src", SrcKey: "in/f", Bucket: "src", Key: "in/f", Owner: a,
		ReplaceMetadata: true, Attrs: object.Attrs{Metadata: map[string]string{"again": "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	e.settle("src", "in/f", c.VersionID, meta.ReplicationCompleted)
	if v, _ := e.head("src", "in/f", f.VersionID); v.ReplicationStatus != meta.ReplicationFailed {
		t.Errorf("the old version keeps its status: %s", describe(v))
	}

	// 4 keys x 10 versions, written while the workers run.
	for i := 0; i < 10; i++ {
		for k := 0; k < 4; k++ {
			e.put("src", fmt.Sprintf("in/many/%d", k), []byte(fmt.Sprintf("%d-%d", k, i)), putOpt{owner: a})
		}
	}
	e.drained()
	for k := 0; k < 4; k++ {
		key := fmt.Sprintf("in/many/%d", k)
		src, dst := e.versions("src", key), e.versions("dst", key)
		if len(src) != 10 || len(dst) != 10 {
			t.Fatalf("%s: %d source and %d destination versions", key, len(src), len(dst))
		}
		for i := range src {
			if src[i].ReplicationStatus != meta.ReplicationCompleted || dst[i].VersionID != src[i].VersionID || dst[i].IsLatest != (i == 0) {
				t.Errorf("%s version %d: source %s %s, destination %s", key, i, src[i].VersionID, src[i].ReplicationStatus, dst[i].VersionID)
			}
		}
		if _, body, err := e.get("dst", key, "", 0); err != nil || string(body) != fmt.Sprintf("%d-9", k) {
			t.Errorf("%s current replica %q %v", key, body, err)
		}
	}
}
