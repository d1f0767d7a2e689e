package guides

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferrys3/ferry/test/e2e/clients"
)

// Guide 002 replicates a bucket to another account: the replication rule
// (owner override), the destination bucket policy, then a Batch Operations
// job (Replicate, generated manifest, completion report) for the objects
// that already exist, and finally a new object that replicates live.
func TestGuide002BatchReplication(t *testing.T) {
	for _, find := range []func(*testing.T) clients.AWSCLI{clients.FindDebianCLI, clients.FindV1CLI} {
		t.Run("", func(t *testing.T) {
			cli := find(t)
			t.Run(cli.Name, func(t *testing.T) { guide002(t, cli) })
		})
	}
}

const (
	guide002Trust = `{
"Version": "2012-10-17",
"Statement": [
{
"Effect": "Allow",
"Principal": {
"Service": [
"batchoperations.s3.amazonaws.com",
"s3.amazonaws.com"
]
},
"Action": "sts:AssumeRole"
}
]
}`
	guide002Permissions = `{
"Version": "2012-10-17",
"Statement": [
{
"Sid": "GetSourceBucketConfiguration",
"Effect": "Allow",
"Action": [
"s3:ListBucket",
"s3:GetBucketLocation",
"s3:GetBucketAcl",
"s3:GetReplicationConfiguration",
"s3:GetObjectVersionForReplication",
"s3:GetObjectVersionAcl",
"s3:GetObjectVersionTagging"
],
"Resource": [
"arn:aws:s3:::source-bucket-name",
"arn:aws:s3:::source-bucket-name/*"
]
},
{
"Sid": "ReplicateToDestinationBuckets",
"Effect": "Allow",
"Action": [
"s3:List*",
"s3:*Object",
"s3:ReplicateObject",
"s3:ReplicateDelete",
"s3:ReplicateTags"
],
"Resource": [
"arn:aws:s3:::destination-bucket-name*",
"arn:aws:s3:::destination-bucket-name/*"
]
},
{
"Sid": "PermissionToOverrideBucketOwner",
"Effect": "Allow",
"Action": [
"s3:ObjectOwnerOverrideToBucketOwner"
],
"Resource": [
"arn:aws:s3:::destination-bucket-name*",
"arn:aws:s3:::destination-bucket-name/*"
]
}
]
}`
	guide002DestinationPolicy = `{
"Version": "2012-10-17",
"Id": "PolicyForDestinationBucket",
"Statement": [
{
"Sid": "Permissions on objects and buckets",
"Effect": "Allow",
"Principal": {
"AWS": "arn:aws:iam::SourceAWSAccountNumber:role/IAM-Role-created-in-step1-in-source-account"
},
"Action": [
"s3:List*",
"s3:GetBucketVersioning",
"s3:PutBucketVersioning",
"s3:ReplicateDelete",
"s3:ReplicateObject"
],
"Resource": [
"arn:aws:s3:::destination-bucket",
"arn:aws:s3:::destination-bucket/*"
]
},
{
"Sid": "Permission to override bucket owner",
"Effect": "Allow",
"Principal": {
"AWS": "arn:aws:iam::SourceAWSAccountNumber:role/IAM-Role-created-in-step1-in-source-account"
},
"Action": "s3:ObjectOwnerOverrideToBucketOwner",
"Resource": "arn:aws:s3:::destination-bucket/*"
}
]
}`
	// Batch Replication needs s3:InitiateReplication on the source objects
	// (AWS's job-role requirement, which the guide's console-made role has).
	guide002Initiate = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:InitiateReplication","Resource":"arn:aws:s3:::source-bucket-name/*"}]}`
)

func guide002(t *testing.T, cli clients.AWSCLI) {
	endpoint := startFerry(t)
	a, b := createAccount(t, endpoint, "account-a"), createAccount(t, endpoint, "account-b")
	sh := newShell(t, cli, endpoint, map[string]account{"a": a, "b": b})
	const src, dst, reports = "guide002-source", "guide002-destination", "guide002-destination-reports"
	const role = "s3crr_role_for_guide002"
	roleARN := "arn:aws:iam::" + a.AccountID + ":role/" + role
	A, B := []string{"--profile", "a"}, []string{"--profile", "b"}
	as := func(p []string, args ...string) []string { return append(args, p...) }
	fill := strings.NewReplacer("source-bucket-name", src, "destination-bucket-name", dst, "destination-bucket", dst,
		"SourceAWSAccountNumber", a.AccountID, "IAM-Role-created-in-step1-in-source-account", role).Replace

	// The buckets, versioned, with data already in the source.
	sh.ok(as(A, "s3api", "create-bucket", "--bucket", src)...)
	sh.ok(as(A, "s3api", "create-bucket", "--bucket", reports)...)
	sh.ok(as(B, "s3api", "create-bucket", "--bucket", dst)...)
	sh.ok(as(A, "s3api", "put-bucket-versioning", "--bucket", src, "--versioning-configuration", "Status=Enabled")...)
	sh.ok(as(B, "s3api", "put-bucket-versioning", "--bucket", dst, "--versioning-configuration", "Status=Enabled")...)
	for i := 0; i < 12; i++ {
		sh.file("existing.txt", fmt.Sprintf("existing object %d\n", i))
		sh.ok(as(A, "s3", "cp", "existing.txt", fmt.Sprintf("s3://%s/data/existing-%02d.txt", src, i))...)
	}

	// Step 1: the role (trusted by S3 and Batch Operations) and the rule.
	sh.file("trust.json", guide002Trust)
	sh.file("permissions.json", fill(guide002Permissions))
	sh.file("initiate.json", fill(guide002Initiate))
	sh.ok(as(A, "iam", "create-role", "--role-name", role, "--path", "/", "--assume-role-policy-document", "file://trust.json")...)
	sh.ok(as(A, "iam", "put-role-policy", "--role-name", role, "--policy-name", "replication", "--policy-document", "file://permissions.json")...)
	sh.ok(as(A, "iam", "put-role-policy", "--role-name", role, "--policy-name", "batch", "--policy-document", "file://initiate.json")...)
	sh.file("replication.json", fmt.Sprintf(`{"Role": %q, "Rules": [{"ID": "all", "Status": "Enabled", "Priority": 1, "Filter": {},
"DeleteMarkerReplication": {"Status": "Disabled"},
"Destination": {"Bucket": "arn:aws:s3:::%s", "Account": %q, "AccessControlTranslation": {"Owner": "Destination"}}}]}`, roleARN, dst, b.AccountID))
	sh.ok(as(A, "s3api", "put-bucket-replication", "--bucket", src, "--replication-configuration", "file://replication.json")...)

	// Step 2: the destination bucket policy.
	sh.file("destination-policy.json", fill(guide002DestinationPolicy))
	sh.ok(as(B, "s3api", "put-bucket-policy", "--bucket", dst, "--policy", "file://destination-policy.json")...)

	// Existing objects are not replicated by the rule.
	var h struct{ ReplicationStatus string }
	sh.json(&h, as(A, "s3api", "head-object", "--bucket", src, "--key", "data/existing-00.txt")...)
	if h.ReplicationStatus != "" {
		t.Fatalf("an existing object has status %q before the job", h.ReplicationStatus)
	}

	// Step 3: a Batch Operations job: Replicate, generated manifest,
	// completion report of all tasks.
	report := fmt.Sprintf(`{"Bucket":"arn:aws:s3:::%s","Prefix":"batch-reports","Format":"Report_CSV_20180820","Enabled":true,"ReportScope":"AllTasks"}`, reports)
	generator := fmt.Sprintf(`{"S3JobManifestGenerator":{"SourceBucket":"arn:aws:s3:::%s","EnableManifestOutput":false,"Filter":{"EligibleForReplication":true,"ObjectReplicationStatuses":["NONE","FAILED"]}}}`, src)
	var created struct{ JobId string }
	sh.json(&created, as(A, "s3control", "create-job", "--account-id", a.AccountID, "--operation", `{"S3ReplicateObject":{}}`,
		"--report", report, "--manifest-generator", generator, "--priority", "1", "--role-arn", roleARN,
		"--no-confirmation-required", "--region", "us-east-1")...)
	if created.JobId == "" {
		t.Fatal("create-job printed no JobId")
	}
	job := waitJob(t, sh, A, a.AccountID, created.JobId)
	if job.Status != "Complete" || job.ProgressSummary.TotalNumberOfTasks != 12 || job.ProgressSummary.NumberOfTasksSucceeded != 12 {
		t.Fatalf("job after the run: %+v", job)
	}
	// Step 4: the data is in the destination, owned there.
	if ls := sh.ok(as(B, "s3", "ls", "s3://"+dst+"/data/")...); strings.Count(ls.Stdout, "existing-") != 12 {
		t.Errorf("destination after the job:\n%s", ls)
	}
	sh.json(&h, as(A, "s3api", "head-object", "--bucket", src, "--key", "data/existing-07.txt")...)
	if h.ReplicationStatus != "COMPLETED" {
		t.Errorf("source status after the job: %q", h.ReplicationStatus)
	}
	// The completion report: manifest.json and a results CSV with a row per object.
	var listed struct{ Contents []struct{ Key string } }
	sh.json(&listed, as(A, "s3api", "list-objects-v2", "--bucket", reports, "--prefix", "batch-reports/job-"+created.JobId+"/")...)
	var csvKey string
	hasManifest := false
	for _, o := range listed.Contents {
		hasManifest = hasManifest || o.Key == "batch-reports/job-"+created.JobId+"/manifest.json"
		if strings.HasSuffix(o.Key, ".csv") && strings.Contains(o.Key, "/results/") {
			csvKey = o.Key
		}
	}
	if !hasManifest || csvKey == "" {
		t.Fatalf("report objects: %+v", listed.Contents)
	}
	sh.ok(as(A, "s3", "cp", "s3://"+reports+"/"+csvKey, "results.csv")...)
	rows := strings.Split(strings.TrimSpace(strings.ReplaceAll(sh.read("results.csv"), "\r\n", "\n")), "\n")
	if len(rows) != 12 || !strings.HasPrefix(rows[0], src+",data/existing-") || !strings.HasSuffix(rows[0], ",succeeded,200,,Successful") {
		t.Errorf("report rows (%d): %q", len(rows), rows)
	}
	sh.ok(as(A, "s3", "cp", "s3://"+reports+"/batch-reports/job-"+created.JobId+"/manifest.json", "report.json")...)
	var rm struct {
		Format, ReportSchema string
		Results              []struct{ TaskExecutionStatus, Bucket, Key string }
	}
	if err := json.Unmarshal([]byte(sh.read("report.json")), &rm); err != nil || rm.Format != "Report_CSV_20180820" ||
		len(rm.Results) != 1 || rm.Results[0].TaskExecutionStatus != "succeeded" || rm.Results[0].Key != csvKey {
		t.Errorf("report manifest.json: %v %+v", err, rm)
	}

	// Step 5: a new object replicates live.
	sh.file("new.txt", "uploaded after the migration\n")
	sh.ok(as(A, "s3", "cp", "new.txt", "s3://"+src+"/data/new.txt")...)
	waitStatus(t, sh, as(A, "s3api", "head-object", "--bucket", src, "--key", "data/new.txt"), "COMPLETED")
	sh.ok(as(B, "s3api", "head-object", "--bucket", dst, "--key", "data/new.txt")...)

	// FAILED objects are re-driven by a job filtered on FAILED once the
	// cause is fixed.
	sh.ok(as(B, "s3api", "delete-bucket-policy", "--bucket", dst)...)
	sh.ok(as(A, "s3", "cp", "new.txt", "s3://"+src+"/data/failed.txt")...)
	waitStatus(t, sh, as(A, "s3api", "head-object", "--bucket", src, "--key", "data/failed.txt"), "FAILED")
	sh.ok(as(B, "s3api", "put-bucket-policy", "--bucket", dst, "--policy", "file://destination-policy.json")...)
	failedOnly := strings.Replace(generator, `["NONE","FAILED"]`, `["FAILED"]`, 1)
	sh.json(&created, as(A, "s3control", "create-job", "--account-id", a.AccountID, "--operation", `{"S3ReplicateObject":{}}`,
		"--report", `{"Enabled":false}`, "--manifest-generator", failedOnly, "--priority", "2", "--role-arn", roleARN,
		"--confirmation-required", "--region", "us-east-1")...)
	// With confirmation required the job waits, Suspended, for Ready.
	deadline := time.Now().Add(30 * time.Second)
	for {
		j := describeJob(t, sh, A, a.AccountID, created.JobId)
		if j.Status == "Suspended" {
			if j.ProgressSummary.TotalNumberOfTasks != 1 {
				t.Errorf("FAILED-only manifest: %d tasks", j.ProgressSummary.TotalNumberOfTasks)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job never suspended for confirmation: %+v", j)
		}
		time.Sleep(200 * time.Millisecond)
	}
	sh.ok(as(A, "s3control", "update-job-status", "--account-id", a.AccountID, "--job-id", created.JobId,
		"--requested-job-status", "Ready", "--region", "us-east-1")...)
	if j := waitJob(t, sh, A, a.AccountID, created.JobId); j.Status != "Complete" || j.ProgressSummary.NumberOfTasksSucceeded != 1 {
		t.Fatalf("re-drive job: %+v", j)
	}
	sh.json(&h, as(A, "s3api", "head-object", "--bucket", src, "--key", "data/failed.txt")...)
	if h.ReplicationStatus != "COMPLETED" {
		t.Errorf("re-driven object: %q", h.ReplicationStatus)
	}
	// A finished job cannot change status; list-jobs shows both jobs.
	sh.refused("JobStatusException", as(A, "s3control", "update-job-status", "--account-id", a.AccountID, "--job-id", created.JobId,
		"--requested-job-status", "Cancelled", "--region", "us-east-1")...)
	var jobs struct {
		Jobs []struct{ JobId, Status, Operation string }
	}
	sh.json(&jobs, as(A, "s3control", "list-jobs", "--account-id", a.AccountID, "--job-statuses", "Complete", "--region", "us-east-1")...)
	if len(jobs.Jobs) != 2 || jobs.Jobs[0].Operation != "S3ReplicateObject" {
		t.Errorf("list-jobs: %+v", jobs)
	}
	sh.refused("NotFoundException", as(A, "s3control", "describe-job", "--account-id", a.AccountID, "--job-id", "00000000-0000-0000-0000-000000000000", "--region", "us-east-1")...)
}

// jobView is what `aws s3control describe-job` prints.
type jobView struct {
	JobId, Status   string
	ProgressSummary struct {
		TotalNumberOfTasks, NumberOfTasksSucceeded, NumberOfTasksFailed int
	}
	FailureReasons []struct{ FailureCode, FailureReason string }
}

func describeJob(t *testing.T, sh *shell, profile []string, account, id string) jobView {
	t.Helper()
	var out struct{ Job jobView }
	sh.json(&out, append([]string{"s3control", "describe-job", "--account-id", account, "--job-id", id, "--region", "us-east-1"}, profile...)...)
	return out.Job
}

// waitJob polls describe-job until the job ends.
func waitJob(t *testing.T, sh *shell, profile []string, account, id string) jobView {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		j := describeJob(t, sh, profile, account, id)
		switch j.Status {
		case "Complete", "Failed", "Cancelled":
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s", id, j.Status)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
