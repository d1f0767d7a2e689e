package s3api

import (
	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/object"
)

// aclPermission is the ACL permission that grants each action (besides
// FULL_CONTROL, which grants them all); actions absent here are never
// granted by an ACL.
var aclPermission = map[string]string{
	"s3:ListBucket": "READ", "s3:ListBucketVersions": "READ", "s3:ListBucketMultipartUploads": "READ",
	"s3:PutObject": "WRITE", "s3:DeleteObject": "WRITE", "s3:DeleteObjectVersion": "WRITE",
	"s3:GetBucketAcl": "READ_ACP", "s3:PutBucketAcl": "WRITE_ACP",
	"s3:GetObject": "READ", "s3:GetObjectVersion": "READ",
	"s3:GetObjectAcl": "READ_ACP", "s3:GetObjectVersionAcl": "READ_ACP",
	"s3:PutObjectAcl": "WRITE_ACP", "s3:PutObjectVersionAcl": "WRITE_ACP",
}

// objectACLActions are decided by the object's own ACL; the rest of
// aclPermission by the bucket's.
var objectACLActions = map[string]bool{
	"s3:GetObject": true, "s3:GetObjectVersion": true, "s3:GetObjectAcl": true, "s3:GetObjectVersionAcl": true,
	"s3:PutObjectAcl": true, "s3:PutObjectVersionAcl": true,
}

// applyBucketControls adds what the bucket's Block Public Access settings
// and ACLs (when Object Ownership enables them) contribute to req.
func (q *request) applyBucketControls(req *authz.Request, b *object.Bucket, key, versionID string) {
	id := req.Identity
	outsider := (id.Anonymous || id.AccountID != b.Owner) && id.Service == ""
	perm, aclApplies := aclPermission[req.Action]
	aclApplies = aclApplies && object.ObjectOwnership(b) != object.OwnershipBucketOwnerEnforced
	if !aclApplies && !(outsider && req.ResourcePolicy != nil) {
		return // the common case decides without reading the Block Public Access settings
	}
	pab, _ := object.BucketPublicAccessBlock(b)
	if pab.RestrictPublicBuckets && outsider && req.ResourcePolicy != nil && publicPolicy(req.ResourcePolicy) {
		req.ResourcePolicyDenyOnly = true
	}
	if !aclApplies {
		return
	}
	var grants []object.Grant
	if objectACLActions[req.Action] {
		ac, err := q.h.obj.ObjectACL(q.r.Context(), b.Name, key, versionID)
		if err != nil {
			return // the operation itself reports a missing object
		}
		if ac.Owner == id.AccountID && !id.Anonymous {
			req.ExtraAllow = true // the object owner's implicit FULL_CONTROL
			return
		}
		grants = ac.Grants
	} else {
		_, grants = object.ACLOfBucket(b)
	}
	for _, g := range grants {
		if g.Permission != perm && g.Permission != "FULL_CONTROL" {
			continue
		}
		switch {
		case g.Type == object.GranteeCanonicalUser && !id.Anonymous && g.Grantee == id.AccountID:
			req.ExtraAllow = true
		case g.Type == object.GranteeGroup && !pab.IgnorePublicAcls &&
			(g.Grantee == object.GroupAllUsers || (g.Grantee == object.GroupAuthenticatedUsers && !id.Anonymous)):
			req.ExtraAllow = true
		}
	}
}
