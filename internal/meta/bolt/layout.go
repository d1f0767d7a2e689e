package bolt

// Layout. Top-level bbolt buckets:
//
//	accounts          account ID -> Account
//	keys              access key ID -> AccessKey
//	keys_by_account   account ID 0x00 key ID -> (empty)
//	buckets           bucket name -> Bucket
//	buckets_by_owner  owner 0x00 bucket name -> (empty)
//	objects           one nested bucket per S3 bucket, holding:
//	    v   key 0x00 ^ModTimeNanos(8) ^Seq(8) versionID -> Version
//	        (key order, newest first within a key)
//	    i   key 0x00 versionID -> ^ModTimeNanos ^Seq (16 bytes; the suffix of the v key),
//	        only for versions whose suffix does not follow from the ID: a
//	        generated ID encodes its creation time, so a version with that
//	        ModTime and Seq 0 is found at key 0x00 suffix(ID) versionID
//	        directly (layout 1 indexed every version; layout 2 reads that too)
//	    c   key -> current Version (same bytes as its v value)
//	    u   key 0x00 InitiatedNanos(8) uploadID -> Upload
//	    ui  key 0x00 uploadID -> InitiatedNanos (8 bytes)
//	parts             lp(uploadID) Number(4, big-endian) -> Part
//	inline            inline ID -> data
//	tasks             task ID -> Task
//	task_queue        lp(queue) NotBefore(8) task ID -> LeaseUntil (8)
//	task_count        queue -> task count (uvarint)
//	iam               lp(account) lp(kind) lower(name) -> JSON user, group, role or managed policy
//	settings          name -> value
//	meta              "schema" -> layout version
//
// Times and signed integers are stored as big-endian uint64 with the sign
// bit flipped so that byte order is numeric order; ^ marks inversion
// (newest first). lp(s) is uvarint(len(s)) followed by s, so a prefix scan
// for one upload or queue can never run into another. Object keys never
// contain 0x00 (the S3 layer rejects them), so key 0x00 ... sorts right
// after key and before every longer key: a < a 0x00 ... < "a b" < "a/b" < "a0".
// Version and upload values omit Bucket and Key, which the layout holds.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"go.etcd.io/bbolt"
)

// schemaVersion is the layout written. Layout 1 (every version in i) is
// read as is and relabelled on open, so older binaries refuse the file
// rather than miss versions that are not in i.
const schemaVersion = "2"

var (
	bAccounts       = []byte("accounts")
	bKeys           = []byte("keys")
	bKeysByAccount  = []byte("keys_by_account")
	bBuckets        = []byte("buckets")
	bBucketsByOwner = []byte("buckets_by_owner")
	bObjects        = []byte("objects")
	bParts          = []byte("parts")
	bInline         = []byte("inline")
	bTasks          = []byte("tasks")
	bTaskQueue      = []byte("task_queue")
	bTaskCount      = []byte("task_count")
	bTaskKeys       = []byte("task_keys")
	bSettings       = []byte("settings")
	bIAM            = []byte("iam")
	bJobs           = []byte("jobs")
	bJobTokens      = []byte("job_tokens")
	bMeta           = []byte("meta")

	topLevel = [][]byte{bAccounts, bKeys, bKeysByAccount, bBuckets, bBucketsByOwner,
		bObjects, bParts, bInline, bTasks, bTaskQueue, bTaskCount, bTaskKeys, bSettings, bMeta, bIAM, bJobs, bJobTokens}

	subVersions  = []byte("v")
	subVersionID = []byte("i")
	subCurrent   = []byte("c")
	subUploads   = []byte("u")
	subUploadID  = []byte("ui")
	// objSubs are the sub-buckets of an S3 bucket, in objBuckets' index order.
	objSubs = [...][]byte{subVersions, subVersionID, subCurrent, subUploads, subUploadID}
)

func initLayout(btx *bbolt.Tx) error {
	for _, name := range topLevel {
		if _, err := btx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	m := btx.Bucket(bMeta)
	switch v := m.Get([]byte("schema")); {
	case v == nil, string(v) == "1":
		return m.Put([]byte("schema"), []byte(schemaVersion))
	case string(v) != schemaVersion:
		return fmt.Errorf("unsupported layout version %q (want %q)", v, schemaVersion)
	}
	return nil
}

// objBuckets are the sub-buckets of one S3 bucket, opened on first use
// (a read transaction does not cache nested buckets, and a GET needs only
// the current-version index).
type objBuckets struct {
	name string
	b    *bbolt.Bucket
	subs [len(objSubs)]*bbolt.Bucket
}

func (o *objBuckets) sub(i int) *bbolt.Bucket {
	if o.subs[i] == nil {
		o.subs[i] = o.b.Bucket(objSubs[i])
	}
	return o.subs[i]
}

func (o *objBuckets) v() *bbolt.Bucket  { return o.sub(0) }
func (o *objBuckets) i() *bbolt.Bucket  { return o.sub(1) }
func (o *objBuckets) c() *bbolt.Bucket  { return o.sub(2) }
func (o *objBuckets) u() *bbolt.Bucket  { return o.sub(3) }
func (o *objBuckets) ui() *bbolt.Bucket { return o.sub(4) }

// objects returns the S3 bucket's sub-buckets, creating them when create
// is set; otherwise it returns nil when the bucket has none.
func (t *tx) objects(name string, create bool) (*objBuckets, error) {
	root := t.btx.Bucket(bObjects)
	b := root.Bucket([]byte(name))
	if b == nil {
		if !create {
			return nil, nil
		}
		t.dirty = true
		var err error
		if b, err = root.CreateBucket([]byte(name)); err != nil {
			return nil, fmt.Errorf("meta/bolt: create bucket %q: %w", name, err)
		}
		for _, sub := range objSubs {
			if _, err := b.CreateBucket(sub); err != nil {
				return nil, fmt.Errorf("meta/bolt: create bucket %q: %w", name, err)
			}
		}
	}
	return &objBuckets{name: name, b: b}, nil
}

// sortable encodes x so that byte order is numeric order.
func sortable(x int64) uint64 { return uint64(x) ^ (1 << 63) }

func unsortable(b []byte) int64 { return int64(binary.BigEndian.Uint64(b) ^ (1 << 63)) }

func putSortable(dst []byte, x int64) []byte {
	return binary.BigEndian.AppendUint64(dst, sortable(x))
}

// nanos is t in Unix nanoseconds, clamped to the int64 range (years
// 1678..2262); the value itself keeps full precision.
func nanos(t time.Time) int64 {
	switch sec := t.Unix(); {
	case sec <= math.MinInt64/1_000_000_000:
		return math.MinInt64
	case sec >= math.MaxInt64/1_000_000_000:
		return math.MaxInt64
	}
	return t.UnixNano()
}

// versionSuffix is the part of a version key after key 0x00 and before
// the version ID: newest first.
func versionSuffix(mod time.Time, seq uint64) []byte {
	b := make([]byte, 0, 16)
	b = binary.BigEndian.AppendUint64(b, ^sortable(nanos(mod)))
	return binary.BigEndian.AppendUint64(b, ^seq)
}

// join builds key 0x00 parts...
func join(key string, parts ...[]byte) []byte {
	n := len(key) + 1
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	b = append(b, key...)
	b = append(b, 0)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func idxKey(key, id string) []byte { return join(key, []byte(id)) }

// splitKey returns the object key of a v or u key and what follows 0x00.
func splitKey(k []byte) (key, rest []byte, ok bool) {
	i := bytes.IndexByte(k, 0)
	if i < 0 {
		return nil, nil, false
	}
	return k[:i], k[i+1:], true
}

// lp is the length-prefixed form of s.
func lp(s string) []byte {
	b := binary.AppendUvarint(make([]byte, 0, len(s)+2), uint64(len(s)))
	return append(b, s...)
}

func hasPrefix(k, prefix []byte) bool { return bytes.HasPrefix(k, prefix) }

func clone(b []byte) []byte { return append([]byte(nil), b...) }

// lowerBound is where a listing of keys (or of key 0x00... entries) starts:
// the greatest of prefix, start and after, where after is already the
// smallest acceptable key following a marker.
func lowerBound(prefix, start string, after []byte) []byte {
	lb := []byte(prefix)
	if after != nil {
		if bytes.Compare(after, lb) > 0 {
			lb = after
		}
	} else if start > prefix {
		lb = []byte(start)
	}
	return lb
}

// after is the smallest byte string greater than s.
func after(s []byte) []byte { return append(clone(s), 0) }

// afterKey is the smallest v/u key greater than every entry of key.
func afterKey(key string) []byte { return append([]byte(key), 1) }

func checkKey(what, k string) error {
	if k == "" {
		return fmt.Errorf("meta/bolt: empty %s", what)
	}
	if bytes.IndexByte([]byte(k), 0) >= 0 {
		return fmt.Errorf("meta/bolt: %s contains NUL", what)
	}
	return nil
}
