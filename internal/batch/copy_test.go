package batch_test

import (
	"bytes"
	"maps"
	"slices"
	"testing"

	"github.com/ferrys3/ferry/internal/batch"
	"github.com/ferrys3/ferry/internal/object"
)

// TestCopy: S3PutObjectCopy copies each listed object to another bucket
// under TargetKeyPrefix with the new metadata (REPLACE); a role that may
// not write the target gets AccessDenied 403 per task.
func TestCopy(t *testing.T) {
	e := newEnv(t)
	a := e.account("owner")
	e.bucket(a, "manifests")
	e.bucket(a, "src")
	e.bucket(a, "dst")
	e.bucket(a, "reports")
	keys := []string{"one.txt", "dir/two words.txt", "ä/three"}
	for _, k := range keys {
		if _, err := e.obj.Put(e.ctx, object.PutInput{Bucket: "src", Key: k, Owner: a, Body: bytes.NewReader([]byte("body of " + k)),
			Size: int64(len("body of " + k)), Attrs: object.Attrs{ContentType: "text/plain", Metadata: map[string]string{"old": "1"}}}); err != nil {
			t.Fatal(err)
		}
	}
	m := e.upload(a, "manifests", "m.csv", keysManifest("src", keys...))
	read := allow([]string{"s3:GetObject", "s3:GetObjectVersion"}, objects("manifests", "src")...)
	reports := allow([]string{"s3:PutObject"}, objects("reports")...)
	copier := e.batchRole(a, "copier", read, reports, allow([]string{"s3:PutObject"}, objects("dst")...))
	readOnly := e.batchRole(a, "reader", read, reports)

	copyOp := batch.Operation{Kind: batch.OpCopy, Copy: &batch.CopyOp{TargetBucket: "dst", TargetKeyPrefix: "copied/",
		MetadataDirective: "REPLACE", ContentType: "application/x-new", Metadata: map[string]string{"new": "2"}}}

	t.Run("copied", func(t *testing.T) {
		id := e.create(a, batch.Spec{Operation: copyOp, Manifest: m, Report: report("reports", "", "AllTasks"), Priority: 1, RoleArn: copier})
		j := e.waitStatus(a, id, batch.StatusComplete)
		if j.State.Total != 3 || j.State.Succeeded != 3 || j.State.Failed != 0 {
			t.Errorf("progress: %s", progress(j))
		}
		var want []string
		for _, k := range keys {
			want = append(want, "copied/"+k)
			v, body := e.mustGet("dst", "copied/"+k)
			if string(body) != "body of "+k {
				t.Errorf("copied/%s: body %q", k, body)
			}
			if v.ContentType != "application/x-new" || !maps.Equal(v.Metadata, map[string]string{"new": "2"}) {
				t.Errorf("copied/%s: content type %q metadata %v, want the replaced ones", k, v.ContentType, v.Metadata)
			}
			if sv, _ := e.mustGet("src", k); sv.ContentType != "text/plain" || sv.Metadata["old"] != "1" {
				t.Errorf("source %s changed: %q %v", k, sv.ContentType, sv.Metadata)
			}
		}
		if got := e.objectKeys("dst", ""); !slices.Equal(got, sorted(want)) {
			t.Errorf("target keys %q, want %q", got, sorted(want))
		}
		_, rows := e.readReport("reports", "", id)
		if got := keysOf(rows["succeeded"]); !slices.Equal(got, sorted(keys)) || len(rows["failed"]) != 0 {
			t.Errorf("report: %+v", rows)
		}
		for _, r := range rows["succeeded"] {
			if r.Bucket != "src" || r.HTTP != "200" || r.Message != "Successful" {
				t.Errorf("row %+v", r)
			}
		}
	})

	t.Run("target not writable", func(t *testing.T) {
		op := copyOp
		c := *copyOp.Copy
		c.TargetKeyPrefix = "denied/"
		op.Copy = &c
		id := e.create(a, batch.Spec{Operation: op, Manifest: m, Report: report("reports", "", "FailedTasksOnly"), Priority: 1, RoleArn: readOnly})
		j := e.waitStatus(a, id, batch.StatusComplete)
		if j.State.Total != 3 || j.State.Succeeded != 0 || j.State.Failed != 3 {
			t.Errorf("progress: %s", progress(j))
		}
		if got := e.objectKeys("dst", "denied/"); len(got) != 0 {
			t.Errorf("objects written without permission: %q", got)
		}
		_, rows := e.readReport("reports", "", id)
		if got := keysOf(rows["failed"]); !slices.Equal(got, sorted(keys)) {
			t.Errorf("failed rows %q", got)
		}
		for _, r := range rows["failed"] {
			if r.Code != "AccessDenied" || r.HTTP != "403" || r.Message == "" {
				t.Errorf("row %+v, want AccessDenied 403", r)
			}
		}
	})
}
