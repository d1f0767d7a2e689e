package taskq

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/meta/bolt"
)

func TestBackoff(t *testing.T) {
	for _, c := range []struct {
		attempts int
		want     time.Duration
	}{{-1, 100 * time.Millisecond}, {0, 100 * time.Millisecond}, {1, 200 * time.Millisecond},
		{3, 800 * time.Millisecond}, {7, 10 * time.Second}, {1000, 10 * time.Second}} {
		if got := Backoff(c.attempts, 10*time.Second); got != c.want {
			t.Errorf("Backoff(%d) = %v, want %v", c.attempts, got, c.want)
		}
	}
}

func TestClaimAndReschedule(t *testing.T) {
	ctx := context.Background()
	store, err := bolt.Open(filepath.Join(t.TempDir(), "meta.db"), bolt.Options{NoSync: true, InitialMmapSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	now := time.Unix(1_000_000, 0)
	err = store.Update(ctx, func(tx meta.Tx) error {
		for _, id := range []string{"a", "b", "c"} {
			if err := tx.EnqueueTask(&meta.Task{ID: id, Queue: "q", NotBefore: now.UnixNano()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Claim(ctx, store, "q", now, time.Minute, 2)
	if err != nil || len(got) != 2 {
		t.Fatalf("claimed %d, %v", len(got), err)
	}
	// Leased: only the third is ready until the lease ends.
	if more, _ := Claim(ctx, store, "q", now, time.Minute, 10); len(more) != 1 {
		t.Fatalf("claimed %d while two are leased, want 1", len(more))
	}
	if err := Reschedule(ctx, store, got[0], now.Add(time.Second), errors.New("region down")); err != nil {
		t.Fatal(err)
	}
	if early, _ := Claim(ctx, store, "q", now.Add(500*time.Millisecond), time.Minute, 10); len(early) != 0 {
		t.Fatalf("claimed %d before the rescheduled time", len(early))
	}
	again, err := Claim(ctx, store, "q", now.Add(time.Second), time.Minute, 10)
	if err != nil || len(again) != 1 || again[0].ID != got[0].ID || again[0].LastError != "region down" {
		t.Fatalf("after reschedule: %+v, %v", again, err)
	}
	// A task finished meanwhile is not an error.
	if err := store.Update(ctx, func(tx meta.Tx) error { return tx.DeleteTask(got[1].ID) }); err != nil {
		t.Fatal(err)
	}
	if err := Reschedule(ctx, store, got[1], now, errors.New("x")); err != nil {
		t.Fatalf("rescheduling a deleted task: %v", err)
	}
}

func TestPool(t *testing.T) {
	p := NewPool(8)
	if p.Free() != 8 {
		t.Fatalf("idle pool frees %d", p.Free())
	}
	release := make(chan struct{})
	var started sync.WaitGroup
	for range 7 {
		started.Add(1)
		p.Go(func() { started.Done(); <-release })
	}
	started.Wait()
	if p.Running() != 7 || p.Free() != 0 {
		t.Fatalf("7 of 8 busy: running %d, free %d (want 0: claim in batches)", p.Running(), p.Free())
	}
	close(release)
	<-p.Finished()
	p.Wait()
	if p.Running() != 0 || p.Free() != 8 {
		t.Fatalf("after Wait: running %d, free %d", p.Running(), p.Free())
	}
	one := NewPool(1)
	if one.Free() != 1 {
		t.Fatal("pool of one")
	}
}
