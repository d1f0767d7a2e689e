package batch

import (
	"context"
	"fmt"
	"time"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/iam"
	"github.com/ferrys3/ferry/internal/meta"
)

// SessionName is the role session name jobs act under.
const SessionName = "s3-batch-operations"

// session is a job role session, reused for a few seconds.
type session struct {
	id      *authz.Identity
	err     error
	expires time.Time
}

// session assumes the job's role as batchoperations.s3.amazonaws.com (the
// trust policy decides, with aws:SourceAccount and aws:SourceArn naming
// the job). A refusal is returned as an error saying why.
func (s *Service) session(ctx context.Context, j *Job) (*authz.Identity, error) {
	now := s.clock.Now()
	if v, ok := s.sessions.Load(j.ARN()); ok {
		if c := v.(*session); now.Before(c.expires) {
			return c.id, c.err
		}
	}
	id, d, err := s.iam.ServiceSession(ctx, iam.ServiceSessionInput{Service: iam.BatchPrincipal, RoleARN: j.Spec.RoleArn,
		SessionName: SessionName, SourceAccount: j.Account, SourceArn: j.ARN()})
	if err != nil {
		why := err.Error()
		if d != nil && d.Reason != "" {
			why = fmt.Sprintf("%s may not assume %s: %s", iam.BatchPrincipal, j.Spec.RoleArn, d.Reason)
		}
		if _, ok := err.(*iam.Error); !ok {
			return nil, err // transient
		}
		err = fmt.Errorf("%s", why)
	}
	s.sessions.Store(j.ARN(), &session{id: id, err: err, expires: now.Add(5 * time.Second)})
	return id, err
}

// allowed evaluates the role session's request on a bucket's resource as
// for any request to it (the bucket policy decides across accounts).
func (s *Service) allowed(role *authz.Identity, action, resource string, b *meta.Bucket) authz.Decision {
	return authz.Authorize(&authz.Request{Identity: role, Action: action, Resource: resource, ResourceAccount: b.Owner,
		ResourcePolicy: s.objects.ParsedBucketPolicy(b), Keys: map[string][]string{"aws:SecureTransport": {"true"}}})
}
