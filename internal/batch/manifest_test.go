package batch_test

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/batch"
	"github.com/ferrys3/ferry/internal/manifest"
)

// TestManifestFailures: a job whose manifest cannot be used, or whose
// role cannot be assumed or may not read the manifest, fails while
// preparing with a failure reason saying why, and runs no task.
func TestManifestFailures(t *testing.T) {
	e := newEnv(t)
	a := e.account("owner")
	e.bucket(a, "manifests")
	e.bucket(a, "data")
	e.bucket(a, "reports")
	e.put(a, "data", "k1", nil)
	e.put(a, "data", "k2", nil)
	role := e.taggingRole(a, "tagger", "manifests", "reports", "data")
	good := e.upload(a, "manifests", "good.csv", keysManifest("data", "k1", "k2"))

	// s3.amazonaws.com is trusted, batchoperations.s3.amazonaws.com is not.
	untrusted := e.role(a, "untrusted", "s3.amazonaws.com", policyDoc(
		allow([]string{"s3:*"}, "*")))
	// May tag and write reports, may not read the manifests.
	blind := e.batchRole(a, "blind",
		allow([]string{"s3:PutObjectTagging"}, objects("data")...),
		allow([]string{"s3:PutObject"}, objects("reports")...))

	cases := []struct {
		name     string
		role     string
		manifest func() *batch.Manifest
		code     string // FailureCode
		reason   string // in FailureReason
	}{
		{"wrong ETag", role, func() *batch.Manifest {
			m := *good
			m.ETag = "0123456789abcdef0123456789abcdef"
			return &m
		}, "", "ETag"},
		{"missing manifest", role, func() *batch.Manifest {
			m := *good
			m.Key = "absent.csv"
			return &m
		}, "", "NoSuchKey"},
		{"missing manifest bucket", role, func() *batch.Manifest {
			m := *good
			m.Bucket = "no-such-bucket"
			return &m
		}, "", "no-such-bucket"},
		{"malformed row", role, func() *batch.Manifest {
			return e.upload(a, "manifests", "bad.csv", []byte("data,k1\ndata,k2,extra\n"))
		}, "", ""},
		{"bad key encoding", role, func() *batch.Manifest {
			return e.upload(a, "manifests", "badkey.csv", []byte("data,k1\ndata,k%zz\n"))
		}, "", ""},
		{"mixed version IDs", role, func() *batch.Manifest {
			return e.upload(a, "manifests", "mixed.csv", []byte("data,k1,\ndata,k2,3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY\n"), "Bucket", "Key", "VersionId")
		}, "", ""},
		{"role not trusting batch operations", untrusted, func() *batch.Manifest { return good }, "AssumeRoleNotPermitted", "batchoperations.s3.amazonaws.com"},
		{"role that does not exist", "arn:aws:iam::" + a + ":role/ghost", func() *batch.Manifest { return good }, "AssumeRoleNotPermitted", ""},
		{"role may not read the manifest", blind, func() *batch.Manifest { return good }, "", "s3:GetObject"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.spy.tagged("data")
			id := e.create(a, tagSpec(c.role, c.manifest(), report("reports", "", "AllTasks")))
			j := e.waitStatus(a, id, batch.StatusFailed)
			if len(j.State.FailureReasons) == 0 {
				t.Fatalf("no failure reason: %s", progress(j))
			}
			f := j.State.FailureReasons[0]
			if f.Code == "" || f.Reason == "" || (c.code != "" && f.Code != c.code) || !strings.Contains(f.Reason, c.reason) {
				t.Errorf("failure reason %+v, want code %q and a reason mentioning %q", f, c.code, c.reason)
			}
			t.Logf("%s: %s", f.Code, f.Reason)
			if j.State.Succeeded+j.State.Failed != 0 {
				t.Errorf("tasks ran: %s", progress(j))
			}
			if j.State.Terminated.IsZero() {
				t.Errorf("no termination date")
			}
			path := e.spy.path(id)
			if slices.Contains(path, batch.StatusActive) || slices.Contains(path, batch.StatusReady) ||
				!slices.Equal(path[:2], []string{batch.StatusNew, batch.StatusPreparing}) || path[len(path)-1] != batch.StatusFailed {
				t.Errorf("status path %v", path)
			}
			if after := e.spy.tagged("data"); len(after) != len(before) {
				t.Errorf("objects were tagged: %v", after)
			}
			if _, _, err := e.get("reports", "job-"+id+"/manifest.json"); errCode(err) != "NoSuchKey" {
				t.Errorf("a job that ran no task wrote a report: %v", err)
			}
			if _, err := e.batch.UpdateJobStatus(e.ctx, a, id, batch.StatusCancelled, ""); errCode(err) != batch.CodeJobStatus {
				t.Errorf("cancelling a Failed job: %v, want JobStatusException", err)
			}
		})
	}

	// The good manifest works with the same role (its ETag may be quoted).
	quoted := *good
	quoted.ETag = `"` + good.ETag + `"`
	id := e.create(a, tagSpec(role, &quoted, noReport()))
	if j := e.waitStatus(a, id, batch.StatusComplete); j.State.Succeeded != 2 {
		t.Errorf("good manifest: %s", progress(j))
	}
}

// TestCreateJobValidation: requests CreateJob refuses outright.
func TestCreateJobValidation(t *testing.T) {
	e := newEnv(t)
	a := e.account("owner")
	m := &batch.Manifest{Format: batch.FormatCSV, Fields: []string{"Bucket", "Key"}, Bucket: "m", Key: "k", ETag: "e"}
	role := "arn:aws:iam::" + a + ":role/r"
	for name, spec := range map[string]batch.Spec{
		"no manifest":           {Operation: tagOp(), RoleArn: role},
		"two manifests":         {Operation: batch.Operation{Kind: batch.OpReplicate}, Manifest: m, Generator: &batch.Generator{SourceBucket: "s"}, RoleArn: role},
		"unknown operation":     {Operation: batch.Operation{Kind: "LambdaInvoke"}, Manifest: m, RoleArn: role},
		"copy without target":   {Operation: batch.Operation{Kind: batch.OpCopy, Copy: &batch.CopyOp{}}, Manifest: m, RoleArn: role},
		"generator for tagging": {Operation: tagOp(), Generator: &batch.Generator{SourceBucket: "s"}, RoleArn: role},
		"unknown format": {Operation: tagOp(), Manifest: &batch.Manifest{Format: "S3InventoryReport_Parquet", Bucket: "m", Key: "k", ETag: "e"},
			RoleArn: role},
	} {
		if id, err := e.batch.CreateJob(e.ctx, nil, a, region, "t-"+name, spec); errCode(err) != batch.CodeBadRequest {
			t.Errorf("%s: %q, %v; want BadRequestException", name, id, err)
		}
	}
	if jobs := mustList(t, e, a); len(jobs) != 0 {
		t.Errorf("refused requests created %d jobs", len(jobs))
	}
	if _, err := e.batch.DescribeJob(e.ctx, a, "00000000-0000-0000-0000-000000000000"); errCode(err) != batch.CodeNotFound {
		t.Errorf("unknown job: %v", err)
	}
}

// TestInventoryManifest: a job on an S3 Inventory report (manifest.json and
// its gzip CSV data files) acts on every listed version, the null version
// (an empty VersionId) included.
func TestInventoryManifest(t *testing.T) {
	e := newEnv(t)
	a := e.account("owner")
	e.bucket(a, "inventory")
	e.bucket(a, "idata")
	null := e.put(a, "idata", "old key", []byte("old"))
	if err := e.obj.SetVersioning(e.ctx, "idata", "Enabled"); err != nil {
		t.Fatal(err)
	}
	v1 := e.put(a, "idata", "a/ü", []byte("1")).VersionID
	v2 := e.put(a, "idata", "a/ü", []byte("2")).VersionID
	v3 := e.put(a, "idata", "b", []byte("3")).VersionID
	if null.VersionID != "" {
		t.Fatalf("version ID of an object written before versioning: %q", null.VersionID)
	}

	schema, err := manifest.InventorySchema(true, []string{"Size"})
	if err != nil {
		t.Fatal(err)
	}
	base := "inv/idata/cfg/"
	w, err := manifest.NewInventoryWriter(manifest.InventoryWriterOptions{Schema: schema, MaxRowsPerFile: 2, KeyPrefix: base,
		Create: func(key string) (io.WriteCloser, error) {
			return &putCloser{put: func(b []byte) { e.put(a, "inventory", key, b) }}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []manifest.InventoryRow{
		{Bucket: "idata", Key: "old key", VersionID: "", Size: 3},
		{Bucket: "idata", Key: "a/ü", VersionID: v1, Size: 1},
		{Bucket: "idata", Key: "a/ü", VersionID: v2, IsLatest: true, Size: 1},
		{Bucket: "idata", Key: "b", VersionID: v3, IsLatest: true, Size: 1},
	} {
		if err := w.Write(&r); err != nil {
			t.Fatal(err)
		}
	}
	files, err := w.Close()
	if err != nil || len(files) != 2 {
		t.Fatalf("data files %+v, %v", files, err)
	}
	doc := manifest.ManifestJSON("idata", "arn:aws:s3:::inventory", time.Now(), schema, files)
	out := e.put(a, "inventory", base+"2024-01-01T00-00Z/manifest.json", doc)

	role := e.batchRole(a, "tagger",
		allow([]string{"s3:GetObject"}, objects("inventory")...),
		allow([]string{"s3:PutObjectVersionTagging"}, objects("idata")...))
	id := e.create(a, tagSpec(role, &batch.Manifest{Format: batch.FormatInventory, Bucket: "inventory",
		Key: base + "2024-01-01T00-00Z/manifest.json", ETag: out.ETag}, noReport()))
	j := e.waitStatus(a, id, batch.StatusComplete)
	if j.State.Total != 4 || j.State.Succeeded != 4 {
		t.Errorf("progress: %s", progress(j))
	}
	for _, v := range [][2]string{{"old key", "null"}, {"a/ü", v1}, {"a/ü", v2}, {"b", v3}} {
		if tags := e.tags("idata", v[0], v[1]); tags[jobTagKey] != "done" {
			t.Errorf("%s %s: tags %v", v[0], v[1], tags)
		}
	}

	// A data file that is not gzip fails the job.
	e.put(a, "inventory", files[1].Key, []byte("idata,b,"+v3+",true,false,1\n"))
	id = e.create(a, tagSpec(role, &batch.Manifest{Format: batch.FormatInventory, Bucket: "inventory",
		Key: base + "2024-01-01T00-00Z/manifest.json", ETag: out.ETag}, noReport()))
	if j := e.waitStatus(a, id, batch.StatusFailed); !hasFailure(j, j.State.FailureReasons[0].Code, "gzip") {
		t.Errorf("failure reasons %+v", j.State.FailureReasons)
	}
}

// putCloser stores its bytes on Close.
type putCloser struct {
	bytes.Buffer
	put func([]byte)
}

func (p *putCloser) Close() error { p.put(p.Bytes()); return nil }
