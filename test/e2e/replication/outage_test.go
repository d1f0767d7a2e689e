package replication

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ferrys3/ferry/internal/app"
)

// outage is how long the destination region stays unreachable.
const outage = time.Minute

// TestDestinationRegionOutage: eu-west-1's endpoint closes for a minute.
// Writes to us-east-1 keep succeeding and stay PENDING; when the region
// returns every version replicates, each key's versions arriving in the
// order they were written. A version deleted from the source before its
// turn is skipped, not failed.
func TestDestinationRegionOutage(t *testing.T) {
	ctx := context.Background()
	cfg := &app.ServerConfig{DataDir: t.TempDir(), Listen: "127.0.0.1:0", LogLevel: "warn", LogFormat: "text",
		RootAccessKey: operatorKey, RootSecretKey: operatorSecret, InlineMax: 128 << 10, NoSync: true}
	if err := cfg.SetRegions([]app.RegionConfig{{Name: "us-east-1", Listen: "127.0.0.1:0"}, {Name: "eu-west-1", Listen: freeAddr(t)}}); err != nil {
		t.Fatal(err)
	}
	srv, err := app.StartServer(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close(10 * time.Second) })
	us, eu := srv.RegionURL("us-east-1"), srv.RegionURL("eu-west-1")
	setup(t, us, eu, "eu-west-1", "outage-src", "outage-dst")
	sc, dc := s3Client(us, "us-east-1"), s3Client(eu, "eu-west-1")

	if err := srv.SuspendRegion("eu-west-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(eu + "/_ferry/health/live"); err == nil {
		t.Fatal("eu-west-1 still answers while suspended")
	}
	// Ten keys with three versions each, and one version deleted before it
	// could replicate.
	written := map[string][]string{}
	for round := 0; round < 3; round++ {
		for k := 0; k < 10; k++ {
			key := fmt.Sprintf("key-%d", k)
			out, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("outage-src"), Key: aws.String(key),
				Body: strings.NewReader(fmt.Sprintf("%s round %d", key, round))})
			if err != nil {
				t.Fatal(err)
			}
			written[key] = append(written[key], aws.ToString(out.VersionId))
		}
	}
	gone, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("outage-src"), Key: aws.String("deleted-early"), Body: strings.NewReader("x")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("outage-src"), Key: aws.String("deleted-early"), VersionId: gone.VersionId}); err != nil {
		t.Fatal(err)
	}

	// While the region is away everything stays PENDING.
	until := time.Now().Add(outage)
	for time.Now().Before(until) {
		for key, vs := range written {
			h, err := sc.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("outage-src"), Key: aws.String(key), VersionId: aws.String(vs[0])})
			if err != nil {
				t.Fatal(err)
			}
			if h.ReplicationStatus != "PENDING" {
				t.Fatalf("%s during the outage: %q, want PENDING", key, h.ReplicationStatus)
			}
		}
		time.Sleep(min(5*time.Second, time.Until(until)))
	}
	if r := status(t, us, "outage-src"); r.Pending != 30 || r.Failed != 0 {
		t.Fatalf("after the outage: %+v, want 30 pending", r)
	}

	if err := srv.ResumeRegion("eu-west-1"); err != nil {
		t.Fatal(err)
	}
	// Each key's replicas arrive in write order: whatever the destination
	// holds is always a prefix of what was written.
	deadline := time.Now().Add(time.Minute)
	for {
		complete := 0
		for key, vs := range written {
			out, err := dc.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("outage-dst"), Prefix: aws.String(key)})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range out.Versions {
				if aws.ToString(v.Key) == key {
					got = append(got, aws.ToString(v.VersionId))
				}
			}
			slices.Reverse(got) // listed newest first
			if !slices.Equal(got, vs[:len(got)]) {
				t.Fatalf("%s: destination holds %v, not a prefix of the written %v", key, got, vs)
			}
			if len(got) == len(vs) {
				complete++
			}
		}
		if complete == len(written) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d keys replicated a minute after the region returned", complete, len(written))
		}
		time.Sleep(20 * time.Millisecond)
	}
	for key, vs := range written {
		h, err := sc.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("outage-src"), Key: aws.String(key)})
		if err != nil || h.ReplicationStatus != "COMPLETED" || aws.ToString(h.VersionId) != vs[2] {
			t.Errorf("%s after the outage: %v %+v", key, err, h)
		}
		g, err := dc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("outage-dst"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(g.Body)
		g.Body.Close()
		if string(b) != key+" round 2" || aws.ToString(g.VersionId) != vs[2] {
			t.Errorf("%s current replica %q version %s", key, b, aws.ToString(g.VersionId))
		}
	}
	// The version deleted before it replicated is skipped, not failed.
	waitMetric(t, us, `ferry_replication_operations_skipped_total{destination_bucket="outage-dst",rule_id="all",source_bucket="outage-src"} 1`)
	if r := status(t, us, "outage-src"); r.Pending != 0 || r.Failed != 0 || r.Completed != 30 {
		t.Errorf("final status %+v", r)
	}
	if _, err := dc.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("outage-dst"), Key: aws.String("deleted-early")}); err == nil {
		t.Error("the deleted version was replicated")
	}
}

// waitMetric waits until /metrics shows line.
func waitMetric(t *testing.T, endpoint, line string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var body []byte
	for time.Now().Before(deadline) {
		resp, err := http.Get(endpoint + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), line) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	var repl []string
	for _, l := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(l, "ferry_replication") {
			repl = append(repl, l)
		}
	}
	t.Fatalf("metric %q not found; replication metrics:\n%s", line, strings.Join(repl, "\n"))
}
