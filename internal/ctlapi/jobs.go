package ctlapi

import (
	"io"
	"strconv"
	"strings"

	"github.com/ferrys3/ferry/internal/batch"
	"github.com/ferrys3/ferry/internal/ctlxml"
)

func (q *request) createJob() ([]byte, error) {
	if err := q.authorize("s3:CreateJob", "*"); err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(q.r.Body, MaxBody))
	if err != nil {
		return nil, ctlxml.NewBadRequest("The request body could not be read.")
	}
	req, err := ctlxml.DecodeCreateJob(raw)
	if err != nil {
		return nil, err
	}
	spec, err := specOf(req)
	if err != nil {
		return nil, err
	}
	id, err := q.h.batch.CreateJob(q.r.Context(), q.caller.Identity, q.account, q.h.region, req.ClientRequestToken, *spec)
	if err != nil {
		return nil, mapError(err)
	}
	return ctlxml.MarshalCreateJobResult(id), nil
}

// bucketName turns arn:aws:s3:::name into name.
func bucketName(arn string) string { return strings.TrimPrefix(arn, "arn:aws:s3:::") }

// objectOf splits arn:aws:s3:::bucket/key.
func objectOf(arn string) (string, string, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:s3:::")
	if !ok {
		return "", "", false
	}
	b, k, ok := strings.Cut(rest, "/")
	return b, k, ok && b != "" && k != ""
}

// specOf maps a CreateJob request onto the batch service's job spec.
func specOf(req *ctlxml.CreateJobRequest) (*batch.Spec, error) {
	spec := &batch.Spec{ConfirmationRequired: req.ConfirmationRequired == nil || *req.ConfirmationRequired,
		Description: req.Description, Priority: req.Priority, RoleArn: req.RoleArn, Request: ctlxml.MarshalCreateJobRequest(req)}
	for _, t := range req.Tags {
		spec.Tags = append(spec.Tags, batch.Tag{Key: t.Key, Value: t.Value})
	}
	op := req.Operation
	switch {
	case op.S3ReplicateObject != nil:
		spec.Operation.Kind = batch.OpReplicate
	case op.S3DeleteObjectTagging != nil:
		spec.Operation.Kind = batch.OpDeleteTagging
	case op.S3PutObjectTagging != nil:
		spec.Operation.Kind = batch.OpPutTagging
		for _, t := range op.S3PutObjectTagging.TagSet {
			spec.Operation.Tags = append(spec.Operation.Tags, batch.Tag{Key: t.Key, Value: t.Value})
		}
	case op.S3PutObjectCopy != nil:
		c := op.S3PutObjectCopy
		cp := &batch.CopyOp{TargetBucket: bucketName(c.TargetResource), TargetKeyPrefix: c.TargetKeyPrefix,
			MetadataDirective: c.MetadataDirective, StorageClass: c.StorageClass, CannedACL: c.CannedAccessControlList}
		if m := c.NewObjectMetadata; m != nil {
			cp.ContentType, cp.Metadata = m.ContentType, m.UserMetadata
		}
		if len(c.NewObjectTagging) > 0 {
			cp.ReplaceTags = true
			for _, t := range c.NewObjectTagging {
				cp.NewTags = append(cp.NewTags, batch.Tag{Key: t.Key, Value: t.Value})
			}
		}
		spec.Operation = batch.Operation{Kind: batch.OpCopy, Copy: cp}
	default:
		return nil, ctlxml.NewBadRequest("The operation " + op.Unsupported + " is not supported by this server.")
	}
	if m := req.Manifest; m != nil {
		b, k, ok := objectOf(m.Location.ObjectArn)
		if !ok {
			return nil, ctlxml.NewBadRequest("Invalid manifest object ARN " + m.Location.ObjectArn)
		}
		spec.Manifest = &batch.Manifest{Format: m.Spec.Format, Fields: m.Spec.Fields, Bucket: b, Key: k,
			VersionID: m.Location.ObjectVersionID, ETag: m.Location.ETag}
	}
	if g := req.ManifestGenerator; g != nil && g.S3JobManifestGenerator != nil {
		sg := g.S3JobManifestGenerator
		gen := &batch.Generator{SourceBucket: bucketName(sg.SourceBucket), ExpectedBucketOwner: sg.ExpectedBucketOwner,
			EnableManifestOutput: sg.EnableManifestOutput}
		if o := sg.ManifestOutputLocation; o != nil {
			gen.OutputBucket, gen.OutputPrefix, gen.OutputFormat = bucketName(o.Bucket), o.ManifestPrefix, o.ManifestFormat
		}
		if gen.EnableManifestOutput && gen.OutputBucket == "" {
			return nil, ctlxml.NewBadRequest("ManifestOutputLocation is required when EnableManifestOutput is true.")
		}
		if f := sg.Filter; f != nil {
			bf := &batch.Filter{EligibleForReplication: f.EligibleForReplication != nil && *f.EligibleForReplication,
				ReplicationStatuses: f.ObjectReplicationStatuses, CreatedAfter: f.CreatedAfter, CreatedBefore: f.CreatedBefore,
				SizeGreaterThan: f.ObjectSizeGreaterThanBytes, SizeLessThan: f.ObjectSizeLessThanBytes, StorageClasses: f.MatchAnyStorageClass}
			if k := f.KeyNameConstraint; k != nil {
				bf.Prefixes, bf.Suffixes, bf.Substrings = k.MatchAnyPrefix, k.MatchAnySuffix, k.MatchAnySubstring
			}
			gen.Filter = bf
		}
		spec.Generator = gen
	}
	r := req.Report
	spec.Report = batch.Report{Enabled: r.Enabled, Bucket: bucketName(r.Bucket), Prefix: r.Prefix, Scope: r.ReportScope, Format: r.Format}
	return spec, nil
}

func (q *request) describeJob(id string) ([]byte, error) {
	if err := q.authorize("s3:DescribeJob", q.jobARN(id)); err != nil {
		return nil, err
	}
	j, err := q.h.batch.DescribeJob(q.r.Context(), q.account, id)
	if err != nil {
		return nil, mapError(err)
	}
	return ctlxml.MarshalDescribeJob(q.descriptor(j)), nil
}

// descriptor is the JobDescriptor of a job; the request's manifest,
// operation, report and generator are echoed as they were sent.
func (q *request) descriptor(j *batch.Job) *ctlxml.JobDescriptor {
	now := q.h.clock.Now()
	d := &ctlxml.JobDescriptor{JobID: j.ID, ConfirmationRequired: j.Spec.ConfirmationRequired, Description: j.Spec.Description,
		JobArn: j.ARN(), Status: j.State.Status, Priority: j.Spec.Priority, StatusUpdateReason: j.State.StatusUpdateReason,
		CreationTime: j.Created, TerminationDate: j.State.Terminated, RoleArn: j.Spec.RoleArn, SuspendedDate: j.State.SuspendedAt,
		SuspendedCause: j.State.SuspendedCause,
		ProgressSummary: &ctlxml.ProgressSummary{TotalNumberOfTasks: j.State.Total, NumberOfTasksSucceeded: j.State.Succeeded,
			NumberOfTasksFailed: j.State.Failed, Timers: &ctlxml.JobTimers{ElapsedTimeInActiveSeconds: int64(j.Elapsed(now).Seconds())}}}
	for _, f := range j.State.FailureReasons {
		d.FailureReasons = append(d.FailureReasons, ctlxml.JobFailure{FailureCode: f.Code, FailureReason: f.Reason})
	}
	if req, err := ctlxml.DecodeCreateJob(j.Spec.Request); err == nil {
		op := req.Operation
		d.Manifest, d.Operation, d.ManifestGenerator = req.Manifest, &op, req.ManifestGenerator
		r := req.Report
		d.Report = &r
	}
	if gm := j.State.GeneratedManifest; gm != nil {
		d.GeneratedManifestDescriptor = &ctlxml.GeneratedManifestDescriptor{Format: gm.Format,
			Location: &ctlxml.ManifestLocation{ObjectArn: "arn:aws:s3:::" + gm.Bucket + "/" + gm.Key, ETag: gm.ETag}}
	}
	return d
}

func (q *request) listJobs() ([]byte, error) {
	if err := q.authorize("s3:ListJobs", "*"); err != nil {
		return nil, err
	}
	v := q.r.URL.Query()
	max := 1000
	if s := v.Get("maxResults"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 1000 {
			return nil, ctlxml.NewInvalidRequest("maxResults must be between 0 and 1000")
		}
		max = n
	}
	for _, st := range v["jobStatuses"] {
		if !ctlxml.ValidStatus(st) {
			return nil, ctlxml.NewInvalidRequest("Invalid job status " + st)
		}
	}
	jobs, next, err := q.h.batch.ListJobs(q.r.Context(), q.account, v["jobStatuses"], v.Get("nextToken"), max)
	if err != nil {
		return nil, mapError(err)
	}
	now := q.h.clock.Now()
	out := make([]ctlxml.JobListDescriptor, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, ctlxml.JobListDescriptor{JobID: j.ID, Description: j.Spec.Description, Operation: j.Spec.Operation.Kind,
			Priority: j.Spec.Priority, Status: j.State.Status, CreationTime: j.Created, TerminationDate: j.State.Terminated,
			ProgressSummary: &ctlxml.ProgressSummary{TotalNumberOfTasks: j.State.Total, NumberOfTasksSucceeded: j.State.Succeeded,
				NumberOfTasksFailed: j.State.Failed, Timers: &ctlxml.JobTimers{ElapsedTimeInActiveSeconds: int64(j.Elapsed(now).Seconds())}}})
	}
	return ctlxml.MarshalListJobs(out, next), nil
}

func (q *request) updatePriority(id string) ([]byte, error) {
	if err := q.authorize("s3:UpdateJobPriority", q.jobARN(id)); err != nil {
		return nil, err
	}
	p, err := strconv.Atoi(q.r.URL.Query().Get("priority"))
	if err != nil || p < 0 {
		return nil, ctlxml.NewBadRequest("priority must be an integer between 0 and 2147483647")
	}
	j, err := q.h.batch.UpdateJobPriority(q.r.Context(), q.account, id, p)
	if err != nil {
		return nil, mapError(err)
	}
	return ctlxml.MarshalUpdateJobPriority(j.ID, j.Spec.Priority), nil
}

func (q *request) updateStatus(id string) ([]byte, error) {
	if err := q.authorize("s3:UpdateJobStatus", q.jobARN(id)); err != nil {
		return nil, err
	}
	v := q.r.URL.Query()
	requested := v.Get("requestedJobStatus")
	if !ctlxml.ValidRequestedStatus(requested) {
		return nil, ctlxml.NewBadRequest("requestedJobStatus must be Ready or Cancelled")
	}
	j, err := q.h.batch.UpdateJobStatus(q.r.Context(), q.account, id, requested, v.Get("statusUpdateReason"))
	if err != nil {
		return nil, mapError(err)
	}
	return ctlxml.MarshalUpdateJobStatus(j.ID, j.State.Status, j.State.StatusUpdateReason), nil
}
