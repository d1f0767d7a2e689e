package s3api

import (
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/policy"
	"github.com/ferrys3/ferry/internal/s3err"
)

// resource kinds an operation acts on.
const (
	onNothing = iota // no resource owner: ListBuckets, CreateBucket
	onBucket
	onObject
)

// opSpec is an operation's IAM action and resource. versioned is the
// action used instead when the request names a versionId.
type opSpec struct {
	action, versioned string
	on                int
}

// operations maps every S3 operation to its IAM action and resource: the
// one table authorization uses.
var operations = map[string]opSpec{
	"ListBuckets":                        {"s3:ListAllMyBuckets", "", onNothing},
	"CreateBucket":                       {"s3:CreateBucket", "", onNothing},
	"HeadBucket":                         {"s3:ListBucket", "", onBucket},
	"DeleteBucket":                       {"s3:DeleteBucket", "", onBucket},
	"GetBucketLocation":                  {"s3:GetBucketLocation", "", onBucket},
	"ListObjects":                        {"s3:ListBucket", "", onBucket},
	"ListObjectsV2":                      {"s3:ListBucket", "", onBucket},
	"ListObjectVersions":                 {"s3:ListBucketVersions", "", onBucket},
	"ListMultipartUploads":               {"s3:ListBucketMultipartUploads", "", onBucket},
	"PutBucketVersioning":                {"s3:PutBucketVersioning", "", onBucket},
	"GetBucketVersioning":                {"s3:GetBucketVersioning", "", onBucket},
	"PutBucketReplication":               {"s3:PutReplicationConfiguration", "", onBucket},
	"GetBucketReplication":               {"s3:GetReplicationConfiguration", "", onBucket},
	"DeleteBucketReplication":            {"s3:PutReplicationConfiguration", "", onBucket},
	"PutBucketInventoryConfiguration":    {"s3:PutInventoryConfiguration", "", onBucket},
	"GetBucketInventoryConfiguration":    {"s3:GetInventoryConfiguration", "", onBucket},
	"ListBucketInventoryConfigurations":  {"s3:GetInventoryConfiguration", "", onBucket},
	"DeleteBucketInventoryConfiguration": {"s3:PutInventoryConfiguration", "", onBucket},
	"PutBucketTagging":                   {"s3:PutBucketTagging", "", onBucket},
	"GetBucketTagging":                   {"s3:GetBucketTagging", "", onBucket},
	"DeleteBucketTagging":                {"s3:PutBucketTagging", "", onBucket},
	"PutBucketPolicy":                    {"s3:PutBucketPolicy", "", onBucket},
	"GetBucketPolicy":                    {"s3:GetBucketPolicy", "", onBucket},
	"DeleteBucketPolicy":                 {"s3:DeleteBucketPolicy", "", onBucket},
	"GetBucketPolicyStatus":              {"s3:GetBucketPolicyStatus", "", onBucket},
	"PutPublicAccessBlock":               {"s3:PutBucketPublicAccessBlock", "", onBucket},
	"GetPublicAccessBlock":               {"s3:GetBucketPublicAccessBlock", "", onBucket},
	"DeletePublicAccessBlock":            {"s3:PutBucketPublicAccessBlock", "", onBucket},
	"PutBucketOwnershipControls":         {"s3:PutBucketOwnershipControls", "", onBucket},
	"GetBucketOwnershipControls":         {"s3:GetBucketOwnershipControls", "", onBucket},
	"DeleteBucketOwnershipControls":      {"s3:PutBucketOwnershipControls", "", onBucket},
	"PutBucketAcl":                       {"s3:PutBucketAcl", "", onBucket},
	"GetBucketAcl":                       {"s3:GetBucketAcl", "", onBucket},
	// DeleteObjects is authorized per key, as s3:DeleteObject(Version).
	"DeleteObjects":           {"s3:DeleteObject", "", onBucket},
	"PutObject":               {"s3:PutObject", "", onObject},
	"CopyObject":              {"s3:PutObject", "", onObject},
	"GetObject":               {"s3:GetObject", "s3:GetObjectVersion", onObject},
	"HeadObject":              {"s3:GetObject", "s3:GetObjectVersion", onObject},
	"DeleteObject":            {"s3:DeleteObject", "s3:DeleteObjectVersion", onObject},
	"PutObjectTagging":        {"s3:PutObjectTagging", "s3:PutObjectVersionTagging", onObject},
	"GetObjectTagging":        {"s3:GetObjectTagging", "s3:GetObjectVersionTagging", onObject},
	"DeleteObjectTagging":     {"s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging", onObject},
	"PutObjectAcl":            {"s3:PutObjectAcl", "s3:PutObjectVersionAcl", onObject},
	"GetObjectAcl":            {"s3:GetObjectAcl", "s3:GetObjectVersionAcl", onObject},
	"CreateMultipartUpload":   {"s3:PutObject", "", onObject},
	"UploadPart":              {"s3:PutObject", "", onObject},
	"UploadPartCopy":          {"s3:PutObject", "", onObject},
	"CompleteMultipartUpload": {"s3:PutObject", "", onObject},
	"AbortMultipartUpload":    {"s3:AbortMultipartUpload", "", onObject},
	"ListParts":               {"s3:ListMultipartUploadParts", "", onObject},
}

// ownerOnly are the operations the bucket owner's root user may always
// perform, and that other accounts may never perform (AWS answers 405).
var ownerOnly = map[string]bool{"PutBucketPolicy": true, "GetBucketPolicy": true, "DeleteBucketPolicy": true}

// authorize decides the request against the caller's identity policies and
// the bucket policy. It loads the bucket (q.bkt) for bucket and object
// operations; a missing bucket is NoSuchBucket.
func (q *request) authorize() error {
	spec, ok := operations[q.op]
	if !ok {
		return nil // unknown operations fail in routing
	}
	action := spec.action
	if spec.versioned != "" && q.q.Has("versionId") {
		action = spec.versioned
	}
	req := &authz.Request{Identity: q.identity(), Action: action, Resource: "arn:aws:s3:::" + q.bucket}
	req.KeyFunc = q.keysFor(q.bucket, q.key, q.q.Get("versionId"), spec.on == onObject)
	if spec.on != onNothing {
		b, err := q.h.obj.Bucket(q.r.Context(), q.bucket)
		if err != nil {
			return err
		}
		if q.h.multiRegion && b.Region != q.h.region && q.op != "GetBucketLocation" {
			return s3err.ErrPermanentRedirect.WithHeader("x-amz-bucket-region", b.Region).
				WithExtra("Bucket", b.Name).WithExtra("Endpoint", q.r.Host)
		}
		q.bkt = b
		req.ResourceAccount = b.Owner
		req.ResourcePolicy = q.h.bucketPolicy(b)
		req.OwnerOverride = ownerOnly[q.op]
	}
	if spec.on == onObject {
		req.Resource += "/" + q.key
	}
	if spec.on == onNothing {
		req.Resource = "*"
	}
	if q.op == "DeleteObjects" {
		return nil // each key is authorized by the handler
	}
	if q.bkt != nil {
		q.applyBucketControls(req, q.bkt, q.key, q.q.Get("versionId"))
	}
	return q.decide(req)
}

// decide evaluates req and maps a refusal to AccessDenied with the reason.
func (q *request) decide(req *authz.Request) error {
	d := authz.Authorize(req)
	if !d.Allowed {
		q.h.log.Debug("access denied", "id", q.id, "op", q.op, "principal", req.Identity.ARN, "action", req.Action,
			"resource", req.Resource, "reason", d.Reason)
		return accessDenied(req, d)
	}
	if ownerOnly[q.op] && q.bkt != nil && req.Identity.AccountID != q.bkt.Owner {
		return s3err.ErrMethodNotAllowed
	}
	return nil
}

// accessDenied renders a refusal in AWS's explicit style.
func accessDenied(req *authz.Request, d authz.Decision) error {
	who := req.Identity.ARN
	if req.Identity.Anonymous {
		who = "anonymous"
	}
	return s3err.ErrAccessDenied.With("User: " + who + " is not authorized to perform: " + req.Action +
		" on resource: \"" + req.Resource + "\" because " + d.Reason)
}

// authorizeObject checks one more action on another object (a copy
// source, a key of DeleteObjects).
func (q *request) authorizeObject(action, bucket, key, versionID string) error {
	b := q.bkt
	if b == nil || b.Name != bucket {
		var err error
		if b, err = q.h.obj.Bucket(q.r.Context(), bucket); err != nil {
			return err
		}
	}
	req := &authz.Request{Identity: q.identity(), Action: action, Resource: "arn:aws:s3:::" + bucket + "/" + key,
		ResourceAccount: b.Owner, ResourcePolicy: q.h.bucketPolicy(b), KeyFunc: q.keysFor(bucket, key, versionID, true)}
	q.applyBucketControls(req, b, key, versionID)
	return q.decide(req)
}

// identity is the caller as the evaluator sees it.
func (q *request) identity() *authz.Identity {
	if q.caller == nil {
		return &authz.Identity{Anonymous: true}
	}
	return q.caller.Identity
}

// account is the caller's account ("" when anonymous).
func (q *request) account() string {
	if q.caller == nil {
		return ""
	}
	return q.caller.AccountID
}

// owner is the account that owns what the request writes: the caller, or
// the bucket owner for anonymous writes.
func (q *request) owner() string {
	if q.caller == nil && q.bkt != nil {
		return q.bkt.Owner
	}
	return q.account()
}

// keysFor returns the condition-key source for a request on one object
// (or on the bucket when onObject is false): s3:ExistingObjectTag/<key>
// reads the object's tags, once, only when a policy asks for them.
func (q *request) keysFor(bucket, key, versionID string, onObject bool) func(string) ([]string, bool) {
	var tags map[string]string
	loaded := false
	return func(name string) ([]string, bool) {
		if tk, ok := cutPrefixFold(name, "s3:ExistingObjectTag/"); ok && onObject {
			if !loaded {
				loaded = true
				tags, _, _ = q.h.obj.Tags(q.r.Context(), bucket, key, versionID)
			}
			if v, found := tags[tk]; found {
				return []string{v}, true
			}
			return nil, false
		}
		return q.conditionKey(name)
	}
}

// cutPrefixFold is strings.CutPrefix with a case-insensitive prefix.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// conditionKey supplies the condition keys S3 requests carry, on demand
// (policies name them case-insensitively).
func (q *request) conditionKey(key string) ([]string, bool) {
	k := strings.ToLower(key)
	one := func(v string) ([]string, bool) { return []string{v}, true }
	switch k {
	case "aws:securetransport":
		return one(boolString(q.r.TLS != nil))
	case "aws:currenttime":
		return one(q.h.clock.Now().UTC().Format("2006-01-02T15:04:05Z"))
	case "aws:epochtime":
		return one(strconv.FormatInt(q.h.clock.Now().Unix(), 10))
	case "aws:sourceip":
		if host, _, err := net.SplitHostPort(q.r.RemoteAddr); err == nil {
			return one(host)
		}
		return nil, false
	case "s3:signatureversion":
		if q.caller != nil {
			return one("AWS4-HMAC-SHA256")
		}
	case "s3:authtype":
		switch {
		case q.caller == nil:
		case q.auth.Presigned:
			return one("REST-QUERY-STRING")
		default:
			return one("REST-HEADER")
		}
	case "s3:x-amz-content-sha256":
		if q.caller != nil && q.auth.PayloadHash != "" {
			return one(q.auth.PayloadHash)
		}
	case "s3:prefix", "s3:delimiter", "s3:max-keys":
		if name := k[len("s3:"):]; q.q.Has(name) {
			return one(q.q.Get(name))
		}
	case "s3:versionid":
		if q.q.Has("versionId") {
			return one(q.q.Get("versionId"))
		}
	case "s3:requestobjecttagkeys":
		tags := q.requestTags()
		if tags == nil {
			return nil, false
		}
		keys := make([]string, 0, len(tags))
		for tk := range tags {
			keys = append(keys, tk)
		}
		return keys, true
	default:
		if h, ok := strings.CutPrefix(k, "s3:x-amz-"); ok {
			if v := q.r.Header.Get("x-amz-" + h); v != "" {
				return one(v)
			}
			return nil, false
		}
		if tk, ok := cutPrefixFold(key, "s3:RequestObjectTag/"); ok {
			if v, found := q.requestTags()[tk]; found {
				return v, true
			}
		}
	}
	return nil, false
}

// requestTags are the tags an x-amz-tagging header asks for.
func (q *request) requestTags() url.Values {
	t := q.r.Header.Get("x-amz-tagging")
	if t == "" {
		return nil
	}
	vals, err := url.ParseQuery(t)
	if err != nil {
		return nil
	}
	return vals
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// bucketPolicy returns b's parsed bucket policy, or nil.
func (h *Handler) bucketPolicy(b *object.Bucket) *policy.Policy { return h.obj.ParsedBucketPolicy(b) }
