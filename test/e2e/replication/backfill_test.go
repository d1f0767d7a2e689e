package replication

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// ferry runs the admin CLI against endpoint.
func ferry(t *testing.T, endpoint string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(ferryBin, append(args, "--endpoint", endpoint)...)
	cmd.Env = append(os.Environ(), "FERRY_ROOT_ACCESS_KEY_ID="+operatorKey, "FERRY_ROOT_SECRET_ACCESS_KEY="+operatorSecret)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), code
}

// TestBackfillExistingObjects: objects written before the rule existed are
// not replicated live; `ferry replication backfill` runs a Batch
// Replication job (generated manifest, the rule's role trusted by
// batchoperations.s3.amazonaws.com) that replicates every one of them.
func TestBackfillExistingObjects(t *testing.T) {
	ctx := context.Background()
	p := startProc(t, t.TempDir(), freeAddr(t))
	setup(t, p.url, p.url, "us-east-1", "bf-src", "bf-dst")
	c := s3Client(p.url, "us-east-1")
	cfg, err := c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String("bf-src")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucketReplication(ctx, &s3.DeleteBucketReplicationInput{Bucket: aws.String("bf-src")}); err != nil {
		t.Fatal(err)
	}
	const n = 300
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bf-src"), Key: aws.String(fmt.Sprintf("old/%03d", i)),
					Body: strings.NewReader(fmt.Sprintf("existing object %d", i))}); err != nil {
					t.Error(err)
				}
			}
		}(w)
	}
	wg.Wait()
	if _, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: aws.String("bf-src"),
		ReplicationConfiguration: cfg.ReplicationConfiguration}); err != nil {
		t.Fatal(err)
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bf-src"), Key: aws.String("old/000")})
	if err != nil || h.ReplicationStatus != "" {
		t.Fatalf("an existing object before the backfill: %v %q", err, h.ReplicationStatus)
	}
	// The role must trust Batch Operations and allow s3:InitiateReplication.
	ic := iamClient(p.url)
	role := "replication-bf-src"
	if _, err := ic.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(role), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["s3.amazonaws.com","batchoperations.s3.amazonaws.com"]},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	out, code := ferry(t, p.url, "replication", "backfill", "bf-src")
	if code == 0 || !strings.Contains(out, "InitiateReplicationNotPermitted") && !strings.Contains(out, "failed") {
		t.Fatalf("backfill without s3:InitiateReplication should fail its tasks:\n%s", out)
	}
	if _, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("batch"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:InitiateReplication","Resource":"arn:aws:s3:::bf-src/*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	out, code = ferry(t, p.url, "replication", "backfill", "bf-src")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%d/%d", n, n)) || !strings.Contains(out, "status Complete") {
		t.Fatalf("ferry replication backfill:\n%s", out)
	}
	for i := 0; i < n; i++ {
		key := fmt.Sprintf("old/%03d", i)
		src, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bf-src"), Key: aws.String(key)})
		if err != nil || src.ReplicationStatus != types.ReplicationStatusCompleted {
			t.Fatalf("%s on the source after the backfill: %v %q", key, err, src.ReplicationStatus)
		}
		dst, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bf-dst"), Key: aws.String(key)})
		if err != nil || dst.ReplicationStatus != types.ReplicationStatusReplica || aws.ToString(dst.VersionId) != aws.ToString(src.VersionId) {
			t.Fatalf("%s in the destination: %v %+v", key, err, dst)
		}
	}
	// Nothing left: a second backfill has no task.
	out, code = ferry(t, p.url, "replication", "backfill", "bf-src")
	if code != 0 || !strings.Contains(out, "0/0") {
		t.Errorf("second backfill:\n%s", out)
	}
}
