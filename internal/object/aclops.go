package object

import (
	"context"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/s3err"
)

// AccessControl is an owner and its grants besides the owner's implicit
// FULL_CONTROL (GetBucketAcl, GetObjectAcl).
type AccessControl struct {
	Owner  string
	Grants []meta.Grant
}

// errInvalidOwnerID answers an AccessControlPolicy whose Owner is not the
// resource's owner.
var errInvalidOwnerID = s3err.ErrInvalidArgument.With("Invalid id")

// ObjectACL returns the access control of a version; a delete marker is
// refused as GET refuses it.
func (s *Service) ObjectACL(ctx context.Context, bucket, key, versionID string) (*AccessControl, error) {
	if err := CheckVersionID(versionID); err != nil {
		return nil, err
	}
	var ac AccessControl
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		v, b, err := resolve(tx, bucket, key, versionID)
		if err != nil {
			return err
		}
		ac.Owner, ac.Grants = ACLOfVersion(b, v)
		return nil
	})
	if err != nil {
		return nil, internal(err)
	}
	return &ac, nil
}

// SetObjectACL replaces the ACL of a version in one transaction (PutObjectAcl).
// ownerID is the Owner of an AccessControlPolicy body ("" for header
// forms) and must name the object's owner. Ownership never changes. With
// ACLs disabled only the owner-only forms are accepted, and change nothing.
func (s *Service) SetObjectACL(ctx context.Context, bucket, key, versionID string, a ACL, ownerID string) error {
	if err := CheckVersionID(versionID); err != nil {
		return err
	}
	var queued bool
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		v, b, err := resolve(tx, bucket, key, versionID)
		if err != nil {
			return err
		}
		owner, _ := ACLOfVersion(b, v)
		if ownerID != "" && ownerID != owner {
			return errInvalidOwnerID
		}
		gs, err := checkACL(b, a)
		if err != nil || ObjectOwnership(b) == OwnershipBucketOwnerEnforced {
			return err
		}
		v.ACL = withoutGrantee(gs, owner)
		if queued, err = s.changed(tx, b, v); err != nil {
			return err
		}
		return tx.PutVersion(v)
	})
	if err == nil {
		s.enqueued(queued)
	}
	return internal(err)
}

// BucketACL returns the access control of a bucket.
func (s *Service) BucketACL(ctx context.Context, bucket string) (*AccessControl, error) {
	b, err := s.Bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	owner, gs := ACLOfBucket(b)
	return &AccessControl{Owner: owner, Grants: gs}, nil
}

// SetBucketACL replaces the ACL of a bucket (PutBucketAcl), with the rules
// of SetObjectACL.
func (s *Service) SetBucketACL(ctx context.Context, bucket string, a ACL, ownerID string) error {
	return internal(s.meta.Update(ctx, func(tx meta.Tx) error {
		b, err := getBucket(tx, bucket)
		if err != nil {
			return err
		}
		if ownerID != "" && ownerID != b.Owner {
			return errInvalidOwnerID
		}
		gs, err := checkACL(b, a)
		if err != nil || ObjectOwnership(b) == OwnershipBucketOwnerEnforced {
			return err
		}
		setBucketGrants(b, withoutGrantee(gs, b.Owner))
		return tx.UpdateBucket(b)
	}))
}
