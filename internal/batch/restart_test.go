package batch_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/batch"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/meta/bolt"
)

// TestRestart: a job stopped while Active (service and store closed)
// resumes when the store is opened again and completes with every task
// run exactly once.
func TestRestart(t *testing.T) {
	e := newEnvWorkers(t, 4)
	a := e.account("owner")
	e.bucket(a, "manifests")
	e.bucket(a, "data")
	e.bucket(a, "reports")
	role := e.taggingRole(a, "tagger", "manifests", "reports", "data")
	const n = 3000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("obj %04d", i)
		e.put(a, "data", keys[i], nil)
	}
	m := e.upload(a, "manifests", "m.csv", keysManifest("data", keys...))
	e.spy.tagDelay.Store(int64(time.Millisecond))
	id := e.create(a, tagSpec(role, m, report("reports", "", "AllTasks")))

	j := e.wait(a, id, "300 tasks run", func(j *batch.Job) bool { return j.State.Succeeded >= 300 || j.Terminal() })
	if j.State.Status != batch.StatusActive {
		t.Fatalf("job not Active: %s", progress(j))
	}
	e.stop()
	atStop := len(e.spy.tagged("data"))
	if atStop >= n {
		t.Fatalf("the job ran all %d tasks before the stop", n)
	}
	e.start()
	j = e.describe(a, id)
	if j.State.Status != batch.StatusActive || int(j.State.Succeeded) != atStop {
		t.Fatalf("after reopening: %s, %d objects tagged", progress(j), atStop)
	}
	e.spy.tagDelay.Store(0)

	j = e.waitStatus(a, id, batch.StatusComplete)
	if j.State.Total != n || j.State.Succeeded != n || j.State.Failed != 0 {
		t.Errorf("progress: %s", progress(j))
	}
	tagged := e.spy.tagged("data")
	for _, k := range keys {
		if tagged[k] != 1 {
			t.Errorf("%q tagged %d times", k, tagged[k])
		}
	}
	if len(tagged) != n {
		t.Errorf("%d objects tagged, want %d", len(tagged), n)
	}
	want := []string{batch.StatusNew, batch.StatusPreparing, batch.StatusReady, batch.StatusActive, batch.StatusComplete}
	if got := e.spy.path(id); !slices.Equal(got, want) {
		t.Errorf("status path %v, want %v", got, want)
	}
	_, rows := e.readReport("reports", "", id)
	if got := keysOf(rows["succeeded"]); !slices.Equal(got, keys) {
		t.Errorf("report lists %d succeeded tasks (%d distinct?), want %d", len(got), len(slices.Compact(got)), n)
	}
	if e.describe(a, id).Elapsed(time.Now()) <= 0 {
		t.Errorf("no time in Active")
	}
}

// TestRestartBetweenChunks: a job stopped after its first chunk of tasks
// was queued but before the next (the step failed and waits for its
// retry), with some tasks still leased by the process that went away,
// resumes where its manifest cursor stands: every entry runs exactly once.
func TestRestartBetweenChunks(t *testing.T) {
	e := newEnvWorkers(t, 4)
	a := e.account("owner")
	e.bucket(a, "manifests")
	e.bucket(a, "data")
	role := e.taggingRole(a, "tagger", "manifests", "", "data")
	const n = 2500
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("o/%04d", i)
		e.put(a, "data", keys[i], nil)
	}
	m := e.upload(a, "manifests", "m.csv", keysManifest("data", keys...))
	e.spy.tagDelay.Store(int64(time.Millisecond))
	refused := make(chan struct{})
	var once sync.Once
	hook := func(status string, enqueued int64) error {
		if status == batch.StatusActive && enqueued > 1000 {
			once.Do(func() { close(refused) })
			return errors.New("injected: the store refuses the second chunk")
		}
		return nil
	}
	e.spy.jobHook.Store(&hook)
	id := e.create(a, tagSpec(role, m, noReport()))
	select {
	case <-refused:
	case <-time.After(waitLimit):
		t.Fatalf("the second chunk was never queued: %s", progress(e.describe(a, id)))
	}
	e.stop()
	e.spy.jobHook.Store(nil)
	e.spy.tagDelay.Store(0)

	// As if the process had crashed holding leases: claim some tasks with
	// a lease far in the future.
	st, err := bolt.Open(filepath.Join(e.dir, "meta.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	var stopped *batch.Job
	if err := st.Update(e.ctx, func(tx meta.Tx) error {
		r, err := tx.GetJob(a, id)
		if err != nil {
			return err
		}
		stopped = &batch.Job{}
		if err := json.Unmarshal(r.Data, stopped); err != nil {
			return err
		}
		later := time.Now().Add(time.Hour).UnixNano()
		tasks, err := tx.ClaimTasks(batch.ObjectQueue, later, later, 10)
		if len(tasks) != 10 {
			return fmt.Errorf("claimed %d tasks", len(tasks))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if stopped.State.Status != batch.StatusActive || stopped.State.Enqueued != 1000 || stopped.State.Total != n ||
		stopped.State.Succeeded >= 1000 {
		t.Fatalf("stopped job: %s, %d enqueued", progress(stopped), stopped.State.Enqueued)
	}

	e.start()
	j := e.waitStatus(a, id, batch.StatusComplete)
	if j.State.Total != n || j.State.Succeeded != n || j.State.Failed != 0 {
		t.Errorf("progress: %s", progress(j))
	}
	tagged := e.spy.tagged("data")
	for _, k := range keys {
		if tagged[k] != 1 {
			t.Errorf("%q tagged %d times", k, tagged[k])
		}
	}
	if len(tagged) != n {
		t.Errorf("%d objects tagged, want %d", len(tagged), n)
	}
}
