package manifest

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/inventoryconf"
)

// memStore is a CreateFunc target that keeps objects in memory.
type memStore struct {
	objects map[string]*bytes.Buffer
	order   []string
	closed  int
	failKey string // Create fails for this key
}

type memObject struct {
	*bytes.Buffer
	s *memStore
}

func (o memObject) Close() error { o.s.closed++; return nil }

func (s *memStore) create(key string) (io.WriteCloser, error) {
	if key == s.failKey {
		return nil, errors.New("create failed")
	}
	if s.objects == nil {
		s.objects = map[string]*bytes.Buffer{}
	}
	b := &bytes.Buffer{}
	s.objects[key] = b
	s.order = append(s.order, key)
	return memObject{b, s}, nil
}

// counter returns a NewName giving name-1, name-2, …
func counter(name string) func() string {
	n := 0
	return func() string { n++; return name + "-" + strconv.Itoa(n) }
}

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestInventorySchema(t *testing.T) {
	got, err := InventorySchema(true, []string{"ChecksumAlgorithm", "ETag", "Size", "StorageClass", "LastModifiedDate", "ETag"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, ChecksumAlgorithm"; FileSchema(got) != want {
		t.Fatalf("got %q, want %q", FileSchema(got), want)
	}
	got, _ = InventorySchema(false, nil)
	if FileSchema(got) != "Bucket, Key" {
		t.Fatalf("got %q", got)
	}
	// The documented 5.4 example list, in config order reversed, comes out
	// in AWS's order.
	doc := "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, ObjectLockLegalHoldStatus, IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm"
	fields := ParseFileSchema(doc)[5:]
	for i, j := 0, len(fields)-1; i < j; i, j = i+1, j-1 {
		fields[i], fields[j] = fields[j], fields[i]
	}
	if got, _ = InventorySchema(true, fields); FileSchema(got) != doc {
		t.Fatalf("got %q", FileSchema(got))
	}
	if _, err := InventorySchema(true, []string{"Bucket"}); err != ErrSchema {
		t.Fatalf("Bucket as optional field: %v", err)
	}
	if _, err := InventorySchema(true, []string{"Tags"}); err != ErrSchema {
		t.Fatalf("unknown field: %v", err)
	}
	// Every optional field a configuration can name has a column.
	all, err := InventorySchema(true, inventoryconf.OptionalFieldNames)
	if err != nil || len(all) != numColumns {
		t.Fatalf("%d columns, %v", len(all), err)
	}
}

var (
	t0 = time.Date(2017, 8, 9, 7, 7, 56, 0, time.UTC)
	t1 = time.Date(2030, 1, 2, 3, 4, 5, 678e6, time.FixedZone("x", 3600))
)

func TestInventoryWriterGolden(t *testing.T) {
	schema, _ := InventorySchema(true, inventoryconf.OptionalFieldNames)
	var s memStore
	w, err := NewInventoryWriter(InventoryWriterOptions{Schema: schema, MaxRowsPerFile: 2,
		KeyPrefix: "inv/src/cfg/", Create: s.create, NewName: counter("u")})
	if err != nil {
		t.Fatal(err)
	}
	rows := []InventoryRow{{
		Bucket: "src", Key: "a b/€+1.jpg", VersionID: "3HL4kqtJlcpXroDTDmJ", IsLatest: true, Size: 85860,
		LastModified: t0, ETag: "d0655f3673af1ca741b11b29865be8e1", StorageClass: "STANDARD", IsMultipartUploaded: true,
		ReplicationStatus: "COMPLETED", EncryptionStatus: "SSE-KMS", ObjectLockRetainUntilDate: t1, ObjectLockMode: "GOVERNANCE",
		ObjectLockLegalHoldStatus: "OFF", IntelligentTieringAccessTier: "", BucketKeyStatus: "ENABLED", ChecksumAlgorithm: "CRC32",
		ObjectAccessControlList: `eyJ"x`, ObjectOwner: "owner", LifecycleExpirationDate: t1,
		ObjectLockEventHoldStatus: "OFF", ObjectLockEventHoldDuration: "P1D", IntelligentTieringReferenceDate: t0,
	}, {
		Bucket: "src", Key: "gone", VersionID: "null", IsDeleteMarker: true, Size: 7, ETag: "e", IsMultipartUploaded: true,
		LastModified: t0,
	}, {
		Bucket: "src", Key: "k", VersionID: "",
	}}
	for i := range rows {
		if err := w.Write(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	files, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if w.Rows() != 3 || len(files) != 2 || s.closed != 2 {
		t.Fatalf("rows %d files %+v closed %d", w.Rows(), files, s.closed)
	}
	want := []string{
		`"src","a+b/%E2%82%AC%2B1.jpg","3HL4kqtJlcpXroDTDmJ","true","false","85860","2017-08-09T07:07:56.000Z","d0655f3673af1ca741b11b29865be8e1","STANDARD","true","COMPLETED","SSE-KMS","2030-01-02T02:04:05.678Z","GOVERNANCE","OFF","","ENABLED","CRC32","eyJ""x","owner","2030-01-02T02:04:05.678Z","OFF","P1D","2017-08-09T07:07:56.000Z"` + "\n" +
			`"src","gone","","false","true","","2017-08-09T07:07:56.000Z","","","","","","","","","","","","","","","","",""` + "\n",
		`"src","k","","false","false","0","","","","false","","","","","","","","","","","","","",""` + "\n",
	}
	for i, f := range files {
		if f.Key != "inv/src/cfg/data/u-"+strconv.Itoa(i+1)+".csv.gz" {
			t.Errorf("key %q", f.Key)
		}
		raw := s.objects[f.Key].Bytes()
		sum := md5.Sum(raw)
		if f.Size != int64(len(raw)) || f.MD5 != hex.EncodeToString(sum[:]) {
			t.Errorf("file %d: size %d md5 %s, object %d bytes", i, f.Size, f.MD5, len(raw))
		}
		if got := gunzip(t, raw); got != want[i] {
			t.Errorf("file %d:\n got %s\nwant %s", i, got, want[i])
		}
	}
	if _, err := w.Close(); err == nil {
		t.Fatal("second Close succeeded")
	}
}

// The real 2017 row of aws-semantics.md 5.5 (Current versions; Size,
// LastModifiedDate, ETag, StorageClass, IsMultipartUploaded,
// ReplicationStatus) is reproduced byte for byte.
func TestInventoryRealRow(t *testing.T) {
	schema, _ := InventorySchema(false, []string{"Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "ReplicationStatus"})
	enc, err := newRowEncoder(schema)
	if err != nil {
		t.Fatal(err)
	}
	got := string(enc.append(nil, &InventoryRow{Bucket: "ctripcorp-nephele-file-eu", Key: "fd/tg/g1/M0A/2B/0D/821.jpg",
		Size: 85860, LastModified: t0, ETag: "d0655f3673af1ca741b11b29865be8e1", StorageClass: "STANDARD"}))
	want := `"ctripcorp-nephele-file-eu","fd/tg/g1/M0A/2B/0D/821.jpg","85860","2017-08-09T07:07:56.000Z","d0655f3673af1ca741b11b29865be8e1","STANDARD","false",""` + "\n"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestInventoryWriterErrors(t *testing.T) {
	var s memStore
	for _, schema := range [][]string{nil, {"Key"}, {"Bucket", "Key", "Key"}, {"Bucket", "Key", "Tags"}} {
		if _, err := NewInventoryWriter(InventoryWriterOptions{Schema: schema, Create: s.create}); err != ErrSchema {
			t.Errorf("schema %q: %v", schema, err)
		}
	}
	if _, err := NewInventoryWriter(InventoryWriterOptions{Schema: []string{"Bucket", "Key"}}); err == nil {
		t.Error("nil Create accepted")
	}
	s.failKey = "data/x.csv.gz"
	w, _ := NewInventoryWriter(InventoryWriterOptions{Schema: []string{"Bucket", "Key"}, Create: s.create, NewName: func() string { return "x" }})
	if err := w.Write(&InventoryRow{Bucket: "b", Key: "k"}); err == nil {
		t.Fatal("Write after failed Create succeeded")
	}
	if _, err := w.Close(); err == nil {
		t.Fatal("Close after failure succeeded")
	}
	// No rows, no files; the default name is a UUID.
	w, _ = NewInventoryWriter(InventoryWriterOptions{Schema: []string{"Bucket", "Key"}, Create: (&memStore{}).create})
	if files, err := w.Close(); err != nil || len(files) != 0 {
		t.Fatalf("empty: %v %v", files, err)
	}
	if u := newUUID(); len(u) != 36 || u[14] != '4' || strings.Count(u, "-") != 4 {
		t.Fatalf("uuid %q", u)
	}
}

// Writing a row allocates nothing once the file is open: memory does not
// grow with the number of rows.
func TestInventoryWriterNoAllocs(t *testing.T) {
	schema, _ := InventorySchema(true, inventoryconf.OptionalFieldNames)
	w, _ := NewInventoryWriter(InventoryWriterOptions{Schema: schema, MaxRowsPerFile: 1 << 30, Create: discardCreate})
	row := benchRow()
	_ = w.Write(&row)
	if n := testing.AllocsPerRun(10000, func() { _ = w.Write(&row) }); n != 0 {
		t.Fatalf("%v allocations per row", n)
	}
}

func TestInventoryWriteRead(t *testing.T) {
	schema, _ := InventorySchema(true, []string{"Size"})
	var s memStore
	w, _ := NewInventoryWriter(InventoryWriterOptions{Schema: schema, Create: s.create})
	rows := []InventoryRow{{Bucket: "b", Key: "x, \"y\"", VersionID: "v1", IsLatest: true}, {Bucket: "b", Key: "dm", VersionID: "null", IsDeleteMarker: true}}
	for i := range rows {
		_ = w.Write(&rows[i])
	}
	files, err := w.Close()
	if err != nil || len(files) != 1 {
		t.Fatal(files, err)
	}
	m, err := ParseInventoryManifest(ManifestJSON("b", "arn:aws:s3:::d", t0, schema, files))
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewInventoryCSVReader(strings.NewReader(gunzip(t, s.objects[m.Files[0].Key].Bytes())), m.Schema())
	if err != nil {
		t.Fatal(err)
	}
	e, err := r.Next()
	if err != nil || e != (Entry{"b", "x, \"y\"", "v1"}) || r.Field("IsLatest") != "true" || r.Field("Nope") != "" {
		t.Fatalf("%+v %v", e, err)
	}
	e, err = r.Next()
	if err != nil || e != (Entry{"b", "dm", "null"}) || r.Field("IsDeleteMarker") != "true" || r.Field("Size") != "" || r.Line() != 2 {
		t.Fatalf("%+v %v", e, err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatal(err)
	}
}

func TestInventoryCSVReader(t *testing.T) {
	// Unknown extra columns are fine; no VersionId column means no version.
	r, err := NewInventoryCSVReader(strings.NewReader(`"b","a+b%2F","x"`+"\n"), []string{"Bucket", "Key", "FutureColumn"})
	if err != nil {
		t.Fatal(err)
	}
	if e, err := r.Next(); err != nil || e != (Entry{"b", "a b/", ""}) {
		t.Fatalf("%+v %v", e, err)
	}
	if _, err := NewInventoryCSVReader(nil, []string{"Bucket", "VersionId"}); err != ErrSchema {
		t.Fatal(err)
	}
	r, _ = NewInventoryCSVReader(strings.NewReader("\"b\",\"k\",\"\"\n\"b\",\"k\"\n"), []string{"Bucket", "Key", "VersionId"})
	if e, err := r.Next(); err != nil || e.VersionID != "null" {
		t.Fatalf("%+v %v", e, err)
	}
	var le *LineError
	if _, err := r.Next(); !errors.As(err, &le) || le.Line != 2 || !errors.Is(err, ErrFieldCount) {
		t.Fatal(err)
	}
}

func TestManifestJSON(t *testing.T) {
	schema, _ := InventorySchema(true, []string{"Size"})
	created := time.UnixMilli(1514944800000)
	got := ManifestJSON("example-source-bucket", "arn:aws:s3:::example-inventory-destination-bucket", created, schema,
		[]DataFile{{Key: "p/example-source-bucket/c/data/939c6d46-85a9-4ba8-87bd-9db705a579ce.csv.gz", Size: 2147483647, MD5: "f11166069f1990abeb9c97ace9cdfabc"}})
	want := `{"sourceBucket":"example-source-bucket","destinationBucket":"arn:aws:s3:::example-inventory-destination-bucket",` +
		`"version":"2016-11-30","creationTimestamp":"1514944800000","fileFormat":"CSV",` +
		`"fileSchema":"Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size",` +
		`"files":[{"key":"p/example-source-bucket/c/data/939c6d46-85a9-4ba8-87bd-9db705a579ce.csv.gz","size":2147483647,"MD5checksum":"f11166069f1990abeb9c97ace9cdfabc"}]}`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if ManifestChecksum([]byte("")) != "d41d8cd98f00b204e9800998ecf8427e" {
		t.Fatal("checksum")
	}
	m, err := ParseInventoryManifest(got)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Schema(), schema) || m.DestinationBucketName() != "example-inventory-destination-bucket" || m.Files[0].Size != 2147483647 {
		t.Fatalf("%+v", m)
	}
	if got := ManifestJSON("s", "arn:aws:s3:::d", created, schema, nil); !bytes.Contains(got, []byte(`"files":[]`)) {
		t.Fatalf("no files: %s", got)
	}
	bad := []struct {
		doc string
		err error
	}{
		{`{`, ErrManifestJSON},
		{`{"fileFormat":"ORC","fileSchema":"Bucket, Key"}`, ErrManifestFormat},
		{`{"fileFormat":"CSV","fileSchema":"Bucket, VersionId"}`, ErrManifestSchema},
		{`{"fileFormat":"CSV","fileSchema":"Bucket,Key","files":[{"key":""}]}`, ErrManifestFiles},
	}
	for _, tc := range bad {
		if _, err := ParseInventoryManifest([]byte(tc.doc)); err != tc.err {
			t.Errorf("%s: %v", tc.doc, err)
		}
	}
}

func TestInventoryLayout(t *testing.T) {
	started := time.Date(2016, 11, 6, 21, 32, 59, 0, time.UTC)
	l := InventoryLayout{DestinationPrefix: "inventory", SourceBucket: "src", ConfigID: "cfg", Started: started}
	for got, want := range map[string]string{
		l.Base():        "inventory/src/cfg/",
		l.ManifestKey(): "inventory/src/cfg/2016-11-06T21-32Z/manifest.json",
		l.ChecksumKey(): "inventory/src/cfg/2016-11-06T21-32Z/manifest.checksum",
		l.SymlinkKey():  "inventory/src/cfg/hive/dt=2016-11-06-21-32/symlink.txt",
		InventoryLayout{SourceBucket: "src", ConfigID: "cfg"}.Base():                        "src/cfg/",
		InventoryLayout{DestinationPrefix: "p/", SourceBucket: "src", ConfigID: "c"}.Base(): "p/src/c/",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	got := string(HiveSymlink("dst", []DataFile{{Key: "a/data/1.csv.gz"}, {Key: "a/data/2.csv.gz"}}))
	if got != "s3://dst/a/data/1.csv.gz\ns3://dst/a/data/2.csv.gz\n" {
		t.Fatalf("symlink %q", got)
	}
}
