package ctlxml

import "time"

// JobDescriptor is the Job of a DescribeJob answer. Empty strings, nil
// pointers and zero times are omitted; JobId, ConfirmationRequired, Status,
// Priority, CreationTime and FailureReasons (possibly empty) are always
// written.
type JobDescriptor struct {
	JobID                       string
	ConfirmationRequired        bool
	Description                 string
	JobArn                      string // arn:aws:s3:<region>:<account>:job/<id>
	Status                      string
	Manifest                    *Manifest
	Operation                   *Operation
	Priority                    int
	ProgressSummary             *ProgressSummary
	StatusUpdateReason          string
	FailureReasons              []JobFailure
	Report                      *Report
	CreationTime                time.Time
	TerminationDate             time.Time
	RoleArn                     string
	SuspendedDate               time.Time
	SuspendedCause              string
	ManifestGenerator           *ManifestGenerator
	GeneratedManifestDescriptor *GeneratedManifestDescriptor
}

// JobListDescriptor is one entry of a ListJobs answer; Operation is the
// operation's name (an OperationName such as OpS3ReplicateObject).
type JobListDescriptor struct {
	JobID           string
	Description     string
	Operation       string
	Priority        int
	Status          string
	CreationTime    time.Time
	TerminationDate time.Time
	ProgressSummary *ProgressSummary
}

// ProgressSummary is a JobProgressSummary; the three counts are always
// written, Timers when not nil.
type ProgressSummary struct {
	TotalNumberOfTasks     int64
	NumberOfTasksSucceeded int64
	NumberOfTasksFailed    int64
	Timers                 *JobTimers
}

// JobTimers is how long the job has been Active.
type JobTimers struct {
	ElapsedTimeInActiveSeconds int64
}

// JobFailure is why a job failed (FailureCode 1–64, FailureReason 1–256
// characters).
type JobFailure struct {
	FailureCode   string
	FailureReason string
}

// GeneratedManifestDescriptor is an S3GeneratedManifestDescriptor: the
// manifest a ManifestGenerator with EnableManifestOutput wrote.
type GeneratedManifestDescriptor struct {
	Format   string // FormatGeneratedCSV
	Location *ManifestLocation
}
