package manifest

import (
	"slices"
	"strconv"
	"time"
)

// InventoryRow is one object version of an inventory report. Only the
// columns of the writer's schema are written.
type InventoryRow struct {
	Bucket string
	Key    string
	// VersionID is written as "" for the null version ("" or "null"), as
	// AWS does in All-versions reports.
	VersionID      string
	IsLatest       bool
	IsDeleteMarker bool
	// Size, ETag and IsMultipartUploaded are written empty for delete
	// markers.
	Size                            int64
	LastModified                    time.Time
	ETag                            string // without quotes
	StorageClass                    string
	IsMultipartUploaded             bool
	ReplicationStatus               string // PENDING|COMPLETED|FAILED|REPLICA or ""
	EncryptionStatus                string // SSE-S3|SSE-C|SSE-KMS|DSSE-KMS|NOT-SSE
	ObjectLockRetainUntilDate       time.Time
	ObjectLockMode                  string // GOVERNANCE|COMPLIANCE or ""
	ObjectLockLegalHoldStatus       string // ON|OFF or ""
	IntelligentTieringAccessTier    string
	BucketKeyStatus                 string // ENABLED|DISABLED or ""
	ChecksumAlgorithm               string
	ObjectAccessControlList         string // as AWS: base64 of the ACL's JSON
	ObjectOwner                     string // canonical user ID
	LifecycleExpirationDate         time.Time
	ObjectLockEventHoldStatus       string
	ObjectLockEventHoldDuration     string
	IntelligentTieringReferenceDate time.Time
}

// timeLayout is the inventory timestamp format, ISO 8601 UTC with
// milliseconds: 2017-08-09T07:07:56.000Z.
const timeLayout = "2006-01-02T15:04:05.000Z"

// rowEncoder renders InventoryRows as AWS inventory CSV lines: every field
// in double quotes (inner quotes doubled), empty values as "", booleans
// true/false, keys URL-encoded (EncodeKey), LF line ends, no header.
type rowEncoder struct{ cols []int } // indexes into inventoryColumns

// newRowEncoder checks schema (known columns, no repeats, Bucket and Key
// present) and returns its encoder.
func newRowEncoder(schema []string) (rowEncoder, error) {
	e := rowEncoder{cols: make([]int, len(schema))}
	for i, name := range schema {
		c := slices.Index(inventoryColumns[:], name)
		if c < 0 || slices.Contains(e.cols[:i], c) {
			return rowEncoder{}, ErrSchema
		}
		e.cols[i] = c
	}
	if !slices.Contains(schema, ColBucket) || !slices.Contains(schema, ColKey) {
		return rowEncoder{}, ErrSchema
	}
	return e, nil
}

// append appends r's CSV line to b.
func (e rowEncoder) append(b []byte, r *InventoryRow) []byte {
	for i, c := range e.cols {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = appendColumn(b, c, r)
		b = append(b, '"')
	}
	return append(b, '\n')
}

// appendColumn appends the unquoted value of one column (inner quotes
// already doubled).
func appendColumn(b []byte, col int, r *InventoryRow) []byte {
	dm := r.IsDeleteMarker
	switch col {
	case cBucket:
		return appendEscaped(b, r.Bucket)
	case cKey:
		return appendKey(b, r.Key)
	case cVersionID:
		if r.VersionID == "null" {
			return b
		}
		return appendEscaped(b, r.VersionID)
	case cIsLatest:
		return strconv.AppendBool(b, r.IsLatest)
	case cIsDeleteMarker:
		return strconv.AppendBool(b, dm)
	case cSize:
		if dm {
			return b
		}
		return strconv.AppendInt(b, r.Size, 10)
	case cLastModifiedDate:
		return appendTime(b, r.LastModified)
	case cETag:
		if dm {
			return b
		}
		return appendEscaped(b, r.ETag)
	case cStorageClass:
		return appendEscaped(b, r.StorageClass)
	case cIsMultipartUploaded:
		if dm {
			return b
		}
		return strconv.AppendBool(b, r.IsMultipartUploaded)
	case cReplicationStatus:
		return appendEscaped(b, r.ReplicationStatus)
	case cEncryptionStatus:
		return appendEscaped(b, r.EncryptionStatus)
	case cObjectLockRetainUntilDate:
		return appendTime(b, r.ObjectLockRetainUntilDate)
	case cObjectLockMode:
		return appendEscaped(b, r.ObjectLockMode)
	case cObjectLockLegalHoldStatus:
		return appendEscaped(b, r.ObjectLockLegalHoldStatus)
	case cIntelligentTieringAccessTier:
		return appendEscaped(b, r.IntelligentTieringAccessTier)
	case cBucketKeyStatus:
		return appendEscaped(b, r.BucketKeyStatus)
	case cChecksumAlgorithm:
		return appendEscaped(b, r.ChecksumAlgorithm)
	case cObjectAccessControlList:
		return appendEscaped(b, r.ObjectAccessControlList)
	case cObjectOwner:
		return appendEscaped(b, r.ObjectOwner)
	case cLifecycleExpirationDate:
		return appendTime(b, r.LifecycleExpirationDate)
	case cObjectLockEventHoldStatus:
		return appendEscaped(b, r.ObjectLockEventHoldStatus)
	case cObjectLockEventHoldDuration:
		return appendEscaped(b, r.ObjectLockEventHoldDuration)
	case cIntelligentTieringReferenceDate:
		return appendTime(b, r.IntelligentTieringReferenceDate)
	}
	return b
}

// appendTime appends t in timeLayout, nothing for the zero time.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return b
	}
	return t.UTC().AppendFormat(b, timeLayout)
}
