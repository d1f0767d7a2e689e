package batch

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/clock"
	"github.com/ferrys3/ferry/internal/iam"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/replication"
)

// Queues of the batch service.
const (
	JobQueue    = "batch.job"    // job phases: prepare, run (enqueue tasks), finish
	ObjectQueue = "batch.object" // one task per manifest entry
)

// resultQueue holds a job's task results until its report is written.
func resultQueue(account, id string) string { return "batch.result." + account + "." + id }

// Config configures a Service.
type Config struct {
	Meta        meta.Store
	IAM         *iam.Service
	Objects     *object.Service
	Replication *replication.Service
	Clock       clock.Clock
	Log         *slog.Logger
	// Workers is how many tasks run at once (default 32).
	Workers int
	// Lease is how long a claimed task is held (default 2 minutes).
	Lease time.Duration
}

// Service runs Batch Operations jobs.
type Service struct {
	cfg     Config
	meta    meta.Store
	iam     *iam.Service
	objects *object.Service
	repl    *replication.Service
	clock   clock.Clock
	log     *slog.Logger

	sessions sync.Map // job ARN -> *session
	kick     chan struct{}
	stop     chan struct{}
	wg       sync.WaitGroup
}

// New returns a Service; Start runs its workers.
func New(c Config) *Service {
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Workers <= 0 {
		c.Workers = 32
	}
	if c.Lease <= 0 {
		c.Lease = 2 * time.Minute
	}
	return &Service{cfg: c, meta: c.Meta, iam: c.IAM, objects: c.Objects, repl: c.Replication, clock: c.Clock, log: c.Log,
		kick: make(chan struct{}, 1), stop: make(chan struct{})}
}

// Error is a job API error; Code is the S3 Control exception name.
type Error struct {
	Code, Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Error codes.
const (
	CodeNotFound    = "NotFoundException"
	CodeJobStatus   = "JobStatusException"
	CodeIdempotency = "IdempotencyException"
	CodeBadRequest  = "BadRequestException"
	CodeInvalidNext = "InvalidNextTokenException"
	CodeAccessDeny  = "AccessDenied"
)

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// newJobID returns a UUID-shaped ID whose leading bits are the creation
// time, so a listing in ID order is in creation order.
func newJobID(now time.Time) string {
	var b [16]byte
	// 48 bits of milliseconds, then (after the version nibble) 12 bits of
	// the sub-millisecond time, so IDs of one millisecond still sort.
	sub := uint16(now.Nanosecond()%1e6*4096/1e6) & 0x0fff
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16|uint64(0x7000|sub))
	_, _ = rand.Read(b[8:])
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// CreateJob creates a job (idempotently by token) and starts preparing it.
// caller must be allowed iam:PassRole on the role unless it is the root.
func (s *Service) CreateJob(ctx context.Context, caller *authz.Identity, account, region, token string, spec Spec) (string, error) {
	if err := validate(&spec); err != nil {
		return "", err
	}
	if caller != nil && !caller.Root {
		if err := s.iam.CheckPassRole(ctx, caller, spec.RoleArn); err != nil {
			return "", errorf(CodeAccessDeny, "%s", err.Error())
		}
	}
	now := s.clock.Now().UTC()
	j := &Job{ID: newJobID(now), Account: account, Token: token, Created: now, Region: region, Spec: spec,
		State: State{Status: StatusNew}}
	var id string
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		if token != "" {
			old, err := tx.JobByToken(account, token)
			if err == nil {
				prev, err := fromRecord(old)
				if err != nil {
					return err
				}
				a, _ := json.Marshal(prev.Spec)
				b, _ := json.Marshal(spec)
				if string(a) != string(b) {
					return errorf(CodeIdempotency, "a job was already created with client request token %s and different parameters", token)
				}
				id = prev.ID
				return nil
			}
			if !errors.Is(err, meta.ErrNotFound) {
				return err
			}
		}
		id = j.ID
		if err := tx.PutJob(j.record()); err != nil {
			return err
		}
		return enqueuePhase(tx, j, phasePrepare, nil, now)
	})
	if err != nil {
		return "", err
	}
	s.wake()
	return id, nil
}

func validate(spec *Spec) error {
	switch spec.Operation.Kind {
	case OpReplicate, OpPutTagging, OpDeleteTagging:
	case OpCopy:
		if spec.Operation.Copy == nil || spec.Operation.Copy.TargetBucket == "" {
			return errorf(CodeBadRequest, "S3PutObjectCopy needs a TargetResource bucket ARN")
		}
	default:
		return errorf(CodeBadRequest, "the operation %s is not supported by this server", spec.Operation.Kind)
	}
	if (spec.Manifest == nil) == (spec.Generator == nil) {
		return errorf(CodeBadRequest, "exactly one of Manifest and ManifestGenerator is required")
	}
	if spec.Generator != nil && spec.Operation.Kind != OpReplicate {
		return errorf(CodeBadRequest, "a generated manifest is supported for S3ReplicateObject only")
	}
	if m := spec.Manifest; m != nil && m.Format != FormatCSV && m.Format != FormatInventory {
		return errorf(CodeBadRequest, "manifest format %s is not supported", m.Format)
	}
	return nil
}

// DescribeJob returns a job of the account.
func (s *Service) DescribeJob(ctx context.Context, account, id string) (*Job, error) {
	var j *Job
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		var err error
		j, err = loadJob(tx, account, id)
		return err
	})
	return j, err
}

func loadJob(tx meta.Tx, account, id string) (*Job, error) {
	r, err := tx.GetJob(account, id)
	if errors.Is(err, meta.ErrNotFound) {
		return nil, errorf(CodeNotFound, "the job %s does not exist", id)
	}
	if err != nil {
		return nil, err
	}
	return fromRecord(r)
}

// ListJobs lists the account's jobs in creation order, optionally only
// those in statuses, after the job named by next, at most max (1..1000).
func (s *Service) ListJobs(ctx context.Context, account string, statuses []string, next string, max int) ([]*Job, string, error) {
	if max <= 0 || max > 1000 {
		max = 1000
	}
	var out []*Job
	more := ""
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		if next != "" {
			if _, err := tx.GetJob(account, next); err != nil {
				return errorf(CodeInvalidNext, "the next token is not valid")
			}
		}
		var ferr error
		err := tx.ListJobs(account, func(r *meta.Job) bool {
			if next != "" && r.ID <= next {
				return true
			}
			j, err := fromRecord(r)
			if err != nil {
				ferr = err
				return false
			}
			if len(statuses) > 0 && !slices.Contains(statuses, j.State.Status) {
				return true
			}
			if len(out) == max {
				more = out[len(out)-1].ID
				return false
			}
			out = append(out, j)
			return true
		})
		if err != nil {
			return err
		}
		return ferr
	})
	return out, more, err
}

// UpdateJobPriority changes a job's priority.
func (s *Service) UpdateJobPriority(ctx context.Context, account, id string, priority int) (*Job, error) {
	return s.modify(ctx, account, id, func(tx meta.Tx, j *Job) error {
		if j.Terminal() {
			return errorf(CodeJobStatus, "the job %s has ended (%s): its priority cannot change", id, j.State.Status)
		}
		j.Spec.Priority = priority
		return nil
	})
}

// UpdateJobStatus confirms a Suspended job (Ready) or cancels a job that
// has not ended (Cancelled); anything else is a JobStatusException.
func (s *Service) UpdateJobStatus(ctx context.Context, account, id, requested, reason string) (*Job, error) {
	now := s.clock.Now().UTC()
	j, err := s.modify(ctx, account, id, func(tx meta.Tx, j *Job) error {
		switch {
		case requested == StatusReady && j.State.Status == StatusSuspended:
			j.setStatus(StatusReady, now)
			j.State.StatusUpdateReason = reason
			return enqueuePhase(tx, j, phaseRun, nil, now)
		case requested == StatusCancelled && !j.Terminal() && j.State.Status != StatusCancelling:
			j.State.StatusUpdateReason = reason
			return cancel(tx, j, now)
		}
		return errorf(CodeJobStatus, "the job %s cannot go from %s to %s", id, j.State.Status, requested)
	})
	if err == nil {
		s.wake()
	}
	return j, err
}

// modify applies fn to a stored job in one transaction.
func (s *Service) modify(ctx context.Context, account, id string, fn func(meta.Tx, *Job) error) (*Job, error) {
	var j *Job
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		var err error
		if j, err = loadJob(tx, account, id); err != nil {
			return err
		}
		if err := fn(tx, j); err != nil {
			return err
		}
		return tx.PutJob(j.record())
	})
	return j, err
}

// cancel moves a job towards Cancelled: tasks not yet run are dropped by
// the workers, and the finish phase ends it once none is outstanding.
func cancel(tx meta.Tx, j *Job, now time.Time) error {
	if j.State.Enqueued-j.State.Succeeded-j.State.Failed-j.State.Dropped <= 0 {
		j.setStatus(StatusCancelling, now)
		return enqueuePhase(tx, j, phaseFinish, nil, now)
	}
	j.setStatus(StatusCancelling, now)
	return nil
}

func (s *Service) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}
