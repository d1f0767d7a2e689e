package object

import (
	"context"
	"encoding/json"
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

// CreateBucket creates a bucket owned by owner in region with AWS's
// defaults (see CreateBucketWith).
func (s *Service) CreateBucket(ctx context.Context, owner, name, region string) error {
	return s.CreateBucketWith(ctx, CreateBucketInput{Owner: owner, Name: name, Region: region})
}

// CreateBucketInput is a CreateBucket request.
type CreateBucketInput struct {
	Owner, Name string
	Region      string // "": the service's region
	// Ownership is the Object Ownership setting (x-amz-object-ownership);
	// "" is BucketOwnerEnforced.
	Ownership string
	ACL       ACL // x-amz-acl or x-amz-grant-* headers
}

// CreateBucketWith creates a bucket. As on AWS since April 2023 a new
// bucket stores its Object Ownership setting (BucketOwnerEnforced unless
// asked otherwise) and a Public Access Block with every setting on, so an
// ACL other than private needs another ownership setting and may not be
// public.
func (s *Service) CreateBucketWith(ctx context.Context, in CreateBucketInput) error {
	if !ValidBucketName(in.Name) {
		return s3err.ErrInvalidBucketName.WithExtra("BucketName", in.Name)
	}
	if in.Region == "" {
		in.Region = s.region
	}
	if in.Ownership == "" {
		in.Ownership = OwnershipBucketOwnerEnforced
	}
	if !ValidOwnership(in.Ownership) {
		return s3err.ErrInvalidArgument.With("Invalid x-amz-object-ownership header: "+in.Ownership).
			WithExtra("ArgumentName", "x-amz-object-ownership")
	}
	nb := &meta.Bucket{Name: in.Name, Owner: in.Owner, Region: in.Region, Created: s.clock.Now().UTC()}
	putConfig(nb, ownershipConfig, []byte(in.Ownership))
	pab, _ := json.Marshal(DefaultPublicAccessBlock)
	putConfig(nb, publicAccessBlockConfig, pab)
	gs, err := checkACL(nb, in.ACL)
	if errors.Is(err, s3err.ErrAccessControlListNotSupported) {
		err = s3err.ErrInvalidBucketACLWithOwnership
	}
	if err != nil {
		return err
	}
	setBucketGrants(nb, withoutGrantee(gs, in.Owner))
	err = s.meta.Update(ctx, func(tx meta.Tx) error {
		b, err := tx.GetBucket(in.Name)
		if err == nil {
			if b.Owner == in.Owner {
				// us-east-1 answers 200 to a repeated create by the owner (legacy).
				if in.Region == "us-east-1" && b.Region == "us-east-1" {
					return errAlreadyOwnedLegacy
				}
				return s3err.ErrBucketAlreadyOwnedByYou.WithExtra("BucketName", in.Name)
			}
			return s3err.ErrBucketAlreadyExists.WithExtra("BucketName", in.Name)
		}
		if !errors.Is(err, meta.ErrNotFound) {
			return err
		}
		return tx.CreateBucket(nb)
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
