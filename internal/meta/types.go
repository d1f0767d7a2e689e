package meta

import "time"

// Account is a tenant with a 12-digit ID and a root user.
type Account struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
	Operator bool      `json:"operator,omitempty"` // may administer the deployment
}

// AccessKey is a credential: a long-term key of an account's root user or
// an IAM user, or the temporary key of an STS role session (RoleName set,
// SessionToken required on every request, invalid after Expires).
type AccessKey struct {
	ID        string    `json:"id"`
	Secret    string    `json:"secret"`
	AccountID string    `json:"accountId"`
	UserName  string    `json:"userName,omitempty"` // "" for the root user
	Status    string    `json:"status"`             // Active | Inactive
	Created   time.Time `json:"created"`

	// Role sessions only.
	RoleName     string    `json:"roleName,omitempty"`
	SessionName  string    `json:"sessionName,omitempty"`
	SessionToken string    `json:"sessionToken,omitempty"`
	Expires      time.Time `json:"expires,omitzero"`
	AssumedBy    string    `json:"assumedBy,omitempty"` // caller ARN or service principal
	// SessionPolicy is the inline session policy passed to AssumeRole.
	SessionPolicy string `json:"sessionPolicy,omitempty"`
}

// IAM entity kinds.
const (
	KindUser  = "user"
	KindGroup = "group"
	KindRole  = "role"
)

// IAMEntity is an IAM user, group or role of an account. Names are unique
// per account and kind, compared case-insensitively.
type IAMEntity struct {
	AccountID   string    `json:"accountId"`
	Kind        string    `json:"kind"`
	Name        string    `json:"name"`
	Path        string    `json:"path"`
	ID          string    `json:"id"` // AIDA…, AGPA…, AROA…
	Created     time.Time `json:"created"`
	Description string    `json:"description,omitempty"`
	Tags        []Tag     `json:"tags,omitempty"`
	// Inline policies by name; Attached lists managed policy ARNs in
	// attachment order.
	Inline   map[string]string `json:"inline,omitempty"`
	Attached []string          `json:"attached,omitempty"`
	// PermissionsBoundary is a managed policy ARN (users and roles).
	PermissionsBoundary string `json:"boundary,omitempty"`

	// Users: the groups they belong to (group names).
	Groups []string `json:"groups,omitempty"`
	// Roles: the trust policy and the longest session, in seconds.
	TrustPolicy        string `json:"trust,omitempty"`
	MaxSessionDuration int    `json:"maxSession,omitempty"`
}

// Tag is a key/value pair whose order matters (IAM tags).
type Tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// ManagedPolicy is a customer managed policy with its versions.
type ManagedPolicy struct {
	AccountID       string          `json:"accountId"`
	Name            string          `json:"name"`
	Path            string          `json:"path"`
	ID              string          `json:"id"` // ANPA…
	Description     string          `json:"description,omitempty"`
	Created         time.Time       `json:"created"`
	Updated         time.Time       `json:"updated"`
	DefaultVersion  string          `json:"default"` // "v1", "v2", …
	NextVersion     int             `json:"next"`    // number of the next version to create
	Versions        []PolicyVersion `json:"versions"`
	AttachmentCount int             `json:"attachments"`
	Tags            []Tag           `json:"tags,omitempty"`
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	ID       string    `json:"id"`
	Document string    `json:"doc"`
	Created  time.Time `json:"created"`
}

// Grant is one access-control-list grant. Grantee is an account ID
// (Type CanonicalUser) or a group URI (Type Group).
type Grant struct {
	Type       string `json:"t"`
	Grantee    string `json:"g"`
	Permission string `json:"p"` // FULL_CONTROL, READ, WRITE, READ_ACP, WRITE_ACP
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
	// ReplicationStatus is PENDING, COMPLETED or FAILED on a source version
	// that matched a replication rule when written (derived from
	// Replication), and REPLICA on a replica.
	ReplicationStatus string `json:"rs,omitempty"`
	// ACL holds the object's grants besides the owner's implicit
	// FULL_CONTROL; nil means private.
	ACL []Grant `json:"acl,omitempty"`
	// Replication is the per-destination state of a source version, in
	// destination bucket order.
	Replication []ReplicaState `json:"rp,omitempty"`
}

// Replication states of a version.
const (
	ReplicationPending   = "PENDING"
	ReplicationCompleted = "COMPLETED"
	ReplicationFailed    = "FAILED"
	ReplicationReplica   = "REPLICA"
)

// ReplicaState is where one destination of a source version stands.
type ReplicaState struct {
	Bucket string `json:"b"`           // destination bucket
	Rule   string `json:"r,omitempty"` // ID of the rule that chose it
	Status string `json:"s"`           // PENDING, COMPLETED or FAILED
	Reason string `json:"f,omitempty"` // failure reason (DstPutObjectNotPermitted, …)
}

// DeriveReplicationStatus is the status a source version shows for its
// destinations: PENDING while any is pending, else FAILED when any failed,
// else COMPLETED.
func DeriveReplicationStatus(rs []ReplicaState) string {
	status := ReplicationCompleted
	for _, r := range rs {
		switch r.Status {
		case ReplicationPending:
			return ReplicationPending
		case ReplicationFailed:
			status = ReplicationFailed
		}
	}
	return status
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
	// ACL holds the grants requested for the completed object (x-amz-acl,
	// x-amz-grant-*); the bucket's Object Ownership settles its owner and
	// final grants at completion. nil means private.
	ACL []Grant `json:"acl,omitempty"`
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
	ID    string `json:"id"`
	Queue string `json:"q"`
	// Key orders tasks: of the tasks of one queue with the same non-empty
	// Key, only the earliest enqueued can be claimed.
	Key        string `json:"k,omitempty"`
	Payload    []byte `json:"p,omitempty"`
	NotBefore  int64  `json:"nb"` // unix nanos
	LeaseUntil int64  `json:"lu,omitempty"`
	Attempts   int    `json:"a,omitempty"`
	LastError  string `json:"le,omitempty"`
	Created    int64  `json:"c"`
}

// Job is an S3 Batch Operations job. Data is owned by the batch service
// (its definition, state and progress).
type Job struct {
	AccountID   string    `json:"a"`
	ID          string    `json:"id"`
	ClientToken string    `json:"t,omitempty"`
	Created     time.Time `json:"c"`
	Data        []byte    `json:"d"`
}
