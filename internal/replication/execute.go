package replication

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/iam"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/replconf"
	"github.com/ferrys3/ferry/internal/s3err"
)

// Failure reasons, as AWS reports them.
const (
	ReasonAssumeRole         = "AssumeRoleNotPermitted"
	ReasonDstBucketNotFound  = "DstBucketNotFound"
	ReasonDstUnversioned     = "DstBucketUnversioned"
	ReasonDstPutNotPermitted = "DstPutObjectNotPermitted"
	ReasonDstDelNotPermitted = "DstDelObjNotPermitted"
	ReasonSrcGetNotPermitted = "SrcGetObjectNotPermitted"
	ReasonSrcConfigMissing   = "SrcBucketReplicationConfigMissing"
	ReasonSrcVersionNotFound = "SrcVersionNotFound"
	ReasonSrcBucketNotFound  = "SrcBucketNotFound"
	ReasonDstVersionNotFound = "DstVersionNotFound"
)

// failure ends a replication in FAILED: Reason is the AWS failure reason,
// Detail says exactly what was missing.
type failure struct {
	Reason, Detail string
}

func (f *failure) Error() string { return f.Reason + ": " + f.Detail }

// skip ends a replication that has nothing left to do (the source version
// or bucket is gone).
type skip struct{ why string }

func (s *skip) Error() string { return "skipped: " + s.why }

// errGone aborts a replica write whose task another worker completed.
var errGone = errors.New("replication: task already completed")

// plan is what one task will write, settled before any byte moves.
type plan struct {
	t        *task
	rule     *replconf.Rule
	src      *meta.Version
	dst      *meta.Bucket
	writer   string
	grants   []meta.Grant
	dropTags bool
}

// execute performs one task (mt nil: a replication requested directly,
// with no queued task); its error is nil, *failure, *skip, errGone or a
// transient error.
func (s *Service) execute(ctx context.Context, mt *meta.Task, t *task) error {
	p, err := s.prepare(ctx, t)
	if err != nil {
		return err
	}
	if t.Meta {
		return s.executeMeta(ctx, mt, t, p)
	}
	r := *p.src
	r.Bucket = p.dst.Name
	if p.dropTags {
		r.Tags = nil
	}
	if sc := p.rule.Destination.StorageClass; sc != "" && !r.DeleteMarker {
		r.StorageClass = sc
	}
	err = s.objects.PutReplica(ctx, object.ReplicaInput{V: &r, Writer: p.writer, Grants: p.grants,
		Check: func(tx meta.Tx, b *meta.Bucket) error {
			if b.Versioning != meta.VersioningEnabled {
				return &failure{ReasonDstUnversioned, "versioning is not enabled on destination bucket " + b.Name}
			}
			return taskLive(tx, mt)
		},
		Commit: func(tx meta.Tx) error { return s.complete(tx, mt, t, p.src) }})
	var f *failure
	if errors.As(err, &f) {
		return f
	}
	if errors.Is(err, errGone) {
		return errGone
	}
	if err != nil && s3err.As(err).Code == "NoSuchBucket" {
		return &failure{ReasonDstBucketNotFound, "destination bucket " + t.Dest + " does not exist"}
	}
	return err
}

// executeMeta carries a metadata change to an existing replica.
func (s *Service) executeMeta(ctx context.Context, mt *meta.Task, t *task, p *plan) error {
	err := s.objects.PutReplicaMetadata(ctx, object.ReplicaMetadata{Bucket: p.dst.Name, Key: t.Key, VersionID: t.VersionID,
		KeepTags: p.dropTags, Tags: p.src.Tags, Writer: p.writer, Grants: p.grants,
		Check:  func(tx meta.Tx, b *meta.Bucket) error { return taskLive(tx, mt) },
		Commit: func(tx meta.Tx) error { return s.complete(tx, mt, t, p.src) }})
	switch {
	case errors.Is(err, object.ErrReplicaMissing):
		return &failure{ReasonDstVersionNotFound, "version " + t.VersionID + " of " + t.Key + " no longer exists in destination bucket " +
			t.Dest + " (deleted there by version ID), so its tag or ACL change cannot be replicated"}
	case errors.Is(err, errGone):
		return errGone
	case err != nil && s3err.As(err).Code == "NoSuchBucket":
		return &failure{ReasonDstBucketNotFound, "destination bucket " + t.Dest + " does not exist"}
	}
	return err
}

// taskLive fails with errGone when mt (if any) was completed meanwhile.
func taskLive(tx meta.Tx, mt *meta.Task) error {
	if mt == nil {
		return nil
	}
	_, err := tx.GetTask(mt.ID)
	if errors.Is(err, meta.ErrNotFound) {
		return errGone
	}
	return err
}

// prepare checks everything a replication needs, as the rule's role, and
// reads the source version.
func (s *Service) prepare(ctx context.Context, t *task) (*plan, error) {
	srcB, err := s.objects.Bucket(ctx, t.Bucket)
	if err != nil {
		if s3err.As(err).Code == "NoSuchBucket" {
			return nil, &skip{"source bucket " + t.Bucket + " no longer exists"}
		}
		return nil, err
	}
	cfg := s.bucketConfig(srcB)
	if cfg == nil {
		return nil, &failure{ReasonSrcConfigMissing, "bucket " + t.Bucket + " has no replication configuration"}
	}
	rule := cfg.RuleByID(t.Rule)
	if rule == nil || rule.Destination.BucketName() != t.Dest {
		rule = nil
		for i := range cfg.Rules {
			if cfg.Rules[i].Destination.BucketName() == t.Dest {
				rule = &cfg.Rules[i]
				break
			}
		}
	}
	if rule == nil {
		return nil, &failure{ReasonSrcConfigMissing, "no rule of bucket " + t.Bucket + " replicates to " + t.Dest}
	}
	role, err := s.session(ctx, cfg.Role, srcB)
	if err != nil {
		return nil, err
	}
	dst, err := s.objects.Bucket(ctx, t.Dest)
	if err != nil {
		if s3err.As(err).Code == "NoSuchBucket" {
			return nil, &failure{ReasonDstBucketNotFound, "destination bucket " + t.Dest + " does not exist"}
		}
		return nil, err
	}
	if !s.cfg.RegionUp(dst.Region) {
		return nil, fmt.Errorf("destination region %s is unreachable", dst.Region)
	}
	if dst.Versioning != meta.VersioningEnabled {
		return nil, &failure{ReasonDstUnversioned, "versioning is not enabled on destination bucket " + dst.Name}
	}
	v, err := s.objects.VersionByID(ctx, t.Bucket, t.Key, t.VersionID)
	if err != nil {
		if s3err.As(err).Code == "NoSuchVersion" {
			return nil, &skip{"source version " + t.VersionID + " of " + t.Key + " was deleted before it replicated"}
		}
		return nil, err
	}
	p := &plan{t: t, rule: rule, src: v, dst: dst, writer: v.Owner, grants: v.ACL}
	fail := func(reason string, d authz.Decision, action, resource string) (*plan, error) {
		return nil, &failure{reason, fmt.Sprintf("%s may not perform %s on %s: %s", role.ARN, action, resource, d.Reason)}
	}
	srcARN := "arn:aws:s3:::" + t.Bucket + "/" + t.Key
	dstARN := "arn:aws:s3:::" + dst.Name + "/" + t.Key
	if !v.DeleteMarker {
		d := s.allowed(role, "s3:GetObjectVersionForReplication", srcARN, srcB, t.VersionID)
		if !d.Allowed && !d.Deny {
			if alt := s.allowed(role, "s3:GetObjectVersion", srcARN, srcB, t.VersionID); alt.Allowed {
				d = alt
			}
		}
		if !d.Allowed {
			return fail(ReasonSrcGetNotPermitted, d, "s3:GetObjectVersionForReplication", srcARN)
		}
		if len(v.Tags) > 0 && !s.allowed(role, "s3:GetObjectVersionTagging", srcARN, srcB, t.VersionID).Allowed {
			p.dropTags = true
		}
	}
	action, reason := "s3:ReplicateObject", ReasonDstPutNotPermitted
	if v.DeleteMarker {
		action, reason = "s3:ReplicateDelete", ReasonDstDelNotPermitted
	}
	if d := s.allowed(role, action, dstARN, dst, ""); !d.Allowed {
		return fail(reason, d, action, dstARN)
	}
	// s3:ReplicateObject covers the tags; only an explicit deny of
	// s3:ReplicateTags (e.g. in the destination bucket policy) drops them.
	if len(v.Tags) > 0 && !p.dropTags && s.allowed(role, "s3:ReplicateTags", dstARN, dst, "").Deny {
		p.dropTags = true
	}
	if rule.Destination.OwnerOverride {
		// With ACLs disabled the destination owns every object anyway and
		// the override needs no permission.
		if object.ObjectOwnership(dst) != object.OwnershipBucketOwnerEnforced {
			if d := s.allowed(role, "s3:ObjectOwnerOverrideToBucketOwner", dstARN, dst, ""); !d.Allowed {
				return fail(ReasonDstPutNotPermitted, d, "s3:ObjectOwnerOverrideToBucketOwner", dstARN)
			}
		}
		p.writer, p.grants = dst.Owner, nil
	}
	return p, nil
}

// allowed evaluates the role session's request against its policies and
// the bucket's policy, as for any request to that bucket.
func (s *Service) allowed(role *authz.Identity, action, resource string, b *meta.Bucket, versionID string) authz.Decision {
	req := &authz.Request{Identity: role, Action: action, Resource: resource, ResourceAccount: b.Owner,
		ResourcePolicy: s.objects.ParsedBucketPolicy(b), Keys: map[string][]string{"aws:SecureTransport": {"true"}}}
	if versionID != "" {
		req.Keys["s3:VersionId"] = []string{versionID}
	}
	return authz.Authorize(req)
}

// sessionCache reuses role sessions for a short while.
type sessionCache struct {
	mu sync.Mutex
	m  map[string]*cachedSession
}

type cachedSession struct {
	id      *authz.Identity
	err     error
	expires time.Time
}

// session assumes the replication role as s3.amazonaws.com on behalf of
// the source bucket. A role that is missing or does not trust the service
// fails the replication with AssumeRoleNotPermitted.
func (s *Service) session(ctx context.Context, roleARN string, src *meta.Bucket) (*authz.Identity, error) {
	key := roleARN + "\x00" + src.Name
	now := s.clock.Now()
	c := &s.sessions
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.id, e.err
	}
	id, d, err := s.iam.ServiceSession(ctx, iam.ServiceSessionInput{Service: iam.ReplicationPrincipal, RoleARN: roleARN,
		SessionName: SessionName, SourceAccount: src.Owner, SourceArn: "arn:aws:s3:::" + src.Name})
	var ie *iam.Error
	if errors.As(err, &ie) && ie.Code == iam.CodeAccessDenied {
		why := "the trust policy does not allow it"
		if d != nil && d.Reason != "" {
			why = d.Reason
		}
		err = &failure{ReasonAssumeRole, fmt.Sprintf("%s may not assume role %s: %s", iam.ReplicationPrincipal, roleARN, why)}
	} else if err != nil {
		return nil, err // transient: not cached
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) > 1024 {
		c.m = map[string]*cachedSession{}
	}
	c.m[key] = &cachedSession{id: id, err: err, expires: now.Add(s.cfg.SessionTTL)}
	c.mu.Unlock()
	return id, err
}

// complete records a finished task: the destination is COMPLETED, unless
// the source version's tags or ACL changed since they were read (a change
// made while the task ran saw the destination PENDING and queued
// nothing), in which case a task carrying the change is queued next and
// the destination stays PENDING.
func (s *Service) complete(tx meta.Tx, mt *meta.Task, t *task, carried *meta.Version) error {
	if mt != nil {
		if err := tx.DeleteTask(mt.ID); err != nil {
			return err
		}
	}
	v, err := tx.GetVersion(t.Bucket, t.Key, t.VersionID)
	if errors.Is(err, meta.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !v.DeleteMarker && (!maps.Equal(v.Tags, carried.Tags) || !slices.Equal(v.ACL, carried.ACL)) {
		if err := s.enqueueMeta(tx, v, t.Dest, t.Rule); err != nil {
			return err
		}
		return putState(tx, v, t, meta.ReplicationPending, "")
	}
	return putState(tx, v, t, meta.ReplicationCompleted, "")
}

// setState records one destination's outcome on the source version (if it
// still exists) and derives the version's status.
func setState(tx meta.Tx, t *task, status, reason string) error {
	v, err := tx.GetVersion(t.Bucket, t.Key, t.VersionID)
	if errors.Is(err, meta.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return putState(tx, v, t, status, reason)
}

// putState records one destination's outcome on v, the task's source
// version read in tx.
func putState(tx meta.Tx, v *meta.Version, t *task, status, reason string) error {
	found := false
	for i := range v.Replication {
		if v.Replication[i].Bucket == t.Dest {
			v.Replication[i].Status, v.Replication[i].Reason = status, reason
			found = true
		}
	}
	if !found {
		v.Replication = append(v.Replication, meta.ReplicaState{Bucket: t.Dest, Rule: t.Rule, Status: status, Reason: reason})
	}
	v.ReplicationStatus = meta.DeriveReplicationStatus(v.Replication)
	return tx.PutVersion(v)
}
