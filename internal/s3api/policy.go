package s3api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/policy"
	"github.com/ferrys3/ferry/internal/s3err"
	"github.com/ferrys3/ferry/internal/s3xml"
)

// publicPolicy judges whether a bucket policy grants public access, for
// Block Public Access and GetBucketPolicyStatus.
var publicPolicy = authz.IsPublic

// parseBucketPolicy validates a PutBucketPolicy document for bucket:
// AWS's policy grammar (internal/policy) plus S3's rule that every
// Resource is the bucket or an object in it.
func parseBucketPolicy(doc []byte, bucket string) (*policy.Policy, error) {
	p, err := policy.Parse(doc, policy.ForBucketPolicy())
	if err != nil {
		var pe *policy.Error
		if errors.As(err, &pe) {
			return nil, s3err.ErrMalformedPolicy.With(pe.Message)
		}
		return nil, s3err.ErrMalformedPolicy.With(policy.MsgInvalidJSON)
	}
	if !resourcesInBucket(doc, bucket) {
		return nil, s3err.ErrMalformedPolicy.With(policy.MsgInvalidResource)
	}
	return p, nil
}

// resourcesInBucket reports whether every Resource and NotResource of a
// (parsed, hence well-formed) policy names bucket or an object in it.
func resourcesInBucket(doc []byte, bucket string) bool {
	var top struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal(doc, &top); err != nil {
		return false
	}
	var stmts []map[string]json.RawMessage
	if s := bytes.TrimLeft(top.Statement, " \t\r\n"); len(s) > 0 && s[0] == '[' {
		if err := json.Unmarshal(s, &stmts); err != nil {
			return false
		}
	} else {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(s, &one); err != nil {
			return false
		}
		stmts = append(stmts, one)
	}
	arn := "arn:aws:s3:::" + bucket
	for _, st := range stmts {
		for _, field := range []string{"Resource", "NotResource"} {
			raw, ok := st[field]
			if !ok {
				continue
			}
			var list []string
			if json.Unmarshal(raw, &list) != nil {
				var one string
				if json.Unmarshal(raw, &one) != nil {
					return false
				}
				list = []string{one}
			}
			for _, r := range list {
				if r != arn && !strings.HasPrefix(r, arn+"/") {
					return false
				}
			}
		}
	}
	return true
}

// checkPrincipals refuses a policy naming an account, user or role that
// does not exist, as AWS does ("Invalid principal in policy"): a mistyped
// role ARN is reported now instead of failing every later request.
func (q *request) checkPrincipals(p *policy.Policy) error {
	for _, st := range p.Statements {
		for _, pr := range []*policy.Principal{st.Principal, st.NotPrincipal} {
			if pr == nil {
				continue
			}
			for _, a := range pr.AWS {
				if !q.h.iam.PrincipalExists(q.r.Context(), a) {
					return s3err.ErrMalformedPolicy.With(policy.MsgInvalidPrincipal)
				}
			}
		}
	}
	return nil
}

// readPolicy reads a PutBucketPolicy body; one over any sane size is
// answered like one over the 20 KiB limit.
func (q *request) readPolicy() ([]byte, error) {
	doc, err := q.readSmallBody(s3xml.MaxBody)
	if e := s3err.As(err); err != nil && e.Code == "MalformedXML" {
		return nil, s3err.ErrMalformedPolicy.With(policy.MsgTooLarge)
	}
	return doc, err
}

func putBucketPolicy(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	// x-amz-confirm-remove-self-bucket-access is accepted and ignored: the
	// bucket owner's root user can always manage the policy.
	doc, err := q.readPolicy()
	if err != nil {
		return err
	}
	if err := q.checkDigest(doc, true); err != nil {
		return err
	}
	p, err := parseBucketPolicy(doc, q.bucket)
	if err != nil {
		return err
	}
	if err := q.checkPrincipals(p); err != nil {
		return err
	}
	if err := q.h.obj.SetBucketPolicy(q.r.Context(), q.bucket, doc, publicPolicy(p)); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

func getBucketPolicy(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	doc, err := q.h.obj.BucketPolicy(q.r.Context(), q.bucket)
	if err != nil {
		return err
	}
	q.w.Header().Set("Content-Type", "application/json")
	q.w.WriteHeader(http.StatusOK)
	_, _ = q.w.Write(doc)
	return nil
}

func deleteBucketPolicy(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	if err := q.h.obj.DeleteBucketPolicy(q.r.Context(), q.bucket); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

func getBucketPolicyStatus(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	doc, err := q.h.obj.BucketPolicy(q.r.Context(), q.bucket)
	if err != nil {
		return err
	}
	public := false
	if p, err := policy.Parse(doc, policy.ForBucketPolicy()); err == nil {
		public = publicPolicy(p)
	}
	return q.writeXML(http.StatusOK, s3xml.PolicyStatus{NS: s3xml.NS, IsPublic: public})
}
