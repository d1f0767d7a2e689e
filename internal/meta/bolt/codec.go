package bolt

// Compact binary encoding of the records kept in bbolt values.
//
// Every record starts with a one-byte format tag (codecV1) followed by its
// fields in a fixed order:
//
//	uint    uvarint
//	int     zig-zag varint
//	string  uvarint length + bytes
//	bytes   uvarint length + bytes (length 0 decodes as nil)
//	bool    one byte, 0 or 1
//	time    varint Unix seconds + uvarint nanoseconds (< 1e9); decoded in UTC
//	map     uvarint count + (key, value) pairs in sorted key order
//
// Decoding copies the whole value into one string once and slices every
// string field out of it, so a record costs one allocation plus its maps.
// A field added later is appended at the end and decoded only when bytes
// remain, so records written before it stay readable; a change to an
// existing field needs a new format tag, and decoders reject unknown tags.

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
)

const codecV1 = 1

var errCorrupt = errors.New("meta/bolt: corrupt record")

type encoder struct{ b []byte }

func newEncoder(size int) *encoder {
	e := &encoder{b: make([]byte, 0, size)}
	e.b = append(e.b, codecV1)
	return e
}

func (e *encoder) uint(x uint64) { e.b = binary.AppendUvarint(e.b, x) }
func (e *encoder) int(x int64)   { e.b = binary.AppendVarint(e.b, x) }
func (e *encoder) str(s string)  { e.uint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *encoder) bytes(p []byte) {
	e.uint(uint64(len(p)))
	e.b = append(e.b, p...)
}

func (e *encoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

func (e *encoder) time(t time.Time) {
	e.int(t.Unix())
	e.uint(uint64(t.Nanosecond()))
}

func (e *encoder) strMap(m map[string]string) {
	e.uint(uint64(len(m)))
	for _, k := range sortedKeys(m) {
		e.str(k)
		e.str(m[k])
	}
}

func (e *encoder) bytesMap(m map[string][]byte) {
	e.uint(uint64(len(m)))
	for _, k := range sortedKeys(m) {
		e.str(k)
		e.bytes(m[k])
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// decoder reads fields from s; the first error sticks and zero values are
// returned from then on.
type decoder struct {
	s   string
	off int
	err error
}

func newDecoder(b []byte) *decoder {
	d := &decoder{s: string(b)}
	if len(d.s) == 0 || d.s[0] != codecV1 {
		d.fail()
		return d
	}
	d.off = 1
	return d
}

// fail records corruption; d.off = len(d.s) makes every later read fail.
func (d *decoder) fail() { d.err = errCorrupt; d.off = len(d.s) }

func (d *decoder) uint() uint64 {
	if d.off < len(d.s) && d.s[d.off] < 0x80 { // one-byte fast path (d.off is len(d.s) after an error)
		d.off++
		return uint64(d.s[d.off-1])
	}
	return d.uintSlow()
}

func (d *decoder) uintSlow() uint64 {
	if d.err != nil {
		return 0
	}
	var x uint64
	var shift uint
	for i := 0; i < binary.MaxVarintLen64; i++ {
		if d.off >= len(d.s) {
			break
		}
		c := d.s[d.off]
		d.off++
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				break
			}
			return x | uint64(c)<<shift
		}
		x |= uint64(c&0x7f) << shift
		shift += 7
	}
	d.fail()
	return 0
}

func (d *decoder) int() int64 {
	ux := d.uint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

// length reads a length and checks that at least length*min bytes remain.
func (d *decoder) length(min int) int {
	n := d.uint()
	if d.err != nil {
		return 0
	}
	if n > uint64(len(d.s)-d.off)/uint64(min) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	n := d.length(1)
	s := d.s[d.off : d.off+n]
	d.off += n
	return s
}

func (d *decoder) bytes() []byte {
	s := d.str()
	if s == "" {
		return nil
	}
	return []byte(s)
}

func (d *decoder) bool() bool {
	if d.err != nil {
		return false
	}
	if d.off >= len(d.s) || d.s[d.off] > 1 {
		d.fail()
		return false
	}
	d.off++
	return d.s[d.off-1] == 1
}

func (d *decoder) small() int {
	x := d.int()
	if x < math.MinInt || x > math.MaxInt {
		d.fail()
		return 0
	}
	return int(x)
}

func (d *decoder) time() time.Time {
	sec := d.int()
	nsec := d.uint()
	if d.err != nil {
		return time.Time{}
	}
	if nsec >= 1e9 {
		d.fail()
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

func (d *decoder) strMap() map[string]string {
	n := d.length(2)
	if n == 0 {
		return nil
	}
	m := make(map[string]string, n)
	for i := 0; i < n && d.err == nil; i++ {
		k := d.str()
		m[k] = d.str()
	}
	return m
}

func (d *decoder) bytesMap() map[string][]byte {
	n := d.length(2)
	if n == 0 {
		return nil
	}
	m := make(map[string][]byte, n)
	for i := 0; i < n && d.err == nil; i++ {
		k := d.str()
		m[k] = d.bytes()
	}
	return m
}

// done reports the sticky error, or errCorrupt when bytes are left over.
func (d *decoder) done() error {
	if d.err == nil && d.off != len(d.s) {
		d.err = errCorrupt
	}
	return d.err
}

func encodeAccount(a *meta.Account) []byte {
	e := newEncoder(32 + len(a.ID) + len(a.Name))
	e.str(a.ID)
	e.str(a.Name)
	e.time(a.Created)
	e.bool(a.Operator)
	return e.b
}

func decodeAccount(b []byte) (*meta.Account, error) {
	d := newDecoder(b)
	a := &meta.Account{ID: d.str(), Name: d.str(), Created: d.time(), Operator: d.bool()}
	return a, d.done()
}

func encodeAccessKey(k *meta.AccessKey) []byte {
	e := newEncoder(64 + len(k.ID) + len(k.Secret))
	e.str(k.ID)
	e.str(k.Secret)
	e.str(k.AccountID)
	e.str(k.UserName)
	e.str(k.Status)
	e.time(k.Created)
	if k.RoleName != "" {
		e.str(k.RoleName)
		e.str(k.SessionName)
		e.str(k.SessionToken)
		e.time(k.Expires)
		e.str(k.AssumedBy)
		e.str(k.SessionPolicy)
	}
	return e.b
}

func decodeAccessKey(b []byte) (*meta.AccessKey, error) {
	d := newDecoder(b)
	k := &meta.AccessKey{ID: d.str(), Secret: d.str(), AccountID: d.str(),
		UserName: d.str(), Status: d.str(), Created: d.time()}
	if d.more() {
		k.RoleName, k.SessionName, k.SessionToken = d.str(), d.str(), d.str()
		k.Expires = d.time()
		k.AssumedBy, k.SessionPolicy = d.str(), d.str()
		if k.RoleName == "" {
			d.fail() // session fields are only written for role sessions
		}
	}
	return k, d.done()
}

func encodeBucket(b *meta.Bucket) []byte {
	e := newEncoder(64 + len(b.Name))
	e.str(b.Name)
	e.str(b.Owner)
	e.str(b.Region)
	e.time(b.Created)
	e.str(b.Versioning)
	e.bytesMap(b.Configs)
	return e.b
}

func decodeBucket(p []byte) (*meta.Bucket, error) {
	d := newDecoder(p)
	b := &meta.Bucket{Name: d.str(), Owner: d.str(), Region: d.str(), Created: d.time(),
		Versioning: d.str(), Configs: d.bytesMap()}
	return b, d.done()
}

func (e *encoder) segment(s *meta.Segment) {
	e.str(s.BlobID)
	e.int(s.Size)
	e.bool(s.Inline)
	e.int(int64(s.Part))
}

func (d *decoder) segment() meta.Segment {
	return meta.Segment{BlobID: d.str(), Size: d.int(), Inline: d.bool(), Part: d.small()}
}

// encodeVersion encodes v without Bucket and Key, which the layout holds.
func encodeVersion(v *meta.Version) []byte {
	e := newEncoder(96 + len(v.VersionID) + len(v.ETag) + len(v.Owner) + 48*len(v.Data))
	e.str(v.VersionID)
	e.time(v.ModTime)
	e.uint(v.Seq)
	e.bool(v.DeleteMarker)
	e.int(v.Size)
	e.str(v.ETag)
	e.str(v.Owner)
	e.str(v.StorageClass)
	e.str(v.ContentType)
	e.strMap(v.Headers)
	e.strMap(v.Metadata)
	e.strMap(v.Tags)
	e.strMap(v.Checksums)
	e.str(v.ChecksumType)
	e.int(int64(v.PartsCount))
	e.uint(uint64(len(v.Data)))
	for i := range v.Data {
		e.segment(&v.Data[i])
	}
	e.str(v.ReplicationStatus)
	// Optional trailing fields: the ACL (written empty only when fields
	// follow it), then the replication states.
	if len(v.ACL) > 0 || len(v.Replication) > 0 {
		e.grants(v.ACL)
	}
	if len(v.Replication) > 0 {
		e.uint(uint64(len(v.Replication)))
		for _, r := range v.Replication {
			e.str(r.Bucket)
			e.str(r.Rule)
			e.str(r.Status)
			e.str(r.Reason)
		}
	}
	return e.b
}

func (e *encoder) grants(gs []meta.Grant) {
	e.uint(uint64(len(gs)))
	for _, g := range gs {
		e.str(g.Type)
		e.str(g.Grantee)
		e.str(g.Permission)
	}
}

func (d *decoder) grants() []meta.Grant {
	n := d.length(3)
	if n == 0 {
		if !d.more() {
			d.fail() // an empty list is only written when fields follow
		}
		return nil
	}
	gs := make([]meta.Grant, n)
	for i := range gs {
		gs[i] = meta.Grant{Type: d.str(), Grantee: d.str(), Permission: d.str()}
	}
	return gs
}

// more reports whether fields appended by a later release follow.
func (d *decoder) more() bool { return d.err == nil && d.off < len(d.s) }

func decodeVersion(b []byte, bucket, key string) (*meta.Version, error) {
	d := newDecoder(b)
	v := &meta.Version{Bucket: bucket, Key: key}
	v.VersionID = d.str()
	v.ModTime = d.time()
	v.Seq = d.uint()
	v.DeleteMarker = d.bool()
	v.Size = d.int()
	v.ETag = d.str()
	v.Owner = d.str()
	v.StorageClass = d.str()
	v.ContentType = d.str()
	v.Headers = d.strMap()
	v.Metadata = d.strMap()
	v.Tags = d.strMap()
	v.Checksums = d.strMap()
	v.ChecksumType = d.str()
	v.PartsCount = d.small()
	if n := d.length(4); n > 0 {
		v.Data = make([]meta.Segment, n)
		for i := range v.Data {
			v.Data[i] = d.segment()
		}
	}
	v.ReplicationStatus = d.str()
	if d.more() {
		v.ACL = d.grants()
	}
	if d.more() {
		n := d.length(4)
		if n == 0 {
			d.fail() // an empty list is never written
		}
		if n > 0 {
			v.Replication = make([]meta.ReplicaState, n)
			for i := range v.Replication {
				v.Replication[i] = meta.ReplicaState{Bucket: d.str(), Rule: d.str(), Status: d.str(), Reason: d.str()}
			}
		}
	}
	return v, d.done()
}

// versionBlobRefs calls fn with the blob IDs of the encoded version's
// non-inline segments; it reports false when fn stopped the walk.
func versionBlobRefs(b []byte, fn func(string) bool) (bool, error) {
	v, err := decodeVersion(b, "", "")
	if err != nil {
		return false, err
	}
	for _, s := range v.Data {
		if !s.Inline && s.BlobID != "" && !fn(s.BlobID) {
			return false, nil
		}
	}
	return true, nil
}

// encodeUpload encodes u without Bucket and Key, which the layout holds.
func encodeUpload(u *meta.Upload) []byte {
	e := newEncoder(96 + len(u.UploadID) + len(u.Owner))
	e.str(u.UploadID)
	e.time(u.Initiated)
	e.str(u.Owner)
	e.str(u.StorageClass)
	e.str(u.ContentType)
	e.strMap(u.Headers)
	e.strMap(u.Metadata)
	e.strMap(u.Tags)
	e.str(u.ChecksumAlgorithm)
	e.str(u.ChecksumType)
	if len(u.ACL) > 0 {
		e.grants(u.ACL)
	}
	return e.b
}

func decodeUpload(b []byte, bucket, key string) (*meta.Upload, error) {
	d := newDecoder(b)
	u := &meta.Upload{Bucket: bucket, Key: key}
	u.UploadID = d.str()
	u.Initiated = d.time()
	u.Owner = d.str()
	u.StorageClass = d.str()
	u.ContentType = d.str()
	u.Headers = d.strMap()
	u.Metadata = d.strMap()
	u.Tags = d.strMap()
	u.ChecksumAlgorithm = d.str()
	u.ChecksumType = d.str()
	if d.more() {
		u.ACL = d.grants()
	}
	return u, d.done()
}

func encodePart(p *meta.Part) []byte {
	e := newEncoder(96 + len(p.UploadID) + len(p.ETag) + len(p.Data.BlobID))
	e.str(p.UploadID)
	e.int(int64(p.Number))
	e.int(p.Size)
	e.str(p.ETag)
	e.time(p.ModTime)
	e.segment(&p.Data)
	e.strMap(p.Checksums)
	return e.b
}

func decodePart(b []byte) (*meta.Part, error) {
	d := newDecoder(b)
	p := &meta.Part{UploadID: d.str(), Number: d.small(), Size: d.int(), ETag: d.str(),
		ModTime: d.time(), Data: d.segment(), Checksums: d.strMap()}
	return p, d.done()
}

func encodeTask(t *meta.Task) []byte {
	e := newEncoder(64 + len(t.ID) + len(t.Queue) + len(t.Key) + len(t.Payload) + len(t.LastError))
	e.str(t.ID)
	e.str(t.Queue)
	e.str(t.Key)
	e.bytes(t.Payload)
	e.int(t.NotBefore)
	e.int(t.LeaseUntil)
	e.int(int64(t.Attempts))
	e.str(t.LastError)
	e.int(t.Created)
	return e.b
}

func decodeTask(b []byte) (*meta.Task, error) {
	d := newDecoder(b)
	t := &meta.Task{ID: d.str(), Queue: d.str(), Key: d.str(), Payload: d.bytes(),
		NotBefore: d.int(), LeaseUntil: d.int(), Attempts: d.small(), LastError: d.str(),
		Created: d.int()}
	return t, d.done()
}
