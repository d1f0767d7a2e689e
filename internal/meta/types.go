package meta

import "time"

// Account is a tenant with a 12-digit ID and a root user.
type Account struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
	Operator bool      `json:"operator,omitempty"` // may administer the deployment
}

// AccessKey is a long-term credential of an account's root user or an IAM user.
type AccessKey struct {
	ID        string    `json:"id"`
	Secret    string    `json:"secret"`
	AccountID string    `json:"accountId"`
	UserName  string    `json:"userName,omitempty"` // "" for the root user
	Status    string    `json:"status"`             // Active | Inactive
	Created   time.Time `json:"created"`
}

// Versioning states of a bucket.
const (
	VersioningOff       = ""
	VersioningEnabled   = "Enabled"
	VersioningSuspended = "Suspended"
)

// Bucket is one bucket. Configuration documents are stored raw so later
// features can add them without a schema change.
type Bucket struct {
	Name       string            `json:"name"`
	Owner      string            `json:"owner"` // account ID
	Region     string            `json:"region"`
	Created    time.Time         `json:"created"`
	Versioning string            `json:"versioning,omitempty"`
	Configs    map[string][]byte `json:"configs,omitempty"` // e.g. "policy", "replication"
}

// NullVersion is the version ID of objects written while versioning is off
// or suspended.
const NullVersion = "null"

// Version is one object version or delete marker.
type Version struct {
	Bucket       string            `json:"b"`
	Key          string            `json:"k"`
	VersionID    string            `json:"v"`
	ModTime      time.Time         `json:"t"`
	Seq          uint64            `json:"q,omitempty"` // tie-break among equal ModTimes
	DeleteMarker bool              `json:"dm,omitempty"`
	Size         int64             `json:"s"`
	ETag         string            `json:"e,omitempty"` // without quotes
	Owner        string            `json:"o,omitempty"`
	StorageClass string            `json:"sc,omitempty"`
	ContentType  string            `json:"ct,omitempty"`
	Headers      map[string]string `json:"h,omitempty"` // Cache-Control, Content-Disposition, Content-Encoding, Content-Language, Expires
	Metadata     map[string]string `json:"m,omitempty"` // x-amz-meta-* (lower-case names, without prefix)
	Tags         map[string]string `json:"tg,omitempty"`
	Checksums    map[string]string `json:"ck,omitempty"`  // algorithm (CRC32, …) -> base64 value
	ChecksumType string            `json:"cty,omitempty"` // FULL_OBJECT | COMPOSITE
	PartsCount   int               `json:"pc,omitempty"`  // multipart objects
	Data         []Segment         `json:"d,omitempty"`
	// ReplicationStatus is PENDING, COMPLETED, FAILED or REPLICA (later issues).
	ReplicationStatus string `json:"rs,omitempty"`
}

// Segment is a contiguous run of an object's bytes: a blob, or inline data
// held in the metadata store (Inline true, BlobID is the inline ID). Part
// sizes let ranged reads and GET ?partNumber find their segment.
type Segment struct {
	BlobID string `json:"id"`
	Size   int64  `json:"n"`
	Inline bool   `json:"i,omitempty"`
	Part   int    `json:"p,omitempty"` // multipart part number, 0 for single PUT
}

// Upload is an in-progress multipart upload.
type Upload struct {
	Bucket            string            `json:"b"`
	Key               string            `json:"k"`
	UploadID          string            `json:"u"`
	Initiated         time.Time         `json:"t"`
	Owner             string            `json:"o"`
	StorageClass      string            `json:"sc,omitempty"`
	ContentType       string            `json:"ct,omitempty"`
	Headers           map[string]string `json:"h,omitempty"`
	Metadata          map[string]string `json:"m,omitempty"`
	Tags              map[string]string `json:"tg,omitempty"`
	ChecksumAlgorithm string            `json:"ca,omitempty"`
	ChecksumType      string            `json:"cty,omitempty"`
}

// Part is one uploaded part of a multipart upload.
type Part struct {
	UploadID  string            `json:"u"`
	Number    int               `json:"n"`
	Size      int64             `json:"s"`
	ETag      string            `json:"e"` // without quotes
	ModTime   time.Time         `json:"t"`
	Data      Segment           `json:"d"`
	Checksums map[string]string `json:"ck,omitempty"`
}

// Task is a durable queue row. Payload is owned by the queue's consumer.
type Task struct {
	ID         string `json:"id"`
	Queue      string `json:"q"`
	Key        string `json:"k,omitempty"` // ordering key (e.g. bucket/key/destination)
	Payload    []byte `json:"p,omitempty"`
	NotBefore  int64  `json:"nb"` // unix nanos
	LeaseUntil int64  `json:"lu,omitempty"`
	Attempts   int    `json:"a,omitempty"`
	LastError  string `json:"le,omitempty"`
	Created    int64  `json:"c"`
}
