package guides

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrys3/ferry/test/e2e/clients"
)

// Guide 003 sets up cross-region replication within one account: buckets
// in us-east-1 and eu-west-1, versioning, a role S3 can assume, and a rule
// applying to all objects. ferry hosts both regions in one server, each on
// its own endpoint with its own data root.
func TestGuide003CrossRegion(t *testing.T) {
	for _, find := range []func(*testing.T) clients.AWSCLI{clients.FindDebianCLI, clients.FindV1CLI} {
		t.Run("", func(t *testing.T) {
			cli := find(t)
			t.Run(cli.Name, func(t *testing.T) { guide003(t, cli) })
		})
	}
}

const (
	// The permissions the console attaches to the role it creates.
	crrRolePolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"], "Resource": ["arn:aws:s3:::SRC"]},
    {"Effect": "Allow", "Action": ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"], "Resource": ["arn:aws:s3:::SRC/*"]},
    {"Effect": "Allow", "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], "Resource": "arn:aws:s3:::DST/*"}
  ]
}`
	crrConfig = `{
  "Role": "arn:aws:iam::ACCOUNT:role/service-role/s3crr_role_for_mysourcebucket023",
  "Rules": [
    {"ID": "replicate-all", "Status": "Enabled", "Priority": 1, "Filter": {"Prefix": ""},
     "DeleteMarkerReplication": {"Status": "Disabled"},
     "Destination": {"Bucket": "arn:aws:s3:::DST"}}
  ]
}`
)

func guide003(t *testing.T, cli clients.AWSCLI) {
	dataDir := t.TempDir()
	srv := startFerryRegions(t, dataDir, "us-east-1", "eu-west-1")
	usURL, euURL := srv.RegionURL("us-east-1"), srv.RegionURL("eu-west-1")
	owner := createAccount(t, usURL, "crr")
	profiles := map[string]account{"default": owner}
	us := newRegionShell(t, cli, usURL, "us-east-1", profiles)
	eu := newRegionShell(t, cli, euURL, "eu-west-1", profiles)
	eu.dir = us.dir
	const src, dst = "mysourcebucket023", "mydestinationbucket023"
	fill := strings.NewReplacer("SRC", src, "DST", dst, "ACCOUNT", owner.AccountID).Replace

	// Step 3/4: the source bucket in us-east-1 and the destination in
	// eu-west-1, each with versioning (the guide's second command names
	// "my_bucket", which no S3 accepts; the bucket it created is meant).
	us.ok("s3", "mb", "s3://"+src)
	eu.ok("s3", "mb", "s3://"+dst, "--region", "eu-west-1")
	us.ok("s3api", "put-bucket-versioning", "--bucket", src, "--versioning-configuration", "Status=Enabled")
	eu.ok("s3api", "put-bucket-versioning", "--bucket", dst, "--versioning-configuration", "Status=Enabled")
	var loc struct{ LocationConstraint string }
	eu.json(&loc, "s3api", "get-bucket-location", "--bucket", dst)
	if loc.LocationConstraint != "eu-west-1" {
		t.Errorf("destination location %q", loc.LocationConstraint)
	}
	// Each region's endpoint serves its own buckets only.
	us.refused("301", "s3api", "head-bucket", "--bucket", dst)
	us.refused("IllegalLocationConstraintException", "s3api", "create-bucket", "--bucket", "elsewhere023",
		"--create-bucket-configuration", "LocationConstraint=eu-west-1")
	if ls := us.ok("s3", "ls"); !strings.Contains(ls.Stdout, src) || !strings.Contains(ls.Stdout, dst) {
		t.Errorf("aws s3 ls lists the account's buckets of every region:\n%s", ls)
	}

	// Step 5: a role S3 can assume, with the replication permissions.
	us.file("trust.json", trustPolicy)
	us.ok("iam", "create-role", "--role-name", "s3crr_role_for_"+src, "--path", "/service-role/",
		"--assume-role-policy-document", "file://trust.json")
	us.file("role-policy.json", fill(crrRolePolicy))
	us.ok("iam", "put-role-policy", "--role-name", "s3crr_role_for_"+src, "--policy-name", "s3crr_for_"+src,
		"--policy-document", "file://role-policy.json")

	// Step 6: the rule, applying to all objects.
	us.file("replication.json", fill(crrConfig))
	us.ok("s3api", "put-bucket-replication", "--bucket", src, "--replication-configuration", "file://replication.json")

	// Objects uploaded now appear in the destination region.
	us.file("small.txt", "hello from us-east-1\n")
	big := strings.Repeat("0123456789abcdef", 16<<10) // 256 KiB: stored as a blob, not inline
	us.file("big.bin", big)
	us.ok("s3", "cp", "small.txt", "s3://"+src+"/docs/small.txt")
	us.ok("s3", "cp", "big.bin", "s3://"+src+"/big.bin")
	for _, key := range []string{"docs/small.txt", "big.bin"} {
		waitStatus(t, us, []string{"s3api", "head-object", "--bucket", src, "--key", key}, "COMPLETED")
		var h struct{ ReplicationStatus, ContentType string }
		eu.json(&h, "s3api", "head-object", "--bucket", dst, "--key", key)
		if h.ReplicationStatus != "REPLICA" {
			t.Errorf("%s in eu-west-1: %+v", key, h)
		}
	}
	if ls := eu.ok("s3", "ls", "s3://"+dst+"/", "--recursive"); !strings.Contains(ls.Stdout, "docs/small.txt") || !strings.Contains(ls.Stdout, "big.bin") {
		t.Errorf("aws s3 ls of the destination:\n%s", ls)
	}
	eu.ok("s3", "cp", "s3://"+dst+"/big.bin", "big-replica.bin")
	if us.read("big-replica.bin") != big {
		t.Error("the replica's bytes differ")
	}
	// The replica's data lives in eu-west-1's data root.
	if n := countFiles(t, filepath.Join(dataDir, "regions", "eu-west-1", "data", "blobs")); n != 1 {
		t.Errorf("eu-west-1 holds %d blobs, want the one replica", n)
	}
	// With DeleteMarkerReplication disabled, a delete stays in its region.
	us.ok("s3", "rm", "s3://"+src+"/docs/small.txt")
	eu.ok("s3api", "head-object", "--bucket", dst, "--key", "docs/small.txt")

	// Cleanup as the guide's companion steps would.
	us.ok("s3api", "delete-bucket-replication", "--bucket", src)
	us.refused("ReplicationConfigurationNotFoundError", "s3api", "get-bucket-replication", "--bucket", src)
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
