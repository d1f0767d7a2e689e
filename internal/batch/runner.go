package batch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/taskq"
)

// Job phases, each a task on JobQueue.
const (
	phasePrepare = "prepare" // read the manifest: count, check; then Suspended or Ready
	phaseRun     = "run"     // enqueue one task per manifest entry, a chunk per step
	phaseFinish  = "finish"  // write the report, end the job
)

// chunk is how many object tasks one run step enqueues.
const chunk = 1000

// phaseTask is the payload of a JobQueue task.
type phaseTask struct {
	Account string  `json:"a"`
	Job     string  `json:"j"`
	Phase   string  `json:"p"`
	Cursor  *cursor `json:"c,omitempty"`
}

// cursor is where a run phase resumes in its manifest: entries already
// enqueued (CSV and inventory manifests), or the last listed version
// (generated manifests).
type cursor struct {
	Skip      int64  `json:"n,omitempty"`
	Key       string `json:"k,omitempty"`
	VersionID string `json:"v,omitempty"`
}

// objectTask is the payload of an ObjectQueue task.
type objectTask struct {
	Account   string `json:"a"`
	Job       string `json:"j"`
	Bucket    string `json:"b"`
	Key       string `json:"k"`
	VersionID string `json:"v,omitempty"`
}

// Result is one task's outcome, as the completion report shows it.
type Result struct {
	Bucket    string `json:"b"`
	Key       string `json:"k"`
	VersionID string `json:"v,omitempty"`
	Succeeded bool   `json:"s,omitempty"`
	HTTP      int    `json:"h"`
	ErrorCode string `json:"e,omitempty"`
	Message   string `json:"m,omitempty"`
}

func enqueuePhase(tx meta.Tx, j *Job, phase string, c *cursor, now time.Time) error {
	p, _ := json.Marshal(phaseTask{Account: j.Account, Job: j.ID, Phase: phase, Cursor: c})
	return tx.EnqueueTask(&meta.Task{Queue: JobQueue, Key: j.Account + "/" + j.ID, Payload: p,
		NotBefore: now.UnixNano(), Created: now.UnixNano()})
}

// Start runs the workers until Close; with exclusive (an embedded store)
// it first releases leases a crashed process left behind.
func (s *Service) Start(ctx context.Context, exclusive bool) error {
	if exclusive {
		now := s.clock.Now().UnixNano()
		if err := s.meta.Update(ctx, func(tx meta.Tx) error {
			for _, q := range []string{JobQueue, ObjectQueue} {
				if _, err := tx.ReleaseLeases(q, now); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	s.wg.Add(1)
	go s.run()
	return nil
}

// Close stops the workers and waits for tasks in flight.
func (s *Service) Close() {
	close(s.stop)
	s.wg.Wait()
}

// run alternates between job phases (one step at a time) and object tasks
// (up to Workers at once).
func (s *Service) run() {
	defer s.wg.Done()
	ctx, cancelCtx := context.WithCancel(context.Background())
	defer cancelCtx()
	pool := taskq.NewPool(s.cfg.Workers)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		progressed := false
		if phases, err := s.claim(ctx, JobQueue, 4); err == nil {
			for _, mt := range phases {
				s.runPhase(ctx, mt)
				progressed = true
			}
		} else {
			s.log.Warn("batch: claim", "err", err)
		}
		if free := pool.Free(); free > 0 {
			tasks, err := s.claim(ctx, ObjectQueue, free)
			if err != nil {
				s.log.Warn("batch: claim", "err", err)
			}
			for _, mt := range tasks {
				progressed = true
				pool.Go(func() {
					s.runObject(ctx, mt)
					s.wake() // a finished job may need its finish phase
				})
			}
		}
		if progressed {
			continue
		}
		timer.Reset(250 * time.Millisecond)
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

func (s *Service) claim(ctx context.Context, queue string, n int) ([]*meta.Task, error) {
	return taskq.Claim(ctx, s.meta, queue, s.clock.Now(), s.cfg.Lease, n)
}

// retryLater reschedules a task after a transient error.
func (s *Service) retryLater(ctx context.Context, mt *meta.Task, cause error) {
	when := s.clock.Now().Add(taskq.Backoff(mt.Attempts, 10*time.Second))
	if err := taskq.Reschedule(ctx, s.meta, mt, when, cause); err != nil {
		s.log.Warn("batch: rescheduling task", "task", mt.ID, "err", err)
	}
}

// taskJob decodes mt's payload into payload and returns the job it names
// (ids reads the account and job ID from the decoded payload). An
// undecodable task or one whose job is gone is dropped; a failed lookup
// is retried later. Either way it returns nil.
func (s *Service) taskJob(ctx context.Context, mt *meta.Task, payload any, ids func() (account, id string)) *Job {
	if err := json.Unmarshal(mt.Payload, payload); err != nil {
		s.log.Error("batch: undecodable task dropped", "task", mt.ID, "queue", mt.Queue, "err", err)
		_ = s.meta.Update(ctx, func(tx meta.Tx) error { return tx.DeleteTask(mt.ID) })
		return nil
	}
	account, id := ids()
	j, err := s.DescribeJob(ctx, account, id)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Code == CodeNotFound {
			_ = s.meta.Update(ctx, func(tx meta.Tx) error { return tx.DeleteTask(mt.ID) })
		} else {
			s.retryLater(ctx, mt, err)
		}
		return nil
	}
	return j
}

// runPhase performs one step of a job phase.
func (s *Service) runPhase(ctx context.Context, mt *meta.Task) {
	var p phaseTask
	j := s.taskJob(ctx, mt, &p, func() (string, string) { return p.Account, p.Job })
	if j == nil {
		return
	}
	var err error
	switch p.Phase {
	case phasePrepare:
		err = s.prepare(ctx, mt, j)
	case phaseRun:
		err = s.enqueueChunk(ctx, mt, j, p.Cursor)
	case phaseFinish:
		err = s.finish(ctx, mt, j)
	default:
		err = fmt.Errorf("unknown phase %q", p.Phase)
	}
	if err != nil {
		s.log.Warn("batch: job phase", "job", j.ID, "phase", p.Phase, "err", err)
		s.retryLater(ctx, mt, err)
	}
}

// fail ends a job that cannot go on (unreadable manifest, report bucket
// that refuses the report, failure threshold): Failing now, Failed once
// its finish phase has run.
func (s *Service) fail(ctx context.Context, mt *meta.Task, j *Job, code, reason string) error {
	now := s.clock.Now().UTC()
	_, err := s.modify(ctx, j.Account, j.ID, func(tx meta.Tx, j *Job) error {
		if j.Terminal() {
			return tx.DeleteTask(mt.ID)
		}
		j.State.FailureReasons = append(j.State.FailureReasons, Failure{Code: code, Reason: reason})
		j.setStatus(StatusFailing, now)
		if err := tx.DeleteTask(mt.ID); err != nil {
			return err
		}
		if j.State.Enqueued-j.State.Succeeded-j.State.Failed-j.State.Dropped <= 0 {
			return enqueuePhase(tx, j, phaseFinish, nil, now)
		}
		return nil
	})
	return err
}

// prepare reads the manifest once to count its entries and check it, then
// suspends the job for confirmation or starts it.
func (s *Service) prepare(ctx context.Context, mt *meta.Task, j *Job) error {
	if j.State.Status != StatusNew && j.State.Status != StatusPreparing {
		return s.meta.Update(ctx, func(tx meta.Tx) error { return tx.DeleteTask(mt.ID) })
	}
	now := s.clock.Now().UTC()
	gone := false
	if _, err := s.modify(ctx, j.Account, j.ID, func(tx meta.Tx, j *Job) error {
		gone = false
		if j.State.Status != StatusNew && j.State.Status != StatusPreparing {
			gone = true // cancelled since it was read: leave it to its finish phase
			return tx.DeleteTask(mt.ID)
		}
		j.setStatus(StatusPreparing, now)
		return nil
	}); err != nil || gone {
		return err
	}
	sess, ferr := s.session(ctx, j)
	if ferr != nil {
		return s.fail(ctx, mt, j, "AssumeRoleNotPermitted", ferr.Error())
	}
	// One pass over the manifest (or the generator's listing) counts the
	// tasks and, when asked, writes the generated manifest the run reads.
	var total int64
	var err error
	if g := j.Spec.Generator; g != nil && g.EnableManifestOutput {
		j.State.GeneratedManifest, total, err = s.writeGeneratedManifest(ctx, j, sess)
	} else {
		total, err = s.count(ctx, j, sess)
	}
	if err != nil {
		var jf *jobFailure
		if errors.As(err, &jf) {
			return s.fail(ctx, mt, j, jf.code, jf.reason)
		}
		return err
	}
	now = s.clock.Now().UTC()
	_, err = s.modify(ctx, j.Account, j.ID, func(tx meta.Tx, jj *Job) error {
		if err := tx.DeleteTask(mt.ID); err != nil {
			return err
		}
		if jj.State.Status != StatusPreparing {
			return nil // cancelled meanwhile
		}
		jj.State.Total = total
		jj.State.GeneratedManifest = j.State.GeneratedManifest
		if jj.Spec.ConfirmationRequired {
			jj.setStatus(StatusSuspended, now)
			jj.State.SuspendedCause = "AWAITING_CONFIRMATION"
			return nil
		}
		jj.setStatus(StatusReady, now)
		return enqueuePhase(tx, jj, phaseRun, nil, now)
	})
	return err
}

// count reads the job's manifest through and returns its entries.
func (s *Service) count(ctx context.Context, j *Job, role *authz.Identity) (int64, error) {
	src, err := s.open(ctx, j, role, nil)
	if err != nil {
		return 0, err
	}
	defer src.close()
	var n int64
	for {
		_, err := src.next()
		if errors.Is(err, errEndOfManifest) {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
		n++
	}
}

// enqueueChunk queues the next chunk of object tasks; the last step marks
// the manifest done.
func (s *Service) enqueueChunk(ctx context.Context, mt *meta.Task, j *Job, c *cursor) error {
	if j.State.Status != StatusReady && j.State.Status != StatusActive {
		return s.meta.Update(ctx, func(tx meta.Tx) error { return tx.DeleteTask(mt.ID) })
	}
	sess, ferr := s.session(ctx, j)
	if ferr != nil {
		return s.fail(ctx, mt, j, "AssumeRoleNotPermitted", ferr.Error())
	}
	src, err := s.open(ctx, j, sess, c)
	if err != nil {
		var jf *jobFailure
		if errors.As(err, &jf) {
			return s.fail(ctx, mt, j, jf.code, jf.reason)
		}
		return err
	}
	defer src.close()
	var entries []objectTask
	end := false
	for len(entries) < chunk {
		e, err := src.next()
		if errors.Is(err, errEndOfManifest) {
			end = true
			break
		}
		if err != nil {
			var jf *jobFailure
			if errors.As(err, &jf) {
				return s.fail(ctx, mt, j, jf.code, jf.reason)
			}
			return err
		}
		entries = append(entries, objectTask{Account: j.Account, Job: j.ID, Bucket: e.Bucket, Key: e.Key, VersionID: e.VersionID})
	}
	next := src.position()
	now := s.clock.Now().UTC()
	_, err = s.modify(ctx, j.Account, j.ID, func(tx meta.Tx, jj *Job) error {
		if jj.State.Status != StatusReady && jj.State.Status != StatusActive {
			return tx.DeleteTask(mt.ID)
		}
		if jj.State.Status == StatusReady {
			jj.setStatus(StatusActive, now)
		}
		for i := range entries {
			p, _ := json.Marshal(&entries[i])
			if err := tx.EnqueueTask(&meta.Task{Queue: ObjectQueue, Payload: p, NotBefore: now.UnixNano(), Created: now.UnixNano()}); err != nil {
				return err
			}
		}
		jj.State.Enqueued += int64(len(entries))
		if !end {
			upd := *mt
			upd.LeaseUntil = 0
			p, _ := json.Marshal(phaseTask{Account: jj.Account, Job: jj.ID, Phase: phaseRun, Cursor: next})
			upd.Payload = p
			return tx.UpdateTask(&upd)
		}
		jj.State.ManifestDone = true
		jj.State.Total = jj.State.Enqueued
		if err := tx.DeleteTask(mt.ID); err != nil {
			return err
		}
		return maybeFinish(tx, jj, now)
	})
	return err
}

// maybeFinish queues the finish phase once no task is outstanding.
func maybeFinish(tx meta.Tx, j *Job, now time.Time) error {
	outstanding := j.State.Enqueued - j.State.Succeeded - j.State.Failed - j.State.Dropped
	if outstanding > 0 {
		return nil
	}
	switch {
	case j.State.Status == StatusActive && j.State.ManifestDone,
		j.State.Status == StatusCancelling, j.State.Status == StatusFailing:
		return enqueuePhase(tx, j, phaseFinish, nil, now)
	}
	return nil
}
