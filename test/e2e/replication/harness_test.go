// Package replication tests live replication end to end with
// aws-sdk-go-v2: crash recovery of a backlog (a real ferry process killed
// with SIGKILL), a destination region that goes away and comes back, and
// versions deleted before they replicate.
package replication

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const (
	operatorKey    = "AKIAOPERATOR00000002"
	operatorSecret = "operatorsecretoperatorsecret0000000002"
)

var ferryBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ferry-e2e-replication-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ferryBin = filepath.Join(dir, "ferry")
	build := exec.Command("go", "build", "-o", ferryBin, "github.com/ferrys3/ferry/cmd/ferry")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build ferry:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a ferry server running as a child process.
type proc struct {
	cmd *exec.Cmd
	url string
	log *bytes.Buffer
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startProc runs `ferry server` on dataDir at addr and waits until it is ready.
func startProc(t *testing.T, dataDir, addr string, extra ...string) *proc {
	t.Helper()
	args := append([]string{"server", "--data-dir", dataDir, "--listen", addr, "--log-level", "warn"}, extra...)
	cmd := exec.Command(ferryBin, args...)
	cmd.Env = append(os.Environ(), "FERRY_ROOT_ACCESS_KEY_ID="+operatorKey, "FERRY_ROOT_SECRET_ACCESS_KEY="+operatorSecret)
	p := &proc{cmd: cmd, url: "http://" + addr, log: &bytes.Buffer{}}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		if t.Failed() {
			t.Logf("ferry log:\n%s", tail(p.log.String(), 40))
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.url + "/_ferry/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("ferry did not become ready: %v\n%s", err, p.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL: no shutdown code runs.
func (p *proc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func awsConfig(region string) aws.Config {
	return aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(operatorKey, operatorSecret, "")}
}

func s3Client(endpoint, region string) *s3.Client {
	return s3.NewFromConfig(awsConfig(region), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
	})
}

func iamClient(endpoint string) *iam.Client {
	return iam.NewFromConfig(awsConfig("us-east-1"), func(o *iam.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// setup creates src (at srcURL) and dst (at dstURL, in dstRegion), turns
// versioning on, creates a role S3 may assume with the permissions the
// guides give it, and a rule replicating everything from src to dst.
func setup(t *testing.T, srcURL, dstURL, dstRegion, src, dst string) {
	t.Helper()
	ctx := context.Background()
	sc, dc := s3Client(srcURL, "us-east-1"), s3Client(dstURL, dstRegion)
	must(t, "create source", func() error {
		_, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &src})
		return err
	})
	must(t, "create destination", func() error {
		in := &s3.CreateBucketInput{Bucket: &dst}
		if dstRegion != "us-east-1" {
			in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(dstRegion)}
		}
		_, err := dc.CreateBucket(ctx, in)
		return err
	})
	for _, c := range []struct {
		cl *s3.Client
		b  string
	}{{sc, src}, {dc, dst}} {
		must(t, "versioning", func() error {
			_, err := c.cl.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(c.b),
				VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
			return err
		})
	}
	ic := iamClient(srcURL)
	var roleARN string
	must(t, "create role", func() error {
		out, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("replication-" + src),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
		if err == nil {
			roleARN = *out.Role.Arn
		}
		return err
	})
	must(t, "role policy", func() error {
		_, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("replication-" + src), PolicyName: aws.String("replicate"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
{"Effect":"Allow","Action":["s3:GetReplicationConfiguration","s3:ListBucket"],"Resource":"arn:aws:s3:::` + src + `"},
{"Effect":"Allow","Action":["s3:GetObjectVersionForReplication","s3:GetObjectVersionAcl","s3:GetObjectVersionTagging"],"Resource":"arn:aws:s3:::` + src + `/*"},
{"Effect":"Allow","Action":["s3:ReplicateObject","s3:ReplicateDelete","s3:ReplicateTags"],"Resource":"arn:aws:s3:::` + dst + `/*"}]}`)})
		return err
	})
	must(t, "replication rule", func() error {
		_, err := sc.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: &src,
			ReplicationConfiguration: &types.ReplicationConfiguration{Role: &roleARN, Rules: []types.ReplicationRule{{
				ID: aws.String("all"), Status: types.ReplicationRuleStatusEnabled, Priority: aws.Int32(1),
				Filter:                  &types.ReplicationRuleFilter{Prefix: aws.String("")},
				DeleteMarkerReplication: &types.DeleteMarkerReplication{Status: types.DeleteMarkerReplicationStatusEnabled},
				Destination:             &types.Destination{Bucket: aws.String("arn:aws:s3:::" + dst)},
			}}}})
		return err
	})
}

func must(t *testing.T, what string, fn func() error) {
	t.Helper()
	if err := fn(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// status runs `ferry replication status BUCKET --json`.
type report struct {
	Pending, Completed, Failed, Replicas int64
}

func status(t *testing.T, endpoint, bucket string) report {
	t.Helper()
	cmd := exec.Command(ferryBin, "replication", "status", bucket, "--json", "--endpoint", endpoint)
	cmd.Env = append(os.Environ(), "FERRY_ROOT_ACCESS_KEY_ID="+operatorKey, "FERRY_ROOT_SECRET_ACCESS_KEY="+operatorSecret)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ferry replication status: %v\n%s", err, out)
	}
	var r report
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("decode status: %v\n%s", err, out)
	}
	return r
}
