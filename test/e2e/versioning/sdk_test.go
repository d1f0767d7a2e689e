package versioning

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

var sdkBucketSeq atomic.Int64

// sdkEnv is one server and client for one top-level SDK test.
type sdkEnv struct {
	t   *testing.T
	c   *s3.Client
	srv *ferry
}

func newSDKEnv(t *testing.T) *sdkEnv {
	t.Helper()
	srv := startFerry(t)
	return &sdkEnv{t: t, c: newSDKClient(srv.URL), srv: srv}
}

// bucket creates a bucket; enabled turns versioning on.
func (e *sdkEnv) bucket(t *testing.T, enabled bool) string {
	t.Helper()
	name := fmt.Sprintf("v-%d", sdkBucketSeq.Add(1))
	if _, err := e.c.CreateBucket(ctx(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
	if enabled {
		e.setVersioning(t, name, types.BucketVersioningStatusEnabled)
	}
	return name
}

func (e *sdkEnv) setVersioning(t *testing.T, bucket string, status types.BucketVersioningStatus) {
	t.Helper()
	_, err := e.c.PutBucketVersioning(ctx(), &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: status}})
	if err != nil {
		t.Fatalf("PutBucketVersioning %s %s: %v", bucket, status, err)
	}
}

func (e *sdkEnv) put(t *testing.T, bucket, key string, body []byte) *s3.PutObjectOutput {
	t.Helper()
	out, err := e.c.PutObject(ctx(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
	return out
}

// get reads one version ("" = current).
func (e *sdkEnv) get(t *testing.T, bucket, key, version string) ([]byte, *s3.GetObjectOutput) {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := e.c.GetObject(ctx(), in)
	if err != nil {
		t.Fatalf("GetObject %s/%s version %q: %v", bucket, key, version, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b, out
}

func (e *sdkEnv) getErr(bucket, key, version string) error {
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := e.c.GetObject(ctx(), in)
	if err == nil {
		out.Body.Close()
	}
	return err
}

func (e *sdkEnv) headErr(bucket, key, version string) error {
	in := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	_, err := e.c.HeadObject(ctx(), in)
	return err
}

func (e *sdkEnv) list(t *testing.T, in *s3.ListObjectVersionsInput) *s3.ListObjectVersionsOutput {
	t.Helper()
	out, err := e.c.ListObjectVersions(ctx(), in)
	if err != nil {
		t.Fatalf("ListObjectVersions: %v", err)
	}
	return out
}

// entry is one listed version or marker in list order.
type entry struct {
	Key, VersionID string
	Marker         bool
	IsLatest       bool
}

// versionsOf lists the Versions of a page in order (the SDK splits AWS's
// interleaved list into Versions and DeleteMarkers).
func versionsOf(out *s3.ListObjectVersionsOutput) []entry {
	var es []entry
	for _, v := range out.Versions {
		es = append(es, entry{Key: aws.ToString(v.Key), VersionID: aws.ToString(v.VersionId), IsLatest: aws.ToBool(v.IsLatest)})
	}
	return es
}

func markersOf(out *s3.ListObjectVersionsOutput) []entry {
	var es []entry
	for _, m := range out.DeleteMarkers {
		es = append(es, entry{Key: aws.ToString(m.Key), VersionID: aws.ToString(m.VersionId), Marker: true, IsLatest: aws.ToBool(m.IsLatest)})
	}
	return es
}

// TestSDKFlow is the same flow as the CLI test, with aws-sdk-go-v2.
func TestSDKFlow(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t)
	const key = "doc.txt"
	b := e.bucket(t, false)

	gv, err := e.c.GetBucketVersioning(ctx(), &s3.GetBucketVersioningInput{Bucket: aws.String(b)})
	if err != nil {
		t.Fatalf("GetBucketVersioning: %v", err)
	}
	if gv.Status != "" || gv.MFADelete != "" {
		t.Errorf("new bucket: Status %q MFADelete %q, want both absent", gv.Status, gv.MFADelete)
	}
	// Unversioned: no version id on PUT.
	if out := e.put(t, b, "pre.txt", []byte("before versioning")); out.VersionId != nil {
		t.Errorf("PutObject into an unversioned bucket: VersionId = %q, want none", *out.VersionId)
	}

	e.setVersioning(t, b, types.BucketVersioningStatusEnabled)
	gv, err = e.c.GetBucketVersioning(ctx(), &s3.GetBucketVersioningInput{Bucket: aws.String(b)})
	if err != nil || gv.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("GetBucketVersioning after Enabled: %+v, %v", gv, err)
	}

	bodies := [][]byte{[]byte("one"), []byte("two two"), []byte("three three three")}
	var ids, etags []string
	for i, body := range bodies {
		out := e.put(t, b, key, body)
		id := aws.ToString(out.VersionId)
		if id == "" || id == "null" {
			t.Fatalf("PutObject %d (Enabled): VersionId = %q", i, id)
		}
		for _, old := range ids {
			if old == id {
				t.Fatalf("PutObject %d: VersionId %q repeats", i, id)
			}
		}
		ids, etags = append(ids, id), append(etags, aws.ToString(out.ETag))
	}

	l := e.list(t, &s3.ListObjectVersionsInput{Bucket: aws.String(b), Prefix: aws.String(key)})
	vs := versionsOf(l)
	if len(vs) != 3 {
		t.Fatalf("ListObjectVersions: %d versions of %s, want 3: %+v", len(vs), key, vs)
	}
	for i, v := range vs {
		if v.VersionID != ids[2-i] || v.IsLatest != (i == 0) {
			t.Errorf("Versions[%d] = %+v, want id %s IsLatest %v", i, v, ids[2-i], i == 0)
		}
		if got := aws.ToString(l.Versions[i].ETag); got != etags[2-i] {
			t.Errorf("Versions[%d].ETag = %s, want %s", i, got, etags[2-i])
		}
		if got := aws.ToInt64(l.Versions[i].Size); got != int64(len(bodies[2-i])) {
			t.Errorf("Versions[%d].Size = %d, want %d", i, got, len(bodies[2-i]))
		}
	}
	// The object written before versioning keeps version "null".
	l = e.list(t, &s3.ListObjectVersionsInput{Bucket: aws.String(b), Prefix: aws.String("pre.txt")})
	if vs := versionsOf(l); len(vs) != 1 || vs[0].VersionID != "null" || !vs[0].IsLatest {
		t.Errorf("pre-versioning object: %+v, want one latest version \"null\"", vs)
	}

	got, gout := e.get(t, b, key, ids[0])
	if !bytes.Equal(got, bodies[0]) || aws.ToString(gout.VersionId) != ids[0] {
		t.Errorf("GetObject versionId=oldest: %q (version %q), want %q (%s)", got, aws.ToString(gout.VersionId), bodies[0], ids[0])
	}
	got, gout = e.get(t, b, key, "")
	if !bytes.Equal(got, bodies[2]) || aws.ToString(gout.VersionId) != ids[2] {
		t.Errorf("GetObject current: %q (version %q), want %q (%s)", got, aws.ToString(gout.VersionId), bodies[2], ids[2])
	}

	// DELETE without versionId: a delete marker.
	del, err := e.c.DeleteObject(ctx(), &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}
	marker := aws.ToString(del.VersionId)
	if !aws.ToBool(del.DeleteMarker) || marker == "" || marker == "null" {
		t.Fatalf("DeleteObject (Enabled): DeleteMarker %v VersionId %q, want true and a fresh id", aws.ToBool(del.DeleteMarker), marker)
	}
	l = e.list(t, &s3.ListObjectVersionsInput{Bucket: aws.String(b), Prefix: aws.String(key)})
	if ms := markersOf(l); len(ms) != 1 || ms[0].VersionID != marker || !ms[0].IsLatest {
		t.Errorf("DeleteMarkers = %+v, want one latest marker %s", ms, marker)
	}
	for _, v := range versionsOf(l) {
		if v.IsLatest {
			t.Errorf("version %s IsLatest with a delete marker on top", v.VersionID)
		}
	}
	// Current version is a marker: 404 NoSuchKey with x-amz-delete-marker.
	err = e.getErr(b, key, "")
	wantAPIError(t, "GET with a delete marker current", err, 404, "NoSuchKey")
	if h := errHeader(err, "x-amz-delete-marker"); h != "true" {
		t.Errorf("GET with a delete marker current: x-amz-delete-marker = %q, want true", h)
	}
	if h := errHeader(err, "x-amz-version-id"); h != marker {
		t.Errorf("GET with a delete marker current: x-amz-version-id = %q, want the marker %s", h, marker)
	}
	err = e.headErr(b, key, "")
	wantAPIError(t, "HEAD with a delete marker current", err, 404, "")
	if h := errHeader(err, "x-amz-delete-marker"); h != "true" {
		t.Errorf("HEAD with a delete marker current: x-amz-delete-marker = %q, want true", h)
	}
	// versionId of a marker: 405 MethodNotAllowed.
	err = e.getErr(b, key, marker)
	wantAPIError(t, "GET versionId=<delete marker>", err, 405, "MethodNotAllowed")
	if h := errHeader(err, "x-amz-delete-marker"); h != "true" {
		t.Errorf("GET versionId=<delete marker>: x-amz-delete-marker = %q, want true", h)
	}
	if h := errHeader(err, "Last-Modified"); h == "" {
		t.Errorf("GET versionId=<delete marker>: no Last-Modified header")
	}
	err = e.headErr(b, key, marker)
	wantAPIError(t, "HEAD versionId=<delete marker>", err, 405, "")
	if h := errHeader(err, "x-amz-delete-marker"); h != "true" {
		t.Errorf("HEAD versionId=<delete marker>: x-amz-delete-marker = %q, want true", h)
	}
	// Older versions stay readable by id.
	if got, _ := e.get(t, b, key, ids[1]); !bytes.Equal(got, bodies[1]) {
		t.Errorf("GetObject versionId=middle under a marker: %q, want %q", got, bodies[1])
	}

	// Deleting the marker by id restores the object.
	del, err = e.c.DeleteObject(ctx(), &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String(key), VersionId: aws.String(marker)})
	if err != nil {
		t.Fatalf("DeleteObject versionId=<marker>: %v", err)
	}
	if !aws.ToBool(del.DeleteMarker) || aws.ToString(del.VersionId) != marker {
		t.Errorf("DeleteObject versionId=<marker>: DeleteMarker %v VersionId %q, want true %s", aws.ToBool(del.DeleteMarker), aws.ToString(del.VersionId), marker)
	}
	h, err := e.c.HeadObject(ctx(), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("HeadObject after removing the marker: %v", err)
	}
	if aws.ToString(h.ETag) != etags[2] || aws.ToString(h.VersionId) != ids[2] {
		t.Errorf("HeadObject after removing the marker: ETag %s version %s, want %s %s", aws.ToString(h.ETag), aws.ToString(h.VersionId), etags[2], ids[2])
	}

	// Deleting a non-current version by id removes exactly it, no marker.
	del, err = e.c.DeleteObject(ctx(), &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String(key), VersionId: aws.String(ids[1])})
	if err != nil {
		t.Fatalf("DeleteObject versionId=middle: %v", err)
	}
	if aws.ToBool(del.DeleteMarker) || aws.ToString(del.VersionId) != ids[1] {
		t.Errorf("DeleteObject versionId=middle: DeleteMarker %v VersionId %q, want false %s", aws.ToBool(del.DeleteMarker), aws.ToString(del.VersionId), ids[1])
	}
	l = e.list(t, &s3.ListObjectVersionsInput{Bucket: aws.String(b), Prefix: aws.String(key)})
	if vs := versionsOf(l); len(vs) != 2 || vs[0].VersionID != ids[2] || vs[1].VersionID != ids[0] || len(l.DeleteMarkers) != 0 {
		t.Errorf("after deleting the middle version: versions %+v markers %+v, want [%s %s] and no markers", vs, markersOf(l), ids[2], ids[0])
	}
	wantAPIError(t, "GET versionId=<deleted version>", e.getErr(b, key, ids[1]), 404, "NoSuchVersion")

	// Suspended: PUTs write the null version in place.
	e.setVersioning(t, b, types.BucketVersioningStatusSuspended)
	gv, err = e.c.GetBucketVersioning(ctx(), &s3.GetBucketVersioningInput{Bucket: aws.String(b)})
	if err != nil || gv.Status != types.BucketVersioningStatusSuspended {
		t.Errorf("GetBucketVersioning after Suspended: %+v, %v", gv, err)
	}
	const key2 = "suspended.txt"
	var lastETag string
	for i, body := range [][]byte{[]byte("n1"), []byte("n2 n2")} {
		out := e.put(t, b, key2, body)
		if v := aws.ToString(out.VersionId); v != "null" {
			t.Errorf("PutObject %d (Suspended): VersionId = %q, want \"null\"", i, v)
		}
		lastETag = aws.ToString(out.ETag)
	}
	l = e.list(t, &s3.ListObjectVersionsInput{Bucket: aws.String(b), Prefix: aws.String(key2)})
	if vs := versionsOf(l); len(vs) != 1 || vs[0].VersionID != "null" || !vs[0].IsLatest || aws.ToString(l.Versions[0].ETag) != lastETag {
		t.Errorf("suspended key: %+v, want exactly one latest null version with ETag %s", vs, lastETag)
	}
	if got, out := e.get(t, b, key2, "null"); string(got) != "n2 n2" || aws.ToString(out.VersionId) != "null" {
		t.Errorf("GetObject versionId=null: %q version %q, want \"n2 n2\" null", got, aws.ToString(out.VersionId))
	}
	// Suspended PUT over a key with real versions: adds null, keeps the rest.
	e.put(t, b, key, []byte("null over versions"))
	l = e.list(t, &s3.ListObjectVersionsInput{Bucket: aws.String(b), Prefix: aws.String(key)})
	if vs := versionsOf(l); len(vs) != 3 || vs[0].VersionID != "null" || !vs[0].IsLatest || vs[1].VersionID != ids[2] || vs[2].VersionID != ids[0] {
		t.Errorf("suspended PUT over %s: %+v, want [null(latest) %s %s]", key, vs, ids[2], ids[0])
	}
	// Suspended DELETE: removes the null version, inserts a null marker.
	del, err = e.c.DeleteObject(ctx(), &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("DeleteObject (Suspended): %v", err)
	}
	if !aws.ToBool(del.DeleteMarker) || aws.ToString(del.VersionId) != "null" {
		t.Errorf("DeleteObject (Suspended): DeleteMarker %v VersionId %q, want true null", aws.ToBool(del.DeleteMarker), aws.ToString(del.VersionId))
	}
	l = e.list(t, &s3.ListObjectVersionsInput{Bucket: aws.String(b), Prefix: aws.String(key)})
	if vs, ms := versionsOf(l), markersOf(l); len(vs) != 2 || vs[0].VersionID != ids[2] || len(ms) != 1 || ms[0].VersionID != "null" || !ms[0].IsLatest {
		t.Errorf("after suspended delete: versions %+v markers %+v, want [%s %s] and one latest null marker", vs, ms, ids[2], ids[0])
	}

	// Invalid status.
	_, err = e.c.PutBucketVersioning(ctx(), &s3.PutBucketVersioningInput{Bucket: aws.String(b),
		VersioningConfiguration: &types.VersioningConfiguration{Status: "Bogus"}})
	wantAPIError(t, "PutBucketVersioning Status=Bogus", err, 400, "MalformedXML")
}

// TestSDKVersionIDErrors: malformed and absent version ids.
func TestSDKVersionIDErrors(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t)
	b := e.bucket(t, true)
	id := aws.ToString(e.put(t, b, "k", []byte("x")).VersionId)
	e.put(t, b, "k", []byte("y"))

	wantAPIError(t, "GET versionId=garbage!", e.getErr(b, "k", "garbage!"), 400, "InvalidArgument")
	wantAPIError(t, "HEAD versionId=garbage!", e.headErr(b, "k", "garbage!"), 400, "")

	absent := mutateVersionID(t, id)
	t.Logf("real id %s, absent id %s", id, absent)
	wantAPIError(t, "GET versionId=<well-formed, absent>", e.getErr(b, "k", absent), 404, "NoSuchVersion")
	wantAPIError(t, "HEAD versionId=<well-formed, absent>", e.headErr(b, "k", absent), 404, "")
	// A real version id of another key is absent for this key.
	wantAPIError(t, "GET other key's versionId", e.getErr(b, "other", id), 404, "NoSuchVersion")
	// DELETE of a malformed id: 400 InvalidArgument.
	_, err := e.c.DeleteObject(ctx(), &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("k"), VersionId: aws.String("garbage!")})
	wantAPIError(t, "DELETE versionId=garbage!", err, 400, "InvalidArgument")
}

// TestSDKDeleteObjects: multi-object delete with and without version ids.
func TestSDKDeleteObjects(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t)
	b := e.bucket(t, true)
	a1 := aws.ToString(e.put(t, b, "a", []byte("a1")).VersionId)
	a2 := aws.ToString(e.put(t, b, "a", []byte("a2")).VersionId)
	e.put(t, b, "b", []byte("b1"))

	// Without versions: markers.
	out, err := e.c.DeleteObjects(ctx(), &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("b")}, {Key: aws.String("never")}}}})
	if err != nil {
		t.Fatalf("DeleteObjects (no versions): %v", err)
	}
	if len(out.Errors) != 0 || len(out.Deleted) != 2 {
		t.Fatalf("DeleteObjects (no versions): Deleted %+v Errors %+v, want 2 deleted", out.Deleted, out.Errors)
	}
	markers := map[string]string{}
	for _, d := range out.Deleted {
		k := aws.ToString(d.Key)
		if !aws.ToBool(d.DeleteMarker) || aws.ToString(d.DeleteMarkerVersionId) == "" || aws.ToString(d.DeleteMarkerVersionId) == "null" {
			t.Errorf("DeleteObjects %s (Enabled, no version): DeleteMarker %v DeleteMarkerVersionId %q, want true and a fresh id",
				k, aws.ToBool(d.DeleteMarker), aws.ToString(d.DeleteMarkerVersionId))
		}
		markers[k] = aws.ToString(d.DeleteMarkerVersionId)
	}
	l := e.list(t, &s3.ListObjectVersionsInput{Bucket: aws.String(b)})
	gotMarkers := map[string]string{}
	for _, m := range markersOf(l) {
		gotMarkers[m.Key] = m.VersionID
		if !m.IsLatest {
			t.Errorf("marker %+v not latest", m)
		}
	}
	if gotMarkers["b"] != markers["b"] || gotMarkers["never"] != markers["never"] || len(gotMarkers) != 2 {
		t.Errorf("listed markers %v, want %v (a marker also for a key that never existed)", gotMarkers, markers)
	}

	// With versions (verbose): a version and a marker.
	out, err = e.c.DeleteObjects(ctx(), &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{
			{Key: aws.String("a"), VersionId: aws.String(a1)},
			{Key: aws.String("b"), VersionId: aws.String(markers["b"])},
		}, Quiet: aws.Bool(false)}})
	if err != nil {
		t.Fatalf("DeleteObjects (versions): %v", err)
	}
	if len(out.Errors) != 0 || len(out.Deleted) != 2 {
		t.Fatalf("DeleteObjects (versions): Deleted %+v Errors %+v, want 2 deleted", out.Deleted, out.Errors)
	}
	for _, d := range out.Deleted {
		switch k := aws.ToString(d.Key); k {
		case "a":
			if aws.ToString(d.VersionId) != a1 || aws.ToBool(d.DeleteMarker) || d.DeleteMarkerVersionId != nil {
				t.Errorf("Deleted a: VersionId %q DeleteMarker %v DeleteMarkerVersionId %q, want %s, false, none",
					aws.ToString(d.VersionId), aws.ToBool(d.DeleteMarker), aws.ToString(d.DeleteMarkerVersionId), a1)
			}
		case "b":
			if aws.ToString(d.VersionId) != markers["b"] || !aws.ToBool(d.DeleteMarker) || aws.ToString(d.DeleteMarkerVersionId) != markers["b"] {
				t.Errorf("Deleted b (a marker): VersionId %q DeleteMarker %v DeleteMarkerVersionId %q, want %s, true, %s",
					aws.ToString(d.VersionId), aws.ToBool(d.DeleteMarker), aws.ToString(d.DeleteMarkerVersionId), markers["b"], markers["b"])
			}
		default:
			t.Errorf("unexpected Deleted key %q", k)
		}
	}
	l = e.list(t, &s3.ListObjectVersionsInput{Bucket: aws.String(b)})
	var got []string
	for _, v := range versionsOf(l) {
		got = append(got, v.Key+"@"+v.VersionID)
	}
	// Left: a's newest version and b's only version; no markers for a or b.
	if len(got) != 2 || got[0] != "a@"+a2 || !strings.HasPrefix(got[1], "b@") {
		t.Errorf("versions after DeleteObjects: %q, want [a@%s b@<its only version>]", got, a2)
	}
	for _, m := range markersOf(l) {
		if m.Key != "never" {
			t.Errorf("marker left after DeleteObjects: %+v (only \"never\" should have one)", m)
		}
	}
	if got, _ := e.get(t, b, "b", ""); string(got) != "b1" {
		t.Errorf("b after removing its marker: %q, want b1", got)
	}
}

// TestSDKCopyVersion: CopyObject from a specific source version.
func TestSDKCopyVersion(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t)
	b := e.bucket(t, true)
	key := "src dir/a+b ü.txt"
	v1 := aws.ToString(e.put(t, b, key, []byte("first")).VersionId)
	v2 := aws.ToString(e.put(t, b, key, []byte("second")).VersionId)

	src := b + "/" + url.PathEscape(key) + "?versionId=" + url.QueryEscape(v1)
	out, err := e.c.CopyObject(ctx(), &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("dst"), CopySource: aws.String(src)})
	if err != nil {
		t.Fatalf("CopyObject %s: %v", src, err)
	}
	if got := aws.ToString(out.CopySourceVersionId); got != v1 {
		t.Errorf("CopySourceVersionId = %q, want %s", got, v1)
	}
	dv := aws.ToString(out.VersionId)
	if dv == "" || dv == "null" || dv == v1 {
		t.Errorf("CopyObject into an Enabled bucket: VersionId = %q, want a fresh id", dv)
	}
	if got, g := e.get(t, b, "dst", ""); string(got) != "first" || aws.ToString(g.VersionId) != dv {
		t.Errorf("copied object: %q version %q, want \"first\" %s", got, aws.ToString(g.VersionId), dv)
	}
	// Without versionId the current version is copied.
	out, err = e.c.CopyObject(ctx(), &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("dst2"), CopySource: aws.String(b + "/" + url.PathEscape(key))})
	if err != nil {
		t.Fatalf("CopyObject (current): %v", err)
	}
	if got, _ := e.get(t, b, "dst2", ""); string(got) != "second" {
		t.Errorf("copy of the current version: %q, want second", got)
	}
	if got := aws.ToString(out.CopySourceVersionId); got != v2 {
		t.Errorf("CopySourceVersionId of a copy of the current version = %q, want %s", got, v2)
	}
	// Copying a delete marker by id fails (400 InvalidRequest on AWS); at
	// least it must not succeed.
	del, err := e.c.DeleteObject(ctx(), &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.c.CopyObject(ctx(), &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("dst3"),
		CopySource: aws.String(b + "/" + url.PathEscape(key) + "?versionId=" + aws.ToString(del.VersionId))})
	if err == nil {
		t.Errorf("CopyObject from a delete marker version succeeded")
	}
	// The current version is a marker: copying without id is 404 NoSuchKey.
	_, err = e.c.CopyObject(ctx(), &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("dst4"), CopySource: aws.String(b + "/" + url.PathEscape(key))})
	wantAPIError(t, "CopyObject from a deleted key", err, 404, "NoSuchKey")
	// Older versions stay copyable.
	if _, err = e.c.CopyObject(ctx(), &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("dst5"), CopySource: aws.String(src)}); err != nil {
		t.Errorf("CopyObject of an old version under a marker: %v", err)
	}
}

// TestSDKTaggingVersion: object tagging of one specific version.
func TestSDKTaggingVersion(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t)
	b := e.bucket(t, true)
	v1 := aws.ToString(e.put(t, b, "k", []byte("1")).VersionId)
	v2 := aws.ToString(e.put(t, b, "k", []byte("2")).VersionId)

	pt, err := e.c.PutObjectTagging(ctx(), &s3.PutObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("k"), VersionId: aws.String(v1),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("gen"), Value: aws.String("old")}}}})
	if err != nil {
		t.Fatalf("PutObjectTagging versionId=v1: %v", err)
	}
	if got := aws.ToString(pt.VersionId); got != v1 {
		t.Errorf("PutObjectTagging VersionId = %q, want %s", got, v1)
	}
	gt, err := e.c.GetObjectTagging(ctx(), &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("k"), VersionId: aws.String(v1)})
	if err != nil {
		t.Fatalf("GetObjectTagging v1: %v", err)
	}
	if len(gt.TagSet) != 1 || aws.ToString(gt.TagSet[0].Key) != "gen" || aws.ToString(gt.TagSet[0].Value) != "old" || aws.ToString(gt.VersionId) != v1 {
		t.Errorf("GetObjectTagging v1: %+v version %q, want gen=old %s", gt.TagSet, aws.ToString(gt.VersionId), v1)
	}
	gt, err = e.c.GetObjectTagging(ctx(), &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("GetObjectTagging current: %v", err)
	}
	if len(gt.TagSet) != 0 || aws.ToString(gt.VersionId) != v2 {
		t.Errorf("GetObjectTagging current: %+v version %q, want no tags on %s", gt.TagSet, aws.ToString(gt.VersionId), v2)
	}
	// Tagging does not create a version.
	l := e.list(t, &s3.ListObjectVersionsInput{Bucket: aws.String(b)})
	if n := len(l.Versions); n != 2 {
		t.Errorf("versions after tagging: %d, want 2", n)
	}
	// HEAD of v1 reports the tag count.
	h, err := e.c.HeadObject(ctx(), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("k"), VersionId: aws.String(v1)})
	if err != nil {
		t.Fatalf("HeadObject v1: %v", err)
	}
	if aws.ToString(h.VersionId) != v1 {
		t.Errorf("HeadObject v1: VersionId %q", aws.ToString(h.VersionId))
	}
}

// TestSDKListVersions: prefix, delimiter, markers and encoding-type=url.
func TestSDKListVersions(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t)
	b := e.bucket(t, true)
	ids := map[string][]string{}
	for _, k := range []string{"dir/a", "dir/b", "dir/sub/c", "dir/sub/d", "top"} {
		for i := 0; i < 2; i++ {
			ids[k] = append(ids[k], aws.ToString(e.put(t, b, k, []byte(k+fmt.Sprint(i))).VersionId))
		}
	}
	del, err := e.c.DeleteObject(ctx(), &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("dir/b")})
	if err != nil {
		t.Fatal(err)
	}

	l := e.list(t, &s3.ListObjectVersionsInput{Bucket: aws.String(b), Prefix: aws.String("dir/"), Delimiter: aws.String("/")})
	var got []string
	for _, v := range versionsOf(l) {
		got = append(got, v.Key+"@"+v.VersionID)
	}
	want := []string{"dir/a@" + ids["dir/a"][1], "dir/a@" + ids["dir/a"][0], "dir/b@" + ids["dir/b"][1], "dir/b@" + ids["dir/b"][0]}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Versions with prefix dir/ delimiter /:\n got  %q\n want %q", got, want)
	}
	if ms := markersOf(l); len(ms) != 1 || ms[0].Key != "dir/b" || ms[0].VersionID != aws.ToString(del.VersionId) {
		t.Errorf("DeleteMarkers = %+v, want the marker of dir/b", ms)
	}
	if len(l.CommonPrefixes) != 1 || aws.ToString(l.CommonPrefixes[0].Prefix) != "dir/sub/" {
		t.Errorf("CommonPrefixes = %v, want [dir/sub/]", prefixes(l))
	}
	if aws.ToString(l.Prefix) != "dir/" || aws.ToString(l.Delimiter) != "/" || aws.ToBool(l.IsTruncated) {
		t.Errorf("Prefix %q Delimiter %q IsTruncated %v", aws.ToString(l.Prefix), aws.ToString(l.Delimiter), aws.ToBool(l.IsTruncated))
	}

	// Delimiter at the root.
	l = e.list(t, &s3.ListObjectVersionsInput{Bucket: aws.String(b), Delimiter: aws.String("/")})
	if p := prefixes(l); len(p) != 1 || p[0] != "dir/" {
		t.Errorf("root CommonPrefixes = %v, want [dir/]", p)
	}
	if vs := versionsOf(l); len(vs) != 2 || vs[0].Key != "top" {
		t.Errorf("root Versions = %+v, want the 2 versions of top", vs)
	}

	// MaxKeys paging with KeyMarker/VersionIdMarker (markers interleaved).
	var all []string
	var keyMarker, vMarker *string
	for page := 0; page < 20; page++ {
		l = e.list(t, &s3.ListObjectVersionsInput{Bucket: aws.String(b), MaxKeys: aws.Int32(3), KeyMarker: keyMarker, VersionIdMarker: vMarker})
		n := len(l.Versions) + len(l.DeleteMarkers)
		if n > 3 {
			t.Errorf("page %d: %d entries, want at most 3", page, n)
		}
		for _, v := range versionsOf(l) {
			all = append(all, v.Key+"@"+v.VersionID)
		}
		for _, m := range markersOf(l) {
			all = append(all, m.Key+"@"+m.VersionID)
		}
		if !aws.ToBool(l.IsTruncated) {
			break
		}
		if l.NextKeyMarker == nil || l.NextVersionIdMarker == nil {
			t.Fatalf("truncated page %d without NextKeyMarker/NextVersionIdMarker", page)
		}
		keyMarker, vMarker = l.NextKeyMarker, l.NextVersionIdMarker
	}
	if len(all) != 11 {
		t.Errorf("paged listing: %d entries, want 11 (10 versions + 1 marker): %q", len(all), all)
	}
	seen := map[string]bool{}
	for _, s := range all {
		if seen[s] {
			t.Errorf("paged listing repeats %s", s)
		}
		seen[s] = true
	}
	// version-id-marker without key-marker: 400 InvalidArgument.
	_, err = e.c.ListObjectVersions(ctx(), &s3.ListObjectVersionsInput{Bucket: aws.String(b), VersionIdMarker: aws.String(ids["top"][0])})
	wantAPIError(t, "ListObjectVersions version-id-marker without key-marker", err, 400, "InvalidArgument")
}

func prefixes(l *s3.ListObjectVersionsOutput) []string {
	var out []string
	for _, p := range l.CommonPrefixes {
		out = append(out, aws.ToString(p.Prefix))
	}
	return out
}

// TestSDKListVersionsEncodingURL: with EncodingType url, Key, Prefix and
// the markers come URL-encoded (the Go SDK does not decode them).
func TestSDKListVersionsEncodingURL(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t)
	b := e.bucket(t, true)
	keys := []string{"a b+c%d ü", "a b+c%d ü/x&y<z>"}
	for _, k := range keys {
		e.put(t, b, k, []byte("v1"))
		e.put(t, b, k, []byte("v2"))
	}
	if _, err := e.c.DeleteObject(ctx(), &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String(keys[0])}); err != nil {
		t.Fatal(err)
	}
	decode := func(what, s string) string {
		t.Helper()
		if strings.ContainsAny(s, " ü<>&") {
			t.Errorf("%s %q is not URL-encoded", what, s)
		}
		d, err := url.QueryUnescape(s) // "+" and "%20" both mean a space
		if err != nil {
			t.Errorf("%s %q: %v", what, s, err)
		}
		return d
	}
	l := e.list(t, &s3.ListObjectVersionsInput{Bucket: aws.String(b), EncodingType: types.EncodingTypeUrl, Prefix: aws.String("a b+c%d ü")})
	if l.EncodingType != types.EncodingTypeUrl {
		t.Errorf("EncodingType = %q, want url", l.EncodingType)
	}
	if got := decode("Prefix", aws.ToString(l.Prefix)); got != "a b+c%d ü" {
		t.Errorf("decoded Prefix = %q", got)
	}
	if len(l.Versions) != 4 || len(l.DeleteMarkers) != 1 {
		t.Fatalf("%d versions %d markers, want 4 and 1", len(l.Versions), len(l.DeleteMarkers))
	}
	for i, v := range l.Versions {
		if got, want := decode("Key", aws.ToString(v.Key)), keys[i/2]; got != want {
			t.Errorf("Versions[%d] decoded Key = %q, want %q (raw %q)", i, got, want, aws.ToString(v.Key))
		}
	}
	if got := decode("DeleteMarker Key", aws.ToString(l.DeleteMarkers[0].Key)); got != keys[0] {
		t.Errorf("marker decoded Key = %q, want %q", got, keys[0])
	}
	// Delimiter roll-up with encoding.
	l = e.list(t, &s3.ListObjectVersionsInput{Bucket: aws.String(b), EncodingType: types.EncodingTypeUrl, Delimiter: aws.String("/")})
	if p := prefixes(l); len(p) != 1 || decode("CommonPrefix", p[0]) != keys[0]+"/" {
		t.Errorf("CommonPrefixes = %q, want [%q] encoded", p, keys[0]+"/")
	}
	// Paging markers are encoded too.
	l = e.list(t, &s3.ListObjectVersionsInput{Bucket: aws.String(b), EncodingType: types.EncodingTypeUrl, MaxKeys: aws.Int32(1)})
	if !aws.ToBool(l.IsTruncated) || decode("NextKeyMarker", aws.ToString(l.NextKeyMarker)) != keys[0] {
		t.Errorf("MaxKeys 1: IsTruncated %v NextKeyMarker %q, want true and %q encoded", aws.ToBool(l.IsTruncated), aws.ToString(l.NextKeyMarker), keys[0])
	}
	// Without EncodingType the keys come back raw.
	l = e.list(t, &s3.ListObjectVersionsInput{Bucket: aws.String(b)})
	if len(l.Versions) != 4 || aws.ToString(l.Versions[0].Key) != keys[0] {
		t.Errorf("no EncodingType: first key %q, want raw %q", aws.ToString(l.Versions[0].Key), keys[0])
	}
}
