package object

import (
	"encoding/json"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/s3err"
)

// ACL permissions.
const (
	PermFullControl = "FULL_CONTROL"
	PermRead        = "READ"
	PermWrite       = "WRITE"
	PermReadACP     = "READ_ACP"
	PermWriteACP    = "WRITE_ACP"
)

// Grantee types. ferry's canonical user ID is the account ID.
const (
	GranteeCanonicalUser = "CanonicalUser"
	GranteeGroup         = "Group"
)

// The predefined groups.
const (
	GroupAllUsers           = "http://acs.amazonaws.com/groups/global/AllUsers"
	GroupAuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	GroupLogDelivery        = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

// Canned ACLs (x-amz-acl).
const (
	ACLPrivate                = "private"
	ACLPublicRead             = "public-read"
	ACLPublicReadWrite        = "public-read-write"
	ACLAuthenticatedRead      = "authenticated-read"
	ACLAWSExecRead            = "aws-exec-read"
	ACLBucketOwnerRead        = "bucket-owner-read"
	ACLBucketOwnerFullControl = "bucket-owner-full-control"
	ACLLogDeliveryWrite       = "log-delivery-write" // buckets only
)

// ValidPermission reports whether p is an ACL permission.
func ValidPermission(p string) bool {
	switch p {
	case PermFullControl, PermRead, PermWrite, PermReadACP, PermWriteACP:
		return true
	}
	return false
}

// ValidGroup reports whether uri names a predefined group.
func ValidGroup(uri string) bool {
	return uri == GroupAllUsers || uri == GroupAuthenticatedUsers || uri == GroupLogDelivery
}

// ValidCannedACL reports whether name is a canned ACL for a bucket
// (forBucket) or an object.
func ValidCannedACL(name string, forBucket bool) bool {
	switch name {
	case ACLPrivate, ACLPublicRead, ACLPublicReadWrite, ACLAuthenticatedRead, ACLAWSExecRead,
		ACLBucketOwnerRead, ACLBucketOwnerFullControl:
		return true
	case ACLLogDeliveryWrite:
		return forBucket
	}
	return false
}

// ACL is the access control a request asks for: a canned ACL, or explicit
// grants from x-amz-grant-* headers (HeaderGrants) or an
// AccessControlPolicy body. The zero value asks for nothing (private).
type ACL struct {
	Canned       string
	Grants       []meta.Grant
	HeaderGrants bool
}

// IsZero reports whether a asks for nothing.
func (a ACL) IsZero() bool { return a.Canned == "" && len(a.Grants) == 0 }

// grants resolves a into grants, besides the owner's implicit
// FULL_CONTROL, for a resource in a bucket owned by bucketOwner. ferry
// has no EC2, so aws-exec-read grants nothing beyond private.
func (a ACL) grants(bucketOwner string) []meta.Grant {
	user := func(id, perm string) meta.Grant {
		return meta.Grant{Type: GranteeCanonicalUser, Grantee: id, Permission: perm}
	}
	group := func(uri, perm string) meta.Grant {
		return meta.Grant{Type: GranteeGroup, Grantee: uri, Permission: perm}
	}
	switch a.Canned {
	case ACLPublicRead:
		return []meta.Grant{group(GroupAllUsers, PermRead)}
	case ACLPublicReadWrite:
		return []meta.Grant{group(GroupAllUsers, PermRead), group(GroupAllUsers, PermWrite)}
	case ACLAuthenticatedRead:
		return []meta.Grant{group(GroupAuthenticatedUsers, PermRead)}
	case ACLBucketOwnerRead:
		return []meta.Grant{user(bucketOwner, PermRead)}
	case ACLBucketOwnerFullControl:
		return []meta.Grant{user(bucketOwner, PermFullControl)}
	case ACLLogDeliveryWrite:
		return []meta.Grant{group(GroupLogDelivery, PermWrite), group(GroupLogDelivery, PermReadACP)}
	case "":
		return append([]meta.Grant(nil), a.Grants...)
	}
	return nil // private, aws-exec-read
}

// allowedWithoutACLs reports whether a may be sent to a bucket with ACLs
// disabled (BucketOwnerEnforced): no ACL, private, bucket-owner-full-control,
// or an AccessControlPolicy granting only the bucket owner FULL_CONTROL.
func (a ACL) allowedWithoutACLs(bucketOwner string) bool {
	switch a.Canned {
	case "":
	case ACLPrivate, ACLBucketOwnerFullControl:
		return len(a.Grants) == 0
	default:
		return false
	}
	if a.HeaderGrants && len(a.Grants) > 0 {
		return false
	}
	for _, g := range a.Grants {
		if g.Type != GranteeCanonicalUser || g.Grantee != bucketOwner || g.Permission != PermFullControl {
			return false
		}
	}
	return true
}

// IsPublicACL reports whether grants give access to everyone or to every
// authenticated AWS user, as Block Public Access judges ACLs.
func IsPublicACL(grants []meta.Grant) bool {
	for _, g := range grants {
		if g.Type == GranteeGroup && (g.Grantee == GroupAllUsers || g.Grantee == GroupAuthenticatedUsers) {
			return true
		}
	}
	return false
}

// checkACL applies b's Object Ownership and Public Access Block to a
// requested ACL and returns its grants. With ACLs disabled only the
// owner-only forms pass (AccessControlListNotSupported otherwise) and they
// grant nothing; a public ACL under BlockPublicAcls is AccessDenied.
func checkACL(b *meta.Bucket, a ACL) ([]meta.Grant, error) {
	if ObjectOwnership(b) == OwnershipBucketOwnerEnforced {
		if !a.allowedWithoutACLs(b.Owner) {
			return nil, s3err.ErrAccessControlListNotSupported
		}
		return nil, nil
	}
	gs := a.grants(b.Owner)
	if pab, _ := BucketPublicAccessBlock(b); pab.BlockPublicAcls && IsPublicACL(gs) {
		return nil, s3err.ErrAccessDenied
	}
	return gs, nil
}

// settleOwner decides who owns a new version written by writer with the
// requested grants, and the grants it keeps: the bucket owner under
// BucketOwnerEnforced (no grants), and under BucketOwnerPreferred when the
// write granted the bucket owner FULL_CONTROL (bucket-owner-full-control);
// otherwise the writer. Grants to the owner are implied by its
// FULL_CONTROL and dropped.
func settleOwner(b *meta.Bucket, writer string, grants []meta.Grant) (string, []meta.Grant) {
	owner := writer
	switch ObjectOwnership(b) {
	case OwnershipBucketOwnerEnforced:
		return b.Owner, nil
	case OwnershipBucketOwnerPreferred:
		for _, g := range grants {
			if g.Type == GranteeCanonicalUser && g.Grantee == b.Owner && g.Permission == PermFullControl {
				owner = b.Owner
			}
		}
	}
	if owner == "" {
		owner = b.Owner
	}
	return owner, withoutGrantee(grants, owner)
}

// withoutGrantee drops grants to the canonical user id; nil when none remain.
func withoutGrantee(grants []meta.Grant, id string) []meta.Grant {
	var out []meta.Grant
	for _, g := range grants {
		if g.Type == GranteeCanonicalUser && g.Grantee == id {
			continue
		}
		out = append(out, g)
	}
	return out
}

// ACLOfVersion is the owner and grants (besides the owner's FULL_CONTROL)
// in force for v in b: with ACLs disabled the bucket owner owns every
// object and stored grants are ignored (they return if ACLs are enabled
// again, as on AWS).
func ACLOfVersion(b *meta.Bucket, v *meta.Version) (string, []meta.Grant) {
	if ObjectOwnership(b) == OwnershipBucketOwnerEnforced {
		return b.Owner, nil
	}
	owner := v.Owner
	if owner == "" {
		owner = b.Owner
	}
	return owner, v.ACL
}

// ACLOfBucket is the owner and grants (besides the owner's FULL_CONTROL)
// in force for b.
func ACLOfBucket(b *meta.Bucket) (string, []meta.Grant) {
	if ObjectOwnership(b) == OwnershipBucketOwnerEnforced {
		return b.Owner, nil
	}
	return b.Owner, bucketGrants(b)
}

// bucketGrants decodes the stored bucket ACL.
func bucketGrants(b *meta.Bucket) []meta.Grant {
	raw, ok := b.Configs[bucketACLConfig]
	if !ok {
		return nil
	}
	var gs []meta.Grant
	if err := json.Unmarshal(raw, &gs); err != nil {
		return nil
	}
	return gs
}

// setBucketGrants stores (or, when empty, removes) the bucket ACL in b.
func setBucketGrants(b *meta.Bucket, gs []meta.Grant) {
	var raw []byte
	if len(gs) > 0 {
		raw, _ = json.Marshal(gs)
	}
	putConfig(b, bucketACLConfig, raw)
}
