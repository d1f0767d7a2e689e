package manifest

import (
	"slices"
	"strings"
)

// Inventory CSV column names, as they appear in manifest.json's fileSchema.
const (
	ColBucket                          = "Bucket"
	ColKey                             = "Key"
	ColVersionID                       = "VersionId"
	ColIsLatest                        = "IsLatest"
	ColIsDeleteMarker                  = "IsDeleteMarker"
	ColSize                            = "Size"
	ColLastModifiedDate                = "LastModifiedDate"
	ColETag                            = "ETag"
	ColStorageClass                    = "StorageClass"
	ColIsMultipartUploaded             = "IsMultipartUploaded"
	ColReplicationStatus               = "ReplicationStatus"
	ColEncryptionStatus                = "EncryptionStatus"
	ColObjectLockRetainUntilDate       = "ObjectLockRetainUntilDate"
	ColObjectLockMode                  = "ObjectLockMode"
	ColObjectLockLegalHoldStatus       = "ObjectLockLegalHoldStatus"
	ColIntelligentTieringAccessTier    = "IntelligentTieringAccessTier"
	ColBucketKeyStatus                 = "BucketKeyStatus"
	ColChecksumAlgorithm               = "ChecksumAlgorithm"
	ColObjectAccessControlList         = "ObjectAccessControlList"
	ColObjectOwner                     = "ObjectOwner"
	ColLifecycleExpirationDate         = "LifecycleExpirationDate"
	ColObjectLockEventHoldStatus       = "ObjectLockEventHoldStatus"
	ColObjectLockEventHoldDuration     = "ObjectLockEventHoldDuration"
	ColIntelligentTieringReferenceDate = "IntelligentTieringReferenceDate"
)

// Indexes of the columns in inventoryColumns.
const (
	cBucket = iota
	cKey
	cVersionID
	cIsLatest
	cIsDeleteMarker
	cSize
	cLastModifiedDate
	cETag
	cStorageClass
	cIsMultipartUploaded
	cReplicationStatus
	cEncryptionStatus
	cObjectLockRetainUntilDate
	cObjectLockMode
	cObjectLockLegalHoldStatus
	cIntelligentTieringAccessTier
	cBucketKeyStatus
	cChecksumAlgorithm
	cObjectAccessControlList
	cObjectOwner
	cLifecycleExpirationDate
	cObjectLockEventHoldStatus
	cObjectLockEventHoldDuration
	cIntelligentTieringReferenceDate
	numColumns
)

// firstOptional is the index of the first optional field.
const firstOptional = cSize

// inventoryColumns is every inventory column in AWS's fixed CSV order (the
// order of the user guide's field list and of real fileSchema strings,
// whatever the order of <Field>s in the configuration). The relative order
// of the last three of the documented list (ObjectAccessControlList,
// ObjectOwner, LifecycleExpirationDate) is not confirmed by a real file;
// the three newest fields (event hold, IntelligentTieringReferenceDate)
// have no documented position and are placed last.
var inventoryColumns = [numColumns]string{
	cBucket: ColBucket, cKey: ColKey, cVersionID: ColVersionID, cIsLatest: ColIsLatest,
	cIsDeleteMarker: ColIsDeleteMarker, cSize: ColSize, cLastModifiedDate: ColLastModifiedDate,
	cETag: ColETag, cStorageClass: ColStorageClass, cIsMultipartUploaded: ColIsMultipartUploaded,
	cReplicationStatus: ColReplicationStatus, cEncryptionStatus: ColEncryptionStatus,
	cObjectLockRetainUntilDate: ColObjectLockRetainUntilDate, cObjectLockMode: ColObjectLockMode,
	cObjectLockLegalHoldStatus:    ColObjectLockLegalHoldStatus,
	cIntelligentTieringAccessTier: ColIntelligentTieringAccessTier, cBucketKeyStatus: ColBucketKeyStatus,
	cChecksumAlgorithm: ColChecksumAlgorithm, cObjectAccessControlList: ColObjectAccessControlList,
	cObjectOwner: ColObjectOwner, cLifecycleExpirationDate: ColLifecycleExpirationDate,
	cObjectLockEventHoldStatus:       ColObjectLockEventHoldStatus,
	cObjectLockEventHoldDuration:     ColObjectLockEventHoldDuration,
	cIntelligentTieringReferenceDate: ColIntelligentTieringReferenceDate,
}

// versionColumns are the columns present only when the configuration's
// IncludedObjectVersions is All.
var versionColumns = []string{ColVersionID, ColIsLatest, ColIsDeleteMarker}

// InventorySchema is the column list of an inventory report: Bucket, Key,
// then VersionId, IsLatest and IsDeleteMarker when allVersions, then the
// configuration's optional fields, all in AWS's fixed order. Repeated
// optional fields count once. An unknown optional field is ErrSchema.
func InventorySchema(allVersions bool, optionalFields []string) ([]string, error) {
	for _, f := range optionalFields {
		if !slices.Contains(inventoryColumns[firstOptional:], f) {
			return nil, ErrSchema
		}
	}
	schema := []string{ColBucket, ColKey}
	if allVersions {
		schema = append(schema, versionColumns...)
	}
	for _, c := range inventoryColumns[firstOptional:] {
		if slices.Contains(optionalFields, c) {
			schema = append(schema, c)
		}
	}
	return schema, nil
}

// FileSchema renders a column list as manifest.json's fileSchema:
// "Bucket, Key, VersionId, …".
func FileSchema(schema []string) string { return strings.Join(schema, ", ") }

// ParseFileSchema splits a fileSchema string into column names.
func ParseFileSchema(s string) []string {
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}
