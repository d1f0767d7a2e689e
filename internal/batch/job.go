// Package batch is S3 Batch Operations: jobs created through S3 Control,
// their manifests (a CSV or S3 Inventory report, or a list generated from
// a bucket), the durable tasks that perform one operation per object under
// the job's role (assumed as batchoperations.s3.amazonaws.com), progress,
// the failure threshold, and AWS-format completion reports.
package batch

import (
	"encoding/json"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
)

// Job statuses.
const (
	StatusNew        = "New"
	StatusPreparing  = "Preparing"
	StatusSuspended  = "Suspended"
	StatusReady      = "Ready"
	StatusActive     = "Active"
	StatusComplete   = "Complete"
	StatusCancelling = "Cancelling"
	StatusCancelled  = "Cancelled"
	StatusFailing    = "Failing"
	StatusFailed     = "Failed"
)

// Operations.
const (
	OpReplicate     = "S3ReplicateObject"
	OpCopy          = "S3PutObjectCopy"
	OpPutTagging    = "S3PutObjectTagging"
	OpDeleteTagging = "S3DeleteObjectTagging"
)

// Manifest formats.
const (
	FormatCSV       = "S3BatchOperations_CSV_20180820"
	FormatInventory = "S3InventoryReport_CSV_20161130"
	// FormatGenerated is the format of a manifest a generator wrote: an
	// inventory-style manifest.json with gzip CSV data files.
	FormatGenerated = "S3InventoryReport_CSV_20211130"
)

// Tag is a key/value pair.
type Tag struct{ Key, Value string }

// Spec is what CreateJob asked for.
type Spec struct {
	ConfirmationRequired bool       `json:"confirm,omitempty"`
	Operation            Operation  `json:"op"`
	Manifest             *Manifest  `json:"manifest,omitempty"`
	Generator            *Generator `json:"generator,omitempty"`
	Report               Report     `json:"report"`
	Description          string     `json:"description,omitempty"`
	Priority             int        `json:"priority"`
	RoleArn              string     `json:"role"`
	Tags                 []Tag      `json:"tags,omitempty"`
	// Request is the CreateJob document as received (canonical form),
	// which DescribeJob echoes.
	Request []byte `json:"request,omitempty"`
}

// Operation is the one operation a job performs on every object.
type Operation struct {
	Kind string   `json:"kind"`
	Copy *CopyOp  `json:"copy,omitempty"`
	Tags []Tag    `json:"tags,omitempty"` // S3PutObjectTagging
	Raw  []string `json:"-"`
}

// CopyOp is S3PutObjectCopy.
type CopyOp struct {
	TargetBucket      string            `json:"target"` // bucket name
	TargetKeyPrefix   string            `json:"prefix,omitempty"`
	MetadataDirective string            `json:"metadataDirective,omitempty"` // COPY | REPLACE
	ContentType       string            `json:"contentType,omitempty"`
	Metadata          map[string]string `json:"metadata,omitempty"`
	NewTags           []Tag             `json:"newTags,omitempty"`
	ReplaceTags       bool              `json:"replaceTags,omitempty"`
	StorageClass      string            `json:"storageClass,omitempty"`
	CannedACL         string            `json:"acl,omitempty"`
}

// Manifest locates a manifest object.
type Manifest struct {
	Format    string   `json:"format"`
	Fields    []string `json:"fields,omitempty"`
	Bucket    string   `json:"bucket"`
	Key       string   `json:"key"`
	VersionID string   `json:"version,omitempty"`
	ETag      string   `json:"etag"`
}

// Generator is S3JobManifestGenerator: the job lists the source bucket.
type Generator struct {
	SourceBucket         string  `json:"source"`
	ExpectedBucketOwner  string  `json:"owner,omitempty"`
	EnableManifestOutput bool    `json:"output,omitempty"`
	OutputBucket         string  `json:"outputBucket,omitempty"`
	OutputPrefix         string  `json:"outputPrefix,omitempty"`
	OutputFormat         string  `json:"outputFormat,omitempty"`
	Filter               *Filter `json:"filter,omitempty"`
}

// Filter selects versions for a generated manifest.
type Filter struct {
	EligibleForReplication bool       `json:"eligible,omitempty"`
	ReplicationStatuses    []string   `json:"statuses,omitempty"` // NONE FAILED COMPLETED REPLICA
	CreatedAfter           *time.Time `json:"after,omitempty"`
	CreatedBefore          *time.Time `json:"before,omitempty"`
	Prefixes               []string   `json:"prefixes,omitempty"`
	Suffixes               []string   `json:"suffixes,omitempty"`
	Substrings             []string   `json:"substrings,omitempty"`
	SizeGreaterThan        *int64     `json:"sizeGT,omitempty"`
	SizeLessThan           *int64     `json:"sizeLT,omitempty"`
	StorageClasses         []string   `json:"storageClasses,omitempty"`
}

// Report is where the completion report goes.
type Report struct {
	Enabled bool   `json:"enabled"`
	Bucket  string `json:"bucket,omitempty"` // bucket name
	Prefix  string `json:"prefix,omitempty"`
	Scope   string `json:"scope,omitempty"` // AllTasks | FailedTasksOnly
	Format  string `json:"format,omitempty"`
}

// Failure is one of a job's FailureReasons.
type Failure struct {
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// State is where a job stands.
type State struct {
	Status             string    `json:"status"`
	StatusUpdateReason string    `json:"statusReason,omitempty"`
	Total              int64     `json:"total"`
	Succeeded          int64     `json:"succeeded"`
	Failed             int64     `json:"failed"`
	Dropped            int64     `json:"dropped,omitempty"`  // tasks not run (cancelled)
	Enqueued           int64     `json:"enqueued,omitempty"` // tasks queued so far
	ManifestDone       bool      `json:"manifestDone,omitempty"`
	Terminated         time.Time `json:"terminated,omitzero"`
	SuspendedAt        time.Time `json:"suspended,omitzero"`
	SuspendedCause     string    `json:"suspendedCause,omitempty"`
	ActiveSince        time.Time `json:"activeSince,omitzero"`
	ActiveSeconds      float64   `json:"activeSeconds,omitempty"` // accumulated before ActiveSince
	FailureReasons     []Failure `json:"failures,omitempty"`
	// GeneratedManifest is the manifest a generator wrote, when asked to.
	GeneratedManifest *Manifest `json:"generated,omitempty"`
}

// Job is a job as the service keeps it.
type Job struct {
	ID      string    `json:"-"`
	Account string    `json:"-"`
	Token   string    `json:"-"`
	Created time.Time `json:"-"`
	Region  string    `json:"region"`
	Spec    Spec      `json:"spec"`
	State   State     `json:"state"`
}

// ARN is the job's ARN.
func (j *Job) ARN() string { return "arn:aws:s3:" + j.Region + ":" + j.Account + ":job/" + j.ID }

// Terminal reports whether the job has ended.
func (j *Job) Terminal() bool {
	switch j.State.Status {
	case StatusComplete, StatusCancelled, StatusFailed:
		return true
	}
	return false
}

// Elapsed is the time the job has spent Active.
func (j *Job) Elapsed(now time.Time) time.Duration {
	d := time.Duration(j.State.ActiveSeconds * float64(time.Second))
	if !j.State.ActiveSince.IsZero() {
		d += now.Sub(j.State.ActiveSince)
	}
	return d
}

func (j *Job) record() *meta.Job {
	data, _ := json.Marshal(j)
	return &meta.Job{AccountID: j.Account, ID: j.ID, ClientToken: j.Token, Created: j.Created, Data: data}
}

func fromRecord(r *meta.Job) (*Job, error) {
	j := &Job{}
	if err := json.Unmarshal(r.Data, j); err != nil {
		return nil, err
	}
	j.ID, j.Account, j.Token, j.Created = r.ID, r.AccountID, r.ClientToken, r.Created
	return j, nil
}

// setStatus moves the job to status, keeping the active-time accounting.
func (j *Job) setStatus(status string, now time.Time) {
	if j.State.Status == StatusActive && status != StatusActive && !j.State.ActiveSince.IsZero() {
		j.State.ActiveSeconds += now.Sub(j.State.ActiveSince).Seconds()
		j.State.ActiveSince = time.Time{}
	}
	if status == StatusActive && j.State.ActiveSince.IsZero() {
		j.State.ActiveSince = now
	}
	j.State.Status = status
	switch status {
	case StatusComplete, StatusCancelled, StatusFailed:
		j.State.Terminated = now
	case StatusSuspended:
		j.State.SuspendedAt = now
	}
}
