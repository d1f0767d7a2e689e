// Package inventoryconf is the S3 Inventory configuration document of
// Put/Get/List/DeleteBucketInventoryConfiguration: strict parsing with AWS's
// validation errors and rendering in botocore's member order. It does no
// I/O.
package inventoryconf

import (
	"slices"
	"strings"
)

// MaxDocumentSize is the largest configuration document accepted (2 MB).
const MaxDocumentSize = 2 << 20

// MaxIDLength is the longest configuration ID AWS accepts.
const MaxIDLength = 64

// Output formats of Destination.Format. ferry writes CSV only; ORC and
// Parquet are valid configuration values and the caller decides what to do
// with them.
const (
	FormatCSV     = "CSV"
	FormatORC     = "ORC"
	FormatParquet = "Parquet"
)

// IncludedObjectVersions values.
const (
	VersionsAll     = "All"
	VersionsCurrent = "Current"
)

// Schedule frequencies. Weekly reports are delivered on Sundays (UTC).
const (
	Daily  = "Daily"
	Weekly = "Weekly"
)

// bucketARNPrefix is what every destination bucket ARN starts with.
const bucketARNPrefix = "arn:aws:s3:::"

// OptionalFieldNames is the InventoryOptionalField enumeration of the S3
// model as shipped with aws-sdk-go-v2 service/s3 v1.114.8 (the first 16 are
// also botocore's; the event-hold fields and IntelligentTieringReferenceDate
// are newer). Any other <Field> value is MalformedXML.
var OptionalFieldNames = []string{
	"Size", "LastModifiedDate", "StorageClass", "ETag", "IsMultipartUploaded",
	"ReplicationStatus", "EncryptionStatus", "ObjectLockRetainUntilDate", "ObjectLockMode",
	"ObjectLockLegalHoldStatus", "ObjectLockEventHoldStatus", "ObjectLockEventHoldDuration",
	"IntelligentTieringAccessTier", "BucketKeyStatus", "ChecksumAlgorithm",
	"ObjectAccessControlList", "ObjectOwner", "LifecycleExpirationDate",
	"IntelligentTieringReferenceDate",
}

// Config is one inventory configuration of a bucket.
type Config struct {
	ID                     string
	IsEnabled              bool
	Destination            Destination
	Filter                 *Filter // nil when the document has no Filter
	IncludedObjectVersions string  // VersionsAll | VersionsCurrent
	OptionalFields         []string
	Frequency              string // Schedule/Frequency: Daily | Weekly
}

// Destination is Destination/S3BucketDestination.
type Destination struct {
	Bucket     string // bucket ARN, arn:aws:s3:::name
	AccountID  string // expected owner of the destination bucket, optional
	Format     string // FormatCSV | FormatORC | FormatParquet
	Prefix     string
	Encryption *Encryption // nil when absent
}

// Encryption is how the reports are encrypted: SSE-S3, or SSE-KMS with a key.
type Encryption struct {
	SSES3    bool   // <SSE-S3/>
	KMSKeyID string // <SSE-KMS><KeyId>; set when SSES3 is false
}

// Filter limits the inventory to keys with a prefix.
type Filter struct {
	Prefix string
}

// BucketName is the destination bucket's name: "dest" from
// "arn:aws:s3:::dest". A value that is not a bucket ARN is returned
// unchanged.
func (d Destination) BucketName() string {
	if name, ok := strings.CutPrefix(d.Bucket, bucketARNPrefix); ok {
		return name
	}
	return d.Bucket
}

// AllVersions reports whether the inventory lists every version (and thus
// has the VersionId, IsLatest and IsDeleteMarker columns).
func (c *Config) AllVersions() bool { return c.IncludedObjectVersions == VersionsAll }

// FilterPrefix is the filter's prefix, "" when there is no filter.
func (c *Config) FilterPrefix() string {
	if c.Filter == nil {
		return ""
	}
	return c.Filter.Prefix
}

// HasField reports whether name is one of the configured optional fields.
func (c *Config) HasField(name string) bool { return slices.Contains(c.OptionalFields, name) }
