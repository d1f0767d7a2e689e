package ctlxml

import "time"

// Manifest is a JobManifest: a user-supplied object list.
type Manifest struct {
	Spec     ManifestSpec
	Location ManifestLocation
}

// ManifestSpec is a JobManifestSpec. Fields is set for FormatBatchCSV only
// and gives the CSV columns in order (FieldBucket, FieldKey, FieldVersionID,
// FieldIgnore).
type ManifestSpec struct {
	Format string
	Fields []string
}

// ManifestLocation is a JobManifestLocation: the manifest object and its
// ETag (unquoted). A GeneratedManifestDescriptor reuses it.
type ManifestLocation struct {
	ObjectArn       string // arn:aws:s3:::bucket/key
	ObjectVersionID string
	ETag            string
}

// ManifestGenerator is a JobManifestGenerator: S3 builds the object list
// itself. S3JobManifestGenerator is its only choice and is never nil in a
// decoded request.
type ManifestGenerator struct {
	S3JobManifestGenerator *S3JobManifestGenerator
}

// S3JobManifestGenerator lists the versions of SourceBucket that pass
// Filter, optionally saving the list to ManifestOutputLocation.
type S3JobManifestGenerator struct {
	ExpectedBucketOwner    string
	SourceBucket           string // bucket ARN
	ManifestOutputLocation *ManifestOutputLocation
	Filter                 *ManifestGeneratorFilter
	EnableManifestOutput   bool
}

// ManifestOutputLocation is an S3ManifestOutputLocation: where a generated
// manifest is written.
type ManifestOutputLocation struct {
	ExpectedManifestBucketOwner string
	Bucket                      string // bucket ARN
	ManifestPrefix              string
	ManifestEncryption          *ManifestEncryption
	ManifestFormat              string // FormatGeneratedCSV
}

// ManifestEncryption is a GeneratedManifestEncryption: exactly one of
// SSE-S3 (SSES3 true) or SSE-KMS (KMSKeyID set).
type ManifestEncryption struct {
	SSES3    bool
	KMSKeyID string
}

// ManifestGeneratorFilter is a JobManifestGeneratorFilter; a nil or empty
// member does not restrict.
type ManifestGeneratorFilter struct {
	// EligibleForReplication keeps only versions an enabled rule of the
	// source bucket's replication configuration applies to.
	EligibleForReplication     *bool
	CreatedAfter               *time.Time
	CreatedBefore              *time.Time
	ObjectReplicationStatuses  []string // ReplicationNone, ReplicationFailed, …
	KeyNameConstraint          *KeyNameConstraint
	ObjectSizeGreaterThanBytes *int64
	ObjectSizeLessThanBytes    *int64
	MatchAnyStorageClass       []string
	MatchAnyObjectEncryption   []ObjectEncryptionFilter // exactly one when set
}

// KeyNameConstraint keeps keys matching any of the prefixes, any of the
// suffixes and any of the substrings (each list only when not empty).
type KeyNameConstraint struct {
	MatchAnyPrefix    []string
	MatchAnySuffix    []string
	MatchAnySubstring []string
}

// ObjectEncryptionFilter is one ObjectEncryptionFilter choice: Type is
// EncryptionSSES3, EncryptionSSEKMS, EncryptionDSSEKMS, EncryptionSSEC or
// EncryptionNotSSE; KmsKeyArn is for the KMS choices, BucketKeyEnabled for
// SSE-KMS only.
type ObjectEncryptionFilter struct {
	Type             string
	KmsKeyArn        string
	BucketKeyEnabled *bool
}
