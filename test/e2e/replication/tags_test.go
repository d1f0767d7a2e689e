package replication

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ferrys3/ferry/test/e2e/clients"
)

// TestTagChangesReplicate: with both AWS CLIs, put-object-tagging and
// delete-object-tagging on a replicated source object show up on the
// replica (get-object-tagging on the destination), and head-object on the
// source ends COMPLETED.
func TestTagChangesReplicate(t *testing.T) {
	p := startProc(t, t.TempDir(), freeAddr(t))
	for i, find := range []func(*testing.T) clients.AWSCLI{clients.FindDebianCLI, clients.FindV1CLI} {
		cli := find(t)
		src, dst := "tags-src-"+string(rune('a'+i)), "tags-dst-"+string(rune('a'+i))
		t.Run(cli.Name, func(t *testing.T) {
			setup(t, p.url, p.url, "us-east-1", src, dst)
			run := func(args ...string) string {
				t.Helper()
				if cli.EndpointFlag {
					args = append([]string{"--endpoint-url", p.url}, args...)
				}
				cmd := exec.Command(cli.Exe, args...)
				cmd.Env = clients.Env(t, operatorKey, operatorSecret, "us-east-1")
				if !cli.EndpointFlag {
					cmd.Env = append(cmd.Env, "AWS_ENDPOINT_URL="+p.url)
				}
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				return string(out)
			}
			tagsOf := func(bucket string) string {
				var r struct{ TagSet []struct{ Key, Value string } }
				if err := json.Unmarshal([]byte(run("s3api", "get-object-tagging", "--bucket", bucket, "--key", "report.csv")), &r); err != nil {
					t.Fatal(err)
				}
				var kv []string
				for _, tag := range r.TagSet {
					kv = append(kv, tag.Key+"="+tag.Value)
				}
				return strings.Join(kv, ",")
			}
			waitFor := func(what, want string, get func() string) {
				t.Helper()
				deadline := time.Now().Add(20 * time.Second)
				got := get()
				for got != want && time.Now().Before(deadline) {
					time.Sleep(100 * time.Millisecond)
					got = get()
				}
				if got != want {
					t.Fatalf("%s = %q, want %q", what, got, want)
				}
			}
			head := func() string {
				h, err := s3Client(p.url, "us-east-1").HeadObject(context.Background(),
					&s3.HeadObjectInput{Bucket: aws.String(src), Key: aws.String("report.csv")})
				if err != nil {
					t.Fatal(err)
				}
				return string(h.ReplicationStatus)
			}
			run("s3api", "put-object", "--bucket", src, "--key", "report.csv", "--tagging", "stage=draft")
			waitFor("source status", string(types.ReplicationStatusCompleted), head)
			waitFor("replica tags", "stage=draft", func() string { return tagsOf(dst) })

			run("s3api", "put-object-tagging", "--bucket", src, "--key", "report.csv",
				"--tagging", "TagSet=[{Key=stage,Value=final},{Key=owner,Value=finance}]")
			waitFor("replica tags after put-object-tagging", tagsOf(src), func() string { return tagsOf(dst) })
			waitFor("source status after the tag change", string(types.ReplicationStatusCompleted), head)

			run("s3api", "delete-object-tagging", "--bucket", src, "--key", "report.csv")
			waitFor("replica tags after delete-object-tagging", "", func() string { return tagsOf(dst) })
			waitFor("source status after deleting the tags", string(types.ReplicationStatusCompleted), head)
		})
	}
}
