package metatest

// Store semantics: rollback, isolation of returned values, concurrency,
// context, durability and Close.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/ferrys3/ferry/internal/meta"
)

var errBoom = errors.New("metatest: boom")

func testRollback(t *testing.T, open Opener) {
	s := newStore(t, open)
	mkBucket(t, s, "b")
	putVersions(t, s, ver("b", "keep", "v1", 0, 0))
	task := &meta.Task{Queue: "q"}
	err := s.Update(ctx, func(tx meta.Tx) error {
		steps := []error{
			tx.PutVersion(ver("b", "k", "v1", 0, 0)),
			tx.DeleteVersion("b", "keep", "v1"),
			tx.CreateBucket(&meta.Bucket{Name: "b2", Owner: "111111111111", Created: base}),
			tx.PutAccount(&meta.Account{ID: "111111111111", Created: base}),
			tx.PutInline("i", []byte("x")),
			tx.PutSetting("s", []byte("x")),
			tx.PutUpload(upload("b", "k", "u", 0)),
			tx.PutPart(part("u", 1)),
			tx.EnqueueTask(task),
		}
		for _, err := range steps {
			if err != nil {
				return err
			}
		}
		return fmt.Errorf("wrapped: %w", errBoom)
	})
	wantErr(t, "Update error", err, errBoom)
	view(t, s, func(tx meta.Tx) error {
		_, err := tx.GetCurrent("b", "k")
		wantErr(t, "rolled back version", err, meta.ErrNotFound)
		_, err = tx.GetCurrent("b", "keep")
		wantErr(t, "rolled back delete", err, nil)
		_, err = tx.GetBucket("b2")
		wantErr(t, "rolled back bucket", err, meta.ErrNotFound)
		_, err = tx.GetAccount("111111111111")
		wantErr(t, "rolled back account", err, meta.ErrNotFound)
		_, err = tx.GetInline("i")
		wantErr(t, "rolled back inline", err, meta.ErrNotFound)
		_, err = tx.GetSetting("s")
		wantErr(t, "rolled back setting", err, meta.ErrNotFound)
		_, err = tx.GetUpload("b", "k", "u")
		wantErr(t, "rolled back upload", err, meta.ErrNotFound)
		_, err = tx.GetPart("u", 1)
		wantErr(t, "rolled back part", err, meta.ErrNotFound)
		n, err := tx.CountTasks("q")
		wantErr(t, "CountTasks", err, nil)
		equal(t, "rolled back task count", n, 0)
		return nil
	})
	equal(t, "ListCurrent after rollback", keys(listCurrent(t, s, "b", meta.ListOptions{}, 0)), []string{"keep"})
}

func testReadYourWrites(t *testing.T, open Opener) {
	s := newStore(t, open)
	update(t, s, func(tx meta.Tx) error {
		if err := tx.CreateBucket(&meta.Bucket{Name: "b", Owner: "o", Created: base}); err != nil {
			return err
		}
		if _, err := tx.GetBucket("b"); err != nil {
			t.Errorf("GetBucket in the creating tx: %v", err)
		}
		if err := tx.PutVersion(ver("b", "k", "v1", 0, 0)); err != nil {
			return err
		}
		if v, err := tx.GetCurrent("b", "k"); err != nil || v.VersionID != "v1" {
			t.Errorf("GetCurrent in the writing tx: %v %v", v, err)
		}
		n := 0
		if err := tx.ListCurrent("b", meta.ListOptions{}, func(*meta.Version) bool { n++; return true }); err != nil || n != 1 {
			t.Errorf("ListCurrent in the writing tx: %d entries, %v", n, err)
		}
		if err := tx.DeleteVersion("b", "k", "v1"); err != nil {
			return err
		}
		if _, err := tx.GetVersion("b", "k", "v1"); !errors.Is(err, meta.ErrNotFound) {
			t.Errorf("GetVersion after delete in the same tx: %v", err)
		}
		if err := tx.EnqueueTask(&meta.Task{Queue: "q"}); err != nil {
			return err
		}
		if got, err := tx.ClaimTasks("q", 0, 10, 5); err != nil || len(got) != 1 {
			t.Errorf("ClaimTasks in the enqueueing tx: %d tasks, %v", len(got), err)
		}
		return nil
	})
}

// testConcurrentUpdates: concurrent Updates are serialisable (a
// read-modify-write counter loses no increment) and all become visible.
func testConcurrentUpdates(t *testing.T, open Opener) {
	const n = 64
	s := newStore(t, open)
	mkBucket(t, s, "b")
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = s.Update(ctx, func(tx meta.Tx) error {
				c := 0
				if v, err := tx.GetSetting("counter"); err == nil {
					c, _ = strconv.Atoi(string(v))
				} else if !errors.Is(err, meta.ErrNotFound) {
					return err
				}
				if err := tx.PutSetting("counter", []byte(strconv.Itoa(c+1))); err != nil {
					return err
				}
				return tx.PutVersion(ver("b", fmt.Sprintf("key-%03d", i), "v1", i, 0))
			})
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		wantErr(t, fmt.Sprintf("Update %d", i), err, nil)
	}
	view(t, s, func(tx meta.Tx) error {
		v, err := tx.GetSetting("counter")
		wantErr(t, "GetSetting", err, nil)
		equal(t, "counter", string(v), strconv.Itoa(n))
		return nil
	})
	equal(t, "versions written", len(listCurrent(t, s, "b", meta.ListOptions{}, 0)), n)
}

// testConcurrentFailure: failing Updates (some after writing) among
// concurrent ones get their own error, and nothing else is affected.
func testConcurrentFailure(t *testing.T, open Opener) {
	const n = 64
	s := newStore(t, open)
	mkBucket(t, s, "b")
	fails := func(i int) bool { return i%9 == 4 }
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = s.Update(ctx, func(tx meta.Tx) error {
				if i == 13 { // fails before writing anything
					return errBoom
				}
				if err := tx.PutVersion(ver("b", fmt.Sprintf("key-%03d", i), "v1", i, 0)); err != nil {
					return err
				}
				if fails(i) {
					return fmt.Errorf("update %d: %w", i, errBoom)
				}
				return nil
			})
		}()
	}
	close(start)
	wg.Wait()
	var want []string
	for i, err := range errs {
		if fails(i) || i == 13 {
			wantErr(t, fmt.Sprintf("failing Update %d", i), err, errBoom)
			continue
		}
		wantErr(t, fmt.Sprintf("Update %d", i), err, nil)
		want = append(want, fmt.Sprintf("key-%03d", i))
	}
	equal(t, "committed keys", keys(listCurrent(t, s, "b", meta.ListOptions{}, 0)), want)
}

// testCopies: values passed in and handed out are not shared with the
// store, and stay valid after the transaction.
func testCopies(t *testing.T, open Opener) {
	s := newStore(t, open)
	mkBucket(t, s, "b")
	in := ver("b", "k", "v1", 0, 0)
	in.Metadata = map[string]string{"a": "1"}
	putVersions(t, s, in)
	in.Metadata["a"], in.Data[0].BlobID = "changed", "changed" // after commit
	want := ver("b", "k", "v1", 0, 0)
	want.Metadata = map[string]string{"a": "1"}

	var kept *meta.Version
	var keptInline []byte
	update(t, s, func(tx meta.Tx) error {
		if err := tx.PutInline("i", []byte("inline")); err != nil {
			return err
		}
		return tx.UpdateBucket(&meta.Bucket{Name: "b", Owner: "o", Configs: map[string][]byte{"policy": []byte("{}")}})
	})
	view(t, s, func(tx meta.Tx) error {
		v, err := tx.GetVersion("b", "k", "v1")
		if err != nil {
			return err
		}
		kept = v
		v2, _ := tx.GetCurrent("b", "k")
		v2.Metadata["a"], v2.Data[0].BlobID, v2.ETag = "mutated", "mutated", "mutated"
		b, _ := tx.GetBucket("b")
		b.Configs["policy"][0] = 'X'
		keptInline, _ = tx.GetInline("i")
		keptInline[0] = 'X'
		return nil
	})
	// Churn the store so that any memory still shared would be reused.
	for i := 0; i < 20; i++ {
		var vs []*meta.Version
		for j := 0; j < 50; j++ {
			vs = append(vs, ver("b", fmt.Sprintf("churn-%d-%d", i, j), "v1", j, 0))
		}
		putVersions(t, s, vs...)
	}
	equal(t, "version kept past its transaction", kept, want)
	equal(t, "inline kept past its transaction", string(keptInline), "Xnline")
	view(t, s, func(tx meta.Tx) error {
		got, _ := tx.GetCurrent("b", "k")
		equal(t, "stored version", got, want)
		b, _ := tx.GetBucket("b")
		equal(t, "stored config", string(b.Configs["policy"]), "{}")
		data, _ := tx.GetInline("i")
		equal(t, "stored inline", string(data), "inline")
		return nil
	})
}

func testContext(t *testing.T, open Opener) {
	s := newStore(t, open)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	ran := false
	err := s.Update(cctx, func(tx meta.Tx) error { ran = true; return tx.PutSetting("x", []byte("1")) })
	wantErr(t, "Update with cancelled context", err, context.Canceled)
	err = s.View(cctx, func(meta.Tx) error { return nil })
	wantErr(t, "View with cancelled context", err, context.Canceled)
	view(t, s, func(tx meta.Tx) error {
		_, err := tx.GetSetting("x")
		if err == nil || ran {
			t.Errorf("Update with a cancelled context was applied (ran=%v)", ran)
		}
		return nil
	})
}

func testDurability(t *testing.T, open Opener) {
	dir := t.TempDir()
	s := open(t, dir)
	mkBucket(t, s, "b")
	v := ver("b", "k", "v1", 0, 0)
	v.Tags = map[string]string{"t": "1"}
	task := &meta.Task{Queue: "q", Payload: []byte("p")}
	update(t, s, func(tx meta.Tx) error {
		steps := []error{
			tx.PutVersion(v),
			tx.PutAccount(&meta.Account{ID: "111111111111", Name: "n", Created: base}),
			tx.PutInline("i", []byte("data")),
			tx.PutSetting("s", []byte("v")),
			tx.PutUpload(upload("b", "k", "u", 0)),
			tx.PutPart(part("u", 1)),
			tx.EnqueueTask(task),
		}
		return errors.Join(steps...)
	})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = open(t, dir)
	t.Cleanup(func() { s.Close() })
	view(t, s, func(tx meta.Tx) error {
		got, err := tx.GetCurrent("b", "k")
		wantErr(t, "GetCurrent after reopen", err, nil)
		equal(t, "version after reopen", got, v)
		_, err = tx.GetBucket("b")
		wantErr(t, "GetBucket after reopen", err, nil)
		_, err = tx.GetAccount("111111111111")
		wantErr(t, "GetAccount after reopen", err, nil)
		data, err := tx.GetInline("i")
		wantErr(t, "GetInline after reopen", err, nil)
		equal(t, "inline after reopen", string(data), "data")
		set, err := tx.GetSetting("s")
		wantErr(t, "GetSetting after reopen", err, nil)
		equal(t, "setting after reopen", string(set), "v")
		_, err = tx.GetUpload("b", "k", "u")
		wantErr(t, "GetUpload after reopen", err, nil)
		_, err = tx.GetPart("u", 1)
		wantErr(t, "GetPart after reopen", err, nil)
		got2, err := tx.GetTask(task.ID)
		wantErr(t, "GetTask after reopen", err, nil)
		equal(t, "task after reopen", got2, task)
		return nil
	})
	next := &meta.Task{Queue: "q"}
	update(t, s, func(tx meta.Tx) error { return tx.EnqueueTask(next) })
	if next.ID == task.ID {
		t.Errorf("task ID %q reused after reopen", next.ID)
	}
	equal(t, "CountTasks after reopen", count(t, s, "q"), 2)
}

func testClosed(t *testing.T, open Opener) {
	s := open(t, t.TempDir())
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	err := s.Update(ctx, func(tx meta.Tx) error { return nil })
	wantErr(t, "Update after Close", err, meta.ErrClosed)
	err = s.View(ctx, func(tx meta.Tx) error { return nil })
	wantErr(t, "View after Close", err, meta.ErrClosed)
	_ = s.Close() // a second Close must not panic
}
