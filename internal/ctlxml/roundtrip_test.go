package ctlxml

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"testing"
)

// roundTrip checks that r survives MarshalCreateJobRequest and
// DecodeCreateJob unchanged.
func roundTrip(t testing.TB, r *CreateJobRequest) {
	t.Helper()
	body := MarshalCreateJobRequest(r)
	got, err := DecodeCreateJob(body)
	if err != nil {
		t.Fatalf("re-decode: %v\n%s", err, body)
	}
	if !reflect.DeepEqual(got, r) {
		t.Fatalf("round trip changed the request\n was %+v\n now %+v\n via %s", r, got, body)
	}
}

func TestRoundTripCapturedBodies(t *testing.T) {
	for _, dir := range []string{"cli", "sdk"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.xml"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			r, err := DecodeCreateJob(b)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			roundTrip(t, r)
		}
	}
}

func TestRoundTripGeneratorFilters(t *testing.T) {
	kms := "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	filters := []*ManifestGeneratorFilter{
		nil,
		{},
		{EligibleForReplication: ptr(true)},
		{EligibleForReplication: ptr(false), ObjectReplicationStatuses: []string{ReplicationNone}},
		{ObjectReplicationStatuses: []string{ReplicationNone, ReplicationFailed, ReplicationCompleted, ReplicationReplica}},
		{CreatedAfter: utc("2024-01-01T00:00:00Z")},
		{CreatedAfter: utc("1970-01-01T00:00:00.001Z"), CreatedBefore: utc("9999-12-31T23:59:59.999Z")},
		{CreatedBefore: utc("2024-06-30T12:34:56.7+02:00")},
		{KeyNameConstraint: &KeyNameConstraint{}},
		{KeyNameConstraint: &KeyNameConstraint{MatchAnyPrefix: []string{"a/", " spaced ", "<&>"}}},
		{KeyNameConstraint: &KeyNameConstraint{MatchAnySuffix: []string{".csv"}, MatchAnySubstring: []string{"\t\n\r"}}},
		{ObjectSizeGreaterThanBytes: ptr(int64(0)), ObjectSizeLessThanBytes: ptr(int64(1<<63 - 1))},
		{ObjectSizeGreaterThanBytes: ptr(int64(-5))},
		{MatchAnyStorageClass: []string{"STANDARD", "STANDARD_IA", "ONEZONE_IA", "GLACIER", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR"}},
		{MatchAnyObjectEncryption: []ObjectEncryptionFilter{{Type: EncryptionSSES3}}},
		{MatchAnyObjectEncryption: []ObjectEncryptionFilter{{Type: EncryptionSSEKMS}}},
		{MatchAnyObjectEncryption: []ObjectEncryptionFilter{{Type: EncryptionSSEKMS, KmsKeyArn: kms, BucketKeyEnabled: ptr(false)}}},
		{MatchAnyObjectEncryption: []ObjectEncryptionFilter{{Type: EncryptionDSSEKMS, KmsKeyArn: kms}}},
		{MatchAnyObjectEncryption: []ObjectEncryptionFilter{{Type: EncryptionSSEC}}},
		{MatchAnyObjectEncryption: []ObjectEncryptionFilter{{Type: EncryptionNotSSE}}},
		{
			EligibleForReplication: ptr(true), CreatedAfter: utc("2024-01-01T00:00:00Z"), CreatedBefore: utc("2024-02-01T00:00:00.5Z"),
			ObjectReplicationStatuses:  []string{ReplicationFailed},
			KeyNameConstraint:          &KeyNameConstraint{MatchAnyPrefix: []string{"p"}, MatchAnySuffix: []string{"s"}, MatchAnySubstring: []string{"m"}},
			ObjectSizeGreaterThanBytes: ptr(int64(1)), ObjectSizeLessThanBytes: ptr(int64(2)),
			MatchAnyStorageClass: []string{"GLACIER_IR"}, MatchAnyObjectEncryption: []ObjectEncryptionFilter{{Type: EncryptionNotSSE}},
		},
	}
	outputs := []*ManifestOutputLocation{
		nil,
		{Bucket: "arn:aws:s3:::mb", ManifestFormat: FormatGeneratedCSV},
		{ExpectedManifestBucketOwner: "111122223333", Bucket: "arn:aws:s3:::mb", ManifestPrefix: "p/",
			ManifestEncryption: &ManifestEncryption{SSES3: true}, ManifestFormat: FormatGeneratedCSV},
		{Bucket: "arn:aws:s3:::mb", ManifestEncryption: &ManifestEncryption{KMSKeyID: "alias/k"}, ManifestFormat: FormatGeneratedCSV},
	}
	for i, f := range filters {
		for j, o := range outputs {
			r := &CreateJobRequest{
				Operation:          Operation{S3ReplicateObject: &S3ReplicateObjectOperation{}},
				Report:             Report{Enabled: false},
				ClientRequestToken: "tok",
				Priority:           1,
				RoleArn:            "arn:aws:iam::111122223333:role/r",
				ManifestGenerator: &ManifestGenerator{S3JobManifestGenerator: &S3JobManifestGenerator{
					ExpectedBucketOwner: "111122223333", SourceBucket: "arn:aws:s3:::src",
					ManifestOutputLocation: o, Filter: f, EnableManifestOutput: o != nil && j%2 == 0,
				}},
			}
			t.Logf("filter %d, output %d", i, j)
			roundTrip(t, r)
		}
	}
}

// The parts of a DescribeJob answer are the request's encodings: splicing
// them back into a CreateJob body gives the same values.
func TestDescribeJobEchoesRequest(t *testing.T) {
	for _, name := range []string{"replicate_manifest.xml", "tagging_generator_all_filters.xml", "copy_inventory_manifest.xml"} {
		req := decodeOK(t, cliBody(t, name))
		out := MarshalDescribeJob(&JobDescriptor{
			JobID: "j-123", Status: StatusNew, CreationTime: created, Priority: req.Priority, RoleArn: req.RoleArn,
			Manifest: req.Manifest, Operation: &req.Operation, Report: &req.Report, ManifestGenerator: req.ManifestGenerator,
		})
		var parts string
		for _, el := range []string{"Manifest", "Operation", "Report", "ManifestGenerator"} {
			parts += regexp.MustCompile(`<` + el + `>.*?</` + el + `>`).FindString(string(out))
		}
		body := `<CreateJobRequest>` + parts + `<ClientRequestToken>` + req.ClientRequestToken + `</ClientRequestToken><Priority>` +
			strconv.Itoa(req.Priority) + `</Priority><RoleArn>` + req.RoleArn + `</RoleArn></CreateJobRequest>`
		got := decodeOK(t, []byte(body))
		got.ConfirmationRequired, got.Tags, got.Description = req.ConfirmationRequired, req.Tags, req.Description
		if !reflect.DeepEqual(got, req) {
			t.Errorf("%s: DescribeJob echo differs\n got  %+v\n want %+v", name, got, req)
		}
	}
}
