package batch_test

import (
	"bytes"
	"compress/gzip"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/batch"
	"github.com/ferrys3/ferry/internal/manifest"
	"github.com/ferrys3/ferry/internal/meta"
)

// TestBatchReplication: S3ReplicateObject with a generated manifest
// (EligibleForReplication, statuses NONE) replicates the existing objects
// the rules cover and nothing else; a job role without
// s3:InitiateReplication fails every task with
// InitiateReplicationNotPermitted; EnableManifestOutput writes the
// generated manifest where DescribeJob says, with its ETag.
func TestBatchReplication(t *testing.T) {
	e := newEnv(t)
	a := e.account("owner")
	e.versioned(a, "src")
	e.versioned(a, "dst")
	e.bucket(a, "manifests")
	e.bucket(a, "reports")

	// Existing objects: two versions of one key, one other eligible key,
	// one key no rule covers.
	existing := map[string]string{} // version ID -> key
	for _, w := range []struct{ key, body string }{{"data/k", "v1"}, {"data/k", "v2"}, {"data/ü x", "u"}} {
		existing[e.put(a, "src", w.key, []byte(w.body)).VersionID] = w.key
	}
	e.put(a, "src", "other/n", []byte("n"))

	replRole := e.role(a, "replication", "s3.amazonaws.com", policyDoc(
		allow([]string{"s3:GetReplicationConfiguration", "s3:ListBucket"}, "arn:aws:s3:::src"),
		allow([]string{"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"}, objects("src")...),
		allow([]string{"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"}, objects("dst")...)))
	cfg := `<ReplicationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Role>` + replRole + `</Role>` +
		`<Rule><ID>data</ID><Priority>1</Priority><Filter><Prefix>data/</Prefix></Filter><Status>Enabled</Status>` +
		`<Destination><Bucket>arn:aws:s3:::dst</Bucket></Destination>` +
		`<DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication></Rule></ReplicationConfiguration>`
	if err := e.repl.PutConfiguration(e.ctx, nil, "src", []byte(cfg)); err != nil {
		t.Fatal(err)
	}
	// A new object replicates live; the NONE filter leaves it out.
	live := e.put(a, "src", "data/live", []byte("live")).VersionID
	deadline := time.Now().Add(waitLimit)
	for srcStatus(e, "data/live", live) != meta.ReplicationCompleted {
		if time.Now().After(deadline) {
			t.Fatalf("live replication: %q", srcStatus(e, "data/live", live))
		}
		time.Sleep(5 * time.Millisecond)
	}

	jobActions := []stmt{
		allow([]string{"s3:GetReplicationConfiguration", "s3:PutInventoryConfiguration"}, "arn:aws:s3:::src"),
		allow([]string{"s3:PutObject"}, objects("manifests", "reports")...),
	}
	permitted := e.batchRole(a, "batch-ok", append(slices.Clone(jobActions), allow([]string{"s3:InitiateReplication"}, objects("src")...))...)
	refused := e.batchRole(a, "batch-no", jobActions...)
	spec := func(role string) batch.Spec {
		return batch.Spec{Operation: batch.Operation{Kind: batch.OpReplicate}, RoleArn: role, Priority: 5,
			Report: report("reports", "repl", "AllTasks"),
			Generator: &batch.Generator{SourceBucket: "src", EnableManifestOutput: true, OutputBucket: "manifests", OutputPrefix: "gen",
				OutputFormat: "S3InventoryReport_CSV_20211130",
				Filter:       &batch.Filter{EligibleForReplication: true, ReplicationStatuses: []string{"NONE"}}}}
	}
	wantEntries := func() []string {
		var out []string
		for vid, key := range existing {
			out = append(out, "src "+key+" "+vid)
		}
		sort.Strings(out)
		return out
	}()

	// checkGenerated checks the manifest the job wrote and returns it.
	checkGenerated := func(t *testing.T, j *batch.Job) *batch.Manifest {
		t.Helper()
		gm := j.State.GeneratedManifest
		if gm == nil {
			t.Fatalf("no generated manifest: %s", progress(j))
		}
		if gm.Bucket != "manifests" || gm.Key != "gen/job-"+j.ID+"/manifest.json" || gm.Format != "S3InventoryReport_CSV_20211130" {
			t.Errorf("generated manifest %+v", gm)
		}
		v, body := e.mustGet(gm.Bucket, gm.Key)
		if v.ETag != gm.ETag {
			t.Errorf("generated manifest ETag %s, the object's is %s", gm.ETag, v.ETag)
		}
		im, err := manifest.ParseInventoryManifest(body)
		if err != nil {
			t.Fatalf("manifest.json: %v\n%s", err, body)
		}
		if im.SourceBucket != "src" || im.DestinationBucket != "arn:aws:s3:::manifests" || im.FileFormat != "CSV" ||
			im.FileSchema != "Bucket, Key, VersionId" {
			t.Errorf("manifest.json %s", body)
		}
		var got []string
		for _, f := range im.Files {
			fv, gzBody := e.mustGet("manifests", f.Key)
			if !strings.HasPrefix(f.Key, "gen/job-"+j.ID+"/data/") || fv.ETag != f.MD5Checksum || int64(len(gzBody)) != f.Size {
				t.Errorf("data file %+v (object ETag %s, %d bytes)", f, fv.ETag, len(gzBody))
			}
			gz, err := gzip.NewReader(bytes.NewReader(gzBody))
			if err != nil {
				t.Fatal(err)
			}
			rd, err := manifest.NewInventoryCSVReader(gz, im.Schema())
			if err != nil {
				t.Fatal(err)
			}
			for {
				en, err := rd.Next()
				if err != nil {
					break
				}
				got = append(got, en.Bucket+" "+en.Key+" "+en.VersionID)
			}
		}
		sort.Strings(got)
		if !slices.Equal(got, wantEntries) {
			t.Errorf("generated manifest lists %q, want %q\n%s", got, wantEntries, body)
		}
		return gm
	}

	t.Run("role without s3:InitiateReplication", func(t *testing.T) {
		id := e.create(a, spec(refused))
		j := e.waitStatus(a, id, batch.StatusComplete)
		if j.State.Total != 3 || j.State.Succeeded != 0 || j.State.Failed != 3 {
			t.Errorf("progress: %s", progress(j))
		}
		checkGenerated(t, j)
		_, rows := e.readReport("reports", "repl", id)
		if len(rows["failed"]) != 3 {
			t.Errorf("failed rows %+v", rows)
		}
		for _, r := range rows["failed"] {
			if r.Code != "InitiateReplicationNotPermitted" || r.HTTP != "403" || existing[r.VersionID] != r.Key || r.Bucket != "src" {
				t.Errorf("row %+v", r)
			}
		}
		for vid, key := range existing {
			if st := srcStatus(e, key, vid); st != "" {
				t.Errorf("%s %s: replication status %q after a refused job", key, vid, st)
			}
		}
		if got := replicaIDs(e); !slices.Equal(got, []string{live}) {
			t.Errorf("destination versions %q", got)
		}
	})

	var generated *batch.Manifest
	t.Run("replicated", func(t *testing.T) {
		id := e.create(a, spec(permitted))
		j := e.waitStatus(a, id, batch.StatusComplete)
		if j.State.Total != 3 || j.State.Succeeded != 3 || j.State.Failed != 0 {
			t.Errorf("progress: %s", progress(j))
		}
		generated = checkGenerated(t, j)
		for vid, key := range existing {
			if st := srcStatus(e, key, vid); st != meta.ReplicationCompleted {
				t.Errorf("%s %s: replication status %q", key, vid, st)
			}
		}
		want := []string{live}
		for vid := range existing {
			want = append(want, vid)
		}
		if got := replicaIDs(e); !slices.Equal(got, sorted(want)) {
			t.Errorf("destination versions %q, want %q", got, sorted(want))
		}
		for _, v := range e.versions("dst") {
			if v.ReplicationStatus != meta.ReplicationReplica {
				t.Errorf("dst %s %s: status %q", v.Key, v.VersionID, v.ReplicationStatus)
			}
		}
		if _, body := e.mustGet("dst", "data/k"); string(body) != "v2" {
			t.Errorf("dst data/k current body %q", body)
		}
		_, rows := e.readReport("reports", "repl", id)
		if len(rows["succeeded"]) != 3 || len(rows["failed"]) != 0 {
			t.Errorf("report %+v", rows)
		}
		for _, r := range rows["succeeded"] {
			if r.HTTP != "200" || r.Message != "Successful" || existing[r.VersionID] != r.Key {
				t.Errorf("row %+v", r)
			}
		}
	})

	t.Run("nothing left", func(t *testing.T) {
		id := e.create(a, spec(permitted))
		j := e.waitStatus(a, id, batch.StatusComplete)
		if j.State.Total != 0 || j.State.Succeeded+j.State.Failed != 0 {
			t.Errorf("progress: %s", progress(j))
		}
		if _, _, err := e.get("reports", "repl/job-"+id+"/manifest.json"); errCode(err) != "NoSuchKey" {
			t.Errorf("report of a job without tasks: %v", err)
		}
	})

	t.Run("generated manifest as a job's manifest", func(t *testing.T) {
		if generated == nil {
			t.Fatal("no generated manifest")
		}
		tagger := e.taggingRole(a, "tagger", "manifests", "", "src")
		// Given back as an inventory report, as CreateJob's format enum
		// allows.
		reuse := *generated
		reuse.Format = batch.FormatInventory
		id := e.create(a, tagSpec(tagger, &reuse, noReport()))
		if j := e.waitStatus(a, id, batch.StatusComplete); j.State.Succeeded != 3 {
			t.Errorf("progress: %s", progress(j))
		}
		for vid, key := range existing {
			if tags := e.tags("src", key, vid); tags[jobTagKey] != "done" {
				t.Errorf("%s %s: tags %v", key, vid, tags)
			}
		}
	})

	// The run reads the manifest written at preparation: a version deleted
	// before the job is confirmed is a failed task, not a silent omission.
	t.Run("run reads the generated manifest", func(t *testing.T) {
		// The tagging job above sent its tag changes to the replicas; let
		// them settle.
		deadline := time.Now().Add(waitLimit)
		for vid, key := range existing {
			for srcStatus(e, key, vid) != meta.ReplicationCompleted {
				if time.Now().After(deadline) {
					t.Fatalf("%s %s: %q", key, vid, srcStatus(e, key, vid))
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
		s := spec(permitted)
		s.ConfirmationRequired = true
		s.Generator.Filter = &batch.Filter{EligibleForReplication: true, ReplicationStatuses: []string{"COMPLETED"}}
		id := e.create(a, s)
		j := e.waitStatus(a, id, batch.StatusSuspended)
		if j.State.Total != 4 {
			t.Fatalf("prepared: %s", progress(j))
		}
		var gone string
		for vid, key := range existing {
			if key == "data/k" {
				gone = vid
				break
			}
		}
		if _, err := e.obj.Delete(e.ctx, "src", "data/k", gone, a); err != nil {
			t.Fatal(err)
		}
		if _, err := e.batch.UpdateJobStatus(e.ctx, a, id, batch.StatusReady, ""); err != nil {
			t.Fatal(err)
		}
		j = e.waitStatus(a, id, batch.StatusComplete)
		if j.State.Total != 4 || j.State.Succeeded != 3 || j.State.Failed != 1 {
			t.Errorf("progress after deleting a listed version: %s", progress(j))
		}
		delete(existing, gone)
	})
}

func srcStatus(e *env, key, vid string) string {
	for _, v := range e.versions("src") {
		if v.Key == key && v.VersionID == vid {
			return v.ReplicationStatus
		}
	}
	return "absent"
}

func replicaIDs(e *env) []string {
	var out []string
	for _, v := range e.versions("dst") {
		out = append(out, v.VersionID)
	}
	sort.Strings(out)
	return out
}
