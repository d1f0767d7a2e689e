package replication

import (
	"context"
	"errors"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/taskq"
)

// idlePoll is how often idle workers look for tasks that became ready
// (retries whose backoff ended, tasks enqueued by another node).
const idlePoll = 200 * time.Millisecond

// run claims ready tasks while workers are free and runs each in its own
// goroutine. Tasks of one key and destination are never claimed together
// (the queue orders them), so per-key order holds.
func (s *Service) run() {
	defer s.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pool := taskq.NewPool(s.cfg.Workers)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		// Claim in batches while busy: each claim is a write transaction.
		var tasks []*meta.Task
		free := pool.Free()
		if free > 0 {
			var err error
			tasks, err = taskq.Claim(ctx, s.meta, Queue, s.clock.Now(), s.cfg.Lease, free)
			if err != nil {
				s.log.Warn("replication: claim", "err", err)
			}
		}
		for _, mt := range tasks {
			pool.Go(func() { s.process(ctx, mt) })
		}
		if len(tasks) > 0 && len(tasks) < free {
			continue // more may be ready
		}
		if len(tasks) == 0 && pool.Running() == 0 {
			timer.Reset(idlePoll)
		} else {
			timer.Reset(time.Hour)
		}
		select {
		case <-s.kick:
		case <-pool.Finished():
		case <-timer.C:
		case <-s.stop:
			pool.Wait()
			return
		}
	}
}

// process runs one task and records its outcome.
func (s *Service) process(ctx context.Context, mt *meta.Task) {
	t, err := decodeTask(mt.Payload)
	if err != nil {
		s.log.Error("replication: undecodable task dropped", "task", mt.ID, "err", err)
		s.finish(ctx, mt, func(tx meta.Tx) error { return nil })
		return
	}
	start := s.clock.Now()
	err = s.execute(ctx, mt, t)
	var f *failure
	var sk *skip
	switch {
	case err == nil:
		s.metrics.Completed(t.Bucket, t.Dest, t.Rule, s.clock.Now().Sub(start), s.lag(t))
	case errors.Is(err, errGone):
	case errors.As(err, &f):
		s.log.Warn("replication failed", "bucket", t.Bucket, "key", t.Key, "version", t.VersionID,
			"destination", t.Dest, "reason", f.Reason, "detail", f.Detail)
		s.remember(t.Bucket, t.Dest, f.Reason, f.Detail)
		s.finish(ctx, mt, func(tx meta.Tx) error { return setFailed(tx, t, f) })
		s.metrics.Failed(t.Bucket, t.Dest, t.Rule, f.Reason)
	case errors.As(err, &sk):
		s.log.Info("replication skipped", "bucket", t.Bucket, "key", t.Key, "version", t.VersionID,
			"destination", t.Dest, "why", sk.why)
		s.finish(ctx, mt, func(tx meta.Tx) error { return nil })
		s.metrics.Skipped(t.Bucket, t.Dest, t.Rule)
	default:
		s.retry(ctx, mt, err)
	}
}

// finish deletes the task together with fn's changes.
func (s *Service) finish(ctx context.Context, mt *meta.Task, fn func(tx meta.Tx) error) {
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		if err := tx.DeleteTask(mt.ID); err != nil {
			return err
		}
		return fn(tx)
	})
	if err != nil && !errors.Is(err, meta.ErrNotFound) {
		s.log.Warn("replication: finishing task", "task", mt.ID, "err", err)
	}
}

// retry reschedules a task after a transient error with capped exponential
// backoff, without limit of attempts.
func (s *Service) retry(ctx context.Context, mt *meta.Task, cause error) {
	delay := taskq.Backoff(mt.Attempts, s.cfg.MaxBackoff)
	s.log.Debug("replication retry", "task", mt.ID, "attempt", mt.Attempts, "in", delay, "err", cause)
	if err := taskq.Reschedule(ctx, s.meta, mt, s.clock.Now().Add(delay), cause); err != nil {
		s.log.Warn("replication: rescheduling task", "task", mt.ID, "err", err)
	}
}

// setFailed records a failure on the source version.
func setFailed(tx meta.Tx, t *task, f *failure) error {
	return setState(tx, t, meta.ReplicationFailed, f.Reason)
}
