package object

import (
	"context"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/s3err"
)

// S3 Object Ownership settings.
const (
	// OwnershipBucketOwnerEnforced disables ACLs: the bucket owner owns
	// every object, whoever wrote it.
	OwnershipBucketOwnerEnforced = "BucketOwnerEnforced"
	// OwnershipBucketOwnerPreferred makes the bucket owner own objects
	// written with the bucket-owner-full-control canned ACL.
	OwnershipBucketOwnerPreferred = "BucketOwnerPreferred"
	// OwnershipObjectWriter makes the writing account own its objects.
	OwnershipObjectWriter = "ObjectWriter"
)

// ValidOwnership reports whether s is an Object Ownership setting.
func ValidOwnership(s string) bool {
	switch s {
	case OwnershipBucketOwnerEnforced, OwnershipBucketOwnerPreferred, OwnershipObjectWriter:
		return true
	}
	return false
}

// ObjectOwnership is the Object Ownership setting in force for b. A bucket
// without one (created before ferry stored it, or after
// DeleteBucketOwnershipControls) behaves as BucketOwnerEnforced, the AWS
// default for new buckets since 2023.
func ObjectOwnership(b *meta.Bucket) string {
	if v := string(b.Configs[ownershipConfig]); ValidOwnership(v) {
		return v
	}
	return OwnershipBucketOwnerEnforced
}

// OwnershipControls returns the stored Object Ownership setting, or
// OwnershipControlsNotFoundError.
func (s *Service) OwnershipControls(ctx context.Context, bucket string) (string, error) {
	b, err := s.Bucket(ctx, bucket)
	if err != nil {
		return "", err
	}
	v, ok := b.Configs[ownershipConfig]
	if !ok {
		return "", s3err.ErrOwnershipControlsNotFound.WithExtra("BucketName", bucket)
	}
	return string(v), nil
}

// SetOwnershipControls stores the Object Ownership setting; "" removes it.
// BucketOwnerEnforced is refused while the bucket ACL grants access to
// anyone but the bucket owner, as AWS does.
func (s *Service) SetOwnershipControls(ctx context.Context, bucket, ownership string) error {
	if ownership != "" && !ValidOwnership(ownership) {
		return s3err.ErrMalformedXML
	}
	var raw []byte
	if ownership != "" {
		raw = []byte(ownership)
	}
	return s.setBucketConfig(ctx, bucket, ownershipConfig, raw, func(b *meta.Bucket) error {
		if ownership == OwnershipBucketOwnerEnforced && len(bucketGrants(b)) > 0 {
			return s3err.ErrInvalidBucketACLWithOwnership
		}
		return nil
	})
}
