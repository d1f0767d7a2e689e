package s3api

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/s3err"
	"github.com/ferrys3/ferry/internal/s3xml"
)

// grantHeaders maps the x-amz-grant-* headers to their permission.
var grantHeaders = []struct{ name, perm string }{
	{"x-amz-grant-full-control", object.PermFullControl},
	{"x-amz-grant-read", object.PermRead},
	{"x-amz-grant-write", object.PermWrite},
	{"x-amz-grant-read-acp", object.PermReadACP},
	{"x-amz-grant-write-acp", object.PermWriteACP},
}

var errGrantFormat = s3err.ErrInvalidArgument.With("Argument format not recognized")

// headerACL reads x-amz-acl and x-amz-grant-* (one form or the other).
// Canonical user IDs are account IDs and must name an existing account.
func (q *request) headerACL(forBucket bool) (object.ACL, error) {
	h := q.r.Header
	a := object.ACL{Canned: h.Get("x-amz-acl")}
	if a.Canned != "" && !object.ValidCannedACL(a.Canned, forBucket) {
		return a, s3err.ErrInvalidArgument.With("Invalid canned ACL").WithExtra("ArgumentName", "x-amz-acl").WithExtra("ArgumentValue", a.Canned)
	}
	for _, gh := range grantHeaders {
		v := h.Get(gh.name)
		if v == "" {
			continue
		}
		for _, item := range strings.Split(v, ",") {
			k, val, ok := strings.Cut(strings.TrimSpace(item), "=")
			val = strings.Trim(strings.TrimSpace(val), `"`)
			if !ok || val == "" {
				return a, errGrantFormat.WithExtra("ArgumentName", gh.name).WithExtra("ArgumentValue", v)
			}
			g := object.Grant{Permission: gh.perm}
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "id":
				g.Type, g.Grantee = object.GranteeCanonicalUser, val
			case "uri":
				g.Type, g.Grantee = object.GranteeGroup, val
			case "emailaddress":
				return a, s3err.ErrUnresolvableGrantByEmailAddress.WithExtra("EmailAddress", val)
			default:
				return a, errGrantFormat.WithExtra("ArgumentName", gh.name).WithExtra("ArgumentValue", v)
			}
			if err := q.checkGrantee(g); err != nil {
				return a, err
			}
			a.Grants = append(a.Grants, g)
		}
	}
	if a.Canned != "" && len(a.Grants) > 0 {
		return a, s3err.ErrInvalidRequest.With("Specifying both Canned ACLs and Header Grants is not allowed")
	}
	a.HeaderGrants = len(a.Grants) > 0
	return a, nil
}

// checkGrantee refuses a group S3 does not define and a canonical user ID
// that is no account (ferry's canonical user ID is the account ID).
func (q *request) checkGrantee(g object.Grant) error {
	switch g.Type {
	case object.GranteeGroup:
		if !object.ValidGroup(g.Grantee) {
			return s3err.ErrInvalidArgument.With("Invalid group uri").WithExtra("ArgumentName", "Group/URI").WithExtra("ArgumentValue", g.Grantee)
		}
	case object.GranteeCanonicalUser:
		if !isAccountID(g.Grantee) {
			return errInvalidID(g.Grantee)
		}
		if _, err := q.h.iam.Account(q.r.Context(), g.Grantee); err != nil {
			return errInvalidID(g.Grantee)
		}
	}
	return nil
}

func errInvalidID(id string) error {
	return s3err.ErrInvalidArgument.With("Invalid id").WithExtra("ArgumentName", "CanonicalUser/ID").WithExtra("ArgumentValue", id)
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// aclRequest reads the ACL of PutBucketAcl / PutObjectAcl: x-amz-acl,
// x-amz-grant-* headers or an AccessControlPolicy body, exactly one of
// them. ownerID is the body's Owner ("" for the header forms).
func (q *request) aclRequest(forBucket bool) (a object.ACL, ownerID string, err error) {
	if a, err = q.headerACL(forBucket); err != nil {
		return a, "", err
	}
	body, err := q.readSmallBody(64 << 10)
	if err != nil {
		return a, "", err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if a.IsZero() {
			return a, "", s3err.ErrMissingSecurityHeader
		}
		return a, "", nil
	}
	if !a.IsZero() {
		return a, "", s3err.ErrUnexpectedContent
	}
	if err := q.checkDigest(body, true); err != nil {
		return a, "", err
	}
	var doc s3xml.AccessControlPolicy
	if err := s3xml.Decode(bytes.NewReader(body), "AccessControlPolicy", &doc); err != nil || doc.Owner == nil || doc.Owner.ID == "" {
		return a, "", s3err.ErrMalformedACLError
	}
	for _, g := range doc.Grants {
		if g.Grantee == nil || !object.ValidPermission(g.Permission) {
			return a, "", s3err.ErrMalformedACLError
		}
		og := object.Grant{Type: g.Grantee.Type, Permission: g.Permission}
		switch g.Grantee.Type {
		case object.GranteeCanonicalUser:
			og.Grantee = g.Grantee.ID
		case object.GranteeGroup:
			og.Grantee = g.Grantee.URI
		case "AmazonCustomerByEmail":
			if g.Grantee.EmailAddress == "" {
				return a, "", s3err.ErrMalformedACLError
			}
			return a, "", s3err.ErrUnresolvableGrantByEmailAddress.WithExtra("EmailAddress", g.Grantee.EmailAddress)
		default:
			return a, "", s3err.ErrMalformedACLError
		}
		if og.Grantee == "" {
			return a, "", s3err.ErrMalformedACLError
		}
		if err := q.checkGrantee(og); err != nil {
			return a, "", err
		}
		a.Grants = append(a.Grants, og)
	}
	return a, doc.Owner.ID, nil
}

// aclDoc renders an owner and its grants: the owner's FULL_CONTROL first.
func aclDoc(ac *object.AccessControl) s3xml.AccessControlPolicy {
	doc := s3xml.AccessControlPolicy{NS: s3xml.NS, Owner: &s3xml.Owner{ID: ac.Owner}}
	doc.Grants = append(doc.Grants, s3xml.Grant{Grantee: &s3xml.Grantee{Type: object.GranteeCanonicalUser, ID: ac.Owner},
		Permission: object.PermFullControl})
	for _, g := range ac.Grants {
		ge := &s3xml.Grantee{Type: g.Type}
		if g.Type == object.GranteeGroup {
			ge.URI = g.Grantee
		} else {
			ge.ID = g.Grantee
		}
		doc.Grants = append(doc.Grants, s3xml.Grant{Grantee: ge, Permission: g.Permission})
	}
	return doc
}

func getBucketACL(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	ac, err := q.h.obj.BucketACL(q.r.Context(), q.bucket)
	if err != nil {
		return err
	}
	return q.writeXML(http.StatusOK, aclDoc(ac))
}

func putBucketACL(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	a, owner, err := q.aclRequest(true)
	if err != nil {
		return err
	}
	if err := q.h.obj.SetBucketACL(q.r.Context(), q.bucket, a, owner); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusOK)
	return nil
}

func getObjectACL(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	ac, err := q.h.obj.ObjectACL(q.r.Context(), q.bucket, q.key, q.q.Get("versionId"))
	if err != nil {
		return err
	}
	return q.writeXML(http.StatusOK, aclDoc(ac))
}

func putObjectACL(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	a, owner, err := q.aclRequest(false)
	if err != nil {
		return err
	}
	if err := q.h.obj.SetObjectACL(q.r.Context(), q.bucket, q.key, q.q.Get("versionId"), a, owner); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusOK)
	return nil
}
