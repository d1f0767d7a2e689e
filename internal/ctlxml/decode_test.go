package ctlxml

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// The bodies under testdata/cli are what aws-cli 1.45.11 (botocore 1.43.11)
// sent for `aws s3control create-job`, captured byte for byte through an
// HTTP proxy; the commands are in each test.

func cliBody(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "cli", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ptr[T any](v T) *T { return &v }

func utc(s string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	t = t.UTC()
	return &t
}

func decodeOK(t *testing.T, body []byte) *CreateJobRequest {
	t.Helper()
	r, err := DecodeCreateJob(body)
	if err != nil {
		t.Fatalf("DecodeCreateJob: %v\n%s", err, body)
	}
	return r
}

func sameRequest(t *testing.T, got, want *CreateJobRequest) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded\n got  %+v\n want %+v", *got, *want)
	}
}

// Section 4.3's example: aws s3control create-job --account-id 123456789012
// --operation '{"S3ReplicateObject":{}}' --manifest file://m.json
// --report file://r.json --priority 10 --role-arn
// arn:aws:iam::123456789012:role/batch-role --no-confirmation-required
// --client-request-token tok-1 --description demo
func TestDecodeCLIReplicateWithManifest(t *testing.T) {
	got := decodeOK(t, cliBody(t, "replicate_manifest.xml"))
	sameRequest(t, got, &CreateJobRequest{
		ConfirmationRequired: ptr(false),
		Operation:            Operation{S3ReplicateObject: &S3ReplicateObjectOperation{}},
		Report: Report{Bucket: "arn:aws:s3:::report-bucket", Prefix: "batch-reports",
			Format: FormatReportCSV, Enabled: true, ReportScope: ReportScopeAll},
		ClientRequestToken: "tok-1",
		Manifest: &Manifest{
			Spec: ManifestSpec{Format: FormatBatchCSV, Fields: []string{"Bucket", "Key", "VersionId"}},
			Location: ManifestLocation{ObjectArn: "arn:aws:s3:::src-bucket/manifests/manifest.csv",
				ETag: "60e460c9d1046e73f7dde5043ac3ae85"},
		},
		Description: "demo",
		Priority:    10,
		RoleArn:     "arn:aws:iam::123456789012:role/batch-role",
	})
	if got.Operation.Name() != OpS3ReplicateObject {
		t.Errorf("Name() = %q", got.Operation.Name())
	}
}

// Section 4.4's Batch Replication job (the user guide's
// s3-batch-replication-existing-config CLI example): --manifest-generator
// '{"S3JobManifestGenerator": {"ExpectedBucketOwner": "111122223333",
// "SourceBucket": "arn:aws:s3:::amzn-s3-demo-source-bucket",
// "EnableManifestOutput": false, "Filter": {"EligibleForReplication": true,
// "ObjectReplicationStatuses": ["NONE","FAILED"]}}}', priority 1, no
// client token (the CLI appends a generated UUID last).
func TestDecodeCLIBatchReplicationGenerator(t *testing.T) {
	got := decodeOK(t, cliBody(t, "replicate_generator.xml"))
	sameRequest(t, got, &CreateJobRequest{
		ConfirmationRequired: ptr(false),
		Operation:            Operation{S3ReplicateObject: &S3ReplicateObjectOperation{}},
		Report: Report{Bucket: "arn:aws:s3:::amzn-s3-demo-completion-report-bucket", Prefix: "batch-replication-report",
			Format: FormatReportCSV, Enabled: true, ReportScope: ReportScopeAll},
		ClientRequestToken: "6ddc9d94-94d8-4e97-af23-f83ea5a87ef2",
		Priority:           1,
		RoleArn:            "arn:aws:iam::111122223333:role/BatchOperationsRole",
		ManifestGenerator: &ManifestGenerator{S3JobManifestGenerator: &S3JobManifestGenerator{
			ExpectedBucketOwner:  "111122223333",
			SourceBucket:         "arn:aws:s3:::amzn-s3-demo-source-bucket",
			EnableManifestOutput: false,
			Filter: &ManifestGeneratorFilter{
				EligibleForReplication:    ptr(true),
				ObjectReplicationStatuses: []string{ReplicationNone, ReplicationFailed},
			},
		}},
	})
}

// Every filter member, manifest output with SSE-KMS, job tags (one with an
// empty value, sent as <Value />), --confirmation-required, --report
// '{"Enabled":false}', S3PutObjectTagging. The CLI sent CreatedBefore
// "2024-06-30T12:34:56.789Z" as 2024-06-30T12:34:56.789000Z.
func TestDecodeCLIGeneratorAllFilters(t *testing.T) {
	got := decodeOK(t, cliBody(t, "tagging_generator_all_filters.xml"))
	sameRequest(t, got, &CreateJobRequest{
		ConfirmationRequired: ptr(true),
		Operation: Operation{S3PutObjectTagging: &S3SetObjectTaggingOperation{
			TagSet: []Tag{{Key: "confidential", Value: "true"}}}},
		Report:             Report{Enabled: false},
		ClientRequestToken: "9c35c9be-b525-4a1d-966f-9b1b84aeac15",
		Priority:           0,
		RoleArn:            "arn:aws:iam::111122223333:role/r",
		Tags:               []Tag{{Key: "a", Value: "b"}, {Key: "c", Value: ""}},
		ManifestGenerator: &ManifestGenerator{S3JobManifestGenerator: &S3JobManifestGenerator{
			SourceBucket:         "arn:aws:s3:::src",
			EnableManifestOutput: true,
			ManifestOutputLocation: &ManifestOutputLocation{
				ExpectedManifestBucketOwner: "111122223333",
				Bucket:                      "arn:aws:s3:::mb",
				ManifestPrefix:              "m/",
				ManifestEncryption:          &ManifestEncryption{KMSKeyID: "arn:aws:kms:us-east-1:111122223333:key/k"},
				ManifestFormat:              FormatGeneratedCSV,
			},
			Filter: &ManifestGeneratorFilter{
				EligibleForReplication:    ptr(false),
				CreatedAfter:              utc("2024-01-01T00:00:00Z"),
				CreatedBefore:             utc("2024-06-30T12:34:56.789Z"),
				ObjectReplicationStatuses: []string{ReplicationCompleted, ReplicationReplica},
				KeyNameConstraint: &KeyNameConstraint{
					MatchAnyPrefix:    []string{"a/", "b/"},
					MatchAnySuffix:    []string{".csv"},
					MatchAnySubstring: []string{"x&y"},
				},
				ObjectSizeGreaterThanBytes: ptr(int64(0)),
				ObjectSizeLessThanBytes:    ptr(int64(1048576)),
				MatchAnyStorageClass:       []string{"STANDARD", "GLACIER_IR"},
				MatchAnyObjectEncryption: []ObjectEncryptionFilter{{Type: EncryptionSSEKMS,
					KmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/k", BucketKeyEnabled: ptr(true)}},
			},
		}},
	})
}

// An inventory manifest (what the console sends for guide 000's job: a
// manifest.json of S3 Inventory, no Fields) with every S3PutObjectCopy
// member, a FailedTasksOnly report with ExpectedBucketOwner, priority
// 2147483647 and ConfirmationRequired omitted.
func TestDecodeCLICopyInventoryManifest(t *testing.T) {
	got := decodeOK(t, cliBody(t, "copy_inventory_manifest.xml"))
	sameRequest(t, got, &CreateJobRequest{
		Operation: Operation{S3PutObjectCopy: &S3CopyObjectOperation{
			TargetResource:          "arn:aws:s3:::dst",
			CannedAccessControlList: "bucket-owner-full-control",
			AccessControlGrants: []Grant{{Grantee: &Grantee{TypeIdentifier: "id", Identifier: "abc", DisplayName: "d"},
				Permission: "READ"}},
			MetadataDirective:       "REPLACE",
			ModifiedSinceConstraint: utc("2024-01-01T00:00:00Z"),
			NewObjectMetadata: &ObjectMetadata{
				CacheControl: "no-cache", ContentDisposition: "inline", ContentEncoding: "gzip", ContentLanguage: "en",
				UserMetadata:  map[string]string{"k1": "v1", "k2": "v2"},
				ContentLength: ptr(int64(5)), ContentMD5: "md5", ContentType: "text/plain",
				HttpExpiresDate: utc("2030-01-01T00:00:00Z"), RequesterCharged: ptr(false), SSEAlgorithm: "AES256",
			},
			NewObjectTagging:          []Tag{{Key: "t", Value: "v"}},
			RedirectLocation:          "/x",
			RequesterPays:             ptr(true),
			StorageClass:              "STANDARD_IA",
			UnModifiedSinceConstraint: utc("2024-02-01T00:00:00Z"),
			SSEAwsKmsKeyID:            "kms",
			TargetKeyPrefix:           "copied/",
			ObjectLockLegalHoldStatus: "ON",
			ObjectLockMode:            "GOVERNANCE",
			ObjectLockRetainUntilDate: utc("2031-01-01T00:00:00Z"),
			BucketKeyEnabled:          ptr(true),
			ChecksumAlgorithm:         "CRC32",
		}},
		Report: Report{Bucket: "arn:aws:s3:::rb", Format: FormatReportCSV, Enabled: true,
			ReportScope: ReportScopeFailed, ExpectedBucketOwner: "111122223333"},
		ClientRequestToken: "13fa0aaa-a5b1-464a-b570-dd0a238233cf",
		Manifest: &Manifest{
			Spec: ManifestSpec{Format: FormatInventoryCSV},
			Location: ManifestLocation{ObjectArn: "arn:aws:s3:::inv/src/config/2024-01-01T00-00Z/manifest.json",
				ObjectVersionID: "v1", ETag: "abc"},
		},
		Priority: 2147483647,
		RoleArn:  "arn:aws:iam::111122223333:role/r",
	})
}

func TestDecodeCLIDeleteTagging(t *testing.T) {
	got := decodeOK(t, cliBody(t, "delete_tagging.xml"))
	if got.Operation.S3DeleteObjectTagging == nil || got.Operation.Name() != OpS3DeleteObjectTagging {
		t.Errorf("operation = %+v", got.Operation)
	}
	if got.ConfirmationRequired != nil || got.Report != (Report{}) {
		t.Errorf("ConfirmationRequired %v, Report %+v", got.ConfirmationRequired, got.Report)
	}
}

// LambdaInvoke is a model operation this package does not decode: the
// request decodes and Unsupported names it.
func TestDecodeCLIUnsupportedOperation(t *testing.T) {
	got := decodeOK(t, cliBody(t, "lambda_unsupported.xml"))
	if got.Operation != (Operation{Unsupported: OpLambdaInvoke}) || got.Operation.Name() != OpLambdaInvoke {
		t.Errorf("operation = %+v", got.Operation)
	}
	for _, name := range []string{OpS3PutObjectAcl, OpS3InitiateRestoreObject, OpS3PutObjectLegalHold,
		OpS3PutObjectRetention, OpS3ComputeObjectChecksum, OpS3UpdateObjectEncryption} {
		r := decodeOK(t, []byte(job(`<Operation><`+name+`><Anything><Nested/></Anything></`+name+`></Operation>`, manifestXML)))
		if r.Operation.Unsupported != name {
			t.Errorf("%s: Unsupported = %q", name, r.Operation.Unsupported)
		}
	}
}

// Input conventions: no namespace, any member order, whitespace and
// comments around the root, an XML declaration, whitespace in numbers and
// booleans, entities, CDATA.
func TestDecodeLenient(t *testing.T) {
	body := `<?xml version="1.0" encoding="UTF-8"?>
<!-- c -->
<CreateJobRequest>
  <RoleArn>arn:aws:iam::111122223333:role/r</RoleArn>
  <Priority> 7 </Priority>
  <Description>a &amp; <![CDATA[<b>]]></Description>
  <ClientRequestToken>t</ClientRequestToken>
  <Manifest><Location><ETag>e</ETag><ObjectArn>arn:aws:s3:::b/k</ObjectArn></Location>
    <Spec><Fields><member>Key</member><member>Ignore</member><member>Bucket</member><member>Ignore</member></Fields><Format>S3BatchOperations_CSV_20180820</Format></Spec></Manifest>
  <Report><Enabled> false </Enabled></Report>
  <Operation><S3ReplicateObject>   </S3ReplicateObject></Operation>
  <ConfirmationRequired>
    true
  </ConfirmationRequired>
</CreateJobRequest>
`
	got := decodeOK(t, []byte(body))
	if got.Priority != 7 || got.Description != "a & <b>" || *got.ConfirmationRequired != true ||
		!reflect.DeepEqual(got.Manifest.Spec.Fields, []string{"Key", "Ignore", "Bucket", "Ignore"}) {
		t.Errorf("decoded %+v", got)
	}
}

// The bodies under testdata/sdk are what aws-sdk-go-v2/service/s3control
// v1.71.1 sent: members in alphabetical order, <S3ReplicateObject></…>,
// timestamps with the shortest fraction.
func TestDecodeGoSDK(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "sdk", "replicate_generator.xml"))
	if err != nil {
		t.Fatal(err)
	}
	got := decodeOK(t, b)
	sameRequest(t, got, &CreateJobRequest{
		ConfirmationRequired: ptr(false),
		Operation:            Operation{S3ReplicateObject: &S3ReplicateObjectOperation{}},
		Report: Report{Bucket: "arn:aws:s3:::rb", Format: FormatReportCSV, Enabled: true,
			Prefix: "p", ReportScope: ReportScopeAll},
		ClientRequestToken: "tok",
		Priority:           1,
		RoleArn:            "arn:aws:iam::111122223333:role/r",
		Tags:               []Tag{{Key: "k"}},
		ManifestGenerator: &ManifestGenerator{S3JobManifestGenerator: &S3JobManifestGenerator{
			SourceBucket: "arn:aws:s3:::src",
			Filter: &ManifestGeneratorFilter{
				EligibleForReplication:     ptr(true),
				CreatedAfter:               utc("2024-01-02T03:04:05.6Z"),
				ObjectReplicationStatuses:  []string{ReplicationNone, ReplicationFailed},
				KeyNameConstraint:          &KeyNameConstraint{MatchAnyPrefix: []string{"a/"}},
				ObjectSizeGreaterThanBytes: ptr(int64(10)),
				MatchAnyStorageClass:       []string{"STANDARD"},
				MatchAnyObjectEncryption: []ObjectEncryptionFilter{{Type: EncryptionSSEKMS,
					KmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/k", BucketKeyEnabled: ptr(true)}},
			},
		}},
	})
	b, err = os.ReadFile(filepath.Join("testdata", "sdk", "copy_manifest.xml"))
	if err != nil {
		t.Fatal(err)
	}
	c := decodeOK(t, b).Operation.S3PutObjectCopy
	if c == nil || c.TargetResource != "arn:aws:s3:::dst" || c.NewObjectMetadata.UserMetadata["a"] != "1" ||
		c.AccessControlGrants[0].Grantee.TypeIdentifier != "id" || c.StorageClass != "STANDARD_IA" {
		t.Errorf("copy = %+v", c)
	}
}
