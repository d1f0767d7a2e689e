package object

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	blobfs "github.com/ferrys3/ferry/internal/blob/fs"
	"github.com/ferrys3/ferry/internal/clock"
	"github.com/ferrys3/ferry/internal/meta/bolt"
	"github.com/ferrys3/ferry/internal/s3err"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time { return c.t }

func newService(t *testing.T, c clock.Clock) *Service {
	t.Helper()
	dir := t.TempDir()
	m, err := bolt.Open(filepath.Join(dir, "meta.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := blobfs.Open(filepath.Join(dir, "data"), blobfs.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); b.Close() })
	if c == nil {
		c = clock.Real{}
	}
	s := New(Config{Meta: m, Blobs: b, Clock: c, Region: "us-east-1", InlineMax: 1024})
	if err := s.CreateBucket(context.Background(), "111122223333", "bkt", ""); err != nil {
		t.Fatal(err)
	}
	return s
}

func put(t *testing.T, s *Service, key string, data []byte) *PutOutput {
	t.Helper()
	out, err := s.Put(context.Background(), PutInput{Bucket: "bkt", Key: key, Owner: "111122223333", Body: bytes.NewReader(data), Size: int64(len(data))})
	if err != nil {
		t.Fatalf("put %q: %v", key, err)
	}
	return out
}

func get(t *testing.T, s *Service, in GetInput) ([]byte, *GetOutput, error) {
	t.Helper()
	in.Bucket = "bkt"
	out, err := s.Get(context.Background(), in)
	if err != nil {
		return nil, nil, err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return b, out, err
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return s3err.As(err).Code
}

func TestPutGetInlineAndBlob(t *testing.T) {
	s := newService(t, nil)
	for _, size := range []int{0, 1, 1024, 1025, 3 << 20} {
		data := bytes.Repeat([]byte("abcdefghij"), size/10+1)[:size]
		out := put(t, s, fmt.Sprintf("k%d", size), data)
		sum := md5.Sum(data)
		if out.ETag != hex.EncodeToString(sum[:]) {
			t.Errorf("size %d: etag %s", size, out.ETag)
		}
		got, _, err := get(t, s, GetInput{Key: fmt.Sprintf("k%d", size)})
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("size %d: got %d bytes, err %v", size, len(got), err)
		}
	}
}

func TestOverwriteFreesOldBlob(t *testing.T) {
	fc := &fakeClock{t: time.Now()}
	s := newService(t, fc)
	big := bytes.Repeat([]byte("x"), 4096)
	put(t, s, "k", big)
	put(t, s, "k", []byte("small"))
	got, _, _ := get(t, s, GetInput{Key: "k"})
	if string(got) != "small" {
		t.Fatalf("got %q", got)
	}
	if n, _ := s.CollectGarbage(context.Background()); n != 0 {
		t.Fatalf("collected %d blobs before the grace period", n)
	}
	fc.t = fc.t.Add(GCGrace + time.Second)
	if n, err := s.CollectGarbage(context.Background()); n != 1 || err != nil {
		t.Fatalf("collected %d, %v; want 1", n, err)
	}
	count := 0
	s.blobs.Walk(context.Background(), func(string) error { count++; return nil })
	if count != 0 {
		t.Fatalf("%d blobs left", count)
	}
}

func TestRanges(t *testing.T) {
	s := newService(t, nil)
	data := []byte("0123456789")
	put(t, s, "k", data)
	cases := []struct {
		hdr, want, code string
	}{
		{"bytes=0-3", "0123", ""},
		{"bytes=7-", "789", ""},
		{"bytes=-2", "89", ""},
		{"bytes=-20", "0123456789", ""},
		{"bytes=5-100", "56789", ""},
		{"bytes=10-", "", "InvalidRange"},
		{"bytes=3-1", "0123456789", ""}, // invalid syntax is ignored
		{"bytes=0-1,3-4", "0123456789", ""},
		{"items=0-1", "0123456789", ""},
	}
	for _, c := range cases {
		got, _, err := get(t, s, GetInput{Key: "k", Range: ParseRange(c.hdr)})
		if code(err) != c.code || (err == nil && string(got) != c.want) {
			t.Errorf("%s: got %q %v, want %q %s", c.hdr, got, err, c.want, c.code)
		}
	}
}

func TestConditions(t *testing.T) {
	s := newService(t, nil)
	out := put(t, s, "k", []byte("hello"))
	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	cases := []struct {
		name string
		c    Conditions
		code string
	}{
		{"if-match ok", Conditions{IfMatch: `"` + out.ETag + `"`}, ""},
		{"if-match star", Conditions{IfMatch: "*"}, ""},
		{"if-match bad", Conditions{IfMatch: `"nope"`}, "PreconditionFailed"},
		{"if-none-match hit", Conditions{IfNoneMatch: `"` + out.ETag + `"`}, "NotModified"},
		{"if-none-match miss", Conditions{IfNoneMatch: `"nope"`}, ""},
		{"modified-since past", Conditions{IfModifiedSince: past}, ""},
		{"modified-since future", Conditions{IfModifiedSince: future}, "NotModified"},
		{"unmodified-since past", Conditions{IfUnmodifiedSince: past}, "PreconditionFailed"},
		{"unmodified-since future", Conditions{IfUnmodifiedSince: future}, ""},
		{"if-match wins over unmodified-since", Conditions{IfMatch: out.ETag, IfUnmodifiedSince: past}, ""},
		{"if-none-match miss wins over modified-since", Conditions{IfNoneMatch: "x", IfModifiedSince: future}, ""},
	}
	for _, c := range cases {
		_, _, err := get(t, s, GetInput{Key: "k", Cond: c.c})
		if code(err) != c.code {
			t.Errorf("%s: got %v, want %s", c.name, err, c.code)
		}
	}
}

func TestListDelimiterAndPaging(t *testing.T) {
	s := newService(t, nil)
	keys := []string{"a", "b/1", "b/2", "b/3", "c", "d/e/f", "d/g", "e"}
	for _, k := range keys {
		put(t, s, k, []byte(k))
	}
	// Page through with delimiter, max 2 per page.
	var got []string
	after := ""
	for i := 0; i < 10; i++ {
		out, err := s.List(context.Background(), ListInput{Bucket: "bkt", Delimiter: "/", After: after, MaxKeys: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out.Objects {
			got = append(got, v.Key)
		}
		got = append(got, out.CommonPrefixes...)
		if !out.Truncated {
			break
		}
		after = out.Last
	}
	want := "a b/ c d/ e"
	if strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
	out, _ := s.List(context.Background(), ListInput{Bucket: "bkt", Prefix: "d/", Delimiter: "/", MaxKeys: 1000})
	if len(out.Objects) != 1 || out.Objects[0].Key != "d/g" || len(out.CommonPrefixes) != 1 || out.CommonPrefixes[0] != "d/e/" {
		t.Fatalf("prefix d/: %+v %v", out.Objects, out.CommonPrefixes)
	}
}

func TestMultipartComplete(t *testing.T) {
	s := newService(t, nil)
	ctx := context.Background()
	id, err := s.CreateUpload(ctx, CreateUploadInput{Bucket: "bkt", Key: "mp", Owner: "o"})
	if err != nil {
		t.Fatal(err)
	}
	p1 := bytes.Repeat([]byte("1"), MinPartSize)
	p2 := []byte("tail")
	var list []CompletePart
	for i, p := range [][]byte{p1, p2} {
		out, err := s.UploadPart(ctx, PartInput{Bucket: "bkt", Key: "mp", UploadID: id, Number: i + 1, Body: bytes.NewReader(p), Size: int64(len(p))})
		if err != nil {
			t.Fatal(err)
		}
		list = append(list, CompletePart{Number: i + 1, ETag: `"` + out.ETag + `"`})
	}
	if _, err := s.Complete(ctx, "bkt", "mp", id, []CompletePart{list[1], list[0]}, WriteConditions{}); code(err) != "InvalidPartOrder" {
		t.Fatalf("out of order: %v", err)
	}
	bad := []CompletePart{list[0], {Number: 2, ETag: "nope"}}
	if _, err := s.Complete(ctx, "bkt", "mp", id, bad, WriteConditions{}); code(err) != "InvalidPart" {
		t.Fatalf("bad etag: %v", err)
	}
	out, err := s.Complete(ctx, "bkt", "mp", id, list, WriteConditions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.ETag, "-2") {
		t.Fatalf("etag %s", out.ETag)
	}
	got, g, err := get(t, s, GetInput{Key: "mp"})
	if err != nil || !bytes.Equal(got, append(append([]byte{}, p1...), p2...)) {
		t.Fatalf("content mismatch: %d bytes, %v", len(got), err)
	}
	if g.V.PartsCount != 2 {
		t.Fatalf("parts count %d", g.V.PartsCount)
	}
	part2, _, err := get(t, s, GetInput{Key: "mp", PartNumber: 2})
	if err != nil || string(part2) != "tail" {
		t.Fatalf("part 2: %q %v", part2, err)
	}
	if _, err := s.Complete(ctx, "bkt", "mp", id, list, WriteConditions{}); code(err) != "NoSuchUpload" {
		t.Fatalf("second complete: %v", err)
	}
}

func TestBadBodyStoresNothing(t *testing.T) {
	s := newService(t, nil)
	ctx := context.Background()
	cases := []struct {
		name string
		in   PutInput
		code string
	}{
		{"short body", PutInput{Body: strings.NewReader("abc"), Size: 10}, "IncompleteBody"},
		{"short big body", PutInput{Body: strings.NewReader(strings.Repeat("a", 5000)), Size: 6000}, "IncompleteBody"},
		{"short pipelined body", PutInput{Body: strings.NewReader(strings.Repeat("a", 3<<20)), Size: 4 << 20}, "IncompleteBody"},
		{"long pipelined body", PutInput{Body: strings.NewReader(strings.Repeat("a", 4<<20+1)), Size: 4 << 20}, "IncompleteBody"},
		{"bad md5", PutInput{Body: strings.NewReader("abc"), Size: 3, ContentMD5: "AAAAAAAAAAAAAAAAAAAAAA=="}, "BadDigest"},
		{"invalid md5", PutInput{Body: strings.NewReader("abc"), Size: 3, ContentMD5: "zz"}, "InvalidDigest"},
		{"bad crc32", PutInput{Body: strings.NewReader("hello world"), Size: 11, Checksum: ChecksumSpec{Algorithm: "CRC32", Value: "AAAAAA=="}}, "BadDigest"},
		{"bad key", PutInput{Body: strings.NewReader("abc"), Size: 3, Key: "a/../b"}, "InvalidArgument"},
	}
	for _, c := range cases {
		in := c.in
		in.Bucket = "bkt"
		if in.Key == "" {
			in.Key = "k"
		}
		if _, err := s.Put(ctx, in); code(err) != c.code {
			t.Errorf("%s: got %v want %s", c.name, err, c.code)
		}
	}
	out, _ := s.List(ctx, ListInput{Bucket: "bkt", MaxKeys: 1000})
	if len(out.Objects) != 0 {
		t.Fatalf("objects stored after bad input: %d", len(out.Objects))
	}
	n := 0
	s.blobs.Walk(ctx, func(string) error { n++; return nil })
	if n != 0 {
		t.Fatalf("%d blobs left after bad input", n)
	}
}

func TestCopyAndOrphans(t *testing.T) {
	s := newService(t, nil)
	ctx := context.Background()
	data := bytes.Repeat([]byte("c"), 5000)
	put(t, s, "src", data)
	if _, err := s.Copy(ctx, CopyInput{SrcBucket: "bkt", SrcKey: "src", Bucket: "bkt", Key: "src"}); code(err) != "InvalidRequest" {
		t.Fatalf("self copy: %v", err)
	}
	out, err := s.Copy(ctx, CopyInput{SrcBucket: "bkt", SrcKey: "src", Bucket: "bkt", Key: "dst", ReplaceMetadata: true,
		Attrs: Attrs{ContentType: "text/x", Metadata: map[string]string{"a": "b"}}})
	if err != nil {
		t.Fatal(err)
	}
	got, g, _ := get(t, s, GetInput{Key: "dst"})
	if !bytes.Equal(got, data) || g.V.ContentType != "text/x" || g.V.Metadata["a"] != "b" || out.ETag != g.V.ETag {
		t.Fatalf("copy mismatch")
	}
	// A blob with no metadata (a crash between blob commit and metadata
	// commit) is collected; live blobs are kept.
	w, _ := s.blobs.Create(ctx, "orphan")
	w.Write([]byte("x"))
	w.Commit()
	if n, err := s.CollectOrphans(ctx); n != 1 || err != nil {
		t.Fatalf("orphans %d %v", n, err)
	}
	if got, _, _ := get(t, s, GetInput{Key: "dst"}); !bytes.Equal(got, data) {
		t.Fatal("live blob collected")
	}
}

func TestConditionalWrites(t *testing.T) {
	s := newService(t, nil)
	ctx := context.Background()
	putIf := func(key, data string, c WriteConditions) error {
		_, err := s.Put(ctx, PutInput{Bucket: "bkt", Key: key, Body: strings.NewReader(data), Size: int64(len(data)), Cond: c})
		return err
	}
	if err := putIf("k", "one", WriteConditions{IfNoneMatch: "*"}); err != nil {
		t.Fatalf("create-only on a new key: %v", err)
	}
	if err := putIf("k", "two", WriteConditions{IfNoneMatch: "*"}); code(err) != "PreconditionFailed" {
		t.Fatalf("create-only on an existing key: %v", err)
	}
	if err := putIf("k", "two", WriteConditions{IfMatch: `"nope"`}); code(err) != "PreconditionFailed" {
		t.Fatalf("stale If-Match: %v", err)
	}
	if err := putIf("missing", "x", WriteConditions{IfMatch: `"nope"`}); code(err) != "NoSuchKey" {
		t.Fatalf("If-Match on a missing key: %v", err)
	}
	sum := md5.Sum([]byte("one"))
	if err := putIf("k", "three", WriteConditions{IfMatch: `"` + hex.EncodeToString(sum[:]) + `"`}); err != nil {
		t.Fatalf("matching If-Match: %v", err)
	}
	if got, _, _ := get(t, s, GetInput{Key: "k"}); string(got) != "three" {
		t.Fatalf("content %q", got)
	}
	if n := 0; true {
		s.blobs.Walk(ctx, func(string) error { n++; return nil })
		if n != 0 {
			t.Fatalf("refused writes left %d blobs", n)
		}
	}
}

// TestGivenVersionPlacement: a version written with its source's ID and
// time (a replica) lands by time; an older one arriving late is noncurrent.
func TestGivenVersionPlacement(t *testing.T) {
	s := newService(t, nil)
	ctx := context.Background()
	if err := s.SetVersioning(ctx, "bkt", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	newer := put(t, s, "k", []byte("newer"))
	old := time.Now().Add(-time.Hour).UTC()
	oldID, _ := s.versions.New() // any valid ID
	out, err := s.Put(ctx, PutInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("older"), Size: 5, VersionID: oldID, ModTime: old})
	if err != nil || out.VersionID != oldID {
		t.Fatalf("given version: %+v %v", out, err)
	}
	if got, g, _ := get(t, s, GetInput{Key: "k"}); string(got) != "newer" || g.V.VersionID != newer.VersionID {
		t.Fatalf("current is %q (%s), want the newer version", got, g.V.VersionID)
	}
	if got, g, _ := get(t, s, GetInput{Key: "k", VersionID: oldID}); string(got) != "older" || !g.V.ModTime.Equal(old) {
		t.Fatalf("given version read back as %q at %v", got, g.V.ModTime)
	}
	lv, err := s.ListVersions(ctx, ListVersionsInput{Bucket: "bkt", MaxKeys: 1000})
	if err != nil || len(lv.Versions) != 2 || lv.Versions[0].VersionID != newer.VersionID || !lv.Versions[0].IsLatest ||
		lv.Versions[1].VersionID != oldID || lv.Versions[1].IsLatest {
		t.Fatalf("versions: %+v %v", lv, err)
	}
}

// TestVersioningStates: null versions, markers and suspension as AWS does.
func TestVersioningStates(t *testing.T) {
	s := newService(t, nil)
	ctx := context.Background()
	if out := put(t, s, "k", []byte("v0")); out.VersionID != "" {
		t.Fatalf("unversioned PUT returned version %q", out.VersionID)
	}
	if err := s.SetVersioning(ctx, "bkt", "Bogus"); code(err) != "MalformedXML" {
		t.Fatalf("bogus state: %v", err)
	}
	s.SetVersioning(ctx, "bkt", VersioningEnabled)
	v1 := put(t, s, "k", []byte("v1"))
	if v1.VersionID == "" || v1.VersionID == NullVersion {
		t.Fatalf("enabled PUT version %q", v1.VersionID)
	}
	del, _ := s.Delete(ctx, "bkt", "k", "", "o")
	if !del.DeleteMarker || del.VersionID == "" {
		t.Fatalf("delete: %+v", del)
	}
	if _, _, err := get(t, s, GetInput{Key: "k"}); code(err) != "NoSuchKey" {
		t.Fatalf("GET after delete: %v", err)
	}
	if _, _, err := get(t, s, GetInput{Key: "k", VersionID: del.VersionID}); code(err) != "MethodNotAllowed" {
		t.Fatalf("GET of marker: %v", err)
	}
	if got, _, _ := get(t, s, GetInput{Key: "k", VersionID: NullVersion}); string(got) != "v0" {
		t.Fatalf("pre-versioning object is the null version: %q", got)
	}
	s.Delete(ctx, "bkt", "k", del.VersionID, "o")
	if got, _, _ := get(t, s, GetInput{Key: "k"}); string(got) != "v1" {
		t.Fatalf("removing the marker restores v1: %q", got)
	}
	s.SetVersioning(ctx, "bkt", VersioningSuspended)
	a := put(t, s, "k", []byte("s1"))
	b := put(t, s, "k", []byte("s2"))
	if a.VersionID != NullVersion || b.VersionID != NullVersion {
		t.Fatalf("suspended versions %q %q", a.VersionID, b.VersionID)
	}
	lv, _ := s.ListVersions(ctx, ListVersionsInput{Bucket: "bkt", MaxKeys: 1000})
	if len(lv.Versions) != 2 || lv.Versions[0].VersionID != NullVersion || lv.Versions[1].VersionID != v1.VersionID {
		t.Fatalf("suspended overwrite keeps v1 and one null version: %+v", lv.Versions)
	}
}
