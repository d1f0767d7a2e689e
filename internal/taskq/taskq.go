// Package taskq runs tasks of the metadata store's durable queues: claiming
// them under a lease, rescheduling them with backoff after a transient
// error, and a bounded pool of workers that claims in batches. Replication
// and Batch Operations both run on it.
package taskq

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
)

// Claim leases up to n ready tasks of queue until now+lease, in one write
// transaction.
func Claim(ctx context.Context, store meta.Store, queue string, now time.Time, lease time.Duration, n int) ([]*meta.Task, error) {
	var tasks []*meta.Task
	err := store.Update(ctx, func(tx meta.Tx) error {
		var err error
		tasks, err = tx.ClaimTasks(queue, now.UnixNano(), now.Add(lease).UnixNano(), n)
		return err
	})
	return tasks, err
}

// Backoff is the pause before the next attempt of a task that has failed
// attempts times: 100 ms doubling with each attempt, at most limit.
func Backoff(attempts int, limit time.Duration) time.Duration {
	return min(100*time.Millisecond<<min(max(attempts, 0), 16), limit)
}

// Reschedule hands mt back to its queue, ready again at when, with cause
// recorded as its last error. A task deleted meanwhile is not an error.
func Reschedule(ctx context.Context, store meta.Store, mt *meta.Task, when time.Time, cause error) error {
	next := *mt
	next.LeaseUntil = 0
	next.NotBefore = when.UnixNano()
	next.LastError = cause.Error()
	err := store.Update(ctx, func(tx meta.Tx) error { return tx.UpdateTask(&next) })
	if errors.Is(err, meta.ErrNotFound) {
		return nil
	}
	return err
}

// Pool bounds how many tasks run at once.
type Pool struct {
	size     int
	running  atomic.Int64
	wg       sync.WaitGroup
	finished chan struct{}
}

// NewPool returns a pool of size workers (at least one).
func NewPool(size int) *Pool {
	return &Pool{size: max(size, 1), finished: make(chan struct{}, 1)}
}

// Free is how many tasks to claim now: every free worker, but none while
// fewer than a quarter of them are free and some are busy, so that claims
// (write transactions) come in batches rather than one per finished task.
func (p *Pool) Free() int {
	free := p.size - int(p.running.Load())
	if free <= 0 || (free < p.size && free < max(1, p.size/4)) {
		return 0
	}
	return free
}

// Running is the number of tasks running.
func (p *Pool) Running() int { return int(p.running.Load()) }

// Go runs fn on a worker. The caller keeps to Free.
func (p *Pool) Go(fn func()) {
	p.running.Add(1)
	p.wg.Add(1)
	go func() {
		defer func() {
			p.running.Add(-1)
			p.wg.Done()
			select {
			case p.finished <- struct{}{}:
			default:
			}
		}()
		fn()
	}()
}

// Finished receives after tasks finish (one value for any number of them
// since the last receive).
func (p *Pool) Finished() <-chan struct{} { return p.finished }

// Wait blocks until every running task has returned.
func (p *Pool) Wait() { p.wg.Wait() }
