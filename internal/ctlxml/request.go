package ctlxml

// CreateJobRequest is a decoded, validated CreateJob body (the account comes
// from the x-amz-account-id header, not from here).
type CreateJobRequest struct {
	// ConfirmationRequired is nil when the element was omitted. AWS then
	// holds the job Suspended until UpdateJobStatus Ready, as when it is true.
	ConfirmationRequired *bool
	Operation            Operation
	Report               Report
	ClientRequestToken   string // 1–64 characters, the idempotency key
	Manifest             *Manifest
	Description          string // "" when omitted, else 1–256 characters
	Priority             int    // 0..2147483647
	RoleArn              string
	Tags                 []Tag // at most MaxJobTags
	ManifestGenerator    *ManifestGenerator
}

// MaxJobTags is the number of tags a job may carry.
const MaxJobTags = 50

// Report is a JobReport: where and whether the completion report is
// written. With Enabled false the other fields may be empty.
type Report struct {
	Bucket              string // bucket ARN (arn:aws:s3:::name)
	Format              string // FormatReportCSV
	Enabled             bool
	Prefix              string
	ReportScope         string // ReportScopeAll or ReportScopeFailed
	ExpectedBucketOwner string
}

// Tag is an S3Tag (job tags, S3PutObjectTagging's TagSet, a copy's
// NewObjectTagging).
type Tag struct {
	Key   string
	Value string
}
