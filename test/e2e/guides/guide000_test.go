package guides

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ferrys3/ferry/test/e2e/clients"
)

// Guide 000 sets up cross-account replication with a role trusted by S3
// and Batch Operations, then backfills the existing objects with a Batch
// Operations job whose manifest is an S3 Inventory report.
func TestGuide000InventoryBackfill(t *testing.T) {
	for _, find := range []func(*testing.T) clients.AWSCLI{clients.FindDebianCLI, clients.FindV1CLI} {
		t.Run("", func(t *testing.T) {
			cli := find(t)
			t.Run(cli.Name, func(t *testing.T) { guide000(t, cli) })
		})
	}
}

const (
	guide000Trust = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {
                "Service": "s3.amazonaws.com"
            },
            "Action": "sts:AssumeRole"
        },
        {
            "Effect": "Allow",
            "Principal": {
                "Service": "batchoperations.s3.amazonaws.com"
            },
            "Action": "sts:AssumeRole"
        }
    ]
}`
	guide000Permissions = `{
	"Version": "2012-10-17",
	"Statement": [
		{
			"Sid": "SourceBucketPermissions",
			"Effect": "Allow",
			"Action": [
				"s3:GetObjectRetention",
				"s3:GetObjectVersionTagging",
				"s3:GetObjectVersionAcl",
				"s3:ListBucket",
				"s3:GetObjectVersionForReplication",
				"s3:GetObjectLegalHold",
				"s3:GetReplicationConfiguration",
				"s3:PutInventoryConfiguration",
				"s3:InitiateReplication"
			],
			"Resource": [
				"arn:aws:s3:::source-bucket-name/*",
				"arn:aws:s3:::source-bucket-name"
			]
		},
		{
			"Sid": "DestinationBucketPermissions",
			"Effect": "Allow",
			"Action": [
				"s3:ReplicateObject",
				"s3:ObjectOwnerOverrideToBucketOwner",
				"s3:GetObjectVersionTagging",
				"s3:ReplicateTags",
				"s3:ReplicateDelete"
			],
			"Resource": [
				"arn:aws:s3:::destination-bucket-name/*"
			]
		}
	]
}`
)

func guide000(t *testing.T, cli clients.AWSCLI) {
	endpoint := startFerry(t)
	a, b := createAccount(t, endpoint, "source"), createAccount(t, endpoint, "destination")
	sh := newShell(t, cli, endpoint, map[string]account{"src": a, "dst": b})
	const src, dst, inv = "guide000-source-bucket", "guide000-destination-bucket", "guide000-inventory"
	const role = "S3ReplicationRole"
	roleARN := "arn:aws:iam::" + a.AccountID + ":role/" + role
	A, B := []string{"--profile", "src"}, []string{"--profile", "dst"}
	as := func(p []string, args ...string) []string { return append(args, p...) }
	fill := strings.NewReplacer("source-bucket-name", src, "destination-bucket-name", dst).Replace

	sh.ok(as(A, "s3api", "create-bucket", "--bucket", src)...)
	sh.ok(as(A, "s3api", "create-bucket", "--bucket", inv)...)
	sh.ok(as(B, "s3api", "create-bucket", "--bucket", dst)...)
	for i := 0; i < 15; i++ {
		sh.file("old.txt", fmt.Sprintf("podcast episode %d\n", i))
		sh.ok(as(A, "s3", "cp", "old.txt", fmt.Sprintf("s3://%s/episodes/%02d.txt", src, i))...)
	}

	// Create the IAM role: the custom trust policy, then the inline policy.
	sh.file("trust.json", guide000Trust)
	sh.file("permissions.json", fill(guide000Permissions))
	sh.ok(as(A, "iam", "create-role", "--role-name", role, "--assume-role-policy-document", "file://trust.json")...)
	sh.ok(as(A, "iam", "put-role-policy", "--role-name", role, "--policy-name", "replication", "--policy-document", "file://permissions.json")...)
	// The job reads its manifest, the inventory report, with the same role.
	sh.file("manifest-read.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":"arn:aws:s3:::`+inv+`/*"}]}`)
	sh.ok(as(A, "iam", "put-role-policy", "--role-name", role, "--policy-name", "manifest-read", "--policy-document", "file://manifest-read.json")...)

	// S3 bucket setup: versioning on (the destination too, as replication requires).
	sh.ok(as(A, "s3api", "put-bucket-versioning", "--bucket", src, "--versioning-configuration", "Status=Enabled")...)
	sh.ok(as(B, "s3api", "put-bucket-versioning", "--bucket", dst, "--versioning-configuration", "Status=Enabled")...)
	// The destination account lets the role replicate into its bucket.
	sh.file("dst-policy.json", `{"Version":"2012-10-17","Statement":[{"Sid":"Replication","Effect":"Allow",
"Principal":{"AWS":"`+roleARN+`"},"Action":["s3:ReplicateObject","s3:ReplicateDelete","s3:ReplicateTags"],"Resource":"arn:aws:s3:::`+dst+`/*"}]}`)
	sh.ok(as(B, "s3api", "put-bucket-policy", "--bucket", dst, "--policy", "file://dst-policy.json")...)

	// Configure cross-account replication (entire bucket, the existing role).
	sh.file("replication.json", fmt.Sprintf(`{"Role": %q, "Rules": [{"ID": "entire-bucket", "Status": "Enabled", "Priority": 0,
"Filter": {"Prefix": ""}, "DeleteMarkerReplication": {"Status": "Enabled"},
"Destination": {"Bucket": "arn:aws:s3:::%s", "Account": %q}}]}`, roleARN, dst, b.AccountID))
	sh.ok(as(A, "s3api", "put-bucket-replication", "--bucket", src, "--replication-configuration", "file://replication.json")...)

	// An S3 Inventory of the source, delivered to the inventory bucket
	// (whose policy lets S3 write there for this source).
	sh.file("inv-policy.json", `{"Version":"2012-10-17","Statement":[{"Sid":"InventoryPolicy","Effect":"Allow",
"Principal":{"Service":"s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::`+inv+`/*",
"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::`+src+`"},"StringEquals":{"aws:SourceAccount":"`+a.AccountID+`","s3:x-amz-acl":"bucket-owner-full-control"}}}]}`)
	sh.ok(as(A, "s3api", "put-bucket-policy", "--bucket", inv, "--policy", "file://inv-policy.json")...)
	sh.file("inventory.json", `{"Destination":{"S3BucketDestination":{"AccountId":"`+a.AccountID+`","Bucket":"arn:aws:s3:::`+inv+
		`","Format":"CSV","Prefix":"inventory"}},"IsEnabled":true,"Id":"backfill","IncludedObjectVersions":"Current",`+
		`"OptionalFields":["ReplicationStatus","ETag","Size","LastModifiedDate","StorageClass","IsMultipartUploaded","EncryptionStatus"],"Schedule":{"Frequency":"Daily"}}`)
	sh.ok(as(A, "s3api", "put-bucket-inventory-configuration", "--bucket", src, "--id", "backfill", "--inventory-configuration", "file://inventory.json")...)
	var got struct {
		InventoryConfiguration struct {
			Id             string
			OptionalFields []string
		}
	}
	sh.json(&got, as(A, "s3api", "get-bucket-inventory-configuration", "--bucket", src, "--id", "backfill")...)
	if got.InventoryConfiguration.Id != "backfill" || len(got.InventoryConfiguration.OptionalFields) != 7 {
		t.Errorf("get-bucket-inventory-configuration: %+v", got)
	}
	run := ferryCmd(t, sh.endpoint, "inventory", "run", src, "backfill", "--json")
	var rep struct {
		Bucket, ManifestKey string
		Rows                int
	}
	if err := json.Unmarshal([]byte(run.Stdout), &rep); err != nil || rep.Bucket != inv || rep.Rows != 15 {
		t.Fatalf("ferry inventory run: %v\n%s", err, run)
	}
	if !strings.HasPrefix(rep.ManifestKey, "inventory/"+src+"/backfill/") || !strings.HasSuffix(rep.ManifestKey, "/manifest.json") {
		t.Errorf("manifest key %s", rep.ManifestKey)
	}
	var head struct{ ETag string }
	sh.json(&head, as(A, "s3api", "head-object", "--bucket", inv, "--key", rep.ManifestKey)...)

	// The Batch Operations job: the inventory report as manifest, the
	// replicate operation, the same role.
	manifestArg := fmt.Sprintf(`{"Spec":{"Format":"S3InventoryReport_CSV_20161130"},"Location":{"ObjectArn":"arn:aws:s3:::%s/%s","ETag":%s}}`,
		inv, rep.ManifestKey, head.ETag)
	if !strings.HasPrefix(head.ETag, `"`) {
		manifestArg = strings.Replace(manifestArg, `"ETag":`+head.ETag, `"ETag":"`+head.ETag+`"`, 1)
	}
	var created struct{ JobId string }
	sh.json(&created, as(A, "s3control", "create-job", "--account-id", a.AccountID, "--operation", `{"S3ReplicateObject":{}}`,
		"--manifest", manifestArg, "--report", `{"Enabled":false}`, "--priority", "10", "--role-arn", roleARN,
		"--no-confirmation-required", "--region", "us-east-1")...)
	job := waitJob(t, sh, A, a.AccountID, created.JobId)
	if job.Status != "Complete" || job.ProgressSummary.NumberOfTasksSucceeded != 15 || job.ProgressSummary.NumberOfTasksFailed != 0 {
		t.Fatalf("job: %+v", job)
	}
	// Every existing object is in the destination; the source shows COMPLETED.
	for i := 0; i < 15; i++ {
		key := fmt.Sprintf("episodes/%02d.txt", i)
		var h struct{ ReplicationStatus string }
		sh.json(&h, as(A, "s3api", "head-object", "--bucket", src, "--key", key)...)
		if h.ReplicationStatus != "COMPLETED" {
			t.Errorf("%s on the source: %q", key, h.ReplicationStatus)
		}
		sh.json(&h, as(B, "s3api", "head-object", "--bucket", dst, "--key", key)...)
		if h.ReplicationStatus != "REPLICA" {
			t.Errorf("%s in the destination: %q", key, h.ReplicationStatus)
		}
	}
	// A wrong ETag fails the job while it reads the manifest.
	bad := strings.Replace(manifestArg, strings.Trim(head.ETag, `"`), "0123456789abcdef0123456789abcdef", 1)
	sh.json(&created, as(A, "s3control", "create-job", "--account-id", a.AccountID, "--operation", `{"S3ReplicateObject":{}}`,
		"--manifest", bad, "--report", `{"Enabled":false}`, "--priority", "10", "--role-arn", roleARN,
		"--no-confirmation-required", "--region", "us-east-1")...)
	if j := waitJob(t, sh, A, a.AccountID, created.JobId); j.Status != "Failed" || len(j.FailureReasons) == 0 ||
		!strings.Contains(j.FailureReasons[0].FailureReason, "ETag") {
		t.Errorf("job with a wrong manifest ETag: %+v", j)
	}
}
