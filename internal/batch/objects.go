package batch

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/replication"
	"github.com/ferrys3/ferry/internal/s3err"
)

// thresholdTasks and thresholdRatio are AWS's failure threshold: once this
// many tasks ran, more than this share failing fails the job.
const (
	thresholdTasks = 1000
	thresholdRatio = 0.5
)

// runObject performs one object task and records its result.
func (s *Service) runObject(ctx context.Context, mt *meta.Task) {
	var t objectTask
	j := s.taskJob(ctx, mt, &t, func() (string, string) { return t.Account, t.Job })
	if j == nil {
		return
	}
	var res *Result
	if j.State.Status == StatusActive {
		r, err := s.perform(ctx, j, t)
		if err != nil {
			s.retryLater(ctx, mt, err)
			return
		}
		res = &r
	}
	now := s.clock.Now().UTC()
	_, err := s.modify(ctx, t.Account, t.Job, func(tx meta.Tx, j *Job) error {
		if res == nil {
			// Cancelled or failing before it ran: the task is dropped.
			// (A task that did run while the job was Active is recorded
			// below even if the job has been cancelled or has failed
			// since: its operation happened.)
			j.State.Dropped++
			if err := tx.DeleteTask(mt.ID); err != nil {
				return err
			}
			return maybeFinish(tx, j, now)
		}
		if res.Succeeded {
			j.State.Succeeded++
		} else {
			j.State.Failed++
		}
		keep := !res.Succeeded || j.Spec.Report.Scope != "FailedTasksOnly"
		if j.Spec.Report.Enabled && keep {
			upd := *mt
			upd.Queue, upd.LeaseUntil, upd.NotBefore = resultQueue(j.Account, j.ID), 0, 0
			upd.Payload, _ = json.Marshal(res)
			if err := tx.UpdateTask(&upd); err != nil {
				return err
			}
		} else if err := tx.DeleteTask(mt.ID); err != nil {
			return err
		}
		ran := j.State.Succeeded + j.State.Failed
		if j.State.Status == StatusActive && ran >= thresholdTasks && float64(j.State.Failed) > thresholdRatio*float64(ran) {
			j.State.FailureReasons = append(j.State.FailureReasons, Failure{Code: "JobFailureThresholdExceeded",
				Reason: "more than 50% of the first tasks failed"})
			j.setStatus(StatusFailing, now)
		}
		return maybeFinish(tx, j, now)
	})
	if err != nil && !errors.Is(err, meta.ErrNotFound) {
		s.log.Warn("batch: recording a task result", "job", t.Job, "err", err)
	}
}

// perform runs the job's operation on one object as the job's role. Its
// error is transient (the task is retried); everything else is a result.
func (s *Service) perform(ctx context.Context, j *Job, t objectTask) (Result, error) {
	res := Result{Bucket: t.Bucket, Key: t.Key, VersionID: t.VersionID}
	failed := func(status int, code, msg string) (Result, error) {
		res.HTTP, res.ErrorCode, res.Message = status, code, msg
		return res, nil
	}
	role, err := s.session(ctx, j)
	if err != nil {
		return failed(403, "AccessDenied", err.Error())
	}
	b, err := s.objects.Bucket(ctx, t.Bucket)
	if err != nil {
		return s3Failure(res, err)
	}
	vid := t.VersionID
	if vid == "" {
		out, err := s.objects.Get(ctx, object.GetInput{Bucket: t.Bucket, Key: t.Key, Head: true})
		if err != nil {
			return s3Failure(res, err)
		}
		vid = out.V.VersionID
	}
	arn := "arn:aws:s3:::" + t.Bucket + "/" + t.Key
	switch j.Spec.Operation.Kind {
	case OpReplicate:
		if d := s.allowed(role, "s3:InitiateReplication", arn, b); !d.Allowed {
			return failed(403, "InitiateReplicationNotPermitted", role.ARN+" may not perform s3:InitiateReplication on "+arn+": "+d.Reason)
		}
		outs, err := s.repl.ReplicateVersion(ctx, t.Bucket, t.Key, vid)
		if err != nil {
			return res, err
		}
		for _, o := range outs {
			if o.Reason != "" {
				return failed(replicationStatus(o.Reason), o.Reason, o.Detail)
			}
		}
	case OpCopy:
		return s.copyObject(ctx, j, role, b, t, vid, res)
	case OpPutTagging, OpDeleteTagging:
		action, tags := "s3:PutObjectTagging", map[string]string{}
		if j.Spec.Operation.Kind == OpDeleteTagging {
			action = "s3:DeleteObjectTagging"
		} else {
			for _, tg := range j.Spec.Operation.Tags {
				tags[tg.Key] = tg.Value
			}
		}
		if t.VersionID != "" {
			action = strings.Replace(action, "ObjectTagging", "ObjectVersionTagging", 1)
		}
		if d := s.allowed(role, action, arn, b); !d.Allowed {
			return failed(403, "AccessDenied", role.ARN+" may not perform "+action+" on "+arn+": "+d.Reason)
		}
		if _, err := s.objects.SetTags(ctx, t.Bucket, t.Key, vid, tags); err != nil {
			return s3Failure(res, err)
		}
	}
	res.Succeeded, res.HTTP, res.Message = true, 200, "Successful"
	return res, nil
}

// copyObject is S3PutObjectCopy: the version is copied to the target
// bucket under the prefix, as the job's role (read on the source, write
// on the target, each bucket's policy deciding).
func (s *Service) copyObject(ctx context.Context, j *Job, role *authz.Identity, src *meta.Bucket, t objectTask, vid string, res Result) (Result, error) {
	op := j.Spec.Operation.Copy
	read := "s3:GetObject"
	if t.VersionID != "" {
		read = "s3:GetObjectVersion"
	}
	srcARN := "arn:aws:s3:::" + t.Bucket + "/" + t.Key
	if d := s.allowed(role, read, srcARN, src); !d.Allowed {
		res.HTTP, res.ErrorCode, res.Message = 403, "AccessDenied", role.ARN+" may not perform "+read+" on "+srcARN+": "+d.Reason
		return res, nil
	}
	dst, err := s.objects.Bucket(ctx, op.TargetBucket)
	if err != nil {
		return s3Failure(res, err)
	}
	key := op.TargetKeyPrefix + t.Key
	dstARN := "arn:aws:s3:::" + dst.Name + "/" + key
	if d := s.allowed(role, "s3:PutObject", dstARN, dst); !d.Allowed {
		res.HTTP, res.ErrorCode, res.Message = 403, "AccessDenied", role.ARN+" may not perform s3:PutObject on "+dstARN+": "+d.Reason
		return res, nil
	}
	in := object.CopyInput{SrcBucket: t.Bucket, SrcKey: t.Key, SrcVersionID: vid, Bucket: dst.Name, Key: key,
		Owner: role.AccountID, Attrs: object.Attrs{StorageClass: op.StorageClass}}
	if op.MetadataDirective == "REPLACE" {
		in.ReplaceMetadata = true
		in.Attrs.ContentType, in.Attrs.Metadata = op.ContentType, op.Metadata
	}
	if op.ReplaceTags {
		in.ReplaceTags, in.Attrs.Tags = true, map[string]string{}
		for _, tg := range op.NewTags {
			in.Attrs.Tags[tg.Key] = tg.Value
		}
	}
	if op.CannedACL != "" {
		in.ACL = object.ACL{Canned: op.CannedACL}
	}
	if _, err := s.objects.Copy(ctx, in); err != nil {
		return s3Failure(res, err)
	}
	res.Succeeded, res.HTTP, res.Message = true, 200, "Successful"
	return res, nil
}

// s3Failure turns an S3 error into a failed result; internal errors are
// transient.
func s3Failure(res Result, err error) (Result, error) {
	e := s3err.As(err)
	if e.Code == "InternalError" {
		return res, err
	}
	res.HTTP, res.ErrorCode, res.Message = e.HTTPStatus, e.Code, e.Message
	return res, nil
}

// replicationStatus is the HTTP status a report shows for a replication
// failure reason.
func replicationStatus(reason string) int {
	switch {
	case strings.HasSuffix(reason, "NotPermitted"):
		return 403
	case strings.HasSuffix(reason, "NotFound"):
		return 404
	case reason == replication.ReasonSrcNotEligible:
		return 400
	}
	return 400
}
