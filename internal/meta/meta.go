// Package meta is the metadata store contract: accounts, access keys,
// buckets, object versions, multipart uploads and the durable task queue,
// all read and written inside View/Update transactions. Implementations
// (meta/bolt, later meta/postgres) must pass the suite in meta/metatest.
package meta

import (
	"context"
	"errors"
)

// Errors every implementation returns (wrapped or bare; test with errors.Is).
var (
	ErrNotFound = errors.New("meta: not found")
	ErrExists   = errors.New("meta: already exists")
	ErrConflict = errors.New("meta: conflict")
	ErrClosed   = errors.New("meta: store closed")
)

// Store opens transactions. Update transactions are serialised and may be
// group-committed: fn may run more than once (when another transaction in
// the same group fails, the group is retried without it), so fn must only
// touch state through tx and must be deterministic given what it reads.
// When Update returns nil the change is durable.
type Store interface {
	View(ctx context.Context, fn func(Tx) error) error
	Update(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// Tx is one transaction. Reads in an Update see that transaction's writes.
// Values returned are copies owned by the caller. Iteration callbacks return
// false to stop early. A Tx must not be used after its fn returns, and fn
// must not call Update.
//
// Conventions the conformance suite enforces: Get*/Delete* of a missing item
// return ErrNotFound (DeleteInline is idempotent); EnqueueTask of an existing
// ID returns ErrExists and assigned IDs increase in commit order; a lease is
// live while LeaseUntil > now; DeleteBucket also removes what the bucket
// still holds; a listing whose version-ID or upload-ID marker no longer
// exists resumes after the whole KeyMarker key.
type Tx interface {
	// Accounts and credentials.
	PutAccount(a *Account) error // insert or replace
	GetAccount(id string) (*Account, error)
	ListAccounts(fn func(*Account) bool) error
	DeleteAccount(id string) error
	PutAccessKey(k *AccessKey) error // insert or replace
	GetAccessKey(id string) (*AccessKey, error)
	ListAccessKeys(accountID string, fn func(*AccessKey) bool) error
	DeleteAccessKey(id string) error

	// IAM users, groups and roles (GetIAMEntity matches the name
	// case-insensitively; List visits in case-folded name order) and
	// customer managed policies (same naming rules).
	PutIAMEntity(e *IAMEntity) error // insert or replace
	GetIAMEntity(accountID, kind, name string) (*IAMEntity, error)
	ListIAMEntities(accountID, kind string, fn func(*IAMEntity) bool) error
	DeleteIAMEntity(accountID, kind, name string) error
	PutManagedPolicy(p *ManagedPolicy) error // insert or replace
	GetManagedPolicy(accountID, name string) (*ManagedPolicy, error)
	ListManagedPolicies(accountID string, fn func(*ManagedPolicy) bool) error
	DeleteManagedPolicy(accountID, name string) error

	// Buckets (one global namespace).
	CreateBucket(b *Bucket) error // ErrExists when the name is taken
	GetBucket(name string) (*Bucket, error)
	UpdateBucket(b *Bucket) error // ErrNotFound when absent
	DeleteBucket(name string) error
	// ListBuckets lists buckets in name order; owner "" lists all.
	ListBuckets(owner string, fn func(*Bucket) bool) error
	// BucketEmpty reports whether the bucket holds no versions, delete
	// markers or in-progress multipart uploads.
	BucketEmpty(name string) (bool, error)

	// Object versions. A version is identified by (bucket, key, VersionID);
	// versions of a key are ordered by (ModTime, Seq): the greatest is the
	// key's current version, whether or not it is a delete marker.
	// PutVersion inserts or replaces (same VersionID) a version.
	PutVersion(v *Version) error
	GetVersion(bucket, key, versionID string) (*Version, error)
	// GetCurrent returns the key's newest version (possibly a delete marker).
	GetCurrent(bucket, key string) (*Version, error)
	DeleteVersion(bucket, key, versionID string) error
	// ListCurrent visits current versions (delete markers included) of keys
	// > after (or >= start when after is "") that start with prefix, in
	// byte order of key.
	ListCurrent(bucket string, opt ListOptions, fn func(*Version) bool) error
	// ListVersions visits every version in key order, newest first within a
	// key, starting after (KeyMarker, VersionIDMarker) when set.
	ListVersions(bucket string, opt ListOptions, fn func(*Version) bool) error

	// Inline data: small object bodies kept inside the metadata store.
	PutInline(id string, data []byte) error
	GetInline(id string) ([]byte, error)
	DeleteInline(id string) error

	// Multipart uploads and their parts.
	PutUpload(u *Upload) error
	GetUpload(bucket, key, uploadID string) (*Upload, error)
	DeleteUpload(bucket, key, uploadID string) error // also deletes its parts
	// ListUploads visits uploads in (key, initiated, uploadID) order, after
	// (KeyMarker, UploadIDMarker) when set.
	ListUploads(bucket string, opt ListOptions, fn func(*Upload) bool) error
	PutPart(p *Part) error // insert or replace by (UploadID, Number)
	GetPart(uploadID string, number int) (*Part, error)
	// ListParts visits parts in number order with Number > after.
	ListParts(uploadID string, after int, fn func(*Part) bool) error

	// Durable task queue (the outbox).
	EnqueueTask(t *Task) error // assigns t.ID when empty
	GetTask(id string) (*Task, error)
	// ClaimTasks leases up to n ready tasks of the queue (NotBefore <= now,
	// no live lease, and no earlier-enqueued task of the queue with the same
	// non-empty Key), ordered by NotBefore then ID, setting LeaseUntil and
	// Attempts+1, and returns them.
	ClaimTasks(queue string, nowUnixNano, leaseUntilUnixNano int64, n int) ([]*Task, error)
	// ReleaseLeases ends every live lease of the queue (leases held by a
	// process that is gone, when the store is known to be used by this
	// process alone) and returns how many it ended.
	ReleaseLeases(queue string, nowUnixNano int64) (int, error)
	UpdateTask(t *Task) error // ErrNotFound when absent
	DeleteTask(id string) error
	CountTasks(queue string) (int, error)
	// ListTasks visits the queue's tasks in (NotBefore, ID) order.
	ListTasks(queue string, fn func(*Task) bool) error

	// Batch Operations jobs, per account. IDs are unique per account;
	// ListJobs visits in ID order. A job's ClientToken, when set, is
	// unique per account too (JobByToken finds it).
	PutJob(j *Job) error // insert or replace; ErrExists when another job has the token
	GetJob(accountID, id string) (*Job, error)
	JobByToken(accountID, token string) (*Job, error)
	ListJobs(accountID string, fn func(*Job) bool) error
	DeleteJob(accountID, id string) error

	// Blob references, for garbage collection after a crash.
	// ForEachBlobRef visits every blob ID referenced by a version or a part.
	ForEachBlobRef(fn func(blobID string) bool) error

	// Small key/value settings (bootstrap markers and the like).
	PutSetting(name string, value []byte) error
	GetSetting(name string) ([]byte, error)
}

// ListOptions selects a range for the List* methods.
type ListOptions struct {
	Prefix          string
	Start           string // first key to consider (inclusive); ignored when KeyMarker is set
	KeyMarker       string // resume after this key (or after KeyMarker+VersionIDMarker)
	VersionIDMarker string // for ListVersions
	UploadIDMarker  string // for ListUploads
}
