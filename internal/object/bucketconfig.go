package object

import (
	"context"
	"encoding/json"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/s3err"
)

// Names of the configuration documents kept in meta.Bucket.Configs.
const (
	policyConfig            = "policy"            // the bucket policy, verbatim JSON
	publicAccessBlockConfig = "publicAccessBlock" // PublicAccessBlock as JSON
	ownershipConfig         = "ownership"         // the Object Ownership setting
	bucketACLConfig         = "acl"               // the bucket's grants as JSON
	// ReplicationConfig is the replication configuration, as the XML
	// document GetBucketReplication returns.
	ReplicationConfig = "replication"
)

// setBucketConfig stores (raw != nil) or removes (raw == nil) one
// configuration document of a bucket. check, when set, runs first in the
// same transaction and may refuse the change.
func (s *Service) setBucketConfig(ctx context.Context, bucket, name string, raw []byte, check func(b *meta.Bucket) error) error {
	return internal(s.meta.Update(ctx, func(tx meta.Tx) error {
		b, err := getBucket(tx, bucket)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(b); err != nil {
				return err
			}
		}
		putConfig(b, name, raw)
		return tx.UpdateBucket(b)
	}))
}

// putConfig sets or (raw == nil) removes a document in b.
func putConfig(b *meta.Bucket, name string, raw []byte) {
	if raw == nil {
		delete(b.Configs, name)
		return
	}
	if b.Configs == nil {
		b.Configs = map[string][]byte{}
	}
	b.Configs[name] = raw
}

// BucketPolicy returns the bucket policy exactly as it was stored, or
// NoSuchBucketPolicy.
func (s *Service) BucketPolicy(ctx context.Context, bucket string) ([]byte, error) {
	b, err := s.Bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	doc, ok := b.Configs[policyConfig]
	if !ok {
		return nil, s3err.ErrNoSuchBucketPolicy.WithExtra("BucketName", bucket)
	}
	return doc, nil
}

// SetBucketPolicy stores a validated policy document verbatim. public says
// whether the policy grants public access: it is refused with AccessDenied
// when the bucket's Public Access Block has BlockPublicPolicy, checked in
// the same transaction as the write.
func (s *Service) SetBucketPolicy(ctx context.Context, bucket string, doc []byte, public bool) error {
	doc = append([]byte(nil), doc...)
	return s.setBucketConfig(ctx, bucket, policyConfig, doc, func(b *meta.Bucket) error {
		if pab, _ := BucketPublicAccessBlock(b); public && pab.BlockPublicPolicy {
			return s3err.ErrAccessDenied
		}
		return nil
	})
}

// DeleteBucketPolicy removes the bucket policy (no error when none exists).
func (s *Service) DeleteBucketPolicy(ctx context.Context, bucket string) error {
	return s.setBucketConfig(ctx, bucket, policyConfig, nil, nil)
}

// PublicAccessBlock is a bucket's S3 Block Public Access configuration.
type PublicAccessBlock struct {
	BlockPublicAcls       bool `json:"blockPublicAcls"`
	IgnorePublicAcls      bool `json:"ignorePublicAcls"`
	BlockPublicPolicy     bool `json:"blockPublicPolicy"`
	RestrictPublicBuckets bool `json:"restrictPublicBuckets"`
}

// DefaultPublicAccessBlock is what AWS applies to every new bucket since
// April 2023: all four settings on. DeletePublicAccessBlock removes it.
var DefaultPublicAccessBlock = PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}

// BucketPublicAccessBlock returns b's Public Access Block and whether one
// is configured (none: every setting false). Authorization reads
// IgnorePublicAcls and RestrictPublicBuckets through it.
func BucketPublicAccessBlock(b *meta.Bucket) (PublicAccessBlock, bool) {
	raw, ok := b.Configs[publicAccessBlockConfig]
	if !ok {
		return PublicAccessBlock{}, false
	}
	var p PublicAccessBlock
	if err := json.Unmarshal(raw, &p); err != nil {
		// Unreadable: be conservative and block everything.
		return DefaultPublicAccessBlock, true
	}
	return p, true
}

// PublicAccessBlock returns a bucket's configuration or
// NoSuchPublicAccessBlockConfiguration.
func (s *Service) PublicAccessBlock(ctx context.Context, bucket string) (PublicAccessBlock, error) {
	b, err := s.Bucket(ctx, bucket)
	if err != nil {
		return PublicAccessBlock{}, err
	}
	p, ok := BucketPublicAccessBlock(b)
	if !ok {
		return p, s3err.ErrNoSuchPublicAccessBlockConfig.WithExtra("BucketName", bucket)
	}
	return p, nil
}

// SetPublicAccessBlock replaces a bucket's configuration; nil removes it.
func (s *Service) SetPublicAccessBlock(ctx context.Context, bucket string, p *PublicAccessBlock) error {
	var raw []byte
	if p != nil {
		raw, _ = json.Marshal(p)
	}
	return s.setBucketConfig(ctx, bucket, publicAccessBlockConfig, raw, nil)
}
