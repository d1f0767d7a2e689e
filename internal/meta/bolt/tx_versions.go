package bolt

// Object versions.

import (
	"bytes"
	"fmt"

	"github.com/ferrys3/ferry/internal/meta"
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
	ik := idxKey(v.Key, v.VersionID)
	if old := ob.i.Get(ik); old != nil {
		if err := t.del(ob.v, join(v.Key, old, []byte(v.VersionID))); err != nil {
			return err
		}
	}
	suffix := versionSuffix(v.ModTime, v.Seq)
	vk := join(v.Key, suffix, []byte(v.VersionID))
	val := encodeVersion(v)
	if err := t.put(ob.v, vk, val); err != nil {
		return err
	}
	if err := t.put(ob.i, ik, suffix); err != nil {
		return err
	}
	return t.refreshCurrent(ob, v.Key, vk, val)
}

// refreshCurrent points the current index of key at its newest version, or
// removes it when key has none. When the newest entry is justKey, justVal
// (its freshly encoded value) is stored without copying.
func (t *tx) refreshCurrent(ob *objBuckets, key string, justKey, justVal []byte) error {
	prefix := join(key)
	k, val := ob.v.Cursor().Seek(prefix)
	switch {
	case k == nil || !hasPrefix(k, prefix):
		if ob.c.Get([]byte(key)) == nil {
			return nil
		}
		return t.del(ob.c, []byte(key))
	case justKey != nil && bytes.Equal(k, justKey):
		return t.put(ob.c, []byte(key), justVal)
	case bytes.Equal(ob.c.Get([]byte(key)), val):
		return nil
	default:
		return t.put(ob.c, []byte(key), clone(val))
	}
}

func (t *tx) GetVersion(bucket, key, versionID string) (*meta.Version, error) {
	ob, err := t.objects(bucket, false)
	if err != nil {
		return nil, err
	}
	if ob == nil {
		return nil, notFound("version", key+"?versionId="+versionID)
	}
	suffix := ob.i.Get(idxKey(key, versionID))
	if suffix == nil {
		return nil, notFound("version", key+"?versionId="+versionID)
	}
	val := ob.v.Get(join(key, suffix, []byte(versionID)))
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
	val := ob.c.Get([]byte(key))
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
	var suffix []byte
	if ob != nil {
		suffix = ob.i.Get(idxKey(key, versionID))
	}
	if suffix == nil {
		return notFound("version", key+"?versionId="+versionID)
	}
	if err := t.del(ob.v, join(key, suffix, []byte(versionID))); err != nil {
		return err
	}
	if err := t.del(ob.i, idxKey(key, versionID)); err != nil {
		return err
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
	c := ob.c.Cursor()
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
			if suffix := ob.i.Get(idxKey(opt.KeyMarker, opt.VersionIDMarker)); suffix != nil {
				from = after(join(opt.KeyMarker, suffix, []byte(opt.VersionIDMarker)))
			}
		}
	}
	prefix := []byte(opt.Prefix)
	var lastKey []byte
	var key string
	c := ob.v.Cursor()
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
