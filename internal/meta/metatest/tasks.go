package metatest

// The durable task queue.

import (
	"testing"

	"github.com/ferrys3/ferry/internal/meta"
)

func claim(t *testing.T, s meta.Store, queue string, now, lease int64, n int) []*meta.Task {
	t.Helper()
	var got []*meta.Task
	update(t, s, func(tx meta.Tx) error {
		var err error
		got, err = tx.ClaimTasks(queue, now, lease, n)
		return err
	})
	return got
}

func ids(ts []*meta.Task) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

func count(t *testing.T, s meta.Store, queue string) int {
	t.Helper()
	var n int
	view(t, s, func(tx meta.Tx) error {
		var err error
		n, err = tx.CountTasks(queue)
		return err
	})
	return n
}

func testTasks(t *testing.T, open Opener) {
	s := newStore(t, open)
	a := &meta.Task{Queue: "repl", Key: "b/k/dest", Payload: []byte(`{"x":1}`), NotBefore: 100, Created: 50}
	b := &meta.Task{Queue: "repl", NotBefore: 100, Created: 51}
	named := &meta.Task{ID: "explicit-1", Queue: "gc", NotBefore: 5, Created: 52}
	update(t, s, func(tx meta.Tx) error {
		for _, x := range []*meta.Task{a, b, named} {
			if err := tx.EnqueueTask(x); err != nil {
				return err
			}
		}
		return nil
	})
	if a.ID == "" || b.ID == "" || a.ID == b.ID {
		t.Fatalf("EnqueueTask assigned IDs %q and %q, want distinct non-empty IDs", a.ID, b.ID)
	}
	equal(t, "explicit ID kept", named.ID, "explicit-1")
	err := s.Update(ctx, func(tx meta.Tx) error { return tx.EnqueueTask(&meta.Task{ID: "explicit-1", Queue: "gc"}) })
	wantErr(t, "EnqueueTask duplicate ID", err, meta.ErrExists)
	// IDs assigned later never repeat earlier ones.
	c := &meta.Task{Queue: "repl", NotBefore: 100}
	update(t, s, func(tx meta.Tx) error { return tx.EnqueueTask(c) })
	if c.ID == a.ID || c.ID == b.ID || c.ID == "" {
		t.Errorf("third assigned ID %q repeats one of %q %q", c.ID, a.ID, b.ID)
	}
	view(t, s, func(tx meta.Tx) error {
		got, err := tx.GetTask(a.ID)
		wantErr(t, "GetTask", err, nil)
		equal(t, "GetTask", got, a)
		_, err = tx.GetTask("nope")
		wantErr(t, "GetTask missing", err, meta.ErrNotFound)
		return nil
	})
	for _, q := range []struct {
		queue string
		n     int
	}{{"repl", 3}, {"gc", 1}, {"none", 0}} {
		equal(t, "CountTasks("+q.queue+")", count(t, s, q.queue), q.n)
	}

	// UpdateTask replaces the row, including its schedule and queue.
	upd := *b
	upd.NotBefore, upd.LastError, upd.Attempts, upd.Queue = 7, "boom", 3, "gc"
	update(t, s, func(tx meta.Tx) error { return tx.UpdateTask(&upd) })
	view(t, s, func(tx meta.Tx) error {
		got, _ := tx.GetTask(b.ID)
		equal(t, "updated task", got, &upd)
		return nil
	})
	equal(t, "CountTasks(repl) after move", count(t, s, "repl"), 2)
	equal(t, "CountTasks(gc) after move", count(t, s, "gc"), 2)
	equal(t, "claim gc after update", ids(claim(t, s, "gc", 10, 20, 10)), []string{named.ID, b.ID})
	equal(t, "claim repl after update", ids(claim(t, s, "repl", 100, 200, 10)), []string{a.ID, c.ID})
	err = s.Update(ctx, func(tx meta.Tx) error { return tx.UpdateTask(&meta.Task{ID: "nope", Queue: "gc"}) })
	wantErr(t, "UpdateTask missing", err, meta.ErrNotFound)

	update(t, s, func(tx meta.Tx) error { return tx.DeleteTask(a.ID) })
	view(t, s, func(tx meta.Tx) error {
		_, err := tx.GetTask(a.ID)
		wantErr(t, "GetTask deleted", err, meta.ErrNotFound)
		return nil
	})
	equal(t, "CountTasks(repl) after delete", count(t, s, "repl"), 1)
	equal(t, "claim repl after delete", ids(claim(t, s, "repl", 1000, 2000, 10)), []string{c.ID})
	err = s.Update(ctx, func(tx meta.Tx) error { return tx.DeleteTask(a.ID) })
	wantErr(t, "DeleteTask missing", err, meta.ErrNotFound)
}

func testClaimTasks(t *testing.T, open Opener) {
	s := newStore(t, open)
	// Explicit IDs so the (NotBefore, ID) order is known.
	tasks := []*meta.Task{
		{ID: "t3", Queue: "q", NotBefore: 10},
		{ID: "t1", Queue: "q", NotBefore: 20},
		{ID: "t2", Queue: "q", NotBefore: 10},
		{ID: "t0", Queue: "q", NotBefore: 30},
		{ID: "t5", Queue: "q", NotBefore: 1000},
		{ID: "o1", Queue: "other", NotBefore: 0},
		{ID: "t4", Queue: "q", NotBefore: 20, LeaseUntil: 50, Attempts: 2}, // already leased until 50
	}
	update(t, s, func(tx meta.Tx) error {
		for _, x := range tasks {
			if err := tx.EnqueueTask(x); err != nil {
				return err
			}
		}
		return nil
	})
	steps := []struct {
		name       string
		now, until int64
		n          int
		want       []string
	}{
		{"nothing ready yet", 5, 100, 10, []string{}},
		{"NotBefore is inclusive", 10, 100, 10, []string{"t2", "t3"}},
		{"n limits and leases skip", 30, 100, 1, []string{"t1"}},
		{"expired lease of t4 is ready", 60, 100, 10, []string{"t4", "t0"}},
		{"all leased", 99, 200, 10, []string{}},
		{"lease ends at LeaseUntil", 100, 500, 3, []string{"t2", "t3", "t1"}},
		{"n zero", 2000, 3000, 0, []string{}},
		{"every lease expired", 2000, 3000, 10, []string{"t2", "t3", "t1", "t4", "t0", "t5"}},
	}
	attempts := map[string]int{"t4": 2}
	for _, st := range steps {
		got := claim(t, s, "q", st.now, st.until, st.n)
		equal(t, st.name, ids(got), st.want)
		for _, x := range got {
			attempts[x.ID]++
			if x.LeaseUntil != st.until || x.Attempts != attempts[x.ID] || x.Queue != "q" {
				t.Errorf("%s: claimed %+v, want LeaseUntil %d Attempts %d", st.name, x, st.until, attempts[x.ID])
			}
		}
		view(t, s, func(tx meta.Tx) error { // the lease is stored
			for _, x := range got {
				stored, err := tx.GetTask(x.ID)
				wantErr(t, "GetTask", err, nil)
				equal(t, "stored claimed task", stored, x)
			}
			return nil
		})
	}
	equal(t, "other queue untouched", ids(claim(t, s, "other", 0, 10, 10)), []string{"o1"})
	equal(t, "CountTasks counts leased tasks", count(t, s, "q"), 6)

	// Releasing a lease with UpdateTask makes the task ready again.
	update(t, s, func(tx meta.Tx) error {
		x, err := tx.GetTask("t5")
		if err != nil {
			return err
		}
		x.LeaseUntil, x.LastError = 0, "retry"
		return tx.UpdateTask(x)
	})
	equal(t, "released", ids(claim(t, s, "q", 2001, 4000, 10)), []string{"t5"})
}

// testClaimTasksKeyOrder: tasks sharing a Key are claimed one at a time in
// enqueue order, whatever their NotBefore; other keys are not held up.
func testClaimTasksKeyOrder(t *testing.T, open Opener) {
	s := newStore(t, open)
	k1a := &meta.Task{Queue: "q", Key: "b/k1/d", NotBefore: 50}
	k1b := &meta.Task{Queue: "q", Key: "b/k1/d", NotBefore: 10}
	k2 := &meta.Task{Queue: "q", Key: "b/k2/d", NotBefore: 20}
	k1other := &meta.Task{Queue: "other", Key: "b/k1/d", NotBefore: 0}
	free := &meta.Task{Queue: "q", NotBefore: 30}
	update(t, s, func(tx meta.Tx) error {
		for _, x := range []*meta.Task{k1a, k1b, k2, k1other, free} {
			if err := tx.EnqueueTask(x); err != nil {
				return err
			}
		}
		return nil
	})
	equal(t, "first of k1 not ready yet: k1b waits behind it", ids(claim(t, s, "q", 40, 100, 10)), []string{k2.ID, free.ID})
	equal(t, "same key in another queue is independent", ids(claim(t, s, "other", 40, 100, 10)), []string{k1other.ID})
	equal(t, "k1a ready, k1b still behind it", ids(claim(t, s, "q", 60, 200, 10)), []string{k1a.ID})
	equal(t, "k1a leased: k1b still waits", ids(claim(t, s, "q", 150, 300, 10)), []string{k2.ID, free.ID})
	update(t, s, func(tx meta.Tx) error { return tx.DeleteTask(k1a.ID) })
	equal(t, "k1a done: k1b claimable", ids(claim(t, s, "q", 150, 300, 10)), []string{k1b.ID})
	// Moving a task to another queue moves its place in the key order too.
	k3a := &meta.Task{Queue: "q", Key: "b/k3/d", NotBefore: 0}
	k3b := &meta.Task{Queue: "q", Key: "b/k3/d", NotBefore: 0}
	update(t, s, func(tx meta.Tx) error {
		if err := tx.EnqueueTask(k3a); err != nil {
			return err
		}
		return tx.EnqueueTask(k3b)
	})
	moved := *k3a
	moved.Queue = "parked"
	update(t, s, func(tx meta.Tx) error { return tx.UpdateTask(&moved) })
	equal(t, "k3a parked: k3b claimable", ids(claim(t, s, "q", 250, 500, 10)), []string{k3b.ID})
}

// testReleaseLeases: released tasks are claimable at once; others untouched.
func testReleaseLeases(t *testing.T, open Opener) {
	s := newStore(t, open)
	a := &meta.Task{Queue: "q", NotBefore: 0}
	b := &meta.Task{Queue: "q", NotBefore: 0}
	o := &meta.Task{Queue: "other", NotBefore: 0}
	update(t, s, func(tx meta.Tx) error {
		for _, x := range []*meta.Task{a, b, o} {
			if err := tx.EnqueueTask(x); err != nil {
				return err
			}
		}
		return nil
	})
	equal(t, "claim q", ids(claim(t, s, "q", 10, 1000, 10)), []string{a.ID, b.ID})
	equal(t, "claim other", ids(claim(t, s, "other", 10, 1000, 10)), []string{o.ID})
	var n int
	update(t, s, func(tx meta.Tx) error {
		var err error
		n, err = tx.ReleaseLeases("q", 20)
		return err
	})
	equal(t, "released", n, 2)
	var listed []*meta.Task
	view(t, s, func(tx meta.Tx) error {
		return tx.ListTasks("q", func(x *meta.Task) bool { listed = append(listed, x); return true })
	})
	equal(t, "ListTasks", ids(listed), []string{a.ID, b.ID})
	equal(t, "ListTasks leases ended", listed[0].LeaseUntil+listed[1].LeaseUntil, int64(0))
	equal(t, "q claimable again", ids(claim(t, s, "q", 20, 1000, 10)), []string{a.ID, b.ID})
	equal(t, "other still leased", ids(claim(t, s, "other", 20, 1000, 10)), []string{})
}
