package ctlxml

import "time"

// Operation is a JobOperation. A decoded request has exactly one of the
// pointers set, or none and Unsupported set to the name of a model
// operation this package does not decode (LambdaInvoke, S3PutObjectAcl,
// S3InitiateRestoreObject, S3PutObjectLegalHold, S3PutObjectRetention,
// S3ComputeObjectChecksum, S3UpdateObjectEncryption); the caller refuses
// those.
type Operation struct {
	S3PutObjectCopy       *S3CopyObjectOperation
	S3PutObjectTagging    *S3SetObjectTaggingOperation
	S3DeleteObjectTagging *S3DeleteObjectTaggingOperation
	S3ReplicateObject     *S3ReplicateObjectOperation
	Unsupported           string
}

// Name is the OperationName of o (as ListJobs reports it): the set
// member's element name, or Unsupported.
func (o *Operation) Name() string {
	switch {
	case o.S3PutObjectCopy != nil:
		return OpS3PutObjectCopy
	case o.S3PutObjectTagging != nil:
		return OpS3PutObjectTagging
	case o.S3DeleteObjectTagging != nil:
		return OpS3DeleteObjectTagging
	case o.S3ReplicateObject != nil:
		return OpS3ReplicateObject
	}
	return o.Unsupported
}

// S3ReplicateObjectOperation replicates each listed version to the
// destinations of the source bucket's replication rules (Batch
// Replication). It has no members.
type S3ReplicateObjectOperation struct{}

// S3DeleteObjectTaggingOperation removes every tag of each listed object.
// It has no members.
type S3DeleteObjectTaggingOperation struct{}

// S3SetObjectTaggingOperation replaces the tags of each listed object.
type S3SetObjectTaggingOperation struct {
	TagSet []Tag
}

// S3CopyObjectOperation copies each listed object to TargetResource (a
// bucket ARN), optionally under TargetKeyPrefix. Optional booleans and
// timestamps are nil when omitted.
type S3CopyObjectOperation struct {
	TargetResource            string
	CannedAccessControlList   string
	AccessControlGrants       []Grant
	MetadataDirective         string // COPY or REPLACE
	ModifiedSinceConstraint   *time.Time
	NewObjectMetadata         *ObjectMetadata
	NewObjectTagging          []Tag
	RedirectLocation          string
	RequesterPays             *bool
	StorageClass              string
	UnModifiedSinceConstraint *time.Time
	SSEAwsKmsKeyID            string
	TargetKeyPrefix           string
	ObjectLockLegalHoldStatus string // OFF or ON
	ObjectLockMode            string // COMPLIANCE or GOVERNANCE
	ObjectLockRetainUntilDate *time.Time
	BucketKeyEnabled          *bool
	ChecksumAlgorithm         string
}

// Grant is an S3Grant of a copy's AccessControlGrants.
type Grant struct {
	Grantee    *Grantee
	Permission string
}

// Grantee is an S3Grantee; TypeIdentifier is id, emailAddress or uri.
type Grantee struct {
	TypeIdentifier string
	Identifier     string
	DisplayName    string
}

// ObjectMetadata is an S3ObjectMetadata: the metadata a copy with
// MetadataDirective REPLACE gives the new objects.
type ObjectMetadata struct {
	CacheControl       string
	ContentDisposition string
	ContentEncoding    string
	ContentLanguage    string
	UserMetadata       map[string]string // x-amz-meta-* without the prefix
	ContentLength      *int64
	ContentMD5         string
	ContentType        string
	HttpExpiresDate    *time.Time
	RequesterCharged   *bool
	SSEAlgorithm       string // AES256 or KMS
}
