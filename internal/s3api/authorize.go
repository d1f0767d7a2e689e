package s3api

import (
	"net"
	"net/url"
	"strconv"
	"sync"

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
	"ListBuckets":                   {"s3:ListAllMyBuckets", "", onNothing},
	"CreateBucket":                  {"s3:CreateBucket", "", onNothing},
	"HeadBucket":                    {"s3:ListBucket", "", onBucket},
	"DeleteBucket":                  {"s3:DeleteBucket", "", onBucket},
	"GetBucketLocation":             {"s3:GetBucketLocation", "", onBucket},
	"ListObjects":                   {"s3:ListBucket", "", onBucket},
	"ListObjectsV2":                 {"s3:ListBucket", "", onBucket},
	"ListObjectVersions":            {"s3:ListBucketVersions", "", onBucket},
	"ListMultipartUploads":          {"s3:ListBucketMultipartUploads", "", onBucket},
	"PutBucketVersioning":           {"s3:PutBucketVersioning", "", onBucket},
	"GetBucketVersioning":           {"s3:GetBucketVersioning", "", onBucket},
	"PutBucketTagging":              {"s3:PutBucketTagging", "", onBucket},
	"GetBucketTagging":              {"s3:GetBucketTagging", "", onBucket},
	"DeleteBucketTagging":           {"s3:PutBucketTagging", "", onBucket},
	"PutBucketPolicy":               {"s3:PutBucketPolicy", "", onBucket},
	"GetBucketPolicy":               {"s3:GetBucketPolicy", "", onBucket},
	"DeleteBucketPolicy":            {"s3:DeleteBucketPolicy", "", onBucket},
	"GetBucketPolicyStatus":         {"s3:GetBucketPolicyStatus", "", onBucket},
	"PutPublicAccessBlock":          {"s3:PutBucketPublicAccessBlock", "", onBucket},
	"GetPublicAccessBlock":          {"s3:GetBucketPublicAccessBlock", "", onBucket},
	"DeletePublicAccessBlock":       {"s3:PutBucketPublicAccessBlock", "", onBucket},
	"PutBucketOwnershipControls":    {"s3:PutBucketOwnershipControls", "", onBucket},
	"GetBucketOwnershipControls":    {"s3:GetBucketOwnershipControls", "", onBucket},
	"DeleteBucketOwnershipControls": {"s3:PutBucketOwnershipControls", "", onBucket},
	"PutBucketAcl":                  {"s3:PutBucketAcl", "", onBucket},
	"GetBucketAcl":                  {"s3:GetBucketAcl", "", onBucket},
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
	req := &authz.Request{Identity: q.identity(), Action: action, Resource: "arn:aws:s3:::" + q.bucket, Keys: q.conditionKeys()}
	if spec.on != onNothing {
		b, err := q.h.obj.Bucket(q.r.Context(), q.bucket)
		if err != nil {
			return err
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
		ResourceAccount: b.Owner, ResourcePolicy: q.h.bucketPolicy(b), Keys: q.conditionKeys()}
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

// conditionKeys are the condition keys S3 requests carry.
func (q *request) conditionKeys() map[string][]string {
	if q.keys != nil {
		return q.keys
	}
	k := map[string][]string{
		"aws:SecureTransport": {boolString(q.r.TLS != nil)},
		"aws:CurrentTime":     {q.h.clock.Now().UTC().Format("2006-01-02T15:04:05Z")},
		"aws:EpochTime":       {strconv.FormatInt(q.h.clock.Now().Unix(), 10)},
	}
	if host, _, err := net.SplitHostPort(q.r.RemoteAddr); err == nil {
		k["aws:SourceIp"] = []string{host}
	}
	if q.bkt != nil {
		k["s3:ResourceAccount"] = []string{q.bkt.Owner}
		k["aws:ResourceAccount"] = []string{q.bkt.Owner}
	}
	if q.auth != nil {
		k["s3:signatureversion"] = []string{"AWS4-HMAC-SHA256"}
		k["s3:authType"] = []string{"REST-HEADER"}
		if q.auth.Presigned {
			k["s3:authType"] = []string{"REST-QUERY-STRING"}
		}
		if q.auth.PayloadHash != "" {
			k["s3:x-amz-content-sha256"] = []string{q.auth.PayloadHash}
		}
	}
	for _, name := range []string{"prefix", "delimiter", "max-keys", "versionId"} {
		if q.q.Has(name) {
			key := "s3:" + name
			if name == "versionId" {
				key = "s3:VersionId"
			}
			k[key] = []string{q.q.Get(name)}
		}
	}
	for _, h := range []string{"x-amz-acl", "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id",
		"x-amz-storage-class", "x-amz-metadata-directive", "x-amz-copy-source", "x-amz-grant-full-control", "x-amz-grant-read",
		"x-amz-object-ownership"} {
		if v := q.r.Header.Get(h); v != "" {
			k["s3:"+h] = []string{v}
		}
	}
	if t := q.r.Header.Get("x-amz-tagging"); t != "" {
		if vals, err := url.ParseQuery(t); err == nil {
			var tagKeys []string
			for tk, tv := range vals {
				tagKeys = append(tagKeys, tk)
				k["s3:RequestObjectTag/"+tk] = tv
			}
			k["s3:RequestObjectTagKeys"] = tagKeys
		}
	}
	q.keys = k
	return k
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// policyCache keeps parsed bucket policies by document text.
type policyCache struct {
	mu sync.Mutex
	m  map[string]*policy.Policy
}

// bucketPolicy returns b's parsed bucket policy, or nil.
func (h *Handler) bucketPolicy(b *object.Bucket) *policy.Policy {
	doc := object.PolicyDocument(b)
	if len(doc) == 0 {
		return nil
	}
	c := &h.policies
	c.mu.Lock()
	p, ok := c.m[string(doc)]
	c.mu.Unlock()
	if ok {
		return p
	}
	p, err := policy.Parse(doc, policy.ForBucketPolicy())
	if err != nil {
		// Stored policies were validated; one the parser no longer accepts
		// denies everything rather than nothing.
		p = denyAll
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) > 1024 {
		c.m = map[string]*policy.Policy{}
	}
	c.m[string(doc)] = p
	c.mu.Unlock()
	return p
}

var denyAll, _ = policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Sid":"UnreadablePolicy","Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`))
