package ctlxml

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/golden")

// The golden files were checked by parsing them with botocore 1.43.11's
// s3control parser and with aws-sdk-go-v2/service/s3control's deserializers.

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s:\n got  %s\n want %s", name, got, want)
	}
}

var (
	created = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ended   = time.Date(2024, 1, 1, 0, 1, 0, 123456789, time.FixedZone("x", 3600))
)

const testJobID = "00e123a4-c0d8-41f4-a0eb-b46f9ba5b07c"

func TestMarshalCreateJobResult(t *testing.T) {
	golden(t, "create_job_result.xml", MarshalCreateJobResult(testJobID))
}

func TestMarshalDescribeJobComplete(t *testing.T) {
	golden(t, "describe_job_complete.xml", MarshalDescribeJob(&JobDescriptor{
		JobID:                testJobID,
		ConfirmationRequired: false,
		JobArn:               "arn:aws:s3:us-east-1:111122223333:job/" + testJobID,
		Status:               StatusComplete,
		Manifest: &Manifest{
			Spec:     ManifestSpec{Format: FormatBatchCSV, Fields: []string{FieldBucket, FieldKey, FieldVersionID}},
			Location: ManifestLocation{ObjectArn: "arn:aws:s3:::mb/m.csv", ObjectVersionID: "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo", ETag: "60e460c9d1046e73f7dde5043ac3ae85"},
		},
		Operation:       &Operation{S3ReplicateObject: &S3ReplicateObjectOperation{}},
		Priority:        10,
		ProgressSummary: &ProgressSummary{TotalNumberOfTasks: 2, NumberOfTasksSucceeded: 2, Timers: &JobTimers{ElapsedTimeInActiveSeconds: 5}},
		Report:          &Report{Bucket: "arn:aws:s3:::rb", Format: FormatReportCSV, Enabled: true, Prefix: "reports", ReportScope: ReportScopeAll},
		CreationTime:    created,
		TerminationDate: ended,
		RoleArn:         "arn:aws:iam::111122223333:role/batch",
	}))
}

// A Batch Replication job waiting for confirmation, with a generated
// manifest, every filter member and failure reasons; escaping in text.
func TestMarshalDescribeJobGenerator(t *testing.T) {
	golden(t, "describe_job_generator.xml", MarshalDescribeJob(&JobDescriptor{
		JobID:                "job-2",
		ConfirmationRequired: true,
		Description:          "backfill <dst> & more",
		JobArn:               "arn:aws:s3:us-east-1:111122223333:job/job-2",
		Status:               StatusSuspended,
		Operation:            &Operation{S3ReplicateObject: &S3ReplicateObjectOperation{}},
		Priority:             0,
		ProgressSummary:      &ProgressSummary{TotalNumberOfTasks: 3},
		StatusUpdateReason:   "awaiting confirmation",
		FailureReasons:       []JobFailure{{FailureCode: "ManifestGenerationFailed", FailureReason: "Access denied"}},
		Report:               &Report{Enabled: false},
		CreationTime:         created,
		RoleArn:              "arn:aws:iam::111122223333:role/batch",
		SuspendedDate:        created.Add(2 * time.Second),
		SuspendedCause:       "AwaitingConfirmation",
		ManifestGenerator: &ManifestGenerator{S3JobManifestGenerator: &S3JobManifestGenerator{
			ExpectedBucketOwner: "111122223333",
			SourceBucket:        "arn:aws:s3:::src",
			ManifestOutputLocation: &ManifestOutputLocation{
				ExpectedManifestBucketOwner: "111122223333",
				Bucket:                      "arn:aws:s3:::mb",
				ManifestPrefix:              "gen",
				ManifestEncryption:          &ManifestEncryption{SSES3: true},
				ManifestFormat:              FormatGeneratedCSV,
			},
			Filter: &ManifestGeneratorFilter{
				EligibleForReplication:     ptr(true),
				CreatedAfter:               utc("2023-12-31T23:59:59.5Z"),
				CreatedBefore:              utc("2024-01-01T00:00:00Z"),
				ObjectReplicationStatuses:  []string{ReplicationNone, ReplicationFailed},
				KeyNameConstraint:          &KeyNameConstraint{MatchAnyPrefix: []string{"a/"}, MatchAnySubstring: []string{"x&y"}},
				ObjectSizeGreaterThanBytes: ptr(int64(0)),
				ObjectSizeLessThanBytes:    ptr(int64(1 << 40)),
				MatchAnyStorageClass:       []string{"STANDARD"},
				MatchAnyObjectEncryption:   []ObjectEncryptionFilter{{Type: EncryptionSSEKMS, KmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/k", BucketKeyEnabled: ptr(false)}},
			},
			EnableManifestOutput: true,
		}},
		GeneratedManifestDescriptor: &GeneratedManifestDescriptor{
			Format:   FormatGeneratedCSV,
			Location: &ManifestLocation{ObjectArn: "arn:aws:s3:::mb/gen/job-job-2/manifest.json", ETag: "abc"},
		},
	}))
}

// The copy and tagging operations as DescribeJob echoes them.
func TestMarshalDescribeJobOperations(t *testing.T) {
	copyJob := &JobDescriptor{
		JobID: "job-copy", Status: StatusActive, Priority: 5, CreationTime: created,
		Operation: &Operation{S3PutObjectCopy: &S3CopyObjectOperation{
			TargetResource:          "arn:aws:s3:::dst",
			CannedAccessControlList: "bucket-owner-full-control",
			AccessControlGrants:     []Grant{{Grantee: &Grantee{TypeIdentifier: "id", Identifier: "abc"}, Permission: "READ"}},
			MetadataDirective:       "REPLACE",
			ModifiedSinceConstraint: utc("2024-01-01T00:00:00Z"),
			NewObjectMetadata: &ObjectMetadata{ContentType: "text/plain", UserMetadata: map[string]string{"z": "1", "a": ""},
				ContentLength: ptr(int64(5)), HttpExpiresDate: utc("2030-01-01T00:00:00Z"), RequesterCharged: ptr(false), SSEAlgorithm: "KMS"},
			NewObjectTagging:          []Tag{{Key: "t", Value: ""}},
			RequesterPays:             ptr(true),
			StorageClass:              "GLACIER_IR",
			SSEAwsKmsKeyID:            "arn:aws:kms:us-east-1:111122223333:key/k",
			TargetKeyPrefix:           "copied/",
			ObjectLockLegalHoldStatus: "OFF",
			ObjectLockMode:            "COMPLIANCE",
			ObjectLockRetainUntilDate: utc("2031-01-01T00:00:00Z"),
			BucketKeyEnabled:          ptr(true),
			ChecksumAlgorithm:         "SHA256",
		}},
	}
	golden(t, "describe_job_copy.xml", MarshalDescribeJob(copyJob))
	tagJob := &JobDescriptor{JobID: "job-tag", Status: StatusNew, Priority: 1, CreationTime: created,
		Operation: &Operation{S3PutObjectTagging: &S3SetObjectTaggingOperation{TagSet: []Tag{{Key: "k", Value: "v"}}}}}
	golden(t, "describe_job_tagging.xml", MarshalDescribeJob(tagJob))
	delJob := &JobDescriptor{JobID: "job-del", Status: StatusReady, Priority: 1, CreationTime: created,
		Operation: &Operation{S3DeleteObjectTagging: &S3DeleteObjectTaggingOperation{}}}
	golden(t, "describe_job_delete_tagging.xml", MarshalDescribeJob(delJob))
}

func TestMarshalListJobs(t *testing.T) {
	golden(t, "list_jobs.xml", MarshalListJobs([]JobListDescriptor{{
		JobID: testJobID, Description: "demo", Operation: OpS3ReplicateObject, Priority: 10, Status: StatusComplete,
		CreationTime: created, TerminationDate: ended,
		ProgressSummary: &ProgressSummary{TotalNumberOfTasks: 8, NumberOfTasksSucceeded: 7, NumberOfTasksFailed: 1, Timers: &JobTimers{ElapsedTimeInActiveSeconds: 60}},
	}, {
		JobID: "job-2", Operation: OpS3PutObjectTagging, Priority: 42, Status: StatusSuspended, CreationTime: created,
		ProgressSummary: &ProgressSummary{},
	}}, "token/2=="))
	golden(t, "list_jobs_empty.xml", MarshalListJobs(nil, ""))
}

func TestMarshalUpdateJob(t *testing.T) {
	golden(t, "update_job_priority.xml", MarshalUpdateJobPriority(testJobID, 2147483647))
	golden(t, "update_job_status.xml", MarshalUpdateJobStatus(testJobID, StatusCancelling, "no longer needed"))
	golden(t, "update_job_status_no_reason.xml", MarshalUpdateJobStatus(testJobID, StatusReady, ""))
}

func TestMarshalError(t *testing.T) {
	golden(t, "error_not_found.xml", MarshalError(NewNotFound("The specified job does not exist."), "REQ123", "host/id+="))
}
