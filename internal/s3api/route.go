package s3api

import (
	"net/http"

	"github.com/ferrys3/ferry/internal/s3err"
)

type handlerFunc func(q *request) error

// route picks the operation from method, bucket/key presence and the
// subresource query flags, and names it for logs and metrics.
func (q *request) route() handlerFunc {
	has := func(k string) bool { _, ok := q.q[k]; return ok }
	m := q.r.Method
	switch {
	case q.bucket == "":
		if m == http.MethodGet {
			return q.named("ListBuckets", listBuckets)
		}
		return q.named("Unknown", methodNotAllowed)
	case q.key == "":
		return q.routeBucket(m, has)
	}
	return q.routeObject(m, has)
}

func (q *request) routeBucket(m string, has func(string) bool) handlerFunc {
	switch m {
	case http.MethodPut:
		switch {
		case len(q.q) == 0:
			return q.named("CreateBucket", createBucket)
		case has("versioning"):
			return q.named("PutBucketVersioning", putBucketVersioning)
		case has("replication"):
			return q.named("PutBucketReplication", putBucketReplication)
		case has("inventory"):
			return q.named("PutBucketInventoryConfiguration", putBucketInventory)
		case has("tagging"):
			return q.named("PutBucketTagging", putBucketTagging)
		case has("policy"):
			return q.named("PutBucketPolicy", putBucketPolicy)
		case has("publicAccessBlock"):
			return q.named("PutPublicAccessBlock", putPublicAccessBlock)
		case has("ownershipControls"):
			return q.named("PutBucketOwnershipControls", putBucketOwnershipControls)
		case has("acl"):
			return q.named("PutBucketAcl", putBucketACL)
		}
	case http.MethodHead:
		return q.named("HeadBucket", headBucket)
	case http.MethodDelete:
		switch {
		case len(q.q) == 0:
			return q.named("DeleteBucket", deleteBucket)
		case has("tagging"):
			return q.named("DeleteBucketTagging", deleteBucketTagging)
		case has("replication"):
			return q.named("DeleteBucketReplication", deleteBucketReplication)
		case has("inventory"):
			return q.named("DeleteBucketInventoryConfiguration", deleteBucketInventory)
		case has("policy"):
			return q.named("DeleteBucketPolicy", deleteBucketPolicy)
		case has("publicAccessBlock"):
			return q.named("DeletePublicAccessBlock", deletePublicAccessBlock)
		case has("ownershipControls"):
			return q.named("DeleteBucketOwnershipControls", deleteBucketOwnershipControls)
		}
	case http.MethodGet:
		switch {
		case has("location"):
			return q.named("GetBucketLocation", getBucketLocation)
		case has("uploads"):
			return q.named("ListMultipartUploads", listUploads)
		case has("versioning"):
			return q.named("GetBucketVersioning", getBucketVersioning)
		case has("replication"):
			return q.named("GetBucketReplication", getBucketReplication)
		case has("inventory") && has("id"):
			return q.named("GetBucketInventoryConfiguration", getBucketInventory)
		case has("inventory"):
			return q.named("ListBucketInventoryConfigurations", getBucketInventory)
		case has("versions"):
			return q.named("ListObjectVersions", listObjectVersions)
		case has("tagging"):
			return q.named("GetBucketTagging", getBucketTagging)
		case has("policy"):
			return q.named("GetBucketPolicy", getBucketPolicy)
		case has("policyStatus"):
			return q.named("GetBucketPolicyStatus", getBucketPolicyStatus)
		case has("publicAccessBlock"):
			return q.named("GetPublicAccessBlock", getPublicAccessBlock)
		case has("ownershipControls"):
			return q.named("GetBucketOwnershipControls", getBucketOwnershipControls)
		case has("acl"):
			return q.named("GetBucketAcl", getBucketACL)
		case q.q.Get("list-type") == "2":
			return q.named("ListObjectsV2", listObjectsV2)
		case onlyListParams(q):
			return q.named("ListObjects", listObjectsV1)
		}
	case http.MethodPost:
		if has("delete") {
			return q.named("DeleteObjects", deleteObjects)
		}
	}
	return nil
}

// onlyListParams reports whether a bucket GET carries no subresource that
// ferry does not implement (so it is a ListObjects call).
func onlyListParams(q *request) bool {
	for k := range q.q {
		switch k {
		case "prefix", "delimiter", "marker", "max-keys", "encoding-type", "list-type", "continuation-token",
			"start-after", "fetch-owner", "x-id", "response-content-type":
		default:
			return false
		}
	}
	return true
}

func (q *request) routeObject(m string, has func(string) bool) handlerFunc {
	switch m {
	case http.MethodPut:
		switch {
		case has("tagging"):
			return q.named("PutObjectTagging", putObjectTagging)
		case has("acl"):
			return q.named("PutObjectAcl", putObjectACL)
		case has("uploadId") && q.r.Header.Get("x-amz-copy-source") != "":
			return q.named("UploadPartCopy", uploadPartCopy)
		case has("uploadId"):
			return q.named("UploadPart", uploadPart)
		case q.r.Header.Get("x-amz-copy-source") != "":
			return q.named("CopyObject", copyObject)
		case !has("retention") && !has("legal-hold"):
			return q.named("PutObject", putObject)
		}
	case http.MethodGet:
		switch {
		case has("tagging"):
			return q.named("GetObjectTagging", getObjectTagging)
		case has("acl"):
			return q.named("GetObjectAcl", getObjectACL)
		case has("uploadId"):
			return q.named("ListParts", listParts)
		case !has("attributes") && !has("retention") && !has("legal-hold") && !has("torrent"):
			return q.named("GetObject", getObject)
		}
	case http.MethodHead:
		return q.named("HeadObject", headObject)
	case http.MethodDelete:
		switch {
		case has("tagging"):
			return q.named("DeleteObjectTagging", deleteObjectTagging)
		case has("uploadId"):
			return q.named("AbortMultipartUpload", abortUpload)
		default:
			return q.named("DeleteObject", deleteObject)
		}
	case http.MethodPost:
		switch {
		case has("uploads"):
			return q.named("CreateMultipartUpload", createUpload)
		case has("uploadId"):
			return q.named("CompleteMultipartUpload", completeUpload)
		}
	}
	return nil
}

func (q *request) named(op string, f handlerFunc) handlerFunc {
	q.op = op
	return f
}

func methodNotAllowed(q *request) error { return s3err.ErrMethodNotAllowed }
