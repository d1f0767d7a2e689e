package bolt

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
)

var (
	tFull = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)

	fullVersion = &meta.Version{
		Bucket: "b", Key: "dir/file.txt", VersionID: "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", ModTime: tFull, Seq: 1 << 40,
		DeleteMarker: true, Size: -1, ETag: "d41d8cd98f00b204e9800998ecf8427e-2", Owner: "111111111111",
		StorageClass: "STANDARD", ContentType: "text/plain",
		Headers:      map[string]string{"Cache-Control": "no-cache", "Expires": ""},
		Metadata:     map[string]string{"a": "1", "b": "日本"},
		Tags:         map[string]string{"t": "v"},
		Checksums:    map[string]string{"CRC32": "AAAAAA=="},
		ChecksumType: "COMPOSITE", PartsCount: 2,
		Data: []meta.Segment{{BlobID: "blob1", Size: 5 << 20, Part: 1},
			{BlobID: "inl", Size: 3, Inline: true, Part: 2}},
		ReplicationStatus: "PENDING",
		ACL: []meta.Grant{{Type: "CanonicalUser", Grantee: "222222222222", Permission: "FULL_CONTROL"},
			{Type: "Group", Grantee: "http://acs.amazonaws.com/groups/global/AllUsers", Permission: "READ"}},
		Replication: []meta.ReplicaState{{Bucket: "d1", Rule: "r1", Status: "COMPLETED"},
			{Bucket: "d2", Rule: "r2", Status: "FAILED", Reason: "DstPutObjectNotPermitted"}},
	}
	// replicatedVersion has replication states but no ACL.
	replicatedVersion = &meta.Version{
		Bucket: "b", Key: "k", VersionID: "v", ModTime: tFull, Size: 3, ETag: "e", Owner: "111111111111",
		ReplicationStatus: "PENDING", Replication: []meta.ReplicaState{{Bucket: "d", Status: "PENDING"}},
	}
	// typicalVersion is what a plain PUT writes.
	typicalVersion = &meta.Version{
		Bucket: "b", Key: "photos/2024/05/img-0001234.jpg", VersionID: meta.NullVersion, ModTime: tFull,
		Size: 123456, ETag: "d41d8cd98f00b204e9800998ecf8427e", Owner: "111111111111", StorageClass: "STANDARD",
		ContentType: "image/jpeg", Data: []meta.Segment{{BlobID: "01HZXJ6N4W4YH3K7Q2ZJ3M9V8B", Size: 123456}},
	}
	fullUpload = &meta.Upload{Bucket: "b", Key: "k", UploadID: "up", Initiated: tFull, Owner: "o", StorageClass: "GLACIER",
		ContentType: "x/y", Headers: map[string]string{"h": "v"}, Metadata: map[string]string{"m": "v"},
		Tags: map[string]string{"t": "v"}, ChecksumAlgorithm: "SHA256", ChecksumType: "FULL_OBJECT",
		ACL: []meta.Grant{{Type: "CanonicalUser", Grantee: "222222222222", Permission: "FULL_CONTROL"}}}
	fullPart = &meta.Part{UploadID: "up", Number: 10000, Size: 5 << 20, ETag: "e", ModTime: tFull,
		Data: meta.Segment{BlobID: "blob", Size: 5 << 20, Part: 10000}, Checksums: map[string]string{"CRC32C": "x"}}
	fullTask = &meta.Task{ID: "00000000000000000001", Queue: "repl", Key: "b/k", Payload: []byte{0, 1, 2},
		NotBefore: -5, LeaseUntil: 1 << 62, Attempts: 3, LastError: "boom", Created: 7}
	fullBucket = &meta.Bucket{Name: "b", Owner: "o", Region: "eu-west-1", Created: tFull, Versioning: "Enabled",
		Configs: map[string][]byte{"policy": []byte("{}"), "cors": []byte("<x/>")}}
	fullAccount   = &meta.Account{ID: "111111111111", Name: "n", Created: tFull, Operator: true}
	fullAccessKey = &meta.AccessKey{ID: "AKIA", Secret: "s", AccountID: "111111111111", UserName: "u", Status: "Active", Created: tFull}
	sessionKey    = &meta.AccessKey{ID: "ASIA", Secret: "s", AccountID: "111111111111", Status: "Active", Created: tFull,
		RoleName: "r", SessionName: "sess", SessionToken: "tok", Expires: tFull.Add(time.Hour), AssumedBy: "s3.amazonaws.com",
		SessionPolicy: "{}"}
)

// codecs maps a name to an encoder and a decoder over any.
var codecs = []struct {
	name   string
	values []any
	enc    func(any) []byte
	dec    func(b []byte, like any) (any, error) // like supplies Bucket and Key
	// legacy returns the value as each earlier release would have stored
	// it, dropping appended fields (nil when the record has none).
	legacy func(any) []any
}{
	{"version", []any{fullVersion, typicalVersion, replicatedVersion, &meta.Version{Bucket: "b", Key: "k"}},
		func(v any) []byte { return encodeVersion(v.(*meta.Version)) },
		func(b []byte, l any) (any, error) {
			return decodeVersion(b, l.(*meta.Version).Bucket, l.(*meta.Version).Key)
		},
		func(v any) []any {
			withACL := *v.(*meta.Version)
			withACL.Replication = nil
			none := withACL
			none.ACL = nil
			return []any{&withACL, &none}
		}},
	{"upload", []any{fullUpload, &meta.Upload{Bucket: "b", Key: "k"}},
		func(v any) []byte { return encodeUpload(v.(*meta.Upload)) },
		func(b []byte, l any) (any, error) {
			return decodeUpload(b, l.(*meta.Upload).Bucket, l.(*meta.Upload).Key)
		},
		func(v any) []any { c := *v.(*meta.Upload); c.ACL = nil; return []any{&c} }},
	{"part", []any{fullPart, &meta.Part{}},
		func(v any) []byte { return encodePart(v.(*meta.Part)) },
		func(b []byte, _ any) (any, error) { return decodePart(b) }, nil},
	{"task", []any{fullTask, &meta.Task{}},
		func(v any) []byte { return encodeTask(v.(*meta.Task)) },
		func(b []byte, _ any) (any, error) { return decodeTask(b) }, nil},
	{"bucket", []any{fullBucket, &meta.Bucket{}},
		func(v any) []byte { return encodeBucket(v.(*meta.Bucket)) },
		func(b []byte, _ any) (any, error) { return decodeBucket(b) }, nil},
	{"account", []any{fullAccount, &meta.Account{}},
		func(v any) []byte { return encodeAccount(v.(*meta.Account)) },
		func(b []byte, _ any) (any, error) { return decodeAccount(b) }, nil},
	{"accesskey", []any{fullAccessKey, sessionKey, &meta.AccessKey{}},
		func(v any) []byte { return encodeAccessKey(v.(*meta.AccessKey)) },
		func(b []byte, _ any) (any, error) { return decodeAccessKey(b) },
		func(v any) []any {
			k := *v.(*meta.AccessKey)
			k.RoleName, k.SessionName, k.SessionToken, k.Expires, k.AssumedBy, k.SessionPolicy = "", "", "", time.Time{}, "", ""
			return []any{&k}
		}},
}

func TestCodecRoundTrip(t *testing.T) {
	for _, c := range codecs {
		for i, v := range c.values {
			b := c.enc(v)
			got, err := c.dec(b, v)
			if err != nil {
				t.Fatalf("%s %d: decode: %v", c.name, i, err)
			}
			if !reflect.DeepEqual(got, v) {
				t.Errorf("%s %d: round trip\n got  %+v\n want %+v", c.name, i, got, v)
			}
			// Every strict prefix and any trailing byte is rejected, except
			// the prefix that is the record as an older release wrote it,
			// which must decode to that older value.
			olds := map[int]any{}
			if c.legacy != nil {
				for _, old := range c.legacy(v) {
					if ob := c.enc(old); len(ob) < len(b) {
						olds[len(ob)] = old
					}
				}
			}
			for n := 0; n < len(b); n++ {
				got, err := c.dec(b[:n], v)
				old, isOld := olds[n]
				switch {
				case isOld:
					if err != nil || !reflect.DeepEqual(got, old) {
						t.Errorf("%s %d: legacy prefix of %d bytes: %v\n got  %+v\n want %+v", c.name, i, n, err, got, old)
					}
				case err == nil:
					t.Errorf("%s %d: truncated to %d bytes decoded without error", c.name, i, n)
				}
			}
			if _, err := c.dec(append(b, 0), v); err == nil {
				t.Errorf("%s %d: trailing byte accepted", c.name, i)
			}
		}
	}
}

func TestZeroTime(t *testing.T) {
	a, err := decodeAccount(encodeAccount(&meta.Account{ID: "x"}))
	if err != nil || !a.Created.IsZero() || a.Created != (time.Time{}) {
		t.Fatalf("zero time round trip: %v %v", a.Created, err)
	}
}

// FuzzDecode feeds arbitrary bytes to every decoder: none may panic, and
// whatever decodes must survive an encode/decode round trip unchanged.
func FuzzDecode(f *testing.F) {
	for _, c := range codecs {
		for _, v := range c.values {
			f.Add(c.enc(v))
		}
	}
	f.Add([]byte{codecV1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range codecs {
			v, err := c.dec(data, c.values[0])
			if err != nil {
				continue
			}
			again, err := c.dec(c.enc(v), v)
			if err != nil {
				t.Fatalf("%s: re-encoded value does not decode: %v", c.name, err)
			}
			if !reflect.DeepEqual(v, again) {
				t.Fatalf("%s: round trip changed\n %+v\n %+v", c.name, v, again)
			}
		}
	})
}

func BenchmarkDecodeVersion(b *testing.B) {
	bin := encodeVersion(typicalVersion)
	js, _ := json.Marshal(typicalVersion)
	b.Run("binary", func(b *testing.B) {
		b.ReportMetric(float64(len(bin)), "bytes/record")
		for b.Loop() {
			if _, err := decodeVersion(bin, "b", "k"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportMetric(float64(len(js)), "bytes/record")
		for b.Loop() {
			var v meta.Version
			if err := json.Unmarshal(js, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
