package replication

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const backlog = 10000

// TestCrashMidBacklog: 10,000 objects queued while replication is paused,
// then the server is killed with SIGKILL in the middle of draining them.
// After a restart every object replicates exactly once — the same version
// ID, byte-identical — and nothing is left PENDING.
func TestCrashMidBacklog(t *testing.T) {
	ctx := context.Background()
	dir, addr := t.TempDir(), freeAddr(t)
	p := startProc(t, dir, addr, "--replication-workers", "0")
	setup(t, p.url, p.url, "us-east-1", "crash-src", "crash-dst")
	c := s3Client(p.url, "us-east-1")

	versions := make([]string, backlog)
	body := func(i int) []byte { return bytes.Repeat([]byte(fmt.Sprintf("object %05d|", i)), 4096/13+1)[:4096] }
	work := make(chan int)
	var wg sync.WaitGroup
	var errOnce sync.Once
	var putErr error
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("crash-src"), Key: aws.String(fmt.Sprintf("k/%05d", i)),
					Body: bytes.NewReader(body(i))})
				if err != nil {
					errOnce.Do(func() { putErr = err })
					continue
				}
				versions[i] = aws.ToString(out.VersionId)
			}
		}()
	}
	for i := 0; i < backlog; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	if putErr != nil {
		t.Fatalf("PUT: %v", putErr)
	}
	if r := status(t, p.url, "crash-src"); r.Pending != backlog || r.Completed != 0 {
		t.Fatalf("with replication paused: %+v, want %d pending", r, backlog)
	}

	// Drain with workers, and kill the process part-way through.
	p.kill(t)
	p = startProc(t, dir, addr)
	var atKill report
	deadline := time.Now().Add(2 * time.Minute)
	for {
		r := status(t, p.url, "crash-src")
		if r.Completed >= 500 {
			p.kill(t)
			atKill = r
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no progress: %+v", r)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if atKill.Pending == 0 {
		t.Fatalf("the backlog drained before the kill (%+v): nothing was interrupted", atKill)
	}
	t.Logf("killed with %d completed, %d pending", atKill.Completed, atKill.Pending)

	p = startProc(t, dir, addr)
	deadline = time.Now().Add(3 * time.Minute)
	var r report
	for {
		r = status(t, p.url, "crash-src")
		if r.Pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("backlog not drained after the restart: %+v", r)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if r.Completed != backlog || r.Failed != 0 {
		t.Fatalf("after the restart: %+v, want %d completed", r, backlog)
	}

	// Exactly one replica per object, with the source's version ID.
	seen := map[string]string{}
	pager := s3.NewListObjectVersionsPaginator(c, &s3.ListObjectVersionsInput{Bucket: aws.String("crash-dst")})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.DeleteMarkers) > 0 {
			t.Fatalf("unexpected delete markers: %d", len(page.DeleteMarkers))
		}
		for _, v := range page.Versions {
			k := aws.ToString(v.Key)
			if prev, dup := seen[k]; dup {
				t.Fatalf("%s replicated twice: versions %s and %s", k, prev, aws.ToString(v.VersionId))
			}
			seen[k] = aws.ToString(v.VersionId)
		}
	}
	if len(seen) != backlog {
		t.Fatalf("%d replicas, want %d", len(seen), backlog)
	}
	for i, v := range versions {
		if got := seen[fmt.Sprintf("k/%05d", i)]; got != v {
			t.Fatalf("replica of k/%05d has version %q, want %q", i, got, v)
		}
	}
	// Byte-identical, and marked REPLICA.
	work = make(chan int)
	var bad []string
	var mu sync.Mutex
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("crash-dst"), Key: aws.String(fmt.Sprintf("k/%05d", i))})
				var got []byte
				if err == nil {
					got, err = io.ReadAll(out.Body)
					out.Body.Close()
				}
				if err != nil || !bytes.Equal(got, body(i)) || out.ReplicationStatus != "REPLICA" {
					mu.Lock()
					bad = append(bad, fmt.Sprintf("k/%05d: %v", i, err))
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < backlog; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	if len(bad) > 0 {
		t.Fatalf("%d replicas differ from their source, e.g. %s", len(bad), strings.Join(bad[:min(3, len(bad))], "; "))
	}
}
