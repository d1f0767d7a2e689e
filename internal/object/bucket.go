package object

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/s3err"
)

// ValidBucketName applies S3's general-purpose bucket naming rules.
func ValidBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	first, last := name[0], name[len(name)-1]
	if first == '.' || first == '-' || last == '.' || last == '-' {
		return false
	}
	if strings.Contains(name, "..") || strings.Contains(name, ".-") || strings.Contains(name, "-.") {
		return false
	}
	if net.ParseIP(name) != nil {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, sfx := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, sfx) {
			return false
		}
	}
	return true
}

// CreateBucket creates a bucket owned by owner in region.
func (s *Service) CreateBucket(ctx context.Context, owner, name, region string) error {
	if !ValidBucketName(name) {
		return s3err.ErrInvalidBucketName.WithExtra("BucketName", name)
	}
	if region == "" {
		region = s.region
	}
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		b, err := tx.GetBucket(name)
		if err == nil {
			if b.Owner == owner {
				// us-east-1 answers 200 to a repeated create by the owner (legacy).
				if region == "us-east-1" && b.Region == "us-east-1" {
					return errAlreadyOwnedLegacy
				}
				return s3err.ErrBucketAlreadyOwnedByYou.WithExtra("BucketName", name)
			}
			return s3err.ErrBucketAlreadyExists.WithExtra("BucketName", name)
		}
		if !errors.Is(err, meta.ErrNotFound) {
			return err
		}
		return tx.CreateBucket(&meta.Bucket{Name: name, Owner: owner, Region: region, Created: s.clock.Now().UTC()})
	})
	if errors.Is(err, errAlreadyOwnedLegacy) {
		return nil
	}
	return internal(err)
}

var errAlreadyOwnedLegacy = errors.New("already owned (us-east-1)")

// Bucket returns a bucket or NoSuchBucket.
func (s *Service) Bucket(ctx context.Context, name string) (*meta.Bucket, error) {
	var b *meta.Bucket
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		var err error
		b, err = getBucket(tx, name)
		return err
	})
	return b, internal(err)
}

func getBucket(tx meta.Tx, name string) (*meta.Bucket, error) {
	b, err := tx.GetBucket(name)
	if errors.Is(err, meta.ErrNotFound) {
		return nil, noSuchBucket(name)
	}
	return b, err
}

func noSuchBucket(name string) error {
	e := s3err.ErrNoSuchBucket.WithExtra("BucketName", name)
	e.Resource = name
	return e
}

// DeleteBucket deletes an empty bucket.
func (s *Service) DeleteBucket(ctx context.Context, name string) error {
	return internal(s.meta.Update(ctx, func(tx meta.Tx) error {
		if _, err := getBucket(tx, name); err != nil {
			return err
		}
		empty, err := tx.BucketEmpty(name)
		if err != nil {
			return err
		}
		if !empty {
			return s3err.ErrBucketNotEmpty.WithExtra("BucketName", name)
		}
		return tx.DeleteBucket(name)
	}))
}

// ListBuckets lists the buckets owned by owner.
func (s *Service) ListBuckets(ctx context.Context, owner string) ([]*meta.Bucket, error) {
	var out []*meta.Bucket
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		out = out[:0]
		return tx.ListBuckets(owner, func(b *meta.Bucket) bool {
			out = append(out, b)
			return true
		})
	})
	return out, internal(err)
}
