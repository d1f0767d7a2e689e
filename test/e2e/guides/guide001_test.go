package guides

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ferrys3/ferry/test/e2e/clients"
)

// The files of guide 001 (S3 cross-account replication), with the guide's
// placeholders.
const (
	trustPolicy = `{
"Version": "2012-10-17",
"Statement": [
{
"Effect": "Allow",
"Principal": {
"Service": "s3.amazonaws.com"
},
"Action": "sts:AssumeRole"
}
]
}
`
	permissionsPolicy = `{
"Version": "2012-10-17",
"Statement": [
{
"Sid": "SourceBucketPermissions",
"Effect": "Allow",
"Action": [
"s3:GetReplicationConfiguration",
"s3:ListBucket"
],
"Resource": "arn:aws:s3:::YOUR-SOURCE-BUCKET-NAME"
},
{
"Sid": "SourceObjectPermissions",
"Effect": "Allow",
"Action": [
"s3:GetObjectVersionForReplication",
"s3:GetObjectVersionAcl",
"s3:GetObjectVersionTagging"
],
"Resource": "arn:aws:s3:::YOUR-SOURCE-BUCKET-NAME/*"
},
{
"Sid": "DestinationBucketPermissions",
"Effect": "Allow",
"Action": [
"s3:ReplicateObject",
"s3:ReplicateDelete",
"s3:ReplicateTags"
],
"Resource": "arn:aws:s3:::YOUR-DESTINATION-BUCKET-NAME/*"
}
]
}
`
	destinationPolicy = `{
"Version": "2012-10-17",
"Statement": [
{
"Sid": "AllowReplicationFromSourceAccount",
"Effect": "Allow",
"Principal": {
"AWS": "arn:aws:iam::SOURCE-ACCOUNT-ID:role/S3CrossAccountReplicationRole"
},
"Action": [
"s3:ReplicateObject",
"s3:ReplicateDelete",
"s3:ReplicateTags",
"s3:ObjectOwnerOverrideToBucketOwner"
],
"Resource": "arn:aws:s3:::YOUR-DESTINATION-BUCKET-NAME/*"
},
{
"Sid": "AllowReplicationVersionCheck",
"Effect": "Allow",
"Principal": {
"AWS": "arn:aws:iam::SOURCE-ACCOUNT-ID:role/S3CrossAccountReplicationRole"
},
"Action": [
"s3:GetBucketVersioning",
"s3:PutBucketVersioning"
],
"Resource": "arn:aws:s3:::YOUR-DESTINATION-BUCKET-NAME"
}
]
}
`

	replicationConfiguration = `{
"Role": "arn:aws:iam::SOURCE-ACCOUNT-ID:role/S3CrossAccountReplicationRole",
"Rules": [
{
"ID": "CrossAccountReplicationRule",
"Status": "Enabled",
"Priority": 1,
"Filter": {},
"Destination": {
"Bucket": "arn:aws:s3:::YOUR-DESTINATION-BUCKET-NAME",
"Account": "DESTINATION-ACCOUNT-ID",
"AccessControlTranslation": {
"Owner": "Destination"
}
},
"DeleteMarkerReplication": {
"Status": "Enabled"
}
}
]
}
`
)

const roleName = "S3CrossAccountReplicationRole"

func TestGuide001CrossAccount(t *testing.T) {
	for _, find := range []func(*testing.T) clients.AWSCLI{clients.FindDebianCLI, clients.FindV1CLI} {
		t.Run("", func(t *testing.T) {
			cli := find(t)
			t.Run(cli.Name, func(t *testing.T) { guide001(t, cli) })
		})
	}
}

func guide001(t *testing.T, cli clients.AWSCLI) {
	endpoint := startFerry(t)
	src, dst := createAccount(t, endpoint, "source"), createAccount(t, endpoint, "destination")
	sh := newShell(t, cli, endpoint, map[string]account{"source-account-profile": src, "destination-account-profile": dst})
	const srcBucket, dstBucket = "guide001-source", "guide001-destination"
	srcP, dstP := []string{"--profile", "source-account-profile"}, []string{"--profile", "destination-account-profile"}
	as := func(p []string, args ...string) []string { return append(args, p...) }
	fill := func(s string) string {
		return strings.NewReplacer("YOUR-SOURCE-BUCKET-NAME", srcBucket, "YOUR-DESTINATION-BUCKET-NAME", dstBucket,
			"SOURCE-ACCOUNT-ID", src.AccountID, "DESTINATION-ACCOUNT-ID", dst.AccountID).Replace(s)
	}
	// Prerequisite: both buckets exist, each in its own account.
	sh.ok(as(srcP, "s3api", "create-bucket", "--bucket", srcBucket)...)
	sh.ok(as(dstP, "s3api", "create-bucket", "--bucket", dstBucket)...)

	// Step 1: versioning on both buckets.
	sh.ok(as(srcP, "s3api", "put-bucket-versioning", "--bucket", srcBucket, "--versioning-configuration", "Status=Enabled")...)
	sh.ok(as(dstP, "s3api", "put-bucket-versioning", "--bucket", dstBucket, "--versioning-configuration", "Status=Enabled")...)
	for _, c := range []struct {
		bucket  string
		profile []string
	}{{srcBucket, srcP}, {dstBucket, dstP}} {
		var v struct{ Status string }
		sh.json(&v, as(c.profile, "s3api", "get-bucket-versioning", "--bucket", c.bucket)...)
		if v.Status != "Enabled" {
			t.Fatalf("versioning of %s = %q", c.bucket, v.Status)
		}
	}

	// Step 2: the replication role in the source account.
	sh.file("trust-policy.json", trustPolicy)
	var created struct {
		Role struct {
			Arn, RoleName, Path, Description string
			AssumeRolePolicyDocument         map[string]any
		}
	}
	sh.json(&created, as(srcP, "iam", "create-role", "--role-name", roleName, "--assume-role-policy-document", "file://trust-policy.json",
		"--description", "Role for S3 cross-account replication")...)
	roleARN := "arn:aws:iam::" + src.AccountID + ":role/" + roleName
	if created.Role.Arn != roleARN || created.Role.Description != "Role for S3 cross-account replication" {
		t.Fatalf("create-role printed %+v, want ARN %s", created.Role, roleARN)
	}
	if st, _ := created.Role.AssumeRolePolicyDocument["Statement"].([]any); len(st) != 1 {
		t.Errorf("the CLI did not decode the trust policy: %+v", created.Role.AssumeRolePolicyDocument)
	}

	// Step 3: the role's permissions policy.
	sh.file("replication-permissions-policy.json", fill(permissionsPolicy))
	sh.ok(as(srcP, "iam", "put-role-policy", "--role-name", roleName, "--policy-name", "S3ReplicationPermissionsPolicy",
		"--policy-document", "file://replication-permissions-policy.json")...)
	var names struct{ PolicyNames []string }
	sh.json(&names, as(srcP, "iam", "list-role-policies", "--role-name", roleName)...)
	if len(names.PolicyNames) != 1 || names.PolicyNames[0] != "S3ReplicationPermissionsPolicy" {
		t.Errorf("list-role-policies = %v", names.PolicyNames)
	}

	// Step 4: the destination bucket policy naming the role.
	sh.file("destination-bucket-policy.json", fill(destinationPolicy))
	sh.ok(as(dstP, "s3api", "put-bucket-policy", "--bucket", dstBucket, "--policy", "file://destination-bucket-policy.json")...)
	var got struct{ Policy string }
	sh.json(&got, as(dstP, "s3api", "get-bucket-policy", "--bucket", dstBucket)...)
	if got.Policy != fill(destinationPolicy) {
		t.Errorf("get-bucket-policy returned %q", got.Policy)
	}

	// Step 5: the replication rule.
	sh.file("replication-configuration.json", fill(replicationConfiguration))
	sh.ok(as(srcP, "s3api", "put-bucket-replication", "--bucket", srcBucket, "--replication-configuration", "file://replication-configuration.json")...)
	var cfg struct {
		ReplicationConfiguration struct {
			Role  string
			Rules []struct {
				ID, Status  string
				Priority    int
				Destination struct{ Bucket, Account string }
			}
		}
	}
	sh.json(&cfg, as(srcP, "s3api", "get-bucket-replication", "--bucket", srcBucket)...)
	if rc := cfg.ReplicationConfiguration; rc.Role != roleARN || len(rc.Rules) != 1 || rc.Rules[0].ID != "CrossAccountReplicationRule" ||
		rc.Rules[0].Destination.Bucket != "arn:aws:s3:::"+dstBucket || rc.Rules[0].Destination.Account != dst.AccountID {
		t.Errorf("get-bucket-replication = %+v", rc)
	}

	// Step 6: a new object replicates.
	sh.file("test-replication.txt", "This is a test file for replication\n")
	sh.ok(as(srcP, "s3", "cp", "test-replication.txt", "s3://"+srcBucket+"/")...)
	waitStatus(t, sh, as(srcP, "s3api", "head-object", "--bucket", srcBucket, "--key", "test-replication.txt"), "COMPLETED")
	if ls := sh.ok(as(dstP, "s3", "ls", "s3://"+dstBucket+"/")...); !strings.Contains(ls.Stdout, "test-replication.txt") {
		t.Errorf("aws s3 ls of the destination:\n%s", ls)
	}
	var srcHead, dstHead struct{ VersionId, ETag, ReplicationStatus string }
	sh.json(&srcHead, as(srcP, "s3api", "head-object", "--bucket", srcBucket, "--key", "test-replication.txt")...)
	sh.json(&dstHead, as(dstP, "s3api", "head-object", "--bucket", dstBucket, "--key", "test-replication.txt")...)
	if dstHead.ReplicationStatus != "REPLICA" || dstHead.VersionId != srcHead.VersionId || dstHead.ETag != srcHead.ETag {
		t.Errorf("replica %+v of source %+v", dstHead, srcHead)
	}
	sh.ok(as(dstP, "s3", "cp", "s3://"+dstBucket+"/test-replication.txt", "replica.txt")...)
	if got := sh.read("replica.txt"); got != "This is a test file for replication\n" {
		t.Errorf("replica bytes %q", got)
	}
	var acl struct{ Owner struct{ ID string } }
	sh.json(&acl, as(dstP, "s3api", "get-object-acl", "--bucket", dstBucket, "--key", "test-replication.txt")...)
	var buckets struct{ Owner struct{ ID string } }
	sh.json(&buckets, as(dstP, "s3api", "list-buckets")...)
	if acl.Owner.ID == "" || acl.Owner.ID != buckets.Owner.ID {
		t.Errorf("replica owner %q, want the destination account", acl.Owner.ID)
	}
	// A delete marker replicates (DeleteMarkerReplication Enabled).
	sh.ok(as(srcP, "s3", "rm", "s3://"+srcBucket+"/test-replication.txt")...)
	waitFor(t, "the delete marker in the destination", func() bool {
		var vs struct {
			DeleteMarkers []struct{ Key, VersionId string }
		}
		sh.json(&vs, as(dstP, "s3api", "list-object-versions", "--bucket", dstBucket)...)
		return len(vs.DeleteMarkers) == 1 && vs.DeleteMarkers[0].Key == "test-replication.txt"
	})
	sh.refused("404", as(dstP, "s3api", "head-object", "--bucket", dstBucket, "--key", "test-replication.txt")...)

	// Troubleshooting: without the destination bucket policy new objects
	// fail with DstPutObjectNotPermitted, and the doctor names the grant.
	sh.ok(as(dstP, "s3api", "delete-bucket-policy", "--bucket", dstBucket)...)
	sh.ok(as(srcP, "s3", "cp", "test-replication.txt", "s3://"+srcBucket+"/after-policy-removed.txt")...)
	waitStatus(t, sh, as(srcP, "s3api", "head-object", "--bucket", srcBucket, "--key", "after-policy-removed.txt"), "FAILED")
	doc := ferryCmd(t, sh.endpoint, "doctor", "replication", srcBucket)
	if doc.Code != 1 || !strings.Contains(doc.Stdout, "FAIL  s3:ReplicateObject on arn:aws:s3:::"+dstBucket+"/*") ||
		!strings.Contains(doc.Stdout, "bucket policy of "+dstBucket) || !strings.Contains(doc.Stdout, roleARN) {
		t.Errorf("ferry doctor replication should fail naming the missing s3:ReplicateObject grant in the bucket policy:\n%s", doc)
	}
	st := ferryCmd(t, sh.endpoint, "replication", "status", srcBucket, "--json")
	var report struct {
		Failed       int
		Destinations []struct {
			Bucket   string
			Failures []struct {
				Reason string
				Count  int
			}
		}
	}
	if err := json.Unmarshal([]byte(st.Stdout), &report); err != nil || report.Failed != 1 || len(report.Destinations) != 1 ||
		len(report.Destinations[0].Failures) != 1 || report.Destinations[0].Failures[0].Reason != "DstPutObjectNotPermitted" {
		t.Errorf("ferry replication status --json: %v\n%s", err, st)
	}
	sh.ok(as(dstP, "s3api", "put-bucket-policy", "--bucket", dstBucket, "--policy", "file://destination-bucket-policy.json")...)
	if r := ferryCmd(t, sh.endpoint, "doctor", "replication", srcBucket); r.Code != 0 {
		t.Errorf("doctor after restoring the policy:\n%s", r)
	}
	if r := ferryCmd(t, sh.endpoint, "replication", "retry", srcBucket); r.Code != 0 || !strings.Contains(r.Stdout, "queued 1 ") {
		t.Errorf("ferry replication retry:\n%s", r)
	}
	waitStatus(t, sh, as(srcP, "s3api", "head-object", "--bucket", srcBucket, "--key", "after-policy-removed.txt"), "COMPLETED")
	sh.ok(as(dstP, "s3api", "head-object", "--bucket", dstBucket, "--key", "after-policy-removed.txt")...)

	// Isolation: neither account can use the other's bucket on its own.
	sh.ok(as(srcP, "s3", "cp", "test-replication.txt", "s3://"+srcBucket+"/")...)
	sh.refused("AccessDenied", as(dstP, "s3api", "list-objects-v2", "--bucket", srcBucket)...)
	sh.refused("AccessDenied", as(dstP, "s3api", "get-object", "--bucket", srcBucket, "--key", "test-replication.txt", "out.txt")...)
	sh.refused("AccessDenied", as(srcP, "s3api", "put-object", "--bucket", dstBucket, "--key", "from-source", "--body", "test-replication.txt")...)
	sh.refused("AccessDenied", as(srcP, "s3api", "get-bucket-policy", "--bucket", dstBucket)...)
	sh.refused("NoSuchEntity", as(dstP, "iam", "get-role", "--role-name", roleName)...) // IAM names resolve in the caller's own account

	// The role's session writes the destination exactly where the bucket
	// policy lets it. S3 assumes the role as s3.amazonaws.com; to act as the
	// role from the CLI, the source account trusts itself too.
	sh.file("trust-policy-with-account.json", `{"Version":"2012-10-17","Statement":[
{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"},
{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+src.AccountID+`:root"},"Action":"sts:AssumeRole"}]}`)
	sh.ok(as(srcP, "iam", "update-assume-role-policy", "--role-name", roleName, "--policy-document", "file://trust-policy-with-account.json")...)
	sh.refused("AccessDenied", as(dstP, "sts", "assume-role", "--role-arn", roleARN, "--role-session-name", "outsider")...)
	var assumed struct {
		Credentials     struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		AssumedRoleUser struct{ Arn string }
	}
	sh.json(&assumed, as(srcP, "sts", "assume-role", "--role-arn", roleARN, "--role-session-name", "guide001")...)
	if want := "arn:aws:sts::" + src.AccountID + ":assumed-role/" + roleName + "/guide001"; assumed.AssumedRoleUser.Arn != want {
		t.Fatalf("assumed-role ARN %q, want %q", assumed.AssumedRoleUser.Arn, want)
	}
	role := sh.withSession(assumed.Credentials.AccessKeyId, assumed.Credentials.SecretAccessKey, assumed.Credentials.SessionToken)
	var who struct{ Arn, Account string }
	role.json(&who, "sts", "get-caller-identity")
	if who.Account != src.AccountID || !strings.HasSuffix(who.Arn, ":assumed-role/"+roleName+"/guide001") {
		t.Errorf("get-caller-identity as the role: %+v", who)
	}
	// The guide's policies grant replication actions only: plain writes,
	// reads and the versioning check (granted by the bucket policy but not
	// by the role's own policy) are refused.
	role.refused("AccessDenied", "s3api", "put-object", "--bucket", dstBucket, "--key", "inbox/a.txt", "--body", "test-replication.txt")
	role.refused("AccessDenied", "s3api", "get-bucket-versioning", "--bucket", dstBucket)
	role.refused("AccessDenied", "s3api", "list-objects-v2", "--bucket", dstBucket)

	// Grant s3:PutObject on inbox/ in the bucket policy and s3:PutObject plus
	// the versioning check in the role's policy: exactly those now work.
	sh.file("destination-bucket-policy-inbox.json", strings.Replace(fill(destinationPolicy), `"Statement": [`,
		`"Statement": [{"Sid":"Inbox","Effect":"Allow","Principal":{"AWS":"`+roleARN+`"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::`+dstBucket+`/inbox/*"},`, 1))
	sh.ok(as(dstP, "s3api", "put-bucket-policy", "--bucket", dstBucket, "--policy", "file://destination-bucket-policy-inbox.json")...)
	sh.file("session-test-policy.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject","s3:GetBucketVersioning"],"Resource":["arn:aws:s3:::`+dstBucket+`","arn:aws:s3:::`+dstBucket+`/*"]}]}`)
	sh.ok(as(srcP, "iam", "put-role-policy", "--role-name", roleName, "--policy-name", "SessionTest", "--policy-document", "file://session-test-policy.json")...)
	role.ok("s3api", "put-object", "--bucket", dstBucket, "--key", "inbox/a.txt", "--body", "test-replication.txt")
	role.refused("AccessDenied", "s3api", "put-object", "--bucket", dstBucket, "--key", "elsewhere/a.txt", "--body", "test-replication.txt")
	var v struct{ Status string }
	role.json(&v, "s3api", "get-bucket-versioning", "--bucket", dstBucket)
	if v.Status != "Enabled" {
		t.Errorf("versioning seen by the role: %q", v.Status)
	}
	role.refused("AccessDenied", "s3api", "get-object", "--bucket", dstBucket, "--key", "inbox/a.txt", "out.txt")
	// The destination account owns what the role wrote into its bucket.
	var head struct{ ContentLength int64 }
	sh.json(&head, as(dstP, "s3api", "head-object", "--bucket", dstBucket, "--key", "inbox/a.txt")...)
	if head.ContentLength != int64(len("This is a test file for replication\n")) {
		t.Errorf("head-object as the destination owner: %+v", head)
	}

	// Cleanup: a role with policies cannot be deleted.
	r := sh.run(as(srcP, "iam", "delete-role", "--role-name", roleName)...)
	if r.Code != cli.ErrExit && r.Code != 254 || !strings.Contains(r.Stderr, "DeleteConflict") {
		t.Errorf("delete-role with policies: want DeleteConflict, got:\n%s", r)
	}
	sh.ok(as(srcP, "iam", "delete-role-policy", "--role-name", roleName, "--policy-name", "S3ReplicationPermissionsPolicy")...)
	sh.ok(as(srcP, "iam", "delete-role-policy", "--role-name", roleName, "--policy-name", "SessionTest")...)
	sh.ok(as(srcP, "iam", "delete-role", "--role-name", roleName)...)
	sh.refused("NoSuchEntity", as(srcP, "iam", "get-role", "--role-name", roleName)...)
	// The role's sessions end with it.
	role.refused("InvalidAccessKeyId", "s3api", "put-object", "--bucket", dstBucket, "--key", "inbox/b.txt", "--body", "test-replication.txt")
	sh.ok(as(dstP, "s3api", "delete-bucket-policy", "--bucket", dstBucket)...)
}
