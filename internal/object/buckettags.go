package object

import (
	"context"
	"encoding/json"

	"github.com/ferrys3/ferry/internal/s3err"
)

// MaxBucketTags is S3's limit of tags on a bucket.
const MaxBucketTags = 50

const bucketTagsConfig = "tagging"

// BucketTags returns a bucket's tag set, or NoSuchTagSet.
func (s *Service) BucketTags(ctx context.Context, bucket string) (map[string]string, error) {
	b, err := s.Bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	raw, ok := b.Configs[bucketTagsConfig]
	if !ok {
		return nil, s3err.ErrNoSuchTagSet
	}
	var tags map[string]string
	if err := json.Unmarshal(raw, &tags); err != nil {
		return nil, internal(err)
	}
	return tags, nil
}

// SetBucketTags replaces a bucket's tag set; nil removes it.
func (s *Service) SetBucketTags(ctx context.Context, bucket string, tags map[string]string) error {
	if len(tags) > MaxBucketTags {
		return s3err.ErrBadRequest.With("Bucket tag count cannot be greater than 50")
	}
	if err := validateTagValues(tags); err != nil {
		return err
	}
	var raw []byte
	if tags != nil {
		raw, _ = json.Marshal(tags)
	}
	return s.setBucketConfig(ctx, bucket, bucketTagsConfig, raw, nil)
}
