package batch_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ferrys3/ferry/internal/batch"
)

// TestReport: tasks on missing keys fail with NoSuchKey 404 without
// failing the job, and the completion report is laid out as AWS lays it
// out, for both report scopes.
func TestReport(t *testing.T) {
	e := newEnv(t)
	a := e.account("owner")
	e.bucket(a, "manifests")
	e.bucket(a, "data")
	e.bucket(a, "reports")
	role := e.taggingRole(a, "tagger", "manifests", "reports", "data")
	present := []string{"a b", "c,d", "ü/e"}
	missing := []string{"gone 1", "gone/2"}
	for _, k := range present {
		e.put(a, "data", k, []byte(k))
	}
	m := e.upload(a, "manifests", "m.csv", append(keysManifest("data", append(slices.Clone(present), missing...)...),
		keysManifest("no-such-bucket", "k")...))

	t.Run("AllTasks", func(t *testing.T) {
		id := e.create(a, tagSpec(role, m, report("reports", "reports/batch/", "AllTasks")))
		j := e.waitStatus(a, id, batch.StatusComplete)
		if j.State.Total != 6 || j.State.Succeeded != 3 || j.State.Failed != 3 || len(j.State.FailureReasons) != 0 {
			t.Errorf("progress: %s", progress(j))
		}
		rm, rows := e.readReport("reports", "reports/batch", id)
		if len(rm.Results) != 2 || rm.Results[0].TaskExecutionStatus != "succeeded" || rm.Results[1].TaskExecutionStatus != "failed" {
			t.Errorf("report results %+v", rm.Results)
		}
		if got := keysOf(rows["succeeded"]); !slices.Equal(got, sorted(present)) {
			t.Errorf("succeeded rows: %q", got)
		}
		for _, r := range rows["succeeded"] {
			if r != (row{Bucket: "data", Key: r.Key, Status: "succeeded", HTTP: "200", Message: r.Message}) || r.Message == "" {
				t.Errorf("succeeded row %+v", r)
			}
		}
		if got := keysOf(rows["failed"]); !slices.Equal(got, sorted(append(slices.Clone(missing), "k"))) {
			t.Errorf("failed rows: %q", got)
		}
		for _, r := range rows["failed"] {
			want := "NoSuchKey"
			if r.Bucket == "no-such-bucket" {
				want = "NoSuchBucket"
			}
			if r.Status != "failed" || r.HTTP != "404" || r.Code != want || r.Message == "" || r.VersionID != "" {
				t.Errorf("failed row %+v, want 404 %s", r, want)
			}
		}
		// Nothing but the report under the job's prefix.
		var want []string
		for _, r := range rm.Results {
			want = append(want, r.Key)
		}
		want = append(want, "reports/batch/job-"+id+"/manifest.json")
		if got := e.objectKeys("reports", "reports/batch/job-"+id+"/"); !slices.Equal(got, sorted(want)) {
			t.Errorf("report objects %q, want %q", got, sorted(want))
		}
	})

	t.Run("FailedTasksOnly", func(t *testing.T) {
		id := e.create(a, tagSpec(role, m, report("reports", "", "FailedTasksOnly")))
		j := e.waitStatus(a, id, batch.StatusComplete)
		if j.State.Succeeded != 3 || j.State.Failed != 3 {
			t.Errorf("progress: %s", progress(j))
		}
		rm, rows := e.readReport("reports", "", id)
		if len(rm.Results) != 1 || rm.Results[0].TaskExecutionStatus != "failed" {
			t.Errorf("report results %+v", rm.Results)
		}
		if len(rows["succeeded"]) != 0 || len(rows["failed"]) != 3 {
			t.Errorf("rows: %d succeeded, %d failed", len(rows["succeeded"]), len(rows["failed"]))
		}
		if n := len(e.objectKeys("reports", "job-"+id+"/")); n != 2 {
			t.Errorf("%d report objects, want manifest.json and one results file", n)
		}
	})

	t.Run("report bucket refuses the role", func(t *testing.T) {
		e.bucket(a, "locked")
		e.bucketPolicy("locked", policyDoc(stmt{effect: "Deny", principal: role, actions: []string{"s3:PutObject"},
			resources: objects("locked")}))
		e.put(a, "data", "fresh", nil)
		fm := e.upload(a, "manifests", "fresh.csv", keysManifest("data", "fresh", "gone 1"))
		id := e.create(a, tagSpec(role, fm, report("locked", "r", "AllTasks")))
		j := e.waitStatus(a, id, batch.StatusFailed)
		if j.State.Succeeded != 1 || j.State.Failed != 1 {
			t.Errorf("progress: %s", progress(j))
		}
		if len(j.State.FailureReasons) == 0 || !strings.Contains(fmt.Sprint(j.State.FailureReasons), "locked") {
			t.Errorf("failure reasons %+v, want one about the report bucket", j.State.FailureReasons)
		}
		if tags := e.tags("data", "fresh", ""); tags[jobTagKey] != "done" {
			t.Errorf("the object was not processed: tags %v", tags)
		}
		if keys := e.objectKeys("locked", ""); len(keys) != 0 {
			t.Errorf("report objects written despite the policy: %q", keys)
		}
	})

	t.Run("report bucket missing", func(t *testing.T) {
		id := e.create(a, tagSpec(role, m, report("no-reports-here", "", "AllTasks")))
		j := e.waitStatus(a, id, batch.StatusFailed)
		if j.State.Succeeded != 3 || len(j.State.FailureReasons) == 0 ||
			!strings.Contains(fmt.Sprint(j.State.FailureReasons), "no-reports-here") {
			t.Errorf("job: %s", progress(j))
		}
	})

	t.Run("report disabled", func(t *testing.T) {
		before := len(e.objectKeys("reports", ""))
		id := e.create(a, tagSpec(role, m, noReport()))
		if j := e.waitStatus(a, id, batch.StatusComplete); j.State.Failed != 3 {
			t.Errorf("job: %s", progress(j))
		}
		if after := len(e.objectKeys("reports", "")); after != before {
			t.Errorf("a job without a report wrote %d objects", after-before)
		}
	})
}

// TestFailureThreshold: once 1,000 tasks ran with more than half failed the
// job fails; fewer tasks never trip the threshold.
func TestFailureThreshold(t *testing.T) {
	e := newEnv(t)
	a := e.account("owner")
	e.bucket(a, "manifests")
	e.bucket(a, "data")
	e.bucket(a, "reports")
	role := e.taggingRole(a, "tagger", "manifests", "reports", "data")
	var keys []string
	for i := range 1500 {
		keys = append(keys, fmt.Sprintf("missing/%04d", i))
	}
	for _, k := range keys[:10] {
		e.put(a, "data", k, nil)
	}

	t.Run("tripped", func(t *testing.T) {
		m := e.upload(a, "manifests", "big.csv", keysManifest("data", keys...))
		id := e.create(a, tagSpec(role, m, report("reports", "", "AllTasks")))
		j := e.waitStatus(a, id, batch.StatusFailed)
		ran := j.State.Succeeded + j.State.Failed
		if j.State.Total != 1500 || ran < 1000 || ran > 1500 || j.State.Failed*2 <= ran {
			t.Errorf("progress: %s", progress(j))
		}
		if !hasFailure(j, "JobFailureThresholdExceeded", "") {
			t.Errorf("failure reasons %+v", j.State.FailureReasons)
		}
		path := e.spy.path(id)
		if !slices.Equal(path[len(path)-3:], []string{batch.StatusActive, batch.StatusFailing, batch.StatusFailed}) {
			t.Errorf("status path %v", path)
		}
		_, rows := e.readReport("reports", "", id)
		if int64(len(rows["failed"])) != j.State.Failed || int64(len(rows["succeeded"])) != j.State.Succeeded {
			t.Errorf("report: %d failed, %d succeeded rows; job %s", len(rows["failed"]), len(rows["succeeded"]), progress(j))
		}
		for _, r := range rows["failed"] {
			if r.Code != "NoSuchKey" || r.HTTP != "404" {
				t.Errorf("failed row %+v", r)
				break
			}
		}
	})

	t.Run("under 1000 tasks", func(t *testing.T) {
		m := e.upload(a, "manifests", "small.csv", keysManifest("data", keys[500:1400]...))
		id := e.create(a, tagSpec(role, m, noReport()))
		j := e.waitStatus(a, id, batch.StatusComplete)
		if j.State.Total != 900 || j.State.Failed != 900 || len(j.State.FailureReasons) != 0 {
			t.Errorf("progress: %s", progress(j))
		}
	})
}
