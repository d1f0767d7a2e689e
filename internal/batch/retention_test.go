package batch_test

import (
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/batch"
	"github.com/ferrys3/ferry/internal/clock"
)

// TestRetention: 90 days after a job ends it is deleted (DescribeJob
// NotFoundException, its client token free again); jobs that have not
// ended stay.
func TestRetention(t *testing.T) {
	e := newEnv(t)
	a := e.account("owner")
	e.bucket(a, "manifests")
	e.bucket(a, "data")
	role := e.taggingRole(a, "tagger", "manifests", "", "data")
	e.put(a, "data", "k", []byte("x"))
	m := e.upload(a, "manifests", "m.csv", keysManifest("data", "k"))

	const token = "retained-job"
	done, err := e.batch.CreateJob(e.ctx, nil, a, region, token, tagSpec(role, m, noReport()))
	if err != nil {
		t.Fatal(err)
	}
	ended := e.waitStatus(a, done, batch.StatusComplete).State.Terminated
	waiting := tagSpec(role, m, noReport())
	waiting.ConfirmationRequired = true
	suspended := e.create(a, waiting)
	e.waitStatus(a, suspended, batch.StatusSuspended)

	at := func(d time.Duration) *batch.Service {
		return batch.New(batch.Config{Meta: e.spy, IAM: e.iam, Objects: e.obj, Replication: e.repl, Clock: clock.Fixed{T: ended.Add(d)}})
	}
	if n, err := at(batch.Retention - time.Hour).PurgeExpired(e.ctx); err != nil || n != 0 {
		t.Fatalf("purge before the retention ends: %d, %v", n, err)
	}
	if _, err := e.batch.DescribeJob(e.ctx, a, done); err != nil {
		t.Fatalf("job within its retention: %v", err)
	}
	if n, err := at(batch.Retention + time.Hour).PurgeExpired(e.ctx); err != nil || n != 1 {
		t.Fatalf("purge after the retention: %d, %v", n, err)
	}
	if _, err := e.batch.DescribeJob(e.ctx, a, done); errCode(err) != batch.CodeNotFound {
		t.Fatalf("an expired job: %v, want %s", err, batch.CodeNotFound)
	}
	if j := e.describe(a, suspended); j.State.Status != batch.StatusSuspended {
		t.Fatalf("a suspended job was purged or changed: %s", progress(j))
	}
	again, err := e.batch.CreateJob(e.ctx, nil, a, region, token, tagSpec(role, m, noReport()))
	if err != nil || again == done {
		t.Fatalf("the expired job's token: job %q, %v", again, err)
	}
}
