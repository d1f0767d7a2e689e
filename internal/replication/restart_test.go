package replication_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/meta/bolt"
	"github.com/ferrys3/ferry/internal/replication"
)

// TestRestart: replications queued before a shutdown, some still leased
// by the process that went away, complete exactly once after the store
// is opened again.
func TestRestart(t *testing.T) {
	e, a, role := sameAccount(t, "src", "dst")
	e.configure("src", configXML(role, rule{id: "all", priority: 1, dest: "dst", deleteMarkers: true}))
	e.hold()
	type written struct{ key, vid string }
	var all []written
	for i := 1; i <= 3; i++ {
		all = append(all, written{"k", e.put("src", "k", []byte(fmt.Sprintf("v%d", i)), putOpt{owner: a}).VersionID})
	}
	for i := 1; i <= 4; i++ {
		key := fmt.Sprintf("other/%d", i)
		all = append(all, written{key, e.put("src", key, []byte(key), putOpt{owner: a}).VersionID})
	}
	all = append(all, written{"other/1", e.del("src", "other/1", "").VersionID})
	// Let the held tasks be tried (and fail transiently) at least once.
	eventually(t, func() (bool, string) {
		bl, _ := e.repl.Backlogs(e.ctx)
		return len(bl) == 1 && bl[0].LastError != "", fmt.Sprintf("backlogs %+v", bl)
	})
	e.stop()

	// As if the process had crashed holding leases: claim some tasks
	// with a lease far in the future.
	st, err := bolt.Open(filepath.Join(e.dir, "meta.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	var claimed int
	if err := st.Update(e.ctx, func(tx meta.Tx) error {
		now := time.Now()
		tasks, err := tx.ClaimTasks(replication.Queue, now.Add(time.Hour).UnixNano(), now.Add(time.Hour).UnixNano(), 100)
		claimed = len(tasks)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if claimed != 5 { // the earliest task of each key
		t.Fatalf("claimed %d tasks, want 5", claimed)
	}

	e.start() // still held
	if n := e.tasks(); n != len(all) {
		t.Fatalf("%d tasks after restart, want %d", n, len(all))
	}
	for _, w := range all {
		if v := e.version("src", w.key, w.vid); v == nil || v.ReplicationStatus != meta.ReplicationPending {
			t.Fatalf("%s %s after restart: %s", w.key, w.vid, describe(v))
		}
	}
	e.release()
	for _, w := range all {
		e.settle("src", w.key, w.vid, meta.ReplicationCompleted)
	}
	e.drained()
	e.observed(len(all), 0, 0) // the observer is new since the restart
	// Exactly one destination version per source version, same IDs, same
	// order.
	for _, key := range []string{"k", "other/1", "other/2", "other/3", "other/4"} {
		src, dst := e.versions("src", key), e.versions("dst", key)
		if len(src) != len(dst) {
			t.Errorf("%s: %d source versions, %d in the destination", key, len(src), len(dst))
			continue
		}
		for i := range src {
			if src[i].VersionID != dst[i].VersionID || src[i].DeleteMarker != dst[i].DeleteMarker || dst[i].IsLatest != src[i].IsLatest {
				t.Errorf("%s version %d: source %s, destination %s", key, i, src[i].VersionID, dst[i].VersionID)
			}
		}
	}
	if cur, body, err := e.get("dst", "k", "", 0); err != nil || cur.VersionID != all[2].vid || string(body) != "v3" {
		t.Errorf("current destination version of k: %v %q %v", cur, body, err)
	}
	if _, err := e.head("dst", "other/1", ""); code(err) != "NoSuchKey" {
		t.Errorf("other/1 in the destination after its delete marker: %v", err)
	}
}

// TestSourceBucketGone: a replication whose source bucket was deleted is
// skipped.
func TestSourceBucketGone(t *testing.T) {
	e, a, role := sameAccount(t, "src", "dst")
	e.configure("src", configXML(role, rule{id: "r", priority: 1, dest: "dst"}))
	e.hold()
	o := e.put("src", "k", []byte("x"), putOpt{owner: a})
	e.del("src", "k", o.VersionID)
	if err := e.obj.DeleteBucket(e.ctx, "src"); err != nil {
		t.Fatal(err)
	}
	e.release()
	e.drained()
	e.observed(0, 0, 1)
}
