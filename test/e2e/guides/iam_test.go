package guides

import (
	"strings"
	"testing"

	"github.com/ferrys3/ferry/test/e2e/clients"
)

// TestIAMWithCLI drives the IAM surface the guides lean on (users, groups,
// access keys, managed policies and their versions, simulation) with both
// AWS CLIs, and checks what they print.
func TestIAMWithCLI(t *testing.T) {
	for _, find := range []func(*testing.T) clients.AWSCLI{clients.FindDebianCLI, clients.FindV1CLI} {
		t.Run("", func(t *testing.T) {
			cli := find(t)
			t.Run(cli.Name, func(t *testing.T) { iamWithCLI(t, cli) })
		})
	}
}

func iamWithCLI(t *testing.T, cli clients.AWSCLI) {
	endpoint := startFerry(t)
	acct := createAccount(t, endpoint, "team")
	sh := newShell(t, cli, endpoint, map[string]account{"default": acct})

	// A user in a group, with a key of its own.
	sh.ok("iam", "create-user", "--user-name", "alice")
	sh.ok("iam", "create-group", "--group-name", "readers")
	sh.ok("iam", "add-user-to-group", "--group-name", "readers", "--user-name", "alice")
	var group struct {
		Group struct{ GroupName, Arn string }
		Users []struct{ UserName string }
	}
	sh.json(&group, "iam", "get-group", "--group-name", "readers")
	if group.Group.Arn != "arn:aws:iam::"+acct.AccountID+":group/readers" || len(group.Users) != 1 || group.Users[0].UserName != "alice" {
		t.Errorf("get-group: %+v", group)
	}
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey, Status string }
	}
	sh.json(&key, "iam", "create-access-key", "--user-name", "alice")
	if key.AccessKey.Status != "Active" || !strings.HasPrefix(key.AccessKey.AccessKeyId, "AKIA") {
		t.Fatalf("create-access-key: %+v", key)
	}
	alice := sh.withSession(key.AccessKey.AccessKeyId, key.AccessKey.SecretAccessKey, "")
	alice.env = withoutVars(alice.env, "AWS_SESSION_TOKEN")
	var who struct{ Arn string }
	alice.json(&who, "sts", "get-caller-identity")
	if who.Arn != "arn:aws:iam::"+acct.AccountID+":user/alice" {
		t.Errorf("alice is %q", who.Arn)
	}

	// Alice may do nothing until the group's managed policy allows it.
	sh.ok("s3api", "create-bucket", "--bucket", "team-data")
	sh.file("report.txt", "q3\n")
	sh.ok("s3", "cp", "report.txt", "s3://team-data/reports/q3.txt")
	alice.refused("AccessDenied", "s3api", "get-object", "--bucket", "team-data", "--key", "reports/q3.txt", "out.txt")
	sh.file("read.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::team-data","arn:aws:s3:::team-data/reports/*"]}]}`)
	var created struct {
		Policy struct{ Arn, DefaultVersionId string }
	}
	sh.json(&created, "iam", "create-policy", "--policy-name", "TeamRead", "--policy-document", "file://read.json")
	arn := created.Policy.Arn
	if arn != "arn:aws:iam::"+acct.AccountID+":policy/TeamRead" || created.Policy.DefaultVersionId != "v1" {
		t.Fatalf("create-policy: %+v", created)
	}
	sh.ok("iam", "attach-group-policy", "--group-name", "readers", "--policy-arn", arn)
	var attached struct {
		AttachedPolicies []struct{ PolicyName, PolicyArn string }
	}
	sh.json(&attached, "iam", "list-attached-group-policies", "--group-name", "readers")
	if len(attached.AttachedPolicies) != 1 || attached.AttachedPolicies[0].PolicyArn != arn {
		t.Errorf("list-attached-group-policies: %+v", attached)
	}
	alice.ok("s3api", "get-object", "--bucket", "team-data", "--key", "reports/q3.txt", "out.txt")
	alice.refused("AccessDenied", "s3api", "put-object", "--bucket", "team-data", "--key", "reports/q4.txt", "--body", "report.txt")

	// A new default version takes effect at once; the document comes back decoded.
	sh.file("read-write.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::team-data/reports/*"}]}`)
	sh.ok("iam", "create-policy-version", "--policy-arn", arn, "--policy-document", "file://read-write.json", "--set-as-default")
	alice.ok("s3api", "put-object", "--bucket", "team-data", "--key", "reports/q4.txt", "--body", "report.txt")
	var version struct {
		PolicyVersion struct {
			VersionId        string
			IsDefaultVersion bool
			Document         map[string]any
		}
	}
	sh.json(&version, "iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v2")
	if !version.PolicyVersion.IsDefaultVersion || version.PolicyVersion.Document["Version"] != "2012-10-17" {
		t.Errorf("get-policy-version: %+v", version)
	}
	var sim struct {
		EvaluationResults []struct{ EvalActionName, EvalDecision string }
	}
	sh.json(&sim, "iam", "simulate-principal-policy", "--policy-source-arn", "arn:aws:iam::"+acct.AccountID+":user/alice",
		"--action-names", "s3:PutObject", "s3:DeleteObject", "--resource-arns", "arn:aws:s3:::team-data/reports/q5.txt")
	got := map[string]string{}
	for _, r := range sim.EvaluationResults {
		got[r.EvalActionName] = r.EvalDecision
	}
	if got["s3:PutObject"] != "allowed" || got["s3:DeleteObject"] != "implicitDeny" {
		t.Errorf("simulate-principal-policy: %v", got)
	}

	// Cleanup in the order IAM insists on.
	r := sh.run("iam", "delete-policy", "--policy-arn", arn)
	if r.Code == 0 || !strings.Contains(r.Stderr, "DeleteConflict") {
		t.Errorf("delete-policy while attached: %s", r)
	}
	sh.ok("iam", "detach-group-policy", "--group-name", "readers", "--policy-arn", arn)
	sh.ok("iam", "delete-policy-version", "--policy-arn", arn, "--version-id", "v1")
	sh.ok("iam", "delete-policy", "--policy-arn", arn)
	sh.refused("DeleteConflict", "iam", "delete-group", "--group-name", "readers")
	sh.ok("iam", "remove-user-from-group", "--group-name", "readers", "--user-name", "alice")
	sh.ok("iam", "delete-group", "--group-name", "readers")
	sh.refused("DeleteConflict", "iam", "delete-user", "--user-name", "alice")
	sh.ok("iam", "delete-access-key", "--user-name", "alice", "--access-key-id", key.AccessKey.AccessKeyId)
	sh.ok("iam", "delete-user", "--user-name", "alice")
	alice.refused("InvalidClientTokenId", "sts", "get-caller-identity")
}
