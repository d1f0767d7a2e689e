package ctlxml

import "github.com/ferrys3/ferry/internal/s3xml"

// The CreateJob document as decoded, before schema checks. Every element is
// a slice so that repetitions are caught; ",any" catches unknown elements.
type (
	unknown = s3xml.Unknown
	text    = s3xml.Text
	// opaque is an operation this package does not decode; its content is
	// skipped.
	opaque struct{}
	empty  struct {
		Any []unknown `xml:",any"`
	}
	rawList struct {
		Member []text    `xml:"member"`
		Any    []unknown `xml:",any"`
	}
	rawTag struct {
		Key   []text    `xml:"Key"`
		Value []text    `xml:"Value"`
		Any   []unknown `xml:",any"`
	}
	rawTags struct {
		Member []rawTag  `xml:"member"`
		Any    []unknown `xml:",any"`
	}
	rawRequest struct {
		ConfirmationRequired []text                 `xml:"ConfirmationRequired"`
		Operation            []rawOperation         `xml:"Operation"`
		Report               []rawReport            `xml:"Report"`
		ClientRequestToken   []text                 `xml:"ClientRequestToken"`
		Manifest             []rawManifest          `xml:"Manifest"`
		Description          []text                 `xml:"Description"`
		Priority             []text                 `xml:"Priority"`
		RoleArn              []text                 `xml:"RoleArn"`
		Tags                 []rawTags              `xml:"Tags"`
		ManifestGenerator    []rawManifestGenerator `xml:"ManifestGenerator"`
		Any                  []unknown              `xml:",any"`
	}
	rawReport struct {
		Bucket              []text    `xml:"Bucket"`
		Format              []text    `xml:"Format"`
		Enabled             []text    `xml:"Enabled"`
		Prefix              []text    `xml:"Prefix"`
		ReportScope         []text    `xml:"ReportScope"`
		ExpectedBucketOwner []text    `xml:"ExpectedBucketOwner"`
		Any                 []unknown `xml:",any"`
	}
	rawManifest struct {
		Spec     []rawSpec     `xml:"Spec"`
		Location []rawLocation `xml:"Location"`
		Any      []unknown     `xml:",any"`
	}
	rawSpec struct {
		Format []text    `xml:"Format"`
		Fields []rawList `xml:"Fields"`
		Any    []unknown `xml:",any"`
	}
	rawLocation struct {
		ObjectArn       []text    `xml:"ObjectArn"`
		ObjectVersionID []text    `xml:"ObjectVersionId"`
		ETag            []text    `xml:"ETag"`
		Any             []unknown `xml:",any"`
	}
	rawManifestGenerator struct {
		S3JobManifestGenerator []rawGenerator `xml:"S3JobManifestGenerator"`
		Any                    []unknown      `xml:",any"`
	}
	rawGenerator struct {
		ExpectedBucketOwner    []text              `xml:"ExpectedBucketOwner"`
		SourceBucket           []text              `xml:"SourceBucket"`
		ManifestOutputLocation []rawOutputLocation `xml:"ManifestOutputLocation"`
		Filter                 []rawFilter         `xml:"Filter"`
		EnableManifestOutput   []text              `xml:"EnableManifestOutput"`
		Any                    []unknown           `xml:",any"`
	}
	rawOutputLocation struct {
		ExpectedManifestBucketOwner []text          `xml:"ExpectedManifestBucketOwner"`
		Bucket                      []text          `xml:"Bucket"`
		ManifestPrefix              []text          `xml:"ManifestPrefix"`
		ManifestEncryption          []rawEncryption `xml:"ManifestEncryption"`
		ManifestFormat              []text          `xml:"ManifestFormat"`
		Any                         []unknown       `xml:",any"`
	}
	rawEncryption struct {
		SSES3  []empty     `xml:"SSE-S3"`
		SSEKMS []rawKMSKey `xml:"SSE-KMS"`
		Any    []unknown   `xml:",any"`
	}
	rawKMSKey struct {
		KeyID []text    `xml:"KeyId"`
		Any   []unknown `xml:",any"`
	}
	rawFilter struct {
		EligibleForReplication     []text             `xml:"EligibleForReplication"`
		CreatedAfter               []text             `xml:"CreatedAfter"`
		CreatedBefore              []text             `xml:"CreatedBefore"`
		ObjectReplicationStatuses  []rawList          `xml:"ObjectReplicationStatuses"`
		KeyNameConstraint          []rawKeyConstraint `xml:"KeyNameConstraint"`
		ObjectSizeGreaterThanBytes []text             `xml:"ObjectSizeGreaterThanBytes"`
		ObjectSizeLessThanBytes    []text             `xml:"ObjectSizeLessThanBytes"`
		MatchAnyStorageClass       []rawList          `xml:"MatchAnyStorageClass"`
		MatchAnyObjectEncryption   []rawEncryptions   `xml:"MatchAnyObjectEncryption"`
		Any                        []unknown          `xml:",any"`
	}
	rawKeyConstraint struct {
		MatchAnyPrefix    []rawList `xml:"MatchAnyPrefix"`
		MatchAnySuffix    []rawList `xml:"MatchAnySuffix"`
		MatchAnySubstring []rawList `xml:"MatchAnySubstring"`
		Any               []unknown `xml:",any"`
	}
	rawEncryptions struct {
		ObjectEncryption []rawEncryptionFilter `xml:"ObjectEncryption"`
		Any              []unknown             `xml:",any"`
	}
	rawEncryptionFilter struct {
		SSES3   []empty        `xml:"SSE-S3"`
		SSEKMS  []rawKMSFilter `xml:"SSE-KMS"`
		DSSEKMS []rawKMSFilter `xml:"DSSE-KMS"`
		SSEC    []empty        `xml:"SSE-C"`
		NotSSE  []empty        `xml:"NOT-SSE"`
		Any     []unknown      `xml:",any"`
	}
	rawKMSFilter struct {
		KmsKeyArn        []text    `xml:"KmsKeyArn"`
		BucketKeyEnabled []text    `xml:"BucketKeyEnabled"`
		Any              []unknown `xml:",any"`
	}
	rawOperation struct {
		LambdaInvoke             []opaque     `xml:"LambdaInvoke"`
		S3PutObjectCopy          []rawCopy    `xml:"S3PutObjectCopy"`
		S3PutObjectAcl           []opaque     `xml:"S3PutObjectAcl"`
		S3PutObjectTagging       []rawTagging `xml:"S3PutObjectTagging"`
		S3DeleteObjectTagging    []empty      `xml:"S3DeleteObjectTagging"`
		S3InitiateRestoreObject  []opaque     `xml:"S3InitiateRestoreObject"`
		S3PutObjectLegalHold     []opaque     `xml:"S3PutObjectLegalHold"`
		S3PutObjectRetention     []opaque     `xml:"S3PutObjectRetention"`
		S3ReplicateObject        []empty      `xml:"S3ReplicateObject"`
		S3ComputeObjectChecksum  []opaque     `xml:"S3ComputeObjectChecksum"`
		S3UpdateObjectEncryption []opaque     `xml:"S3UpdateObjectEncryption"`
		Any                      []unknown    `xml:",any"`
	}
	rawTagging struct {
		TagSet []rawTags `xml:"TagSet"`
		Any    []unknown `xml:",any"`
	}
	rawCopy struct {
		TargetResource            []text        `xml:"TargetResource"`
		CannedAccessControlList   []text        `xml:"CannedAccessControlList"`
		AccessControlGrants       []rawGrants   `xml:"AccessControlGrants"`
		MetadataDirective         []text        `xml:"MetadataDirective"`
		ModifiedSinceConstraint   []text        `xml:"ModifiedSinceConstraint"`
		NewObjectMetadata         []rawMetadata `xml:"NewObjectMetadata"`
		NewObjectTagging          []rawTags     `xml:"NewObjectTagging"`
		RedirectLocation          []text        `xml:"RedirectLocation"`
		RequesterPays             []text        `xml:"RequesterPays"`
		StorageClass              []text        `xml:"StorageClass"`
		UnModifiedSinceConstraint []text        `xml:"UnModifiedSinceConstraint"`
		SSEAwsKmsKeyID            []text        `xml:"SSEAwsKmsKeyId"`
		TargetKeyPrefix           []text        `xml:"TargetKeyPrefix"`
		ObjectLockLegalHoldStatus []text        `xml:"ObjectLockLegalHoldStatus"`
		ObjectLockMode            []text        `xml:"ObjectLockMode"`
		ObjectLockRetainUntilDate []text        `xml:"ObjectLockRetainUntilDate"`
		BucketKeyEnabled          []text        `xml:"BucketKeyEnabled"`
		ChecksumAlgorithm         []text        `xml:"ChecksumAlgorithm"`
		Any                       []unknown     `xml:",any"`
	}
	rawGrants struct {
		Member []rawGrant `xml:"member"`
		Any    []unknown  `xml:",any"`
	}
	rawGrant struct {
		Grantee    []rawGrantee `xml:"Grantee"`
		Permission []text       `xml:"Permission"`
		Any        []unknown    `xml:",any"`
	}
	rawGrantee struct {
		TypeIdentifier []text    `xml:"TypeIdentifier"`
		Identifier     []text    `xml:"Identifier"`
		DisplayName    []text    `xml:"DisplayName"`
		Any            []unknown `xml:",any"`
	}
	rawMetadata struct {
		CacheControl       []text    `xml:"CacheControl"`
		ContentDisposition []text    `xml:"ContentDisposition"`
		ContentEncoding    []text    `xml:"ContentEncoding"`
		ContentLanguage    []text    `xml:"ContentLanguage"`
		UserMetadata       []rawMap  `xml:"UserMetadata"`
		ContentLength      []text    `xml:"ContentLength"`
		ContentMD5         []text    `xml:"ContentMD5"`
		ContentType        []text    `xml:"ContentType"`
		HttpExpiresDate    []text    `xml:"HttpExpiresDate"`
		RequesterCharged   []text    `xml:"RequesterCharged"`
		SSEAlgorithm       []text    `xml:"SSEAlgorithm"`
		Any                []unknown `xml:",any"`
	}
	rawMap struct {
		Entry []rawEntry `xml:"entry"`
		Any   []unknown  `xml:",any"`
	}
	rawEntry struct {
		Key   []text    `xml:"key"`
		Value []text    `xml:"value"`
		Any   []unknown `xml:",any"`
	}
)
