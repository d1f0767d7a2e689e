package bolt

// Object versions.

import (
	"bytes"
	"fmt"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/versionid"
)

func (t *tx) PutVersion(v *meta.Version) error {
	if err := checkKey("object key", v.Key); err != nil {
		return err
	}
	if v.VersionID == "" {
		return fmt.Errorf("meta/bolt: empty version ID")
	}
	ob, err := t.objects(v.Bucket, true)
	if err != nil {
		return err
	}
	suffix := versionSuffix(v.ModTime, v.Seq)
	vk := join(v.Key, suffix, []byte(v.VersionID))
	ik := idxKey(v.Key, v.VersionID)
	derived, ok := derivedSuffix(v.VersionID)
	fromID := ok && bytes.Equal(derived, suffix)
	// Drop the version's entry if it sits elsewhere: where i says, or
	// where its ID says (an entry at vk itself is simply overwritten).
	indexed := clone(ob.i().Get(ik))
	if indexed != nil && !bytes.Equal(indexed, suffix) {
		if err := t.del(ob.v(), join(v.Key, indexed, []byte(v.VersionID))); err != nil {
			return err
		}
	}
	if ok && !fromID {
		if dk := join(v.Key, derived, []byte(v.VersionID)); ob.v().Get(dk) != nil {
			if err := t.del(ob.v(), dk); err != nil {
				return err
			}
		}
	}
	val := encodeVersion(v)
	if err := t.put(ob.v(), vk, val); err != nil {
		return err
	}
	switch {
	case fromID && indexed != nil:
		if err := t.del(ob.i(), ik); err != nil {
			return err
		}
	case !fromID && !bytes.Equal(indexed, suffix):
		if err := t.put(ob.i(), ik, suffix); err != nil {
			return err
		}
	}
	return t.refreshCurrent(ob, v.Key, vk, val)
}

// refreshCurrent points the current index of key at its newest version, or
// removes it when key has none. When the newest entry is justKey, justVal
// (its freshly encoded value) is stored without copying.
func (t *tx) refreshCurrent(ob *objBuckets, key string, justKey, justVal []byte) error {
	prefix := join(key)
	k, val := ob.v().Cursor().Seek(prefix)
	switch {
	case k == nil || !hasPrefix(k, prefix):
		if ob.c().Get([]byte(key)) == nil {
			return nil
		}
		return t.del(ob.c(), []byte(key))
	case justKey != nil && bytes.Equal(k, justKey):
		return t.put(ob.c(), []byte(key), justVal)
	case bytes.Equal(ob.c().Get([]byte(key)), val):
		return nil
	default:
		return t.put(ob.c(), []byte(key), clone(val))
	}
}

// locate returns the v key of key's version versionID, or nil when there
// is none. A version whose v-key suffix follows from its ID (see
// derivedSuffix) is found without the i index; every other one through it.
func (ob *objBuckets) locate(key, versionID string) []byte {
	if s, ok := derivedSuffix(versionID); ok {
		if vk := join(key, s, []byte(versionID)); ob.v().Get(vk) != nil {
			return vk
		}
	}
	if s := ob.i().Get(idxKey(key, versionID)); s != nil {
		return join(key, s, []byte(versionID))
	}
	return nil
}

// derivedSuffix is the v-key suffix a generated version ID implies: the
// creation time it encodes, Seq 0. It is what every version ferry creates
// (and every replica of one) has, so those need no i entry.
func derivedSuffix(versionID string) ([]byte, bool) {
	t, ok := versionid.Time(versionID)
	if !ok {
		return nil, false
	}
	return versionSuffix(t, 0), true
}

func (t *tx) GetVersion(bucket, key, versionID string) (*meta.Version, error) {
	ob, err := t.objects(bucket, false)
	if err != nil {
		return nil, err
	}
	if ob == nil {
		return nil, notFound("version", key+"?versionId="+versionID)
	}
	vk := ob.locate(key, versionID)
	if vk == nil {
		return nil, notFound("version", key+"?versionId="+versionID)
	}
	val := ob.v().Get(vk)
	if val == nil {
		return nil, fmt.Errorf("meta/bolt: dangling version index %q %q", key, versionID)
	}
	return decodeVersion(val, bucket, key)
}

func (t *tx) GetCurrent(bucket, key string) (*meta.Version, error) {
	ob, err := t.objects(bucket, false)
	if err != nil {
		return nil, err
	}
	if ob == nil {
		return nil, notFound("object", key)
	}
	val := ob.c().Get([]byte(key))
	if val == nil {
		return nil, notFound("object", key)
	}
	return decodeVersion(val, bucket, key)
}

func (t *tx) DeleteVersion(bucket, key, versionID string) error {
	ob, err := t.objects(bucket, false)
	if err != nil {
		return err
	}
	var vk []byte
	if ob != nil {
		vk = ob.locate(key, versionID)
	}
	if vk == nil {
		return notFound("version", key+"?versionId="+versionID)
	}
	if err := t.del(ob.v(), vk); err != nil {
		return err
	}
	if ik := idxKey(key, versionID); ob.i().Get(ik) != nil {
		if err := t.del(ob.i(), ik); err != nil {
			return err
		}
	}
	return t.refreshCurrent(ob, key, nil, nil)
}

func (t *tx) ListCurrent(bucket string, opt meta.ListOptions, fn func(*meta.Version) bool) error {
	ob, err := t.objects(bucket, false)
	if err != nil || ob == nil {
		return err
	}
	var from []byte
	if opt.KeyMarker != "" {
		from = after([]byte(opt.KeyMarker))
	}
	prefix := []byte(opt.Prefix)
	c := ob.c().Cursor()
	for k, val := c.Seek(lowerBound(opt.Prefix, opt.Start, from)); k != nil && hasPrefix(k, prefix); k, val = c.Next() {
		v, err := decodeVersion(val, bucket, string(k))
		if err != nil {
			return fmt.Errorf("meta/bolt: version %q: %w", k, err)
		}
		if !fn(v) {
			return nil
		}
	}
	return nil
}

func (t *tx) ListVersions(bucket string, opt meta.ListOptions, fn func(*meta.Version) bool) error {
	ob, err := t.objects(bucket, false)
	if err != nil || ob == nil {
		return err
	}
	var from []byte
	if opt.KeyMarker != "" {
		from = afterKey(opt.KeyMarker)
		if opt.VersionIDMarker != "" {
			if vk := ob.locate(opt.KeyMarker, opt.VersionIDMarker); vk != nil {
				from = after(vk)
			}
		}
	}
	prefix := []byte(opt.Prefix)
	var lastKey []byte
	var key string
	c := ob.v().Cursor()
	for k, val := c.Seek(lowerBound(opt.Prefix, opt.Start, from)); k != nil && hasPrefix(k, prefix); k, val = c.Next() {
		kb, _, ok := splitKey(k)
		if !ok {
			return fmt.Errorf("meta/bolt: bad version key %q", k)
		}
		if lastKey == nil || !bytes.Equal(kb, lastKey) {
			key, lastKey = string(kb), []byte(string(kb))
		}
		v, err := decodeVersion(val, bucket, key)
		if err != nil {
			return fmt.Errorf("meta/bolt: version %q: %w", k, err)
		}
		if !fn(v) {
			return nil
		}
	}
	return nil
}

// ForEachBlobRef visits the blob IDs of every version's non-inline
// segments and every part's non-inline data. A blob referenced twice is
// visited twice.
func (t *tx) ForEachBlobRef(fn func(blobID string) bool) error {
	var names [][]byte
	root := t.btx.Bucket(bObjects)
	if err := root.ForEachBucket(func(k []byte) error {
		names = append(names, clone(k))
		return nil
	}); err != nil {
		return err
	}
	for _, name := range names {
		c := root.Bucket(name).Bucket(subVersions).Cursor()
		for k, val := c.First(); k != nil; k, val = c.Next() {
			more, err := versionBlobRefs(val, fn)
			if err != nil {
				return fmt.Errorf("meta/bolt: version %q in %q: %w", k, name, err)
			}
			if !more {
				return nil
			}
		}
	}
	c := t.btx.Bucket(bParts).Cursor()
	for k, val := c.First(); k != nil; k, val = c.Next() {
		p, err := decodePart(val)
		if err != nil {
			return fmt.Errorf("meta/bolt: part %q: %w", k, err)
		}
		if !p.Data.Inline && p.Data.BlobID != "" && !fn(p.Data.BlobID) {
			return nil
		}
	}
	return nil
}
