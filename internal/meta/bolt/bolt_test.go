package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/meta/metatest"
)

func openTest(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(filepath.Join(dir, "meta.db"), Options{NoSync: true, InitialMmapSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	metatest.Run(t, func(t *testing.T, dir string) meta.Store { return openTest(t, dir) })
}

// TestConformanceSync runs the suite once with fsync on.
func TestConformanceSync(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	metatest.Run(t, func(t *testing.T, dir string) meta.Store {
		s, err := Open(filepath.Join(dir, "meta.db"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestPanicInUpdate(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Update(ctx, func(tx meta.Tx) error {
				if err := tx.PutSetting("s"+string(rune('a'+i)), []byte("x")); err != nil {
					return err
				}
				if i == 5 {
					panic("kaboom")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if i == 5 {
			if err == nil || !strings.Contains(err.Error(), "kaboom") {
				t.Errorf("panicking Update returned %v", err)
			}
		} else if err != nil {
			t.Errorf("Update %d: %v", i, err)
		}
	}
	// The writer survived and the panicking fn's write was rolled back.
	if err := s.Update(ctx, func(tx meta.Tx) error { return tx.PutSetting("after", nil) }); err != nil {
		t.Fatalf("Update after panic: %v", err)
	}
	err := s.View(ctx, func(tx meta.Tx) error {
		if _, err := tx.GetSetting("sf"); !errors.Is(err, meta.ErrNotFound) {
			t.Errorf("write of the panicking Update is visible: %v", err)
		}
		_, err := tx.GetSetting("sa")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestUpdateCancelledInQueue: an Update whose context ends while the
// writer is busy returns without running.
func TestUpdateCancelledInQueue(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	block, entered := make(chan struct{}), make(chan struct{})
	go s.Update(context.Background(), func(meta.Tx) error { close(entered); <-block; return nil })
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	ran := false
	go func() { done <- s.Update(ctx, func(meta.Tx) error { ran = true; return nil }) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Update returned %v, want context.Canceled", err)
	}
	close(block)
	if ran {
		t.Error("cancelled Update ran")
	}
}

// TestGroupCommit checks that concurrent Updates share transactions.
func TestGroupCommit(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	ctx := context.Background()
	block, entered := make(chan struct{}), make(chan struct{})
	go s.Update(ctx, func(meta.Tx) error { close(entered); <-block; return nil })
	<-entered
	var mu sync.Mutex
	txs := map[any]int{}
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Update(ctx, func(mt meta.Tx) error {
				mu.Lock()
				txs[mt.(*tx).btx]++
				mu.Unlock()
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	time.Sleep(200 * time.Millisecond) // let the 50 queue up behind the blocked writer
	close(block)
	wg.Wait()
	if len(txs) >= 50 {
		t.Errorf("50 queued Updates used %d transactions, want batching", len(txs))
	}
	t.Logf("50 queued Updates committed in %d transaction(s)", len(txs))
}

// TestEnqueueRetry: when a batch is rerun after a failure, a task whose ID
// was assigned in the rolled-back run keeps it, and later IDs do not
// collide with it.
func TestEnqueueRetry(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	ctx := context.Background()
	block, entered := make(chan struct{}), make(chan struct{})
	go s.Update(ctx, func(meta.Tx) error { close(entered); <-block; return nil })
	<-entered
	var wg sync.WaitGroup
	tasks := make([]*meta.Task, 8)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				tasks[i/2] = &meta.Task{Queue: "q"}
				if err := s.Update(ctx, func(tx meta.Tx) error { return tx.EnqueueTask(tasks[i/2]) }); err != nil {
					t.Error(err)
				}
				return
			}
			err := s.Update(ctx, func(tx meta.Tx) error {
				if err := tx.EnqueueTask(&meta.Task{Queue: "q"}); err != nil {
					return err
				}
				return errors.New("fail after writing")
			})
			if err == nil {
				t.Error("failing Update succeeded")
			}
		}()
	}
	time.Sleep(100 * time.Millisecond)
	close(block)
	wg.Wait()
	if s.commits.Load() >= 9 {
		t.Logf("no batching happened (%d commits)", s.commits.Load())
	}
	later := &meta.Task{Queue: "q"}
	if err := s.Update(ctx, func(tx meta.Tx) error { return tx.EnqueueTask(later) }); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	err := s.View(ctx, func(tx meta.Tx) error {
		for _, task := range append(tasks, later) {
			if seen[task.ID] {
				t.Errorf("task ID %q assigned twice", task.ID)
			}
			seen[task.ID] = true
			if _, err := tx.GetTask(task.ID); err != nil {
				t.Errorf("task %q: %v", task.ID, err)
			}
		}
		n, err := tx.CountTasks("q")
		if n != 9 {
			t.Errorf("CountTasks = %d, want 9", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// ReleaseMapped leaves every record readable.
func TestReleaseMapped(t *testing.T) {
	s, err := Open(t.TempDir()+"/meta.db", Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for i := 0; i < 200; i++ {
		if err := s.Update(ctx, func(tx meta.Tx) error {
			return tx.PutSetting(fmt.Sprintf("k%03d", i), bytes.Repeat([]byte{byte(i)}, 3000))
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.ReleaseMapped(); err != nil {
		t.Fatal(err)
	}
	if err := s.View(ctx, func(tx meta.Tx) error {
		for i := 0; i < 200; i++ {
			v, err := tx.GetSetting(fmt.Sprintf("k%03d", i))
			if err != nil || !bytes.Equal(v, bytes.Repeat([]byte{byte(i)}, 3000)) {
				return fmt.Errorf("k%03d after release: %v", i, err)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
